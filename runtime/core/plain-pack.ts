// Plain MessagePack for a plain tree (plain-tree.ts) that goes on its own: objects as
// maps, no record definitions. Written here rather than by a second msgpackr Packr:
// one with other options made msgpackr's packing code polymorphic for every message
// (measured: one-way sends 8 % slower). The bytes are standard MessagePack that
// msgpackr reads to the same values (its unpack, with maps read as objects).

// As msgpackr does with its own: results are views of one buffer, each written after
// the one before, and a full buffer is replaced, never written over, so a result
// stays intact as long as anyone holds it.
const SIZE = 64 * 1024;
let buf = Buffer.allocUnsafe(SIZE);
let pos = 0;
let start = 0;

/** Pack `v` (a plain tree) after `reserve` bytes left for the caller; null if it
 * holds something this writer leaves to msgpackr (a bigint). Send or copy the
 * result at once (it is a view of a buffer shared with the results after it). */
export function plainPack(v: unknown, reserve: number): Buffer | null {
  start = pos;
  ensure(reserve + 16);
  pos += reserve;
  if (!write(v)) {
    pos = start;
    return null;
  }
  return buf.subarray(start, pos);
}

// Room for `n` more bytes: a new buffer (the message so far copied over) if not.
function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  const used = pos - start;
  const next = Buffer.allocUnsafe(Math.max(SIZE, (used + n) * 2));
  buf.copy(next, 0, start, pos);
  buf = next;
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
      return Array.isArray(v) ? writeArray(v) : writeObject(v as Record<string, unknown>);
    default:
      return false; // bigint: msgpackr's choice of encoding, not ours to repeat
  }
}

function writeNumber(n: number): boolean {
  ensure(9);
  if (n >>> 0 === n) { // a uint32 (and -0, written as 0, as msgpackr does)
    if (n < 0x80) buf[pos++] = n;
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
  if (n < 32) {
    // The common short key or value: ASCII written as it is scanned.
    ensure(1 + n);
    const at = pos;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      buf[at + 1 + i] = c;
    }
    if (i === n) {
      buf[at] = 0xa0 | n;
      pos = at + 1 + n;
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
