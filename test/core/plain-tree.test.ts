// Packing a plain tree without structured clone (plain-tree.ts, codec.ts packWith):
// the check says "plain tree" only where nothing can be reached twice, and what a
// plain tree packs to is byte for byte what structured clone would have written (in
// a batch, our record writer's bytes read back to the same values); shared and
// cyclic references still arrive shared and cyclic.
import test from 'ava';
import { Packr } from 'msgpackr/pack';
import { BatchDecoder, BatchEncoder, encode } from '../../runtime/core/codec.js';
import { isPlainTree } from '../../runtime/core/plain-tree.js';
import { rng } from '../helpers/actors.js';

const OPTIONS = { structuredClone: true, moreTypes: true, mapsAsObjects: false, int64AsType: 'bigint' } as const;

test('plain trees: primitives, plain objects and arrays, nested', (t) => {
  for (const v of [1, 'x', null, undefined, true, 2n ** 70n, NaN, {}, [], { a: 1, b: 'x', c: null }, [1, [2, [3]]], { a: { b: { c: [1, { d: 2 }] } } }, [{ a: 1 }, { a: 1 }]]) {
    t.true(isPlainTree(v), String(v));
  }
});

test('not plain trees: shared, cyclic, other kinds, too deep, throwing', (t) => {
  const shared = { s: 1 };
  const cyc: Record<string, unknown> = { a: 1 };
  cyc.self = cyc;
  const arrCyc: unknown[] = [1];
  arrCyc.push(arrCyc);
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = { deep };
  class Point { x = 1; }
  const cases: [string, unknown][] = [
    ['shared', { a: shared, b: shared }], ['shared in array', [shared, [shared]]], ['cycle', cyc], ['array cycle', arrCyc],
    ['Map', new Map()], ['Set', new Set()], ['Date', new Date()], ['Buffer', Buffer.alloc(1)], ['Error', new Error('e')],
    ['class instance', new Point()], ['null prototype', Object.create(null)], ['own constructor key', { constructor: 'c' }],
    ['nested Map', { m: new Map() }], ['function', () => 1], ['nested function', { f: () => 1 }], ['symbol', Symbol('s')],
    ['nested symbol', [Symbol('s')]], ['too deep', deep],
    ['throwing getter', { get x(): number { throw new Error('no'); } }],
    ['nested throwing getter', { o: { get x(): number { throw new Error('no'); } } }],
  ];
  for (const [name, v] of cases) t.false(isPlainTree(v), name);
  t.true(isPlainTree({ a: shared }), 'the walk state does not leak into the next call');
});

/** A random plain tree (no object twice). */
function plainTree(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 4 ? 6 : 9));
  switch (k) {
    case 0: return Math.floor(r() * 1e6) - 5e5;
    case 1: return r() * 1e9;
    case 2: return 'é'.repeat(Math.floor(r() * 3)) + 'x'.repeat(Math.floor(r() * 80));
    case 3: return r() < 0.5 ? null : r() < 0.5;
    case 4: return undefined;
    case 5: return BigInt(Math.floor(r() * 1e6)) * 10n ** 15n;
    case 6: case 7: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++) o[`k${Math.floor(r() * 6)}`] = plainTree(r, depth + 1);
      return o;
    }
    default: return Array.from({ length: Math.floor(r() * 4) }, () => plainTree(r, depth + 1));
  }
}

// Own keys in order, all the way down: deepEqual alone would not see a reordering.
const keysDeep = (v: unknown): unknown => v !== null && typeof v === 'object'
  ? (Array.isArray(v) ? v.map(keysDeep) : Object.keys(v).map((k) => [k, keysDeep((v as any)[k])]))
  : typeof v;

test('a plain tree packs to the bytes structured clone writes (codec encode); in a batch it reads back as those bytes do, and msgpackr reads our records too', (t) => {
  const r = rng(t);
  const reference = new Packr(OPTIONS);
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  // msgpackr's own reader of a batch, for the record bytes without our two-byte mark.
  const foreign = new Packr({ ...OPTIONS, sequential: true });
  let batch = 0;
  let index = 0;
  let records = 0;
  for (let i = 0; i < 3000; i++) {
    const v = plainTree(r, 0);
    t.true(isPlainTree(v));
    const ref = Buffer.from(reference.pack(v));
    t.deepEqual(Buffer.from(encode(v)), ref);
    if (i % 20 === 0) {
      enc.reset();
      (foreign as unknown as { structures: unknown[] }).structures = [];
      batch++;
      index = 0;
    }
    const body = Buffer.from(enc.encode(v));
    const expected = reference.unpack(ref);
    const got = dec.decode(body, batch, index++);
    t.deepEqual(got, expected);
    t.deepEqual(keysDeep(got), keysDeep(expected));
    if (body[0] === 0xc1 && body[1] === 0xc1) {
      records++;
      t.deepEqual(foreign.unpack(body.subarray(2)), expected, 'msgpackr reads the record writer\'s bytes');
    } else {
      // Only a bigint sends a plain tree to msgpackr's records: its bytes are then
      // msgpackr's own, read by msgpackr in the same sequence.
      t.deepEqual(foreign.unpack(body), expected);
    }
  }
  t.true(records > 2000, `${records} of 3000 written by the record writer`);
});

test('shared and cyclic references still arrive shared and cyclic, mixed with plain trees in one batch', (t) => {
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  const shared = { s: 1 };
  const cyc: Record<string, unknown> = { c: 1 };
  cyc.self = cyc;
  const values: unknown[] = [{ a: 1, b: 'x' }, { a: shared, b: shared }, { a: 2, b: 'y' }, cyc, [1, 2], { a: 3, b: 'z' }];
  enc.reset();
  const out = values.map((v, i) => dec.decode(enc.encode(v), 5, i)) as any[];
  t.deepEqual(out[0], values[0]);
  t.is(out[1].a, out[1].b, 'shared stays shared');
  t.deepEqual(out[1].a, shared);
  t.is(out[3].self, out[3], 'a cycle stays a cycle');
  t.deepEqual(out[5], values[5]);
});

test('envelopes: primitives then the body; only the body is walked, and what it holds still counts', (t) => {
  const body = { a: 1, b: 'x' };
  t.true(isPlainTree([0, body], body));
  t.true(isPlainTree([3, 7, true, { deep: [1, { x: 2 }] }], undefined), 'no last given: the general walk');
  const deep = { deep: [1, { x: 2 }] };
  t.true(isPlainTree([3, 7, true, deep], deep));
  const shared = { s: 1 };
  const withShared = { a: shared, b: shared };
  t.false(isPlainTree([0, withShared], withShared), 'shared inside the body');
  const env: unknown[] = [0];
  const cyclic: Record<string, unknown> = { env };
  env.push(cyclic);
  t.false(isPlainTree(env, cyclic), 'the body holds its envelope: a cycle');
  const headObject = { h: 1 };
  t.true(isPlainTree([0, headObject, body], body), 'an object before the body: the general walk, still a tree');
  t.false(isPlainTree([0, body, body], body), 'the body twice');
  t.false(isPlainTree([0, new Map()], undefined));
  const m = new Map();
  t.false(isPlainTree([0, m], m));
});

test('an envelope of a plain tree packs to the bytes structured clone writes', (t) => {
  const r = rng(t);
  const reference = new Packr(OPTIONS);
  for (let i = 0; i < 1000; i++) {
    const b = plainTree(r, 0);
    const env = i % 2 ? [0, b] : [3, i, true, b];
    t.deepEqual(Buffer.from(encode(env, b)), Buffer.from(reference.pack(env)));
  }
});
