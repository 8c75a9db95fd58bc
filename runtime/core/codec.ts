// Message bodies: msgpackr with structured clone (objects, arrays, typed arrays,
// Buffers, Dates, Maps, Sets, BigInts, cycles), plus Errors that keep their name,
// message, stack, code and cause across the process boundary (serialized-error.ts).
// The pure-JavaScript build: loading msgpackr's native string extractor costs a
// process start ~15 ms, and it decodes our small messages no faster.
import { Packr, RESERVE_START_SPACE, Unpackr, addExtension } from 'msgpackr/pack';
import { isPlainTree } from './plain-tree.js';
import { unsendable } from './unsendable.js';
import { RecordShapes, plainPack, recordPack, recordPackInto } from './plain-pack.js';
import { unpackRecords, type BatchShapes } from './record-unpack.js';
import { deserializeError, serializeError, type SerializedError } from './serialized-error.js';
import { BATCH_ENTRY_OVERHEAD, batchEntryEnd, writeBatchEntry } from '../transport/index.js';

addExtension({
  Class: Error,
  type: 0x45, // 'E'
  write: (err: Error) => serializeError(err),
  read: (s: SerializedError) => deserializeError(s),
});

// msgpackr would write a function as undefined (and drop `{ f() {} }`'s key): a
// message silently changed. Refuse it instead; `unsendable` then names the path.
class Unsendable extends Error {}

const OPTIONS = {
  structuredClone: true,
  moreTypes: true,
  mapsAsObjects: false,
  int64AsType: 'bigint',
  writeFunction: () => { throw new Unsendable('function'); },
} as ConstructorParameters<typeof Packr>[0];
const packr = new Packr(OPTIONS);

// A message that goes on its own (an ask, a reply, one event) would describe its
// object shapes (record definitions) only to use them once: writing and reading a
// definition, and building the reader of a shape never seen again, took 7 % of an
// ask's CPU in a profile. A plain tree that starts afresh is written as plain
// MessagePack instead (plain-pack.ts), objects as maps, behind this first byte,
// which MessagePack never uses, so that the decoder knows to read its maps as
// objects (everywhere else a map is a Map): the one general Packr reads it, with
// maps as objects for that entry only.
const PLAIN = 0xc1;
// Two of it: an entry of a batch written by our record writer (plain-pack.ts
// `recordPack`), which record-unpack.ts reads.
const RECORDS = PLAIN;

type Structures = unknown[];

/** BatchEncoder.encodeInto's results other than a length. */
export const NOT_PLAIN = -1;
export const NO_ROOM = -2;

/** An encoder for the messages of one batch datagram: an object shape is described
 * (a msgpackr record definition) the first time it occurs after `reset` and named by
 * a one-byte id after that, so a run of like messages pays for its keys once per
 * batch instead of once per message. A plain tree is written by our own writer
 * (plain-pack.ts, behind `c1 c1`), anything else by msgpackr. What it writes after a
 * `reset` decodes, in the same order, with one BatchDecoder batch. */
export class BatchEncoder {
  // `sequential`: the records this Packr defines stay defined from one pack to the
  // next. It keeps to record ids 0x40-0x5f: 0x60-0x7f are `shapes`' (plain-pack.ts).
  private readonly packr = new Packr({ ...OPTIONS, sequential: true, maxOwnStructures: 32 });
  /** The records of plain trees, which our own writer packs (plain-pack.ts). */
  private readonly shapes = new RecordShapes();

  /** Start afresh: the next message describes every shape it uses. */
  reset(): void {
    (this.packr as unknown as { structures: Structures }).structures = [];
    this.shapes.reset();
  }

  /** Like `encode`. After a throw the state is undefined: `reset` before the next. */
  encode(value: unknown, inner: unknown = value): Uint8Array {
    const plain = isPlainTree(value, inner);
    const b = plain ? recordPack(value, this.shapes, 2) : null;
    return b === null ? packWith(this.packr, value, inner, 0, plain) : markRecords(b, 0, -1);
  }

