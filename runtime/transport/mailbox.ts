// A process's mailbox: the bound socket in the system directory, the lockfile that
// proves we are alive, the peer table (peers.ts: one PeerChannel per destination, the
// sending side), the Inbound parser (the receiving side), the end-of-tick batch
// flush, and the statistics. The transport's public face.
import fs from 'node:fs';
import { EventEmitter } from 'eventemitter3';
import { native, type NativeReceiver } from './native.js';
import type { Address } from './address.js';
import type { PeerChannel } from './peer.js';
import { PeerTable } from './peers.js';
import { fragmentBodySize } from './fragment.js';
import { MAX_TIMER_MS, RECEIVE_SLOTS, SOCKET_BUFFER, resolveLimits, resolveSendMode, type MailboxLimits, type MailboxOptions } from './options.js';
import { Reassembly } from './reassembly.js';
import { Reading } from './reading.js';
import { Inbound, type InboundMessage } from './inbound.js';
import { checkFds } from './fds.js';
export { InboundMessage } from './inbound.js';
import type { DeadLetter, MailboxEvents, MailboxStats } from './mailbox-events.js';
export type { DeadLetter, MailboxEvents, MailboxStats } from './mailbox-events.js';
export type { MailboxOptions } from './options.js';
import {
  joinSystemDir, leaveSystemDir, lockPath, probePeer, resolveSystemDir, sockPath, sweepStale, checkSystemName,
} from './sysdir.js';
import { MAX_DATAGRAM, instanceToString, type Unsent } from './wire.js';
import {
  BadArgumentError, ClosedError, MailboxError, MailboxFullError, MessageTooLargeError, PidgeonError,
} from '../errors.js';

const openDirs = new Set<string>();

/** This process's mailbox in one system. */
export class Mailbox extends EventEmitter<MailboxEvents> {
  readonly address: Address;
  /** The id of the batch entry the last accepted `send` became (see `batchTail`);
   * 0 if it went on its own. */
  lastEntry = 0;
  /** @internal Where the entry of `entryBuffer` may go. */
  entryStart = 0;
  entryEnd = 0;
  private entryChannel: PeerChannel | null = null;
  readonly dir: string;
  readonly system: string;
  private readonly instanceLo: number;
  private readonly instanceHi: number;
  private lockFd: number;
  private systemFd: number;
  private sockFd: number;
  private receiver: NativeReceiver;
  private readonly peers: PeerTable;
  private readonly inbound: Inbound;
  /** The peer table's channels by pid, read on every send. */
  private readonly channels: Map<number, PeerChannel>;
  private readonly dirty: PeerChannel[] = [];
  private flushScheduled = false;
  private readonly reassembly: Reassembly;
  private readonly opts: MailboxLimits;
  private closed = false;
  private reading!: Reading;
  private readonly counters: MailboxStats = {
    sent: 0, received: 0, bytesSent: 0, bytesReceived: 0, datagramsSent: 0, datagramsReceived: 0,
    coalesced: 0, queued: 0, queuedBytes: 0, fragmentsPending: 0, deadLetters: 0,
    dropped: { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 0, badMemfd: 0 }, peers: 0,
  };

  /** Open this process's mailbox in a system (creating the directory if needed). */
  static open(options: MailboxOptions): Mailbox {
    if (typeof options !== 'object' || options === null) throw new BadArgumentError('Mailbox.open needs { system }');
    const system = checkSystemName(options.system);
    return new Mailbox(system, resolveSystemDir(system, options.dir), options);
  }

