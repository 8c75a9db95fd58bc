// Our own MessagePack writer for plain trees (plain-tree.ts), in two forms:
// - plain (`plainPack`), for a message that goes on its own: objects as maps, no
//   record definitions;
// - with records (`recordPack`), for the messages of a batch: an object shape is
//   defined once per batch as a msgpackr record (`d4 72 id [keys]`, then its values)
//   and named by its one-byte id after that, exactly as msgpackr's own Packr writes
//   records, so msgpackr's Unpackr reads both. It uses ids 0x60-0x7f only; the
//   batch's msgpackr Packr (codec.ts) keeps to 0x40-0x5f, so the two can take
//   turns in one batch without either overwriting a shape the other still uses.
// Written here rather than by a second msgpackr Packr: one with other options made
// msgpackr's packing code polymorphic for every message (measured: one-way sends 8 %
// slower). msgpackr's own record packing was half of a sender's CPU for 64-byte
// messages (a Map per message for structured clone, a view per result, its general
// dispatch); with this writer, and batch entries written in place, a send of one
// took 0.33-0.47 us instead of 0.62-0.83 (interleaved runs, architecture.md).

import { RecordShapes } from './record-shapes.js';

export { RecordShapes } from './record-shapes.js';

// As msgpackr does with its own: results are views of one buffer, each written after
// the one before, and a full buffer is replaced, never written over, so a result
// stays intact as long as anyone holds it.
const SIZE = 64 * 1024;
let own: Buffer = Buffer.allocUnsafe(SIZE);
/** Where the writer writes: `own`, or the caller's buffer (`recordPackInto`). */
let buf: Buffer = own;
/** The end of the room in `buf`. */
let limit = own.length;
let pos = 0;
let start = 0;
/** Writing into the caller's buffer; where in `own` to go on if that runs out. */
let inPlace = false;
let resumeAt = 0;

/** The shapes of the `recordPack` being written; null: objects as maps. */
let shapes: RecordShapes | null = null;

/** Pack `v` (a plain tree) after `reserve` bytes left for the caller; null if it
 * holds something this writer leaves to msgpackr (a bigint). Send or copy the
 * result at once (it is a view of a buffer shared with the results after it). */
export function plainPack(v: unknown, reserve: number): Buffer | null {
  shapes = null;
  return pack(v, reserve) ? buf.subarray(start, pos) : null;
}

/** `plainPack` with records: objects use (and define, where new in this batch) the
 * shapes of `s`. On null every shape of `s` is defined afresh when next used. */
export function recordPack(v: unknown, s: RecordShapes, reserve: number): Uint8Array | null {
  shapes = s;
  if (!pack(v, reserve)) {
    s.epoch++; // shapes defined on the way to the bigint were never written
    return null;
  }
  // A plain Uint8Array view: a Buffer's subarray costs twice as much to make (the
  // transport copies the bytes into its batch and needs no more).
  return new Uint8Array(buf.buffer, buf.byteOffset + start, pos - start);
}

/** `recordPack` straight into `target`, from `from` (after `reserve` bytes left
 * for the caller) and no further than `to`: the bytes written, or -1 if they did not
 * fit or hold a bigint (then nothing is to be used, and every shape of `s` is
 * defined afresh when next used). */
export function recordPackInto(v: unknown, s: RecordShapes, reserve: number, target: Buffer, from: number, to: number): number {
  shapes = s;
  const resume = pos;
  resumeAt = pos;
  buf = target;
  limit = to;
  start = from;
  pos = from + reserve;
  inPlace = true;
  let n = -1;
  try {
    if (pos <= to && write(v) && inPlace) n = pos - from;
  } finally {
    // Back to our own buffer (after a throw too: a getter may throw), as it was or
    // after what the writer dropped there (ensure).
    if (inPlace) pos = resume;
    inPlace = false;
    buf = own;
    limit = own.length;
    start = pos;
    if (n < 0) s.epoch++;
  }
  return n;
}

/** Write `v` after `reserve` bytes, from `start`; false (nothing written) if it
 * holds a bigint. */
function pack(v: unknown, reserve: number): boolean {
  start = pos;
  ensure(reserve + 16);
  pos += reserve;
  if (write(v)) return true;
  pos = start;
  return false;
}

// Room for `n` more bytes: a new buffer (the message so far copied over) if not.
function ensure(n: number): void {
  if (pos + n <= limit) return;
  if (inPlace) {
    // The caller's room ran out: the rest is written to our own buffer and dropped
    // (the caller then takes its other path).
    inPlace = false;
    buf = own;
    limit = own.length;
    start = pos = resumeAt;
    if (pos + n <= limit) return;
  }
  const used = pos - start;
  const next = Buffer.allocUnsafe(Math.max(SIZE, (used + n) * 2));
  buf.copy(next, 0, start, pos);
  own = buf = next;
  limit = next.length;
  start = 0;
  pos = used;
}

