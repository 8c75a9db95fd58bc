// Our record writer and reader for the entries of a batch (plain-pack.ts recordPack,
// record-unpack.ts): plain trees read back with the values and key order msgpackr's
// own path gives, taking turns with msgpackr's records in one batch; shapes past the
// 32 ids of the writer, in one batch and in one message; a bigint part-way through;
// and hostile record entries, which fail alone and leave the batch and the caches of
// both sides bounded.
import test from 'ava';
import { BatchDecoder, BatchEncoder, NO_ROOM, NOT_PLAIN, decode, encode } from '../../runtime/core/codec.js';
import { RecordShapes, recordPack } from '../../runtime/core/plain-pack.js';
import { cachedShapeCount, unpackRecords } from '../../runtime/core/record-unpack.js';
import { rng } from '../helpers/actors.js';

const isRecordEntry = (b: Buffer): boolean => b[0] === 0xc1 && b[1] === 0xc1;

// Own keys in order, all the way down: deepEqual alone would not see a reordering.
const keysDeep = (v: unknown): unknown => v !== null && typeof v === 'object'
  ? (Array.isArray(v) ? v.map(keysDeep) : v instanceof Map ? [...v.keys()] : Object.keys(v).map((k) => [k, keysDeep((v as any)[k])]))
  : typeof v;

const strings = [0, 1, 12, 13, 31, 32, 255, 256, 70_000].flatMap((n) => ['a'.repeat(n), 'é'.repeat(n), '😀'.repeat(Math.ceil(n / 2))]);
const ints = [0, 1, 0x3f, 0x40, 0x5f, 0x60, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 2 ** 32 - 1, 2 ** 32, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1];
const CORPUS: unknown[] = [
  {}, [], { type: 'seq', seq: 5, payload: 'x'.repeat(40) }, { ints }, { strings },
  { floats: [1.5, -0, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 60, 1e-300] },
  { nested: { a: [1, { b: null, c: undefined, d: true, e: false }], '': 'empty key', ü: 1, 1: 'an index key', z: [[], [[]], {}] } },
  Array.from({ length: 20 }, (_, i) => i), Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, { i }])),
  JSON.parse('{"__proto__": {"x": 1}, "y": 2}'), { 'with space': 1, 'quote"d': 2, 'new\nline': 3, '\u2028': 4 },
  [undefined, null, , 3], // eslint-disable-line no-sparse-arrays
];

/** Encode `values` as one batch (the first afresh, as outbound.ts does), copied. */
function batchOf(enc: BatchEncoder, values: unknown[]): Buffer[] {
  enc.reset();
  return values.map((v, i) => Buffer.from(i === 0 ? enc.encodeAlone(v) : enc.encode(v)));
}

test('plain trees in a batch are our records and read back as msgpackr reads them, keys in order', (t) => {
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  // Each value twice after a first entry: the second time names the shapes the first defined.
  const values = [{ first: true }, ...CORPUS, ...CORPUS];
  const bodies = batchOf(enc, values);
  for (let i = 1; i < bodies.length; i++) t.true(isRecordEntry(bodies[i]), `entry ${i} is a record entry`);
  t.true(bodies[1 + CORPUS.length + 2].length < bodies[1 + 2].length, 'a shape named again costs its id, not its keys');
  bodies.forEach((b, i) => {
    const got = dec.decode(b, 1, i);
    const general = decode(Buffer.from(encode(values[i])));
    t.deepEqual(got, general, `entry ${i}`);
    t.deepEqual(keysDeep(got), keysDeep(general));
  });
  t.is((dec.decode(bodies[10], 1, 10) as Record<string, unknown>).__proto_ !== undefined, true, 'a __proto__ key reads as msgpackr reads it');
});

test('our records and msgpackr\'s take turns in one batch, each keeping its shapes', (t) => {
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  const values: unknown[] = [];
  for (let i = 0; i < 300; i++) {
    values.push({ type: 'seq', seq: i, p: { q: i } });
    if (i % 3 === 0) values.push({ type: 'seq', seq: i, when: new Date(i), p: { q: i } }); // msgpackr (a Date)
    if (i % 5 === 0) values.push(new Map([['m', { type: 'seq', seq: i }]]));
    if (i % 7 === 0) values.push({ [`k${i}`]: i, type: 'seq' }); // a new shape each time: the ids cycle
  }
  const bodies = batchOf(enc, values);
  t.true(bodies.some(isRecordEntry) && bodies.some((b) => !isRecordEntry(b) && b[0] !== 0xc1));
  t.deepEqual(bodies.map((b, i) => dec.decode(b, 2, i)), values);
});