  private constructor(system: string, dir: string, options: MailboxOptions) {
    super();
    this.system = system;
    this.dir = dir;
    this.opts = resolveLimits(options);
    if (openDirs.has(dir)) throw new MailboxError(`this process already has a mailbox open in ${dir}`);
    this.systemFd = joinSystemDir(dir);
    const pid = process.pid;
    let lock: { fd: number; instance: bigint };
    try {
      lock = native.lockfileCreate(lockPath(dir, pid));
    } catch (err) {
      leaveSystemDir(this.systemFd);
      throw new MailboxError(`cannot take lockfile ${lockPath(dir, pid)}: ${(err as Error).message}`, { cause: err });
    }
    this.lockFd = lock.fd;
    this.instanceLo = Number(lock.instance & 0xffffffffn);
    this.instanceHi = Number(lock.instance >> 32n);
    this.address = Object.freeze({ pid, instance: instanceToString(lock.instance) });
    try {
      sweepStale(dir, pid);
      this.sockFd = native.socketBind(sockPath(dir, pid), SOCKET_BUFFER);
    } catch (err) {
      this.releaseLock();
      throw new MailboxError(`cannot bind ${sockPath(dir, pid)}: ${(err as Error).message}`, { cause: err });
    }
    // Fragments are sized to what this machine's socket buffers allow.
    const fragmentBody = fragmentBodySize(native.socketSndbuf(this.sockFd));
    this.reassembly = new Reassembly(
      { maxMessageSize: this.opts.maxMessageSize, maxTotalBytes: this.opts.maxReassemblyBytes, timeoutMs: this.opts.reassemblyTimeout },
      (why) => { this.counters.dropped[why]++; },
    );
    this.peers = new PeerTable(dir, this.address, lock.instance,
      { batchCapacity: this.opts.batchCapacity, fragmentBody, memfdThreshold: this.opts.memfdThreshold, highWaterMark: this.opts.highWaterMark, sendMode: resolveSendMode(options) },
      { deadLetters: (to, bodies, error) => this.deadLetters(to, bodies, error), drain: (to) => this.emit('drain', to) },
      this.counters, this.opts.idleChannelTimeout);
    this.channels = this.peers.channels;
    const inbound = this.inbound = new Inbound({ message: (m) => this.emit('message', m), error: (e) => this.emit('error', e) },
      this.counters, this.reassembly, this.instanceLo, this.instanceHi, this.opts.maxMessageSize);
    try {
      this.receiver = new native.Receiver(this.sockFd, MAX_DATAGRAM, RECEIVE_SLOTS, (buf, meta, fds, count) => inbound.onBatch(buf, meta, fds, count));
      this.receiver.start();
      this.reading = new Reading(this.receiver);
    } catch (err) {
      this.reassembly.stop();
      try { fs.unlinkSync(sockPath(dir, pid)); } catch { /* already gone */ }
      native.closeFd(this.sockFd);
      this.releaseLock();
      throw new MailboxError(`cannot receive on ${sockPath(dir, pid)}: ${(err as Error).message}`, { cause: err });
    }
    openDirs.add(dir);
  }

  /** Stop reading the socket: senders queue, then see backpressure (flow control).
   * Takes effect at once, even while a batch is being delivered. */
  pause(): void {
    if (!this.closed) this.reading.pause();
  }

  /** Start reading again after `pause()`. */
  resume(): void {
    if (!this.closed) this.reading.resume();
  }

  /** Receive, synchronously, whatever is queued on the socket now. Used before acting
   * on a death notice: the dead process's last messages must be seen first. */
  pump(): void {
    if (!this.closed) this.receiver.pump();
  }

  /** Whether the mailbox keeps the process alive while idle (default true). */
  setRef(on: boolean): void {
    if (!this.closed) this.reading.setRef(on);
  }

  /**
   * Send `body` to `to`. Returns false when the destination's queue is past the
   * high-water mark (wait for `drain` or `drained(to)`). Throws EDEADACTOR when the
   * destination is known gone now; a message found undeliverable later is emitted
   * as `deadLetter`. `fds` are duplicated into the receiver; the caller keeps its own.
   */
  send(to: Address, body: Uint8Array, options?: { fds?: number[] }): boolean {
    if (this.closed) throw new ClosedError('mailbox is closed');
    if (!(body instanceof Uint8Array)) throw new BadArgumentError('body must be a Uint8Array or Buffer');
    const fds = options?.fds;
    if (fds !== undefined) checkFds(fds);
    if (body.length > this.opts.maxMessageSize) {
      throw new MessageTooLargeError(`message of ${body.length} bytes exceeds maxMessageSize ${this.opts.maxMessageSize}`, { address: to });
    }
    let ch = this.channels.get(to.pid);
    if (ch === undefined || ch.address.instance !== to.instance) ch = this.peers.connect(to);
    if (ch.queuedBytes + body.length > this.opts.maxQueueBytes) {
      throw new MailboxFullError(`queue to ${to.pid} holds ${ch.queuedBytes} bytes (maxQueueBytes ${this.opts.maxQueueBytes})`, { address: to });
    }
    if ((fds === undefined || fds.length === 0) && body.length <= this.opts.coalesceLimit && ch.batchCost(body.length) > 0) {
      if (ch.append(body)) this.markDirty(ch);
      this.lastEntry = ch.batchTail;
    } else {
      this.lastEntry = 0;
      ch.sendWhole(body, fds && fds.length ? fds : undefined);
    }
    return !ch.full;
  }

  /** The id of the last entry of the batch now open for `to` (0 if none): when it is
   * the `lastEntry` of one's own last send, nothing came between, and a small message
   * sent now follows it in the same datagram if `joinsBatch` says so. An encoder that
   * shares state along a batch (the core's envelope codec) builds on this. */
  batchTail(to: Address): number {
    const ch = this.channels.get(to.pid);
    return ch !== undefined && ch.address.instance === to.instance ? ch.batchTail : 0;
  }

  /** Would a body of `len` bytes, without fds, sent now join the batch open for `to`
   * (rather than go on its own, or seal it and start another)? */
  joinsBatch(to: Address, len: number): boolean {
    const ch = this.channels.get(to.pid);
    return ch !== undefined && ch.address.instance === to.instance && len <= this.opts.coalesceLimit && ch.joinsBatch(len);
  }