function write(v: unknown): boolean {
  switch (typeof v) {
    case 'string': return writeString(v);
    case 'number': return writeNumber(v);
    case 'boolean':
      ensure(1);
      buf[pos++] = v ? 0xc3 : 0xc2;
      return true;
    case 'undefined':
      // fixext 1, type 0, data 0: undefined, as msgpackr writes and reads it.
      ensure(3);
      buf[pos++] = 0xd4;
      buf[pos++] = 0;
      buf[pos++] = 0;
      return true;
    case 'object':
      if (v === null) {
        ensure(1);
        buf[pos++] = 0xc0;
        return true;
      }
      if (Array.isArray(v)) return writeArray(v);
      return shapes === null ? writeObject(v as Record<string, unknown>) : writeRecord(v as Record<string, unknown>, shapes);
    default:
      return false; // bigint: msgpackr's choice of encoding, not ours to repeat
  }
}

function writeNumber(n: number): boolean {
  ensure(9);
  if (n >>> 0 === n) { // a uint32 (and -0, written as 0, as msgpackr does)
    // 0x40-0x7f are record ids where records are in use: msgpackr writes them as uint8.
    if (n < 0x40) buf[pos++] = n;
    else if (n < 0x100) { buf[pos++] = 0xcc; buf[pos++] = n; }
    else if (n < 0x10000) { buf[pos++] = 0xcd; buf.writeUInt16BE(n, pos); pos += 2; }
    else { buf[pos++] = 0xce; buf.writeUInt32BE(n, pos); pos += 4; }
  } else if (n >> 0 === n) { // a negative int32
    if (n >= -0x20) buf[pos++] = n & 0xff;
    else if (n >= -0x80) { buf[pos++] = 0xd0; buf.writeInt8(n, pos); pos += 1; }
    else if (n >= -0x8000) { buf[pos++] = 0xd1; buf.writeInt16BE(n, pos); pos += 2; }
    else { buf[pos++] = 0xd2; buf.writeInt32BE(n, pos); pos += 4; }
  } else { // anything else as a float64: read back as the same number, never a BigInt
    buf[pos++] = 0xcb;
    buf.writeDoubleBE(n, pos);
    pos += 8;
  }
  return true;
}

function writeString(s: string): boolean {
  const n = s.length;
  if (n >= 24 && n < 86) {
    // At most 255 bytes in UTF-8 (3 per UTF-16 unit): a str8 header fits whatever it
    // comes to, and one call of Buffer's UTF-8 writer beats the loop below from here.
    ensure(2 + 3 * n);
    const len = (buf as Buffer & { utf8Write(s: string, offset: number): number }).utf8Write(s, pos + 2);
    buf[pos] = 0xd9;
    buf[pos + 1] = len;
    pos += 2 + len;
    return true;
  }
  if (n < 24) {
    // The common short key or tag: ASCII written as it is scanned (cheaper than a
    // call into Buffer for so few characters).
    ensure(1 + n);
    const b = buf;
    const at = pos + 1;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      b[at + i] = c;
    }
    if (i === n) {
      b[pos] = 0xa0 | n;
      pos = at + n;
      return true;
    }
  }
  const len = Buffer.byteLength(s, 'utf8');
  ensure(5 + len);
  if (len < 32) buf[pos++] = 0xa0 | len;
  else if (len < 0x100) { buf[pos++] = 0xd9; buf[pos++] = len; }
  else if (len < 0x10000) { buf[pos++] = 0xda; buf.writeUInt16BE(len, pos); pos += 2; }
  else { buf[pos++] = 0xdb; buf.writeUInt32BE(len, pos); pos += 4; }
  pos += buf.write(s, pos, len, 'utf8');
  return true;
}

// The header of an array or map of `n` elements: fix (`fix` | n, under 16), 16-bit
// (`code16`) or 32-bit (`code16` + 1) count.
function writeCount(n: number, fix: number, code16: number): void {
  ensure(5);
  if (n < 16) buf[pos++] = fix | n;
  else if (n < 0x10000) { buf[pos++] = code16; buf.writeUInt16BE(n, pos); pos += 2; }
  else { buf[pos++] = code16 + 1; buf.writeUInt32BE(n, pos); pos += 4; }
}

function writeArray(a: unknown[]): boolean {
  const n = a.length;
  writeCount(n, 0x90, 0xdc);
  for (let i = 0; i < n; i++) if (!write(a[i])) return false;
  return true;
}

function writeObject(o: Record<string, unknown>): boolean {
  const keys = Object.keys(o);
  const n = keys.length;
  writeCount(n, 0x80, 0xde);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    writeString(k);
    if (!write(o[k])) return false;
  }
  return true;
}

// An object as a record of its shape (keys in for-in order, which is own keys in
// order for a plain object): its id, after its definition if the batch has none yet.
function writeRecord(o: Record<string, unknown>, t: RecordShapes): boolean {
  let s = t.root;
  for (const k in o) {
    if (s.lastKey !== k) {
      const n = s.next?.get(k) ?? t.child(s, k);
      s.lastKey = k;
      s.last = n;
    }
    s = s.last!;
  }
  if (s.epoch === t.epoch) {
    ensure(1);
    buf[pos++] = s.id;
  } else {
    t.define(s);
    const keys = (s.keys ??= Object.keys(o));
    ensure(3);
    buf[pos++] = 0xd4; // fixext 1,
    buf[pos++] = 0x72; // 'r': msgpackr's record definition
    buf[pos++] = s.id;
    writeCount(keys.length, 0x90, 0xdc);
    for (let i = 0; i < keys.length; i++) writeString(keys[i]);
  }
  for (const k in o) if (!write(o[k])) return false;
  return true;
}