test('more new shapes in one message than the writer has ids', (t) => {
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  const wide = (tag: number) => ({ list: Array.from({ length: 70 }, (_, i) => ({ [`s${i}`]: { [`t${i}`]: tag } })), again: { s0: { t0: tag } } });
  const values = [{ first: 1 }, wide(1), wide(2), { s5: { t5: 3 } }, wide(4)];
  const bodies = batchOf(enc, values);
  t.true(bodies.slice(1).every(isRecordEntry));
  t.deepEqual(bodies.map((b, i) => dec.decode(b, 3, i)), values);
});

test('a bigint part-way through a tree: msgpackr packs that message, and the shapes met before it are defined again', (t) => {
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  const values = [{ first: 1 }, { a: { fresh: 1 }, b: { alsoFresh: 2 }, c: 10n ** 20n }, { a: { fresh: 3 }, b: { alsoFresh: 4 } }, { fresh: 5 }];
  const bodies = batchOf(enc, values);
  t.false(isRecordEntry(bodies[1]), 'the bigint message is msgpackr\'s');
  t.true(isRecordEntry(bodies[2]) && isRecordEntry(bodies[3]));
  t.deepEqual(bodies.map((b, i) => dec.decode(b, 4, i)), values);
});

test('hostile record entries fail alone; the batch and the decoder go on', (t) => {
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  const good = batchOf(enc, [{ first: 1 }, { a: 1, b: 'x' }, { a: 2, b: 'y' }]);
  const mark = [0xc1, 0xc1];
  const bogus: [string, number[]][] = [
    ['nothing after the mark', []],
    ['an undefined record id', [0x61]],
    ['an id of msgpackr\'s range', [0x41]],
    ['a string past the end', [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]],
    ['an array count past the end', [0xdd, 0x7f, 0xff, 0xff, 0xff, 0x01]],
    ['a definition with non-string keys', [0xd4, 0x72, 0x62, 0x91, 0x01, 0x01]],
    ['a definition with an id out of range', [0xd4, 0x72, 0x20, 0x91, 0xa1, 0x6b, 0x01]],
    ['a definition cut short', [0xd4, 0x72, 0x62, 0x92, 0xa1, 0x6b]],
    ['a map (not written in records)', [0x81, 0xa1, 0x6b, 0x01]],
    ['an extension', [0xd6, 0xff, 0, 0, 0, 0]],
    ['bytes after the value', [0x01, 0x02]],
    ['nesting too deep', Array(200).fill(0x91)],
  ];
  t.deepEqual(dec.decode(good[0], 5, 0), { first: 1 });
  t.deepEqual(dec.decode(good[1], 5, 1), { a: 1, b: 'x' });
  for (const [name, bytes] of bogus) t.throws(() => dec.decode(Buffer.from([...mark, ...bytes]), 5, 2), undefined, name);
  t.deepEqual(dec.decode(good[2], 5, 2), { a: 2, b: 'y' }, 'the shape defined before the garbage still reads');
});

test('ever new shapes keep both sides bounded: the writer\'s tree and the reader\'s compiled shapes', (t) => {
  const shapes = new RecordShapes();
  const batchShapes: (() => Record<string, unknown>)[] = [];
  for (let i = 0; i < 20_000; i++) {
    if (i % 50 === 0) {
      shapes.reset();
      batchShapes.length = 0;
    }
    const v = { [`key${i}`]: i, x: { [`inner${i}`]: i } };
    const b = Buffer.from(recordPack(v, shapes, 0)!);
    t.deepEqual(unpackRecords(b, 0, b.length, batchShapes), v);
  }
  t.true(shapes.size <= 4096 + 150, `writer's tree: ${shapes.size} shapes`);
  t.true(cachedShapeCount() <= 1024, `reader's cache: ${cachedShapeCount()} shapes`);
});

test('encodeInto: a plain tree straight into a buffer; one that does not fit leaves the encoder usable, one that is not plain is left alone', (t) => {
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  const target = Buffer.alloc(4096, 0xee);
  const bodies: Buffer[] = [];
  const values: unknown[] = [];
  const add = (v: unknown, b: Uint8Array): void => { values.push(v); bodies.push(Buffer.from(b)); };
  enc.reset();
  add({ first: 1 }, enc.encodeAlone({ first: 1 }));
  // In place, tagged as a user message is: [0, body].
  let n = enc.encodeInto(target, 100, 4096, { type: 'seq', seq: 1, nested: { a: 'x' } }, undefined, 0);
  t.true(n > 0);
  t.is(target[99], 0xee, 'nothing before `from`');
  t.is(target[100 + n], 0xee, 'nothing after the entry');
  add([0, { type: 'seq', seq: 1, nested: { a: 'x' } }], target.subarray(100, 100 + n));
  // Too little room: NO_ROOM, and the shapes met on the way are defined again later.
  t.is(enc.encodeInto(target, 0, 12, { type: 'seq', seq: 2, more: { brandNew: 'y'.repeat(50) } }, undefined, 0), NO_ROOM);
  add([0, { type: 'seq', seq: 2, more: { brandNew: 'z' } }], enc.encodeTagged(0, { type: 'seq', seq: 2, more: { brandNew: 'z' } }));
  // Not a plain tree: NOT_PLAIN, nothing written.
  target.fill(0xee);
  t.is(enc.encodeInto(target, 0, 4096, new Map([[1, 2]]), undefined, 0), NOT_PLAIN);
  t.is(target[0], 0xee);
  add(new Map([[1, 2]]), enc.encode(new Map([[1, 2]])));
  n = enc.encodeInto(target, 0, 4096, [3, 'op', { more: { brandNew: 'w' } }], { more: { brandNew: 'w' } }, -1);
  add([3, 'op', { more: { brandNew: 'w' } }], target.subarray(0, n));
  t.deepEqual(bodies.map((b, i) => dec.decode(b, 6, i)), values);
});