  /** @internal The next entry written in place (an encoder sharing state along a
   * batch, see batchTail): the buffer of the batch open for `to` if its last entry is
   * `tail` and a message sent now would join it; the entry goes from `entryStart` to
   * at most `entryEnd`, then `commitEntry` says how long it is. Null: use `send`. */
  entryBuffer(to: Address, tail: number): Buffer | null {
    const ch = this.channels.get(to.pid);
    if (ch === undefined || ch.address.instance !== to.instance || ch.batchTail !== tail || this.closed) return null;
    const room = Math.min(ch.entryRoom(), this.opts.coalesceLimit, this.opts.maxQueueBytes - ch.queuedBytes);
    if (room <= 0) return null;
    this.entryChannel = ch;
    this.entryStart = ch.entryStart;
    this.entryEnd = this.entryStart + room;
    return ch.batchBuffer;
  }

  /** @internal The entry written in place is `n` bytes: it joins the batch, as `send`
   * would have put it there (false: wait for `drain`). */
  commitEntry(n: number): boolean {
    const ch = this.entryChannel!;
    this.entryChannel = null;
    ch.commitEntry(n);
    this.lastEntry = ch.batchTail;
    return !ch.full;
  }

  /** Resolves when the queue to `to` is below the high-water mark (at once if it is). */
  drained(to: Address): Promise<void> {
    return this.peers.whenDrained(to);
  }

  /** `to` is known to have exited (death watch, a reaped child): close the channel
   * to it (what was queued for it becomes dead letters, EDEADACTOR) and forget it. */
  peerExited(to: Address): void {
    if (this.closed) return;
    this.peers.peerExited(to);
    this.inbound.forgetSender(to);
  }

  /** Is `to` alive now (held lockfile with the same instance)? */
  isAlive(to: Address): boolean {
    if (to.pid === this.address.pid) return to.instance === this.address.instance && !this.closed;
    const p = probePeer(this.dir, to.pid);
    return p.state === 'alive' && p.instance === to.instance;
  }

  /** Counters since open. */
  stats(): MailboxStats {
    const c = this.counters;
    const q = this.peers.queued();
    return { ...c, dropped: { ...c.dropped }, queued: q.messages, queuedBytes: q.bytes, fragmentsPending: this.reassembly.pending, peers: this.channels.size };
  }

  /**
   * Close: flush what can be flushed within `timeout` ms, then unlink the socket and
   * lockfile and close every fd and handle. Unsent messages become dead letters.
   */
  async close(options: { timeout?: number } = {}): Promise<void> {
    if (this.closed) return;
    const timeout = options.timeout ?? 2000;
    if (!(typeof timeout === 'number' && timeout >= 0 && (timeout <= MAX_TIMER_MS || timeout === Infinity))) {
      throw new BadArgumentError(`close timeout must be ms (0 to ${MAX_TIMER_MS}) or Infinity`);
    }
    this.flushDirty();
    // Wait for every queue to drain (events, not polling), at most `timeout` ms.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.peers.idle(),
      ...(timeout === Infinity ? [] : [new Promise<void>((r) => { timer = setTimeout(r, timeout); })]),
    ]);
    clearTimeout(timer);
    this.closeNow();
  }

  /** Close at once: nothing is flushed (used on exit paths). */
  closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.reading.close();
    this.peers.closeAll(new ClosedError('mailbox closed before the message was sent'));
    this.reassembly.stop();
    // Unlink the socket before releasing the lock: the other way round a new owner
    // of our pid could bind first and we would unlink its socket.
    try { fs.unlinkSync(sockPath(this.dir, this.address.pid)); } catch { /* already gone */ }
    native.closeFd(this.sockFd);
    this.releaseLock();
    openDirs.delete(this.dir);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private releaseLock(): void {
    try { fs.unlinkSync(lockPath(this.dir, this.address.pid)); } catch { /* already gone */ }
    native.lockfileRelease(this.lockFd);
    this.lockFd = -1;
    // Leave the system last: until then a cleaner must not remove the directory.
    leaveSystemDir(this.systemFd);
    this.systemFd = -1;
  }

  private deadLetters(to: Address, lost: Unsent, error: PidgeonError): void {
    this.counters.deadLetters += lost.length;
    for (let i = 0; i < lost.length; i++) this.emit('deadLetter', { to, body: lost.bodies[i], batch: lost.batch[i], batchIndex: lost.batchIndex[i], error });
  }

  private markDirty(ch: PeerChannel): void {
    this.dirty.push(ch);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flushDirty());
    }
  }

  // Batches close at the end of the current job: everything sent in one turn of
  // the event loop to one destination travels in as few datagrams as possible.
  private flushDirty(): void {
    this.flushScheduled = false;
    const list = this.dirty.splice(0);
    for (const ch of list) ch.flushBatch(false);
  }

}
