// A process's mailbox: the bound socket in the system directory, the lockfile that
// proves we are alive, one PeerChannel per destination (the sending side), the
// Inbound parser (the receiving side), and the statistics. The transport's public face.
import fs from 'node:fs';
import { EventEmitter } from 'eventemitter3';
import { native, type NativeReceiver } from './native.js';
import { type Address, isAddress } from './address.js';
import { PeerChannel, type ChannelHost } from './peer.js';
import { Reassembly } from './reassembly.js';
import { Inbound, type InboundMessage } from './inbound.js';
export { InboundMessage } from './inbound.js';
import {
  joinSystemDir, leaveSystemDir, lockPath, probePeer, removeIfStale, resolveSystemDir, sockPath, sweepStale, checkSystemName,
} from './sysdir.js';
import { HEADER_SIZE, MAX_DATAGRAM, headerTemplate, instanceFromString, instanceToString } from './wire.js';
import {
  BadArgumentError, ClosedError, DeadActorError, MailboxError, MailboxFullError, MessageTooLargeError,
  PidgeonError,
} from '../errors.js';

/** Options of `Mailbox.open`. Sizes in bytes, times in milliseconds. */
export interface MailboxOptions {
  system: string;
  dir?: string;
  /** Queued bytes per destination past which `send` returns false (default 4 MiB). */
  highWaterMark?: number;
  /** Queued bytes per destination past which `send` throws EMAILBOXFULL (default 64 MiB). */
  maxQueueBytes?: number;
  /** Largest message accepted, sent or received (default 64 MiB). */
  maxMessageSize?: number;
  /** Memory for messages in reassembly, all senders together (default 256 MiB). */
  maxReassemblyBytes?: number;
  /** An incomplete fragmented message is dropped after this long (default 30 s). */
  reassemblyTimeout?: number;
  /** Messages up to this size are coalesced into batch datagrams (default 8 KiB). */
  coalesceLimit?: number;
  /** Bytes of one batch datagram (default 64 KiB). */
  batchCapacity?: number;
}


/** A message accepted by `send` that could not be delivered. */
export interface DeadLetter {
  to: Address;
  body: Uint8Array;
  error: PidgeonError;
}

export interface MailboxStats {
  sent: number;
  received: number;
  bytesSent: number;
  bytesReceived: number;
  datagramsSent: number;
  datagramsReceived: number;
  coalesced: number;
  queued: number;
  queuedBytes: number;
  fragmentsPending: number;
  deadLetters: number;
  dropped: { malformed: number; spoofed: number; oversize: number; misdelivered: number; incomplete: number };
  peers: number;
}

export interface MailboxEvents {
  message: (msg: InboundMessage) => void;
  drain: (to: Address) => void;
  deadLetter: (letter: DeadLetter) => void;
  error: (err: PidgeonError) => void;
}

const SOCKET_BUFFER = 4 * 1024 * 1024;
const RECEIVE_SLOTS = 16;
const MAX_PEERS = 1024;
const openDirs = new Set<string>();

