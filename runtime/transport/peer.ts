// One destination as seen by a sender: a connected datagram socket, the batch of
// small messages being coalesced for it, and the queue of datagrams waiting for the
// peer to read. Order per pair is the order of `enqueue` calls: the batch is always
// flushed before anything larger goes out, and the queue is strictly FIFO.
import os from 'node:os';
import { native, type NativeWritableWatch } from './native.js';
import type { Address } from './address.js';
import {
  BATCH_ENTRY_OVERHEAD,
  HEADER_SIZE,
  KIND_BATCH,
  KIND_FRAGMENT,
  KIND_MESSAGE,
  decodeBatch,
  fillHeader,
  writeBatchEntry,
} from './wire.js';

const { EAGAIN, ENOBUFS, ECONNREFUSED, ENOTCONN, ECONNRESET, EPIPE, ENOENT } = os.constants.errno;
/** Send results (-errno) that mean "the peer's queue is full, wait". */
const WOULD_BLOCK = -EAGAIN;
const NO_BUFFERS = -ENOBUFS;
/** Errors on a connected socket that mean the peer's socket is gone. */
const PEER_GONE = new Set([ECONNREFUSED, ENOTCONN, ECONNRESET, EPIPE, ENOENT].map((e) => -e));
/** Datagrams sent per writable wake-up before yielding to the event loop. */
const DRAIN_BUDGET = 256;

/** A datagram ready to go: header + body parts, maybe fds, and what it carries. */
interface Datagram {
  parts: Uint8Array[];
  fds: number[] | undefined;
  bytes: number;
  messages: number;
  kind: number;
  /** Fragments: the whole message they belong to (its dead letter if they never go out). */
  whole?: Uint8Array;
}

/** What a channel reports to its mailbox. */
export interface ChannelHost {
  /** The peer's socket is gone; `lost` are the bodies that were accepted but not delivered. */
  peerGone(ch: PeerChannel, lost: Uint8Array[], errno: number): void;
  /** An unexpected send error (not EAGAIN, not peer-gone). */
  sendFailed(ch: PeerChannel, lost: Uint8Array[], errno: number): void;
  /** The queue went from above the high-water mark to empty. */
  drained(ch: PeerChannel): void;
  /** Counters: one datagram of `bytes` carrying `messages` went out. */
  countSent(datagrams: number, messages: number, bytes: number, coalesced: number): void;
}

export interface ChannelLimits {
  batchCapacity: number;   // bytes of one coalesced datagram, header included
  fragmentBody: number;    // body bytes per datagram for large messages
  highWaterMark: number;   // queued bytes past which send() returns false
}

/** The sending side of one sender→receiver pair. */
export class PeerChannel {
  readonly address: Address;
  private fd: number;
  private readonly template: Buffer;
  private readonly host: ChannelHost;
  private readonly limits: ChannelLimits;
  private batch: Buffer | null = null;
  private batchLen = HEADER_SIZE;
  private batchCount = 0;
  private queue: Datagram[] = [];
  private head = 0;
  private watch: NativeWritableWatch | null = null;
  private waiting = false;
  private msgId = 0;
  private aboveHighWater = false;
  private idleWaiters: (() => void)[] = [];
  /** Bytes waiting in the queue and in the open batch. */
  queuedBytes = 0;
  queuedMessages = 0;
  closed = false;

  constructor(address: Address, fd: number, template: Buffer, host: ChannelHost, limits: ChannelLimits) {
    this.address = address;
    this.fd = fd;
    this.template = template;
    this.host = host;
    this.limits = limits;
  }

  /** Bytes a message of `len` adds to the batch, or -1 if it must go on its own. */
  batchCost(len: number): number {
    const cost = len + BATCH_ENTRY_OVERHEAD;
    return HEADER_SIZE + cost <= this.limits.batchCapacity ? cost : -1;
  }

