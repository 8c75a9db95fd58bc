// The receiving side of a mailbox: one batch of datagrams from the native Receiver
// at a time; each datagram's header is checked against the kernel's credentials
// and our instance, batches are split, fragments reassembled, and every message is
// handed on with its fds (closed afterwards unless a listener takes them).
import { native } from './native.js';
import type { Address } from './address.js';
import { Reassembly, closeAll, type ReassemblyDrop } from './reassembly.js';
import {
  BATCH_ENTRY_OVERHEAD, HEADER_SIZE, KIND_BATCH, KIND_FRAGMENT, KIND_MEMFD, KIND_MESSAGE, MAGIC,
  OFF_BODY_LEN, OFF_FRAG_COUNT, OFF_FRAG_INDEX, OFF_KIND, OFF_MAGIC, OFF_MSG_ID, OFF_NFDS,
  OFF_RECEIVER_INSTANCE, OFF_SENDER_INSTANCE, OFF_SENDER_PID, OFF_TOTAL_LEN, OFF_VERSION, VERSION, batchEntryEnd, isBatch,
} from './wire.js';
import { MailboxError } from '../errors.js';

/** A received message. Its fds are closed after the `message` listeners return
 * unless one of them calls `takeFds()`. */
export class InboundMessage {
  readonly from: Address;
  /** The body is `source[start, end)`: a decoder can read it in place (`body` makes
   * a view of it only when asked). */
  readonly source: Buffer;
  readonly start: number;
  readonly end: number;
  readonly fds: readonly number[];
  /** The batch datagram it came in, numbered in this process from 1; 0 if it came on
   * its own. */
  readonly batch: number;
  /** Its place in that batch (0: the first entry); -1 if it came on its own. The
   * entries of a batch are delivered in order (another batch may come between them
   * only when a listener pumps the mailbox). */
  readonly batchIndex: number;
  private claimed = false;
  private view: Buffer | undefined;
  constructor(from: Address, source: Buffer, start: number, end: number, fds: number[] | undefined, batch = 0, batchIndex = -1) {
    this.from = from;
    this.source = source;
    this.start = start;
    this.end = end;
    this.fds = fds ?? NO_FDS;
    this.batch = batch;
    this.batchIndex = batchIndex;
  }
  /** The body, as a view of the received datagram. */
  get body(): Buffer {
    return (this.view ??= this.start === 0 && this.end === this.source.length ? this.source : this.source.subarray(this.start, this.end));
  }
  /** Take ownership of the fds (the caller must close them). */
  takeFds(): number[] {
    this.claimed = true;
    return [...this.fds];
  }
  /** @internal */
  get fdsClaimed(): boolean {
    return this.claimed;
  }
}
const NO_FDS: readonly number[] = Object.freeze([]);

/** Receive-side counters (shared with the mailbox's stats). */
export interface InboundCounters {
  received: number;
  bytesReceived: number;
  datagramsReceived: number;
  dropped: { malformed: number; spoofed: number; oversize: number; misdelivered: number; incomplete: number; badMemfd: number };
}

/** Where inbound messages and receive errors go. */
export interface InboundHost {
  message(msg: InboundMessage): void;
  error(err: MailboxError): void;
}

const MAX_SENDERS = 4096;
// The receive row's layout and flags, as the addon writes them.
const { stride: ROW_STRIDE, offset: ROW_OFFSET, length: ROW_LENGTH, pid: ROW_PID, uid: ROW_UID, flags: ROW_FLAGS, fds: ROW_FDS } = native.receiveRow;
const { truncated: RECV_TRUNCATED, controlTruncated: RECV_CONTROL_TRUNCATED, noCredentials: RECV_NO_CREDENTIALS } = native.receiveFlags;

/** Parses and checks what arrives on one mailbox's socket. */
export class Inbound {
  private readonly senders = new Map<number, { lo: number; hi: number; address: Address }>();
  private readonly uid = process.getuid?.() ?? 0;
  private batches = 0;
  constructor(
    private readonly host: InboundHost,
    private readonly counters: InboundCounters,
    private readonly reassembly: Reassembly,
    private readonly instanceLo: number,
    private readonly instanceHi: number,
    private readonly maxMessageSize: number,
  ) {}

  private countDrop(why: ReassemblyDrop | 'spoofed' | 'misdelivered' | 'badMemfd'): void {
    this.counters.dropped[why]++;
  }

  // The sender's address from the header's instance (two u32 halves): cached per
  // pid, so the common case allocates nothing (no BigInt, no string).
  private senderAddress(pid: number, lo: number, hi: number): Address {
    let s = this.senders.get(pid);
    if (s === undefined || s.lo !== lo || s.hi !== hi) {
      if (s !== undefined) this.reassembly.forget(pid);
      const instance = hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
      s = { lo, hi, address: Object.freeze({ pid, instance }) };
      if (this.senders.size > MAX_SENDERS) this.senders.clear();
      this.senders.set(pid, s);
    }
    return s.address;
  }

  /** `from` is known to have exited: drop its cached address. A message it left
   * half-sent is kept (its last fragments may still be queued on our socket) until
   * the reassembly timeout. */
  forgetSender(from: Address): void {
    const s = this.senders.get(from.pid);
    if (s !== undefined && s.address.instance === from.instance) this.senders.delete(from.pid);
  }