/** This process's mailbox in one system. */
export class Mailbox extends EventEmitter<MailboxEvents> {
  readonly address: Address;
  readonly dir: string;
  readonly system: string;
  private readonly instanceBig: bigint;
  private readonly instanceLo: number;
  private readonly instanceHi: number;
  private lockFd: number;
  private systemFd: number;
  private sockFd: number;
  private receiver: NativeReceiver;
  private readonly peers = new Map<number, PeerChannel>();
  private readonly dirty: PeerChannel[] = [];
  private flushScheduled = false;
  private readonly reassembly: Reassembly;
  private readonly opts: Required<Omit<MailboxOptions, 'dir' | 'system'>>;
  private readonly fragmentBody: number;
  private readonly host: ChannelHost;
  private drainWaiters = new Map<PeerChannel, (() => void)[]>();
  private closed = false;
  private readonly counters: MailboxStats = {
    sent: 0, received: 0, bytesSent: 0, bytesReceived: 0, datagramsSent: 0, datagramsReceived: 0,
    coalesced: 0, queued: 0, queuedBytes: 0, fragmentsPending: 0, deadLetters: 0,
    dropped: { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 0 }, peers: 0,
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
    this.opts = {
      highWaterMark: positive(options.highWaterMark, 4 << 20, 'highWaterMark'),
      maxQueueBytes: positive(options.maxQueueBytes, 64 << 20, 'maxQueueBytes'),
      maxMessageSize: positive(options.maxMessageSize, 64 << 20, 'maxMessageSize'),
      maxReassemblyBytes: positive(options.maxReassemblyBytes, 256 << 20, 'maxReassemblyBytes'),
      reassemblyTimeout: positive(options.reassemblyTimeout, 30_000, 'reassemblyTimeout'),
      coalesceLimit: positive(options.coalesceLimit, 8 << 10, 'coalesceLimit'),
      batchCapacity: Math.min(MAX_DATAGRAM, positive(options.batchCapacity, 64 << 10, 'batchCapacity')),
    };
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
    this.instanceBig = lock.instance;
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
    // The kernel refuses a datagram larger than the sender's buffer (minus overhead):
    // size fragments to what this machine's limits allow.
    const sndbuf = native.socketSndbuf(this.sockFd);
    this.fragmentBody = Math.max(4096, Math.min(MAX_DATAGRAM, Math.floor(sndbuf / 4)) - HEADER_SIZE);
    this.reassembly = new Reassembly(
      { maxMessageSize: this.opts.maxMessageSize, maxTotalBytes: this.opts.maxReassemblyBytes, timeoutMs: this.opts.reassemblyTimeout },
      (why) => { this.counters.dropped[why]++; },
    );
    this.host = {
      peerGone: (ch, lost) => this.peerGone(ch, lost),
      sendFailed: (ch, lost, errno) => {
        this.forgetPeer(ch);
        const cause = Object.assign(new Error(native.errname(errno)), { code: native.errname(errno), syscall: 'sendmsg' });
        this.deadLetters(ch.address, lost, new MailboxError(`send to ${ch.address.pid} failed: ${native.errname(errno)}`, { cause, address: ch.address }));
      },
      drained: (ch) => this.onDrained(ch),
      countSent: (datagrams, messages, bytes, coalesced) => {
        const c = this.counters;
        c.datagramsSent += datagrams;
        c.sent += messages;
        c.bytesSent += bytes;
        c.coalesced += coalesced;
      },
    };
    const inbound = new Inbound({ message: (m) => this.emit('message', m), error: (e) => this.emit('error', e) },
      this.counters, this.reassembly, this.instanceLo, this.instanceHi);
    try {
      this.receiver = new native.Receiver(this.sockFd, MAX_DATAGRAM, RECEIVE_SLOTS, (buf, meta, fds, count) => inbound.onBatch(buf, meta, fds, count));
      this.receiver.start();
    } catch (err) {
      this.reassembly.stop();
      try { fs.unlinkSync(sockPath(dir, pid)); } catch { /* already gone */ }
      native.closeFd(this.sockFd);
      this.releaseLock();
      throw new MailboxError(`cannot receive on ${sockPath(dir, pid)}: ${(err as Error).message}`, { cause: err });
    }
    openDirs.add(dir);
  }

  /** Stop reading the socket: senders queue, then see backpressure (flow control, tests). */
  pause(): void {
    if (!this.closed) this.receiver.stop();
  }

  /** Start reading again after `pause()`. */
  resume(): void {
    if (!this.closed) this.receiver.start();
  }

  /** Receive, synchronously, whatever is queued on the socket now. Used before acting
   * on a death notice: the dead process's last messages must be seen first. */
  pump(): void {
    if (!this.closed) this.receiver.pump();
  }

  /** Whether the mailbox keeps the process alive while idle (default true). */
  setRef(on: boolean): void {
    if (!this.closed) this.receiver.setRef(on);
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
    let ch = this.peers.get(to.pid);
    if (ch === undefined || ch.address.instance !== to.instance) ch = this.connect(to);
    if (ch.queuedBytes + body.length > this.opts.maxQueueBytes) {
      throw new MailboxFullError(`queue to ${to.pid} holds ${ch.queuedBytes} bytes (maxQueueBytes ${this.opts.maxQueueBytes})`, { address: to });
    }
    if ((fds === undefined || fds.length === 0) && body.length <= this.opts.coalesceLimit && ch.batchCost(body.length) > 0) {
      if (ch.append(body)) this.markDirty(ch);
    } else {
      ch.sendWhole(body, fds && fds.length ? fds : undefined);
    }
    return !ch.full;
  }