  /** Copy a small message into the open batch; true if the batch was empty. */
  append(body: Uint8Array): boolean {
    const cost = body.length + BATCH_ENTRY_OVERHEAD;
    if (this.batch !== null && this.batchLen + cost > this.limits.batchCapacity) this.flushBatch();
    const wasEmpty = this.batchCount === 0;
    if (this.batch === null) this.batch = Buffer.allocUnsafe(this.limits.batchCapacity);
    this.batchLen = writeBatchEntry(this.batch, this.batchLen, body);
    this.batchCount++;
    this.queuedBytes += cost;
    this.queuedMessages++;
    this.checkHighWater();
    return wasEmpty;
  }

  /** Close the open batch into one datagram and send or queue it. */
  /** Close the open batch into a datagram. At the end of a tick (`force` false) a
   * batch waits while the queue is backed up: it keeps coalescing until the peer
   * reads again, instead of adding one tiny datagram per tick to the queue. */
  flushBatch(force = true): void {
    if (this.batchCount === 0 || this.batch === null || this.closed) return;
    if (!force && (this.waiting || this.head < this.queue.length)) return;
    const b = this.batch;
    const len = this.batchLen;
    const count = this.batchCount;
    this.batch = null;
    this.batchLen = HEADER_SIZE;
    this.batchCount = 0;
    this.queuedBytes -= len - HEADER_SIZE;
    this.queuedMessages -= count;
    this.template.copy(b, 0, 0, HEADER_SIZE);
    fillHeader(b, KIND_BATCH, 0, len - HEADER_SIZE, this.msgId++, 0, 1, len - HEADER_SIZE);
    const d: Datagram = { parts: [b.subarray(0, len)], fds: undefined, bytes: len, messages: count, kind: KIND_BATCH };
    const queued = this.submit(d, true);
    // A mostly empty batch that has to wait is copied to its exact size, so the queue
    // never pins 64 KiB per small datagram; a full one is handed over as it is.
    if (queued && len * 2 < b.length) d.parts[0] = Buffer.from(d.parts[0]);
    else if (queued) return;
    // Sent at once (the common case) or copied: reuse the buffer rather than
    // allocate a fresh 64 KiB one per flush.
    if (this.batch === null && !this.closed) this.batch = b;
  }

