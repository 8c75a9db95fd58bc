// One destination as seen by a sender: a connected datagram socket, the batch of
// small messages being coalesced for it (batch.ts), and the backlog of datagrams
// waiting for the peer to read (backlog.ts: a sending thread, or a writable watch).
// Order per pair is the order of `enqueue` calls: the batch is always flushed before
// anything larger goes out (whole or in fragments, fragment.ts), nothing skips the
// backlog, and the backlog is strictly FIFO.
import os from 'node:os';
import { native } from './native.js';
import type { Address } from './address.js';
import { Backlog } from './backlog.js';
import { OpenBatch } from './batch.js';
import type { SendMode } from './options.js';
import { sendFragments, type FragmentSink } from './fragment.js';
import { memfdDatagram, releaseMemfd, takeMemfdBody } from './memfd.js';
import { BATCH_ENTRY_OVERHEAD, HEADER_SIZE, KIND_BATCH, KIND_FRAGMENT, KIND_MEMFD, KIND_MESSAGE, decodeBatch, fillHeader, Unsent, type Datagram } from './wire.js';

const { EAGAIN, ENOBUFS, ECONNREFUSED, ENOTCONN, ECONNRESET, EPIPE, ENOENT } = os.constants.errno;
/** Bytes past which a batch behind a backlog is sealed (see append). Measured with
 * 50 senders into one receiver (bench overload): 64 KiB batches gave a ping 245 ms
 * p50 and 254k msg/s, 8 KiB 40 ms, 4 KiB 14 ms and 363k msg/s. */
export const BACKLOG_BATCH = 4 << 10;

/** Send results (-errno) that mean "the peer's queue is full, wait". */
const WOULD_BLOCK = -EAGAIN;
const NO_BUFFERS = -ENOBUFS;
/** Errors on a connected socket that mean the peer's socket is gone. */
const PEER_GONE = new Set([ECONNREFUSED, ENOTCONN, ECONNRESET, EPIPE, ENOENT].map((e) => -e));

/** What a channel reports to its mailbox. */
export interface ChannelHost {
  /** The peer's socket is gone; `lost` are the bodies that were accepted but not delivered. */
  peerGone(ch: PeerChannel, lost: Unsent, errno: number): void;
  /** An unexpected send error (not EAGAIN, not peer-gone). */
  sendFailed(ch: PeerChannel, lost: Unsent, errno: number): void;
  /** One datagram could not be queued (-errno): its bodies are lost, the channel lives on. */
  refused(ch: PeerChannel, lost: Unsent, errno: number): void;
  /** The queue went from above the high-water mark to empty. */
  drained(ch: PeerChannel): void;
  /** Counters: one datagram of `bytes` carrying `messages` went out. */
  countSent(datagrams: number, messages: number, bytes: number, coalesced: number): void;
}

export interface ChannelLimits {
  batchCapacity: number;   // bytes of one coalesced datagram, header included
  fragmentBody: number;    // body bytes per datagram for large messages
  memfdThreshold: number;  // messages at least this large go in a sealed memfd (memfd.ts)
  highWaterMark: number;   // queued bytes past which send() returns false
  sendMode: SendMode;      // how a backlog drains (backlog.ts)
}

/** The sending side of one sender→receiver pair. */
export class PeerChannel implements FragmentSink {
  readonly address: Address;
  private fd: number;
  private readonly template: Buffer;
  private readonly host: ChannelHost;
  private readonly limits: ChannelLimits;
  private readonly batch: OpenBatch;
  private readonly backlog: Backlog;
  private msgId = 0;
  private aboveHighWater = false;
  private idleWaiters: (() => void)[] = [];
  /** Bytes waiting in the queue and in the open batch. */
  queuedBytes = 0;
  queuedMessages = 0;
  closed = false;
  /** Set by every send, cleared by the idle sweep (peers.ts): a channel found unused
   * twice in a row is closed. A store per send, no clock read. */
  used = true;