  /** `encode([tag, body])` for a small non-negative integer `tag`, without building
   * the array: `body` is packed after the array's header (fixarray of 2) and `tag`
   * (a positive fixint), which are written into room reserved before it. */
  encodeTagged(tag: number, body: unknown): Uint8Array {
    const plain = isPlainTree(body);
    const r = plain ? recordPack(body, this.shapes, 4) : null;
    if (r !== null) return markRecords(r, 0, tag);
    const b = packWith(this.packr, body, body, RESERVE_START_SPACE | 2, plain);
    b[0] = 0x92;
    b[1] = tag;
    return b;
  }

  /** `encode` (`tag` < 0) or `encodeTagged` (`tag` ≥ 0) of a plain tree straight into
   * `target`, from `from` and no further than `to`: the bytes written; NOT_PLAIN if
   * `value` is not a plain tree (nothing changed: encode it as usual); NO_ROOM if it
   * did not fit (the state is then as `encode` left it: encode it afresh or as usual). */
  encodeInto(target: Buffer, from: number, to: number, value: unknown, inner: unknown, tag: number): number {
    if (!(tag < 0 ? isPlainTree(value, inner) : isPlainTree(value))) return NOT_PLAIN;
    const n = recordPackInto(value, this.shapes, tag < 0 ? 2 : 4, target, from, to);
    if (n < 0) return NO_ROOM;
    markRecords(target, from, tag);
    return n;
  }

  /** Like `encode`, for a message that starts afresh (right after `reset`) and may
   * stay alone: a plain tree goes as plain MessagePack (PLAIN above), anything else
   * as `encode` writes it. The state is left as `reset` leaves it either way. */
  encodeAlone(value: unknown, inner: unknown = value): Uint8Array {
    const b = isPlainTree(value, inner) ? plainPack(value, 1) : null;
    if (b === null) return this.encode(value, inner);
    b[0] = PLAIN;
    return b;
  }

  /** `encodeAlone([tag, body])`, without building the array (see `encodeTagged`). */
  encodeAloneTagged(tag: number, body: unknown): Uint8Array {
    const b = isPlainTree(body) ? plainPack(body, 3) : null;
    if (b === null) return this.encodeTagged(tag, body);
    b[0] = PLAIN;
    b[1] = 0x92;
    b[2] = tag;
    return b;
  }
}

// The head of a record entry at `b[at]`: the mark, then for a tagged envelope
// (`tag` ≥ 0) the array header and the tag.
function markRecords<T extends Uint8Array>(b: T, at: number, tag: number): T {
  b[at] = PLAIN;
  b[at + 1] = RECORDS;
  if (tag >= 0) {
    b[at + 2] = 0x92;
    b[at + 3] = tag;
  }
  return b;
}

/** Decodes what BatchEncoders wrote, one batch datagram at a time: each batch's
 * entries share the records its earlier entries defined; a batch starts with none.
 * A batch whose delivery was interrupted by another (a nested pump) is picked up
 * again; an entry whose batch is unknown here throws rather than guess. */
export class BatchDecoder {
  // `trusted` (implied by `sequential`): records are kept between unpack calls.
  private readonly unpackr = new Unpackr({ ...OPTIONS, sequential: true });
  private batch = 0;
  private structures: Structures = [];
  /** The shapes our record writer defined in this batch (record-unpack.ts). */
  private shapes: BatchShapes = [];
  private readonly interrupted = new Map<number, { structures: Structures; shapes: BatchShapes }>();

  // Reused: the decoders read the body in place, `source[start, end)`.
  private readonly range = { start: 0, end: 0 };

  /** Decode entry `index` of batch `batch` (0, -1: a message on its own), the bytes
   * `source[start, end)` (all of `source` by default). */
  decode(source: Uint8Array, batch: number, index: number, start = 0, end = source.length): unknown {
    // The batch is entered before anything can fail: an entry that does not decode
    // must not cost the entries after it their batch.
    if (batch !== 0 && (index === 0 || batch !== this.batch)) this.enter(batch, index === 0);
    if (end === start) return packr.unpack(source.subarray(start, end)); // fails as an empty body does
    const range = this.range;
    range.end = end;
    if (source[start] === PLAIN) {
      if (end - start > 1 && source[start + 1] === RECORDS) return unpackRecords(source, start + 2, end, batch === 0 ? [] : this.shapes);
      // A plain entry uses no records: the batch's stay as they are.
      range.start = start + 1;
      return unpackPlain(source, range);
    }
    range.start = start;
    if (batch === 0) return packr.unpack(source, range as never);
    (this.unpackr as unknown as { structures: Structures }).structures = this.structures;
    return this.unpackr.unpack(source, range as never);
  }