  /** Send a message on its own (large, or carrying fds), fragmenting it if needed. */
  sendWhole(body: Uint8Array, fds: number[] | undefined): void {
    this.flushBatch();
    const frag = this.limits.fragmentBody;
    const id = this.msgId++;
    if (body.length <= frag) {
      const h = Buffer.from(this.template);
      fillHeader(h, KIND_MESSAGE, fds?.length ?? 0, body.length, id, 0, 1, body.length);
      this.submit({ parts: [h, body], fds, bytes: HEADER_SIZE + body.length, messages: 1, kind: KIND_MESSAGE }, false);
      return;
    }
    const count = Math.ceil(body.length / frag);
    const headers = Buffer.allocUnsafe(HEADER_SIZE * count);
    // Once one fragment has to wait, copy the whole message once (the caller may reuse
    // its buffer after send() returns): the waiting fragments are views of the copy,
    // and if the peer dies the dead letter is the whole message, not its unsent tail.
    let whole: Uint8Array = body;
    for (let i = 0; i < count; i++) {
      const h = headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE);
      this.template.copy(h, 0, 0, HEADER_SIZE);
      const start = i * frag;
      const end = Math.min(body.length, start + frag);
      fillHeader(h, KIND_FRAGMENT, i === 0 ? fds?.length ?? 0 : 0, end - start, id, i, count, body.length);
      // The message counts once, on its last fragment.
      const d: Datagram = { parts: [h, whole.subarray(start, end)], fds: i === 0 ? fds : undefined, bytes: HEADER_SIZE + end - start, messages: i === count - 1 ? 1 : 0, kind: KIND_FRAGMENT, whole };
      if (this.submit(d, true) && whole === body) {
        whole = Buffer.from(body);
        d.parts[1] = whole.subarray(start, end);
        d.whole = whole;
      }
      if (this.closed) return;
    }
  }

  /** Try to send now; else queue (true). `owned`: the parts are ours (no copy needed). */
  private submit(d: Datagram, owned: boolean): boolean {
    if (this.closed) return false;
    if (this.head === this.queue.length && !this.waiting) {
      const r = d.parts.length === 1 && d.fds === undefined ? native.sendv(this.fd, d.parts[0]) : native.sendv(this.fd, d.parts, d.fds);
      if (r >= 0) {
        this.host.countSent(1, d.messages, r, d.kind === KIND_BATCH ? d.messages : 0);
        return false;
      }
      if (r !== WOULD_BLOCK && r !== NO_BUFFERS) {
        this.fail(r, [d]);
        return false;
      }
    }
    // Queued: the caller may reuse its buffer after send() returns, so copy it now.
    if (!owned) d.parts = d.parts.map((p, i) => (i === 0 ? p : Buffer.from(p)));
    this.queue.push(d);
    this.queuedBytes += d.bytes;
    this.queuedMessages += d.messages;
    this.checkHighWater();
    this.arm();
    return true;
  }

  private arm(): void {
    if (this.waiting || this.closed) return;
    if (this.watch === null) this.watch = new native.WritableWatch(this.fd, (status) => this.onWritable(status));
    this.waiting = true;
    this.watch.arm();
  }

  private onWritable(status: number): void {
    this.waiting = false;
    if (this.closed) return;
    if (status < 0) {
      this.fail(status, []);
      return;
    }
    for (let budget = DRAIN_BUDGET; this.head < this.queue.length && budget > 0; budget--) {
      const d = this.queue[this.head];
      const r = native.sendv(this.fd, d.parts, d.fds);
      if (r === WOULD_BLOCK || r === NO_BUFFERS) break;
      if (r < 0) {
        this.fail(r, []);
        return;
      }
      this.queue[this.head++] = undefined as unknown as Datagram;
      this.queuedBytes -= d.bytes;
      this.queuedMessages -= d.messages;
      this.host.countSent(1, d.messages, r, d.kind === KIND_BATCH ? d.messages : 0);
      // fds went with the datagram: the kernel holds its own references now.
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      // What coalesced while we waited goes out now (or starts the queue again).
      this.flushBatch(true);
      if (this.closed) return;
      if (this.aboveHighWater && this.queuedBytes <= this.limits.highWaterMark) {
        this.aboveHighWater = false;
        this.host.drained(this);
      }
      this.wakeIdle();
    } else {
      if (this.head > 1024) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.arm();
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
    return this.head < this.queue.length || this.batchCount > 0;
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

  /** Every accepted body not yet sent (the queue and the open batch), for dead letters. */
  private takeUnsent(extra: Datagram[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    const all = [...extra, ...this.queue.slice(this.head)];
    if (this.batchCount > 0 && this.batch) {
      all.push({ parts: [this.batch.subarray(0, this.batchLen)], fds: undefined, bytes: 0, messages: this.batchCount, kind: KIND_BATCH });
    }
    let lastWhole: Uint8Array | undefined;
    for (const d of all) {
      if (d.kind === KIND_BATCH) {
        const b = d.parts[0];
        decodeBatch(Buffer.from(b.buffer, b.byteOffset + HEADER_SIZE, b.byteLength - HEADER_SIZE), out);
      } else if (d.kind === KIND_FRAGMENT) {
        // One dead letter per message, however many of its fragments were left.
        if (d.whole !== lastWhole) out.push(d.whole!);
        lastWhole = d.whole;
      } else {
        out.push(d.parts[1]);
      }
    }
    this.queue = [];
    this.head = 0;
    this.batch = null;
    this.batchCount = 0;
    this.batchLen = HEADER_SIZE;
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
  close(): Uint8Array[] {
    if (this.closed) return [];
    const lost = this.takeUnsent([]);
    this.closed = true;
    if (this.watch) {
      this.watch.close();
      this.watch = null;
    }
    this.waiting = false;
    native.closeFd(this.fd);
    this.fd = -1;
    this.wakeIdle();
    return lost;
  }
}