  /** `path` is the peer's socket, for the sending thread's own connection. */
  constructor(address: Address, fd: number, path: string, template: Buffer, host: ChannelHost, limits: ChannelLimits) {
    this.address = address;
    this.fd = fd;
    this.template = template;
    this.host = host;
    this.limits = limits;
    this.batch = new OpenBatch(limits.batchCapacity);
    this.backlog = new Backlog(fd, path, limits.sendMode, {
      sent: (d, bytes) => {
        releaseMemfd(d); // the kernel (or the thread's dup) holds the file now
        this.queuedBytes -= d.bytes;
        this.queuedMessages -= d.messages;
        this.host.countSent(1, d.messages, d.kind === KIND_MEMFD ? d.bytes : bytes, d.kind === KIND_BATCH ? d.messages : 0);
      },
      drained: () => this.onBacklogEmpty(),
      room: () => this.onBacklogLow(),
      failed: (errno) => this.fail(errno, []),
      refused: (d, errno) => {
        this.queuedBytes -= d.bytes;
        this.queuedMessages -= d.messages;
        this.host.refused(this, bodiesOf([d]), errno);
      },
    });
  }

  /** Bytes a message of `len` adds to the batch, or -1 if it must go on its own. */
  batchCost(len: number): number {
    return this.batch.cost(len);
  }

  /** The id of the open batch's last entry (0 if none is open): see OpenBatch.lastEntry. */
  get batchTail(): number {
    return this.batch.lastEntry;
  }

  /** Would `append` of `len` bytes join the open batch (not seal it and start another)? */
  joinsBatch(len: number): boolean {
    return this.batch.count > 0 && !this.mustSeal(len);
  }

  // Behind a backlog, batches are sealed small: the receiver's queue then holds
  // fewer messages per blocked sender, so a message to it (a ping) waits behind
  // less, and senders take turns at a finer grain.
  private mustSeal(len: number): boolean {
    return !this.batch.fits(len) || (this.batch.len >= BACKLOG_BATCH && !this.backlog.empty);
  }

  /** Copy a small message into the open batch; true if the batch was empty. */
  append(body: Uint8Array): boolean {
    const batch = this.batch;
    this.used = true;
    if (this.mustSeal(body.length)) this.flushBatch();
    const wasEmpty = batch.count === 0;
    batch.add(body);
    this.countEntry(body.length);
    return wasEmpty;
  }

  /** Bytes the next entry may have if written in place into the open batch (0: none
   * is open, or it is to be sealed first); then `commitEntry`. */
  entryRoom(): number {
    return this.batch.count === 0 || this.mustSeal(0) ? 0 : this.batch.room();
  }

  /** The open batch's buffer and where an entry written in place starts in it. */
  get batchBuffer(): Buffer {
    return this.batch.buffer!;
  }

  get entryStart(): number {
    return this.batch.entryStart;
  }

  /** The entry written in place is `n` bytes (within `entryRoom`): as `append` would. */
  commitEntry(n: number): void {
    this.batch.commit(n);
    this.countEntry(n);
  }

  // A batch entry of `n` bytes joined the queue.
  private countEntry(n: number): void {
    this.queuedBytes += n + BATCH_ENTRY_OVERHEAD;
    this.queuedMessages++;
    this.checkHighWater();
  }

  /** Close the open batch into a datagram and send or queue it. At the end of a tick
   * (`force` false) a batch waits while the queue is backed up: it keeps coalescing
   * until the peer reads again, instead of adding one tiny datagram per tick to the queue. */
  flushBatch(force = true): void {
    if (this.batch.count === 0 || this.closed) return;
    if (!force && !this.backlog.empty) return;
    const d = this.batch.seal(this.template, this.msgId++);
    this.queuedBytes -= d.bytes - HEADER_SIZE;
    this.queuedMessages -= d.messages;
    this.batch.settle(d, this.submit(d, true));
  }

  /** Send a message on its own (large, or carrying fds), fragmenting it if needed. */
  sendWhole(body: Uint8Array, fds: number[] | undefined): void {
    this.used = true;
    this.flushBatch();
    const id = this.msgId++;
    if (body.length >= this.limits.memfdThreshold && (fds?.length ?? 0) < native.maxFdsPerDatagram) {
      const d = memfdDatagram(this.template, id, body, fds);
      if (d !== null) {
        this.submit(d, true);
        return;
      }
      // No memfd now (EMFILE, ENOMEM): the message goes as fragments instead.
    }
    if (body.length > this.limits.fragmentBody) return sendFragments(this, this.template, id, body, fds, this.limits.fragmentBody);
    const h = Buffer.from(this.template);
    fillHeader(h, KIND_MESSAGE, fds?.length ?? 0, body.length, id, 0, 1, body.length);
    this.submit({ parts: [h, body], fds, bytes: HEADER_SIZE + body.length, messages: 1, kind: KIND_MESSAGE }, false);
  }