  private enter(batch: number, first: boolean): void {
    if (this.batch !== 0) {
      this.interrupted.set(this.batch, { structures: this.structures, shapes: this.shapes });
      // Nesting is shallow (a pump inside a delivery): a few suffice.
      if (this.interrupted.size > 8) this.interrupted.delete(this.interrupted.keys().next().value!);
    }
    const resumed = first ? undefined : this.interrupted.get(batch);
    if (!first && resumed === undefined) {
      this.batch = 0;
      throw new Error(`entry of batch ${batch} out of sequence`);
    }
    this.interrupted.delete(batch);
    this.batch = batch;
    this.structures = resumed?.structures ?? [];
    this.shapes = resumed?.shapes ?? [];
  }
}

/** A run: the bodies of messages to one receiver, in order, in one buffer, framed as
 * the entries of a batch datagram are (wire.ts: a u32 length and the bytes), written
 * by one BatchEncoder from a `reset` (each body may use the shapes the ones before it
 * described). One buffer, so that each hop moves and copies one thing per run, not
 * one per message. */
export class RunWriter {
  private buf = Buffer.allocUnsafe(1024); // from Node's shared pool: a run of one ask costs little
  private len = 0;
  count = 0;

  get bytes(): number {
    return this.len;
  }

  append(body: Uint8Array): void {
    const need = this.len + BATCH_ENTRY_OVERHEAD + body.length;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    this.len = writeBatchEntry(this.buf, this.len, body);
    this.count++;
  }

  /** The run's bytes (its own memory: the writer is done). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

// A run decodes as one batch does: its own decoder, every run its batch 1 (entry 0
// starts it afresh).
const runDecoder = new BatchDecoder();

/** Decode a run (RunWriter), in order. An entry is `undefined` where its body did not
 * decode (the ones after it may then fail too); a run cut short ends with one. */
export function decodeRun(run: Uint8Array): ({ value: unknown } | undefined)[] {
  const out: ({ value: unknown } | undefined)[] = [];
  const body = Buffer.from(run.buffer, run.byteOffset, run.byteLength);
  for (let at = 0, i = 0; at < body.length; i++) {
    const end = batchEntryEnd(body, at);
    if (end < 0) {
      out.push(undefined);
      break;
    }
    try {
      out.push({ value: runDecoder.decode(body, 1, i, at + BATCH_ENTRY_OVERHEAD, end) });
    } catch {
      out.push(undefined);
    }
    at = end;
  }
  return out;
}

/** Encode a value. The result may share memory with the next `encode`: send it at once.
 * Throws EBADARG for what no message can carry (functions, symbols), naming where
 * it is, as structured clone's DataCloneError does: in `inner` (the user's part of
 * `value`, e.g. an envelope's body) as `msg...`. */
export function encode(value: unknown, inner: unknown = value): Buffer {
  return packWith(packr, value, inner);
}

// Every encoder's pack: what cannot be encoded is EBADARG naming its place in `inner`.
// A plain tree packs without structured clone's per-message Map (plain-tree.ts).
function packWith(p: Packr, value: unknown, inner: unknown, flags?: number, plain = isPlainTree(value, inner)): Buffer {
  const clone = p as unknown as { structuredClone: boolean };
  if (plain) clone.structuredClone = false;
  try {
    return p.pack(value, flags);
  } catch (err) {
    throw unsendable(inner, 'msg', err);
  } finally {
    clone.structuredClone = true;
  }
}

/** Decode a body. */
export function decode(body: Uint8Array): unknown {
  return body[0] === PLAIN ? unpackPlain(body, { start: 1, end: body.length }) : packr.unpack(body);
}

// A plain entry: MessagePack maps are its objects (elsewhere they are Maps).
function unpackPlain(source: Uint8Array, range: { start: number; end: number }): unknown {
  const p = packr as unknown as { mapsAsObjects: boolean };
  p.mapsAsObjects = true;
  try {
    return packr.unpack(source, range as never);
  } finally {
    p.mapsAsObjects = false;
  }
}
