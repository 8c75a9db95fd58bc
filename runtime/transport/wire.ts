// The datagram wire format. Every datagram starts with a fixed 48-byte little-endian
// header; the body follows. Kinds: a whole message, one fragment of a large message,
// a batch of small messages coalesced into one datagram ([u32 length][bytes]...),
// or a large message whose body is in a sealed memfd passed as the datagram's last
// fd (no body bytes; the total length field says the memfd's size; memfd.ts).
//
//   0 u32 magic 'PDGN'      4 u8 version      5 u8 kind      6 u16 fd count
//   8 u32 sender pid       12 u32 body length (bytes after the header)
//  16 u64 sender instance  24 u64 receiver instance
//  32 u32 message id       36 u32 fragment index   40 u32 fragment count
//  44 u32 total length of the message (fragments; equals body length otherwise)

export const MAGIC = 0x4e474450; // 'PDGN' read as little-endian
export const VERSION = 1;
export const HEADER_SIZE = 48;

export const KIND_MESSAGE = 1;
export const KIND_FRAGMENT = 2;
export const KIND_BATCH = 3;
export const KIND_MEMFD = 4;

/** Largest datagram pidgeon sends; every receive slot holds one. 256 KiB of body
 * plus the header and some slack, so that a 1 MiB message with its envelope fits
 * in four fragments rather than four and a sliver. */
export const MAX_DATAGRAM = 256 * 1024 + 256;
/** Each message inside a batch is prefixed by its length. */
export const BATCH_ENTRY_OVERHEAD = 4;

export const OFF_MAGIC = 0;
export const OFF_VERSION = 4;
export const OFF_KIND = 5;
export const OFF_NFDS = 6;
export const OFF_SENDER_PID = 8;
export const OFF_BODY_LEN = 12;
export const OFF_SENDER_INSTANCE = 16;
export const OFF_RECEIVER_INSTANCE = 24;
export const OFF_MSG_ID = 32;
export const OFF_FRAG_INDEX = 36;
export const OFF_FRAG_COUNT = 40;
export const OFF_TOTAL_LEN = 44;

/** A datagram ready to go (sending side): header + body parts, maybe fds, and what
 * it carries. */
export interface Datagram {
  parts: Uint8Array[];
  fds: number[] | undefined;
  bytes: number;
  /** Messages it completes: a batch's entries; 1 for a message or a last fragment. */
  messages: number;
  kind: number;
  /** Fragments: the whole message they belong to (its dead letter if they never go out). */
  whole?: Uint8Array;
  /** KIND_MEMFD: the sealed memfd holding the body, the last of `fds`. The datagram
   * owns it: it is closed once the datagram is sent, refused or taken back
   * (memfd.ts `releaseMemfd`); a sending thread keeps a dup of its own. */
  memfd?: number;
}

/** A header with the fields that never change for one sender→receiver pair. */
export function headerTemplate(senderPid: number, senderInstance: bigint, receiverInstance: bigint): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt32LE(MAGIC, OFF_MAGIC);
  h.writeUInt8(VERSION, OFF_VERSION);
  h.writeUInt32LE(senderPid, OFF_SENDER_PID);
  h.writeBigUInt64LE(senderInstance, OFF_SENDER_INSTANCE);
  h.writeBigUInt64LE(receiverInstance, OFF_RECEIVER_INSTANCE);
  return h;
}

/** Fill the per-datagram fields of a header copied from a template. */
export function fillHeader(
  h: Buffer,
  kind: number,
  nfds: number,
  bodyLen: number,
  msgId: number,
  fragIndex: number,
  fragCount: number,
  totalLen: number,
): void {
  h[OFF_KIND] = kind;
  h.writeUInt16LE(nfds, OFF_NFDS);
  h.writeUInt32LE(bodyLen, OFF_BODY_LEN);
  h.writeUInt32LE(msgId >>> 0, OFF_MSG_ID);
  h.writeUInt32LE(fragIndex, OFF_FRAG_INDEX);
  h.writeUInt32LE(fragCount, OFF_FRAG_COUNT);
  h.writeUInt32LE(totalLen, OFF_TOTAL_LEN);
}

/** Encode one batch entry, `[u32 length][bytes]`, at `off` of `buf` (which has room
 * for `BATCH_ENTRY_OVERHEAD + body.length` bytes); returns where the next one goes. */
export function writeBatchEntry(buf: Buffer, off: number, body: Uint8Array): number {
  buf.set(body, off + BATCH_ENTRY_OVERHEAD);
  return frameBatchEntry(buf, off, body.length);
}

/** The framing of a batch entry whose `n` bytes are already in place after it, at
 * `off + BATCH_ENTRY_OVERHEAD` (written there in place); returns where the next one goes. */
export function frameBatchEntry(buf: Buffer, off: number, n: number): number {
  buf.writeUInt32LE(n, off);
  return off + BATCH_ENTRY_OVERHEAD + n;
}

/** Decode the batch entry at `off` of a batch body (what follows the header): where
 * it ends, which is where the next one starts, or -1 when it runs past the body's
 * end. Its bytes are `body.subarray(off + BATCH_ENTRY_OVERHEAD, end)`. */
export function batchEntryEnd(body: Buffer, off: number): number {
  if (off + BATCH_ENTRY_OVERHEAD > body.length) return -1;
  const end = off + BATCH_ENTRY_OVERHEAD + body.readUInt32LE(off);
  return end <= body.length ? end : -1;
}

/** A well-formed batch body: one entry or more, the last ending at the body's end. */
export function isBatch(body: Buffer): boolean {
  if (body.length === 0) return false;
  for (let off = 0; off < body.length;) {
    off = batchEntryEnd(body, off);
    if (off < 0) return false;
  }
  return true;
}

/** Decode a whole batch body: its entries, as views of `body`, are pushed onto
 * `into` with their index in the batch. False, with nothing pushed, when the body
 * is not a well-formed batch. */
export function decodeBatch(body: Buffer, into: { push(entry: Buffer, index: number): unknown }): boolean {
  if (!isBatch(body)) return false;
  for (let off = 0, end, i = 0; off < body.length; off = end, i++) {
    end = batchEntryEnd(body, off);
    into.push(body.subarray(off + BATCH_ENTRY_OVERHEAD, end), i);
  }
  return true;
}

// Numbers the batches of dead letters in this process (see Unsent).
let nextUnsentBatch = 1;

/** Bodies that were accepted but not delivered, in the order they were sent, each
 * with the batch datagram it was coalesced into (numbered in the process from 1; 0:
 * it was to travel on its own) and its place there (0: the first entry; -1: alone).
 * A decoder that shares state along a batch (the core's envelope codec) needs both. */
export class Unsent {
  readonly bodies: Uint8Array[] = [];
  readonly batch: number[] = [];
  readonly batchIndex: number[] = [];
  push(body: Uint8Array, index = -1): void {
    if (index === 0) nextUnsentBatch++;
    this.bodies.push(body);
    this.batch.push(index < 0 ? 0 : nextUnsentBatch - 1);
    this.batchIndex.push(index);
  }
  get length(): number {
    return this.bodies.length;
  }
}

/** Instances travel as u64 on the wire and as 16 hex digits in addresses. */
export function instanceToString(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

export function instanceFromString(s: string): bigint {
  return BigInt('0x' + s);
}