  /** Try to send now; else queue (true). `owned`: the parts are ours (no copy needed). */
  submit(d: Datagram, owned: boolean): boolean {
    if (this.closed) {
      releaseMemfd(d);
      return false;
    }
    if (this.backlog.empty) {
      const r = d.parts.length === 1 && d.fds === undefined ? native.sendv(this.fd, d.parts[0]) : native.sendv(this.fd, d.parts, d.fds);
      if (r >= 0) {
        releaseMemfd(d);
        this.host.countSent(1, d.messages, d.kind === KIND_MEMFD ? d.bytes : r, d.kind === KIND_BATCH ? d.messages : 0);
        return false;
      }
      if (r !== WOULD_BLOCK && r !== NO_BUFFERS) {
        this.fail(r, [d]);
        return false;
      }
    }
    // Queued: the caller may reuse its buffer after send() returns, so copy it now.
    if (!owned) d.parts = d.parts.map((p, i) => (i === 0 ? p : Buffer.from(p)));
    this.queuedBytes += d.bytes;
    this.queuedMessages += d.messages;
    this.checkHighWater();
    this.backlog.push(d);
    return true;
  }

  // The backlog drained: what coalesced meanwhile goes out now (or starts it again).
  private onBacklogEmpty(): void {
    this.flushBatch(true);
    if (this.closed) return;
    if (this.aboveHighWater && this.queuedBytes <= this.limits.highWaterMark) {
      this.aboveHighWater = false;
      this.host.drained(this);
    }
    this.wakeIdle();
  }

  // The sending thread has one datagram left: hand it what coalesced meanwhile, and
  // let the sender go on if the queue is below the high-water mark again.
  private onBacklogLow(): void {
    this.flushBatch(true);
    if (this.closed) return;
    if (this.aboveHighWater && this.queuedBytes <= this.limits.highWaterMark) {
      this.aboveHighWater = false;
      this.host.drained(this);
    }
  }

  private checkHighWater(): void {
    if (this.queuedBytes > this.limits.highWaterMark) this.aboveHighWater = true;
  }

  /** Over the high-water mark: the caller should wait for `drain`. */
  get full(): boolean {
    return this.queuedBytes > this.limits.highWaterMark;
  }

  /** True while datagrams wait for the peer. */
  get busy(): boolean {
    return !this.backlog.empty || this.batch.count > 0;
  }

  /** Resolves once nothing is left to send (or the channel is closed). */
  idle(): Promise<void> {
    if (!this.busy || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    if (this.idleWaiters.length === 0 || (this.busy && !this.closed)) return;
    for (const r of this.idleWaiters.splice(0)) r();
  }

  /** Every accepted body not yet sent (the backlog and the open batch), for dead letters. */
  private takeUnsent(extra: Datagram[]): Unsent {
    const out = bodiesOf([...extra, ...this.backlog.takeAll()]);
    this.batch.take(out); // last: the open batch came after everything queued
    this.queuedBytes = 0;
    this.queuedMessages = 0;
    return out;
  }

  private fail(errno: number, extra: Datagram[]): void {
    const lost = this.takeUnsent(extra);
    this.close();
    if (PEER_GONE.has(errno)) this.host.peerGone(this, lost, errno);
    else this.host.sendFailed(this, lost, errno);
  }

  /** Close the socket; returns the bodies that were still unsent. */
  close(): Unsent {
    if (this.closed) return new Unsent();
    const lost = this.takeUnsent([]);
    this.closed = true;
    this.backlog.close();
    native.closeFd(this.fd);
    this.fd = -1;
    this.wakeIdle();
    return lost;
  }
}

/** The message bodies in `datagrams`: each batch entry, each fragmented message once,
 * each whole message. */
function bodiesOf(datagrams: Datagram[]): Unsent {
  const out = new Unsent();
  let lastWhole: Uint8Array | undefined;
  for (const d of datagrams) {
    if (d.kind === KIND_BATCH) {
      const b = d.parts[0];
      decodeBatch(Buffer.from(b.buffer, b.byteOffset + HEADER_SIZE, b.byteLength - HEADER_SIZE), out);
    } else if (d.kind === KIND_FRAGMENT) {
      // One dead letter per message, however many of its fragments were left.
      if (d.whole !== lastWhole) out.push(d.whole!);
      lastWhole = d.whole;
    } else if (d.kind === KIND_MEMFD) {
      out.push(takeMemfdBody(d)); // and closes the memfd
    } else {
      out.push(d.parts[1]);
    }
  }
  return out;
}