test('a getter that throws while writing in place leaves the writer on its own buffer again', (t) => {
  const enc = new BatchEncoder();
  const target = Buffer.alloc(4096);
  let reads = 0;
  // Plain to the check (the first read succeeds), then it throws while being written.
  const tricky = { a: 1, get b(): number { if (++reads > 1) throw new Error('second read'); return 2; } };
  enc.reset();
  t.throws(() => enc.encodeInto(target, 0, 4096, tricky, undefined, 0), { message: 'second read' });
  target.fill(0xee);
  enc.reset();
  const alone = Buffer.from(enc.encodeAlone({ after: 'the throw' }));
  const next = Buffer.from(enc.encode({ next: 1 }));
  t.true(target.every((b) => b === 0xee), 'nothing more is written into the caller\'s buffer');
  const dec = new BatchDecoder();
  t.deepEqual(dec.decode(alone, 7, 0), { after: 'the throw' });
  t.deepEqual(dec.decode(next, 7, 1), { next: 1 });
});

test('mutated record entries (flipped bytes, cut short, spliced) either fail or decode; the good entries after them still do', (t) => {
  const random = rng(t);
  const enc = new BatchEncoder();
  const values = Array.from({ length: 40 }, (_, i) => (i % 4 === 0
    ? { type: 'seq', seq: i, payload: 'é'.repeat(i), nested: { list: [i, -i, i * 1.5, null, true, undefined], s: 'x'.repeat(i * 7) } }
    : { type: 'seq', seq: i, payload: 'x'.repeat(40) }));
  const good = batchOf(enc, values);
  let failed = 0;
  let decoded = 0;
  for (let round = 0; round < 20_000; round++) {
    const dec = new BatchDecoder();
    const batch = round + 1;
    const k = 1 + Math.floor(random() * (good.length - 2)); // entries before k define what k may name
    for (let i = 0; i < k; i++) dec.decode(good[i], batch, i);
    const bad = Buffer.from(good[k]);
    const how = round % 3;
    if (how === 0) for (let j = 0; j < 1 + random() * 4; j++) bad[2 + Math.floor(random() * (bad.length - 2))] = Math.floor(random() * 256);
    const body = how === 1 ? bad.subarray(0, 2 + Math.floor(random() * (bad.length - 2)))
      : how === 2 ? Buffer.concat([bad.subarray(0, 2 + Math.floor(random() * (bad.length - 2))), good[Math.floor(random() * good.length)].subarray(2)])
        : bad;
    try {
      dec.decode(body, batch, k);
      decoded++;
    } catch {
      failed++;
    }
    // An entry after it that defines its own shapes still decodes (a fresh one: the
    // garbage may have overwritten the batch's definitions, as a forged entry can).
    const fresh = new BatchEncoder();
    fresh.reset();
    fresh.encodeAlone({ warm: 1 });
    const after = Buffer.from(fresh.encode({ after: round, text: 'ok' }));
    t.deepEqual(dec.decode(after, batch, k + 1), { after: round, text: 'ok' });
  }
  t.log(`${failed} failed, ${decoded} decoded (to something)`);
  t.true(failed > 0 && failed + decoded === 20_000);
});

test('strings travel as UTF-8 on every path: a lone surrogate arrives as U+FFFD, a pair intact', (t) => {
  const cases: [string, string][] = [['a\ud800b', 'a\ufffdb'], ['\udc00', '\ufffd'], ['x'.repeat(30) + '\ud83d', 'x'.repeat(30) + '\ufffd'], ['é😀'.repeat(20), 'é😀'.repeat(20)]];
  for (const [sent, arrives] of cases) {
    const enc = new BatchEncoder();
    const dec = new BatchDecoder();
    const bodies = batchOf(enc, [{ s: sent }, { s: sent }]);
    t.is((decode(Buffer.from(encode({ s: sent, m: new Map() }))) as { s: string }).s, arrives, 'msgpackr');
    t.is((dec.decode(bodies[0], 1, 0) as { s: string }).s, arrives, 'plain');
    t.is((dec.decode(bodies[1], 1, 1) as { s: string }).s, arrives, 'records');
  }
});