  /** Resolves when the queue to `to` is below the high-water mark (at once if it is). */
  drained(to: Address): Promise<void> {
    const ch = this.peers.get(to.pid);
    if (!ch || ch.closed || !ch.full) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.drainWaiters.get(ch) ?? [];
      list.push(resolve);
      this.drainWaiters.set(ch, list);
    });
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
    let queued = 0;
    let queuedBytes = 0;
    for (const ch of this.peers.values()) {
      queued += ch.queuedMessages;
      queuedBytes += ch.queuedBytes;
    }
    return { ...c, dropped: { ...c.dropped }, queued, queuedBytes, fragmentsPending: this.reassembly.pending, peers: this.peers.size };
  }

  /**
   * Close: flush what can be flushed within `timeout` ms, then unlink the socket and
   * lockfile and close every fd and handle. Unsent messages become dead letters.
   */
  async close(options: { timeout?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.flushDirty();
    // Wait for every queue to drain (events, not polling), at most `timeout` ms.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.peers.values()].map((ch) => ch.idle())),
      new Promise<void>((r) => { timer = setTimeout(r, options.timeout ?? 2000); }),
    ]);
    clearTimeout(timer);
    this.closeNow();
  }

  /** Close at once: nothing is flushed (used on exit paths). */
  closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.receiver.close();
    for (const ch of [...this.peers.values()]) {
      const lost = ch.close();
      this.peers.delete(ch.address.pid);
      this.deadLetters(ch.address, lost, new ClosedError('mailbox closed before the message was sent') as PidgeonError);
    }
    this.reassembly.stop();
    // Unlink the socket before releasing the lock: the other way round a new owner
    // of our pid could bind first and we would unlink its socket.
    try { fs.unlinkSync(sockPath(this.dir, this.address.pid)); } catch { /* already gone */ }
    native.closeFd(this.sockFd);
    this.releaseLock();
    openDirs.delete(this.dir);
    for (const list of this.drainWaiters.values()) for (const r of list) r();
    this.drainWaiters.clear();
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

  private connect(to: Address): PeerChannel {
    if (!isAddress(to)) throw new BadArgumentError(`not an address: ${JSON.stringify(to)}`);
    const old = this.peers.get(to.pid);
    if (old) {
      // A channel to another incarnation of this pid: that one is gone.
      this.forgetPeer(old);
      this.deadLetters(old.address, old.close(), new DeadActorError(`actor ${old.address.pid}/${old.address.instance} is gone`, { address: old.address }));
    }
    const self = to.pid === this.address.pid;
    if (self) {
      if (to.instance !== this.address.instance) throw dead(to, 'a newer process holds this pid');
    } else {
      const p = probePeer(this.dir, to.pid);
      if (p.state !== 'alive') {
        removeIfStale(this.dir, to.pid);
        throw dead(to, 'no such process in this system');
      }
      if (p.instance !== to.instance) throw dead(to, 'a newer process holds this pid');
    }
    const fd = native.socketConnect(sockPath(this.dir, to.pid), SOCKET_BUFFER);
    if (fd < 0) {
      const code = native.errname(fd);
      if (code === 'ENOENT' || code === 'ECONNREFUSED') {
        removeIfStale(this.dir, to.pid);
        throw dead(to, `its socket is gone (${code})`);
      }
      throw new MailboxError(`connect to ${sockPath(this.dir, to.pid)} failed: ${code}`, { address: to });
    }
    const template = headerTemplate(this.address.pid, this.instanceBig, instanceFromString(to.instance));
    const ch = new PeerChannel({ pid: to.pid, instance: to.instance }, fd, template, this.host, {
      batchCapacity: this.opts.batchCapacity,
      fragmentBody: this.fragmentBody,
      highWaterMark: this.opts.highWaterMark,
    });
    if (this.peers.size >= MAX_PEERS) this.evictIdlePeer();
    this.peers.set(to.pid, ch);
    return ch;
  }

  private evictIdlePeer(): void {
    for (const ch of this.peers.values()) {
      if (!ch.busy) {
        this.forgetPeer(ch);
        ch.close();
        return;
      }
    }
  }

  private forgetPeer(ch: PeerChannel): void {
    if (this.peers.get(ch.address.pid) === ch) this.peers.delete(ch.address.pid);
    const waiters = this.drainWaiters.get(ch);
    if (waiters) {
      this.drainWaiters.delete(ch);
      for (const r of waiters) r();
    }
  }

  private peerGone(ch: PeerChannel, lost: Uint8Array[]): void {
    this.forgetPeer(ch);
    removeIfStale(this.dir, ch.address.pid);
    this.deadLetters(ch.address, lost, dead(ch.address, 'it exited before the message was delivered'));
  }

  private deadLetters(to: Address, bodies: Uint8Array[], error: PidgeonError): void {
    this.counters.deadLetters += bodies.length;
    for (const body of bodies) this.emit('deadLetter', { to, body, error });
  }

  private onDrained(ch: PeerChannel): void {
    const waiters = this.drainWaiters.get(ch);
    if (waiters) {
      this.drainWaiters.delete(ch);
      for (const r of waiters) r();
    }
    this.emit('drain', ch.address);
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

function dead(to: Address, why: string): DeadActorError {
  return new DeadActorError(`actor ${to.pid}/${to.instance} is not alive: ${why}`, { address: to });
}

function positive(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new BadArgumentError(`${name} must be a positive number`);
  return Math.floor(v);
}

function checkFds(fds: unknown): void {
  if (!Array.isArray(fds) || fds.length > native.maxFdsPerDatagram ||
      !fds.every((fd) => Number.isInteger(fd) && fd >= 0)) {
    throw new BadArgumentError(`fds must be an array of at most ${native.maxFdsPerDatagram} non-negative integers`);
  }
}
