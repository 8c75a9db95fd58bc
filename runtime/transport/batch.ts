// Coalescing: the batch of small messages being collected for one destination,
// copied back to back as batch entries (wire.ts) into one buffer that leaves as one
// datagram (kind batch). The channel (peer.ts) decides when it is sealed: at the end
// of a tick, when it is full, and before any larger message to the same destination.
import { BATCH_ENTRY_OVERHEAD, HEADER_SIZE, KIND_BATCH, decodeBatch, fillHeader, frameBatchEntry, type Datagram, type Unsent } from './wire.js';

// Ids of batch entries, unique in this process (see OpenBatch.lastEntry).
let nextEntryId = 1;

/** One destination's open batch. */
export class OpenBatch {
  /** Bytes used, header included. */
  len = HEADER_SIZE;
  /** Messages in it. */
  count = 0;
  /** The id of the entry added last (0 while the batch is empty), unique in the
   * process: a sender that shares encoder state along one batch can tell whether its
   * last message is still the batch's last entry (nobody else added one since, the
   * batch was not sealed), so that its next message may build on it. */
  lastEntry = 0;
  private buf: Buffer | null = null;
  /** The buffer of the batch last sealed, until `settle` says where it goes. */
  private sealed: Buffer | null = null;
  private readonly capacity: number;

  /** `capacity`: bytes of one batch datagram, header included. */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Bytes a message of `len` adds to a batch, or -1 if it must go on its own. */
  cost(len: number): number {
    const cost = len + BATCH_ENTRY_OVERHEAD;
    return HEADER_SIZE + cost <= this.capacity ? cost : -1;
  }

  /** False when a message of `len` bytes needs a new batch (seal this one first). */
  fits(len: number): boolean {
    return this.buf === null || this.len + len + BATCH_ENTRY_OVERHEAD <= this.capacity;
  }

  /** Copy `body` in; it must fit. */
  add(body: Uint8Array): void {
    if (this.buf === null) this.buf = Buffer.allocUnsafe(this.capacity);
    this.buf.set(body, this.entryStart);
    this.commit(body.length);
  }

  /** For an entry written in place (PeerChannel.entryRoom): the buffer (null while
   * the batch is empty), where the entry's bytes go, and how many fit there. */
  get buffer(): Buffer | null {
    return this.buf;
  }

  get entryStart(): number {
    return this.len + BATCH_ENTRY_OVERHEAD;
  }

  room(): number {
    return this.capacity - this.len - BATCH_ENTRY_OVERHEAD;
  }

  /** The entry written in place at `entryStart` is `n` bytes (it fits). */
  commit(n: number): void {
    this.lastEntry = nextEntryId++;
    this.len = frameBatchEntry(this.buf!, this.len, n);
    this.count++;
  }

  /** Turn the batch (not empty) into a datagram with `template`'s header fields and
   * message id `msgId`; the batch is empty afterwards. */
  seal(template: Buffer, msgId: number): Datagram {
    const b = this.buf!;
    const len = this.len;
    const d: Datagram = { parts: [b.subarray(0, len)], fds: undefined, bytes: len, messages: this.count, kind: KIND_BATCH };
    this.buf = null;
    this.sealed = b;
    this.len = HEADER_SIZE;
    this.count = 0;
    this.lastEntry = 0;
    template.copy(b, 0, 0, HEADER_SIZE);
    fillHeader(b, KIND_BATCH, 0, len - HEADER_SIZE, msgId, 0, 1, len - HEADER_SIZE);
    return d;
  }

  /** After the sealed datagram `d` was sent (`queued` false) or queued. A batch that
   * waits keeps its buffer, but a mostly empty one is copied to its exact size, so the
   * queue never pins a whole buffer per small datagram; a buffer no longer needed is
   * reused by the next batch rather than a fresh one allocated per flush. */
  settle(d: Datagram, queued: boolean): void {
    const b = this.sealed;
    this.sealed = null;
    if (b === null) return;
    if (queued) {
      if (d.bytes * 2 >= b.length) return;
      d.parts[0] = Buffer.from(d.parts[0]);
    }
    if (this.buf === null) this.buf = b;
  }

  /** Push the messages still in the batch onto `out` (dead letters) and empty it. */
  take(out: Unsent): void {
    if (this.count > 0 && this.buf !== null) decodeBatch(this.buf.subarray(HEADER_SIZE, this.len), out);
    this.buf = null;
    this.sealed = null;
    this.len = HEADER_SIZE;
    this.count = 0;
    this.lastEntry = 0;
  }
}
