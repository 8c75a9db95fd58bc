// The reader of what plain-pack.ts's `recordPack` writes: plain trees with msgpackr
// records, the entries of a batch. msgpackr's Unpackr reads them too, but a batch
// entry is read in place inside its datagram, never a small buffer, so msgpackr
// decoded every string a character at a time into an array (22 % of a receiver's
// CPU for 64-byte messages in a profile), and it compiled a reader for each shape
// again in every batch. Here a string is one slice by Node, and a shape's reader is
// compiled once per process. It reads only what that writer writes (anything else
// is an error: the entry does not decode) and gives the values msgpackr gives.

/** A shape's reader: builds one object, reading its values in key order. */
type ShapeReader = () => Record<string, unknown>;

/** Shapes defined in the batch being read, by record id (0x60-0x7f). */
export type BatchShapes = (ShapeReader | undefined)[];

// Buffer's own slicer, as toString('utf8', ...) calls it once it has checked its
// arguments (undocumented, in every Node since 0.x).
type Source = Buffer & { utf8Slice(start: number, end: number): string };

const FIRST_ID = 0x60;
/** Keys past this many in one shape: not a message this runtime writes. */
const MAX_KEYS = 1 << 16;
/** A shape is compiled once it has been defined this often (before that a loop
 * reads it): input with ever new shapes must not cost a compile per message. */
const COMPILE_AFTER = 2;
/** Compiled shapes kept; past this the cache starts over. */
const MAX_CACHED = 1024;
/** Nesting deeper than this is not from our writer, whose trees are bounded. */
const MAX_DEPTH = 64;

interface CachedShape { uses: number; reader: ShapeReader | null }
const cache = new Map<string, CachedShape>();

/** @internal Shapes in the process's cache of readers (for the tests of its bound). */
export const cachedShapeCount = (): number => cache.size;

const NONE = Buffer.alloc(0) as Source;
let src: Source = NONE;
let pos = 0;
let end = 0;
let shapes: BatchShapes;
let depth = 0;

/** The value written by `recordPack` at `source[start, stop)`, with the shapes the
 * batch's earlier entries defined (`batchShapes`, which gets this entry's). Throws
 * if the bytes are anything else. */
export function unpackRecords(source: Uint8Array, start: number, stop: number, batchShapes: BatchShapes): unknown {
  src = (typeof (source as Source).utf8Slice === 'function' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength)) as Source;
  pos = start;
  end = Math.min(stop, source.length);
  shapes = batchShapes;
  depth = 0;
  try {
    const v = read();
    if (pos !== end) throw new Error('bytes after the value');
    return v;
  } finally {
    src = NONE; // the datagram (up to 4 MiB) is not held after its entry is read
  }
}

function need(n: number): void {
  if (pos + n > end) throw new Error('value runs past the entry');
}

function read(): unknown {
  need(1);
  const b = src[pos++];
  if (b < 0x40) return b;
  if (b < 0x80) {
    const reader = b >= FIRST_ID ? shapes[b - FIRST_ID] : undefined;
    if (reader === undefined) throw new Error(`record ${b} is not defined`);
    return nested(reader);
  }
  if (b >= 0x90 && b < 0xa0) return readArray(b & 0x0f);
  if (b >= 0xa0 && b < 0xc0) return readString(b & 0x1f);
  if (b >= 0xe0) return b - 0x100;
  switch (b) {
    case 0xc0: return null;
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xcb: need(8); pos += 8; return src.readDoubleBE(pos - 8);
    case 0xcc: need(1); return src[pos++];
    case 0xcd: need(2); pos += 2; return src.readUInt16BE(pos - 2);
    case 0xce: need(4); pos += 4; return src.readUInt32BE(pos - 4);
    case 0xd0: need(1); pos += 1; return src.readInt8(pos - 1);
    case 0xd1: need(2); pos += 2; return src.readInt16BE(pos - 2);
    case 0xd2: need(4); pos += 4; return src.readInt32BE(pos - 4);
    case 0xd4: return readFixext1();
    case 0xd9: need(1); return readString(src[pos++]);
    case 0xda: need(2); pos += 2; return readString(src.readUInt16BE(pos - 2));
    case 0xdb: need(4); pos += 4; return readString(src.readUInt32BE(pos - 4));
    case 0xdc: need(2); pos += 2; return readArray(src.readUInt16BE(pos - 2));
    case 0xdd: need(4); pos += 4; return readArray(src.readUInt32BE(pos - 4));
    default: throw new Error(`byte 0x${b.toString(16)} is not written by the record writer`);
  }
}

function nested<T>(f: () => T): T {
  if (++depth > MAX_DEPTH) throw new Error('nested too deep');
  const v = f();
  depth--;
  return v;
}

const fromCharCode = String.fromCharCode;

function readString(n: number): string {
  need(n);
  const at = pos;
  pos += n;
  if (n < 13) {
    // Short ASCII (the common type tag or key) in JavaScript: a call into Buffer
    // costs more. Under 13 characters V8 copies rather than links, so `+=` is cheap.
    let s = '';
    for (let i = at; i < pos; i++) {
      const c = src[i];
      if (c > 0x7f) return src.utf8Slice(at, pos);
      s += fromCharCode(c);
    }
    return s;
  }
  return src.utf8Slice(at, pos);
}

function readArray(n: number): unknown[] {
  // Every element takes a byte at least: a count past the bytes left is a lie.
  need(n);
  if (++depth > MAX_DEPTH) throw new Error('nested too deep');
  const a = new Array(n);
  for (let i = 0; i < n; i++) a[i] = read();
  depth--;
  return a;
}

// fixext 1: undefined (type 0, data 0), or a record definition ('r', id, keys),
// whose first object follows at once.
function readFixext1(): unknown {
  need(2);
  const type = src[pos++];
  const data = src[pos++];
  if (type === 0 && data === 0) return undefined;
  if (type !== 0x72 || data < FIRST_ID || data > 0x7f) throw new Error(`fixext ${type}/${data} is not written by the record writer`);
  const keys = read();
  if (!Array.isArray(keys) || keys.length > MAX_KEYS || !keys.every((k) => typeof k === 'string')) throw new Error('a record definition without string keys');
  const reader = readerOf(keys as string[]);
  shapes[data - FIRST_ID] = reader;
  return nested(reader);
}

// msgpackr reads a key `__proto__` as `__proto_` (an own `__proto__` would be the
// prototype, in an object literal or an assignment alike); so does this reader.
const safeKey = (k: string): string => (k === '__proto__' ? '__proto_' : k);

function readerOf(keys: string[]): ShapeReader {
  const id = keys.join('\u0000') + `\u0000${keys.length}`;
  let c = cache.get(id);
  if (c === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    c = { uses: 0, reader: null };
    cache.set(id, c);
  }
  if (c.reader !== null) return c.reader;
  if (++c.uses > COMPILE_AFTER) return (c.reader = compile(keys));
  const names = keys.map(safeKey);
  return () => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) o[names[i]] = read();
    return o;
  };
}

// An object literal of the keys in order, each value read in turn: V8 then builds
// every object of the shape with one map, as it does for the sender's literals.
function compile(keys: string[]): ShapeReader {
  const body = keys.map((k) => `${JSON.stringify(safeKey(k))}: r()`).join(', ');
  return new Function('r', `return function () { return { ${body} }; };`)(read) as ShapeReader;
}