  /** Handle one receive batch from the native Receiver. */
  onBatch(buf: Buffer | null, meta: Int32Array | number, fds?: Int32Array, count = 0): void {
    if (buf === null || typeof meta === 'number') {
      this.host.error(new MailboxError(`receive failed: ${native.errname(meta as number)}`));
      return;
    }
    let fdPos = 0;
    // The native side reuses `meta` and `fds`: read them now, keep nothing.
    for (let i = 0, end = count * ROW_STRIDE; i < end; i += ROW_STRIDE) {
      const nfds = meta[i + ROW_FDS];
      let dfds: number[] | undefined;
      if (nfds > 0) {
        dfds = Array.from(fds!.subarray(fdPos, fdPos + nfds));
        fdPos += nfds;
      }
      this.counters.datagramsReceived++;
      try {
        this.onDatagram(buf, meta[i + ROW_OFFSET], meta[i + ROW_LENGTH], meta[i + ROW_PID], meta[i + ROW_UID], meta[i + ROW_FLAGS], dfds);
      } catch (err) {
        // A listener threw: the datagram was handled, report and go on with the batch.
        queueMicrotask(() => { throw err; });
      }
    }
  }

  private onDatagram(buf: Buffer, off: number, len: number, pid: number, uid: number, flags: number, fds: number[] | undefined): void {
    if (flags & (RECV_TRUNCATED | RECV_CONTROL_TRUNCATED)) {
      closeAll(fds);
      return this.countDrop('oversize');
    }
    if (flags & RECV_NO_CREDENTIALS || uid !== this.uid) {
      closeAll(fds);
      return this.countDrop('spoofed');
    }
    if (len < HEADER_SIZE || buf.readUInt32LE(off + OFF_MAGIC) !== MAGIC || buf[off + OFF_VERSION] !== VERSION ||
        buf.readUInt32LE(off + OFF_BODY_LEN) !== len - HEADER_SIZE || buf.readUInt16LE(off + OFF_NFDS) !== (fds?.length ?? 0)) {
      closeAll(fds);
      return this.countDrop('malformed');
    }
    if (buf.readUInt32LE(off + OFF_SENDER_PID) !== pid) {
      closeAll(fds);
      return this.countDrop('spoofed');
    }
    if (buf.readUInt32LE(off + OFF_RECEIVER_INSTANCE) !== this.instanceLo || buf.readUInt32LE(off + OFF_RECEIVER_INSTANCE + 4) !== this.instanceHi) {
      closeAll(fds);
      return this.countDrop('misdelivered');
    }
    const from = this.senderAddress(pid, buf.readUInt32LE(off + OFF_SENDER_INSTANCE), buf.readUInt32LE(off + OFF_SENDER_INSTANCE + 4));
    const body = buf.subarray(off + HEADER_SIZE, off + len);
    this.counters.bytesReceived += len;
    switch (buf[off + OFF_KIND]) {
      case KIND_MESSAGE:
        return this.deliver(from, body, fds);
      case KIND_BATCH:
        return this.deliverBatch(from, body, fds);
      case KIND_MEMFD:
        return this.deliverMemfd(from, body.length, buf.readUInt32LE(off + OFF_TOTAL_LEN), fds);
      case KIND_FRAGMENT: {
        const whole = this.reassembly.add(pid, from.instance, buf.readUInt32LE(off + OFF_MSG_ID),
          buf.readUInt32LE(off + OFF_FRAG_INDEX), buf.readUInt32LE(off + OFF_FRAG_COUNT),
          buf.readUInt32LE(off + OFF_TOTAL_LEN), body, fds);
        if (whole) this.deliver(from, whole.body, whole.fds);
        return;
      }
      default:
        closeAll(fds);
        return this.countDrop('malformed');
    }
  }

  private deliverBatch(from: Address, body: Buffer, fds: number[] | undefined): void {
    // Check the whole batch first: a malformed one is dropped entirely, not half-delivered.
    if (!isBatch(body) || fds !== undefined) {
      closeAll(fds);
      return this.countDrop('malformed');
    }
    const batch = ++this.batches;
    for (let off = 0, end, i = 0; off < body.length; off = end, i++) {
      end = batchEntryEnd(body, off);
      this.deliver(from, body, undefined, batch, i, off + BATCH_ENTRY_OVERHEAD, end);
    }
  }

  // A body in a passed memfd (memfd.ts), the datagram's last fd: mapped only once its
  // seals forbid write, shrink and grow and its size is the declared length.
  private deliverMemfd(from: Address, bodyLen: number, len: number, fds: number[] | undefined): void {
    if (bodyLen !== 0 || fds === undefined || len === 0) {
      closeAll(fds);
      return this.countDrop('malformed');
    }
    if (len > this.maxMessageSize) {
      closeAll(fds);
      return this.countDrop('oversize');
    }
    const memfd = fds.pop()!;
    const body = native.memfdMap(memfd, len);
    // Mapped or refused, the fd is done with: the mapping holds the file.
    native.closeFd(memfd);
    if (typeof body === 'number') {
      closeAll(fds);
      return this.countDrop('badMemfd');
    }
    this.counters.bytesReceived += len;
    this.deliver(from, body, fds.length > 0 ? fds : undefined);
  }

  // The body is `source[start, end)` (all of it by default).
  private deliver(from: Address, source: Buffer, fds: number[] | undefined, batch = 0, batchIndex = -1, start = 0, end = source.length): void {
    this.counters.received++;
    const msg = new InboundMessage(from, source, start, end, fds, batch, batchIndex);
    try {
      this.host.message(msg);
    } finally {
      if (fds !== undefined && !msg.fdsClaimed) closeAll(fds);
    }
  }
}
