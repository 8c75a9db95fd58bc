// Record definitions shared along one batch datagram (codec.ts BatchEncoder and
// BatchDecoder, outbound.ts): without processes, every value round-trips through
// batches of any length and shape mix, including more shapes than one-byte record
// ids can name; an interrupted batch is picked up again and an entry of an unknown
// batch is refused, never guessed. Then through real processes: a burst of varied
// asks (coalesced both ways), with unsendable values, fds and large messages mixed
// in, comes back unchanged; and messages queued for an actor that is killed come
// back as dead letters equal to what was sent.
import test from 'ava';
import fs from 'node:fs';
import { BatchDecoder, BatchEncoder, decode, encode } from '../../runtime/core/codec.js';
import { fixture, kill, rng, startSystem, until, within, WAIT } from '../helpers/actors.js';

/** A value of one of many shapes (index `i` picks the shape, `v` varies the values). */
function varied(i: number, v: number): unknown {
  switch (i % 12) {
    case 0: return { type: 'seq', seq: v, payload: 'x'.repeat(40) };
    case 1: return { [`k${i % 50}`]: v, [`j${i % 7}`]: [v, { inner: v, deeper: { z: String(v) } }] };
    case 2: return new Map<unknown, unknown>([['a', v], [v, { m: v }]]);
    case 3: return new Set([v, 'x', { s: v }]);
    case 4: return [{ a: v, b: 1 }, { a: v + 1, b: 2 }, { b: 3, a: v }];
    case 5: return { date: new Date(1_700_000_000_000 + v), big: BigInt(v) * 10n ** 20n, buf: Buffer.from([v & 255, 1, 2]) };
    case 6: { const c: any = { v, name: 'cycle' }; c.self = c; c.list = [c, { back: c }]; return c; }
    case 7: return { constructor: 'c', 'with space': v, '': null, 42: v };
    case 8: return { nested: { nested: { nested: { nested: { v } } } }, u: undefined, n: null, t: true };
    case 9: return 'plain string ' + v;
    case 10: return { err: Object.assign(new RangeError(`bad ${v}`), { code: 'E' + v }) };
    default: return { type: 'seq', seq: v, payload: 'y'.repeat(v % 300), extra: { shape: i % 40 } };
  }
}

test('batches of varied shapes round-trip, whatever their length, with afresh starts at each batch', (t) => {
  const random = rng(t);
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  let batch = 0;
  let count = 0;
  while (count < 5000) {
    batch++;
    const length = 1 + Math.floor(random() * 150);
    enc.reset();
    const sent: unknown[] = [];
    const bodies: Buffer[] = [];
    for (let i = 0; i < length; i++, count++) {
      const v = varied(Math.floor(random() * 1000), count);
      sent.push(v);
      // The first of a batch as outbound.ts encodes it (plain if it is a plain tree);
      // copied: the encoder's buffer is reused.
      bodies.push(Buffer.from(i === 0 ? enc.encodeAlone(v) : enc.encode(v)));
    }
    const got = bodies.map((b, i) => dec.decode(b, batch, i));
    t.deepEqual(got, sent, `batch ${batch} of ${length}`);
  }
});

// Own keys in order, all the way down: deepEqual alone would not see a reordering.
const keysDeep = (v: unknown): unknown => v !== null && typeof v === 'object'
  ? (Array.isArray(v) ? v.map(keysDeep) : v instanceof Map ? [...v.keys()] : Object.keys(v).map((k) => [k, keysDeep((v as any)[k])]))
  : typeof v;

const PLAIN_TREES: unknown[] = [
  {}, [], { type: 'ping', seq: 5, payload: 'x'.repeat(40) }, 'a string', 42, null, true, undefined,
  [1, -1, -32, -33, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1,
    1.5, -0, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 60],
  { s: '', u: 'é', e: '😀', k31: 'a'.repeat(31), k32: 'a'.repeat(32), long: 'é'.repeat(300), big: 'x'.repeat(70_000) },
  { nested: { a: [1, { b: null, c: undefined, d: true, e: false }], '': 'empty key', ü: 1, 1: 'an index key', z: [[], [[]], {}] } },
  Array.from({ length: 20 }, (_, i) => i), Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, { i }])),
  JSON.parse('{"__proto__": {"x": 1}, "y": 2}'),
];

test('a plain tree on its own goes as plain MessagePack (no record definitions) and reads back as the general path reads it, keys in order', (t) => {
  for (const v of PLAIN_TREES) {
    const enc = new BatchEncoder();
    enc.reset();
    const body = Buffer.from(enc.encodeAlone(v));
    t.is(body[0], 0xc1, `plain: ${JSON.stringify(v)?.slice(0, 40)}`);
    const general = decode(Buffer.from(encode(v)));
    for (const got of [decode(body), new BatchDecoder().decode(body, 0, -1), new BatchDecoder().decode(body, 3, 0)]) {
      t.deepEqual(got, general);
      t.deepEqual(keysDeep(got), keysDeep(general));
    }
    const tagged = Buffer.from(new BatchEncoder().encodeAloneTagged(0, v));
    t.deepEqual(decode(tagged), [0, general], 'the tagged form is [tag, body]');
  }
});

test('a plain result stays intact while held: the next ones are written after it, and a full buffer is replaced, not written over', (t) => {
  const enc = new BatchEncoder();
  const first = enc.encodeAlone({ first: 'kept', n: 1 }); // a view, not copied
  const copy = Buffer.from(first);
  for (let i = 0; i < 200; i++) enc.encodeAlone({ filler: 'z'.repeat(1000), i }); // past one 64 KiB buffer
  t.true(Buffer.from(first).equals(copy));
  t.deepEqual(decode(first), { first: 'kept', n: 1 });
});

test('what is not a plain tree starts afresh with record definitions; a plain first entry leaves the batch to the records after it', (t) => {
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  const notPlain = [new Map([['a', 1]]), { when: new Date(5) }, { big: 12n }, (() => { const c: any = { c: 1 }; c.self = c; return c; })()];
  for (const v of notPlain) {
    enc.reset();
    const body = Buffer.from(enc.encodeAlone(v));
    t.not(body[0], 0xc1);
    t.deepEqual(dec.decode(body, 0, -1), v);
  }
  // A batch as outbound.ts writes it: a plain first entry, then like shapes with
  // records (the second entry defines the shape, the later ones name it).
  enc.reset();
  const sent = [{ type: 'seq', seq: 0 }, { type: 'seq', seq: 1 }, { type: 'seq', seq: 2 }, new Map([[1, { type: 'seq', seq: 3 }]])];
  const bodies = sent.map((v, i) => Buffer.from(i === 0 ? enc.encodeAlone(v) : enc.encode(v)));
  t.is(bodies[0][0], 0xc1);
  t.true(bodies[2].length < bodies[1].length, 'the third entry names the shape the second described');
  t.deepEqual(bodies.map((b, i) => dec.decode(b, 9, i)), sent);
  t.true(dec.decode(bodies[3], 9, 3) instanceof Map, 'a map outside a plain entry is still a Map');
});

test('a hostile plain entry fails alone: maps read as Maps again afterwards, and the batch goes on', (t) => {
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  enc.reset();
  const good = [{ a: 1 }, new Map([['m', { b: 2 }]])].map((v, i) => Buffer.from(i === 0 ? enc.encodeAlone(v) : enc.encode(v)));
  t.deepEqual(dec.decode(good[0], 4, 0), { a: 1 });
  const bogus = Buffer.from([0xc1, 0x81, 0xa1, 0x6b, 0xdb, 0xff, 0xff, 0xff]); // a map whose string runs past the end
  t.throws(() => dec.decode(bogus, 4, 1));
  t.throws(() => decode(bogus));
  const m = dec.decode(good[1], 4, 1);
  t.true(m instanceof Map, 'the general path reads maps as Maps again');
  t.deepEqual(m, new Map([['m', { b: 2 }]]));
});

test('more shapes in one batch than one-byte record ids can name', (t) => {
  const enc = new BatchEncoder();
  const dec = new BatchDecoder();
  const sent = Array.from({ length: 400 }, (_, i) => ({ [`shape${i}`]: i, [`again${i % 3}`]: { [`n${i}`]: i } }));
  // Reuse early shapes after the ids have cycled.
  for (let i = 0; i < 100; i++) sent.push({ [`shape${i}`]: -i - 1, [`again${i % 3}`]: { [`n${i}`]: -i - 1 } });
  const bodies = sent.map((v) => Buffer.from(enc.encode(v)));
  t.deepEqual(bodies.map((b, i) => dec.decode(b, 1, i)), sent);
});

test('a batch interrupted by another (a nested pump) is picked up again', (t) => {
  const a = new BatchEncoder();
  const b = new BatchEncoder();
  const dec = new BatchDecoder();
  const va = [0, 1, 2, 3].map((i) => ({ from: 'a', i, shape: { x: i } }));
  const vb = [0, 1, 2].map((i) => ({ other: 'b', j: i, shape: { y: i } }));
  const ea = va.map((v) => Buffer.from(a.encode(v)));
  const eb = vb.map((v) => Buffer.from(b.encode(v)));
  t.deepEqual(dec.decode(ea[0], 7, 0), va[0]);
  t.deepEqual(dec.decode(ea[1], 7, 1), va[1]);
  for (let i = 0; i < 3; i++) t.deepEqual(dec.decode(eb[i], 8, i), vb[i], 'the nested batch');
  t.deepEqual(dec.decode(ea[2], 7, 2), va[2], 'the first batch goes on where it stopped');
  t.deepEqual(dec.decode(ea[3], 7, 3), va[3]);
  t.deepEqual(dec.decode(Buffer.from(a.encode({ alone: true })), 0, -1), { alone: true }, 'a message on its own needs no batch');
});

test('an entry of a batch this decoder never saw start is refused, not guessed', (t) => {
  const enc = new BatchEncoder();
  const first = Buffer.from(enc.encode({ a: 1, b: 2 }));
  const second = Buffer.from(enc.encode({ a: 3, b: 4 })); // names the record the first defined
  const dec = new BatchDecoder();
  t.throws(() => dec.decode(second, 5, 1), { message: /out of sequence/ });
  t.deepEqual(dec.decode(first, 6, 0), { a: 1, b: 2 }, 'the decoder is usable afterwards');
  t.deepEqual(dec.decode(second, 6, 1), { a: 3, b: 4 });
});

test('entries that do not decode (empty, cut short, garbage) cost the good entries after them nothing', (t) => {
  const random = rng(t);
  const dec = new BatchDecoder();
  let lost = 0;
  let good = 0;
  for (let batch = 1; batch <= 5000; batch++) {
    const entries: { body: Buffer; value?: unknown }[] = [];
    for (let i = 0; i < 6; i++) {
      const r = random();
      if (r < 0.4) {
        const value = [0, { fuzz: batch * 10 + i }];
        entries.push({ body: Buffer.from(encode(value)), value });
      } else if (r < 0.7) {
        const b = Buffer.from(encode([0, { cut: i, pad: 'x'.repeat(Math.floor(random() * 40)) }]));
        entries.push({ body: b.subarray(0, Math.floor(random() * b.length)) });
      } else {
        entries.push({ body: Buffer.from(Array.from({ length: Math.floor(random() * 30) }, () => Math.floor(random() * 256))) });
      }
    }
    entries.forEach((e, i) => {
      let got: unknown;
      try { got = dec.decode(e.body, batch, i); } catch { got = undefined; }
      if (e.value !== undefined) {
        good++;
        if (JSON.stringify(got) !== JSON.stringify(e.value)) lost++;
      }
    });
  }
  t.true(good > 5000);
  t.is(lost, 0, `of ${good} good entries`);
});

test('a burst of varied asks, coalesced both ways, comes back unchanged; unsendable values, fds and large messages in between disturb nothing', async (t) => {
  const { sys } = await startSystem(t);
  const echo = await sys.spawn(fixture('echo'));
  const pending: Promise<unknown>[] = [];
  const sent: unknown[] = [];
  const pipe = fs.openSync('/dev/null', 'r');
  t.teardown(() => fs.closeSync(pipe));
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 600; i++) {
      const n = round * 600 + i;
      let v: unknown = varied(n * 7, n);
      if (i % 97 === 50) v = { large: 'L'.repeat(20_000), n };
      sent.push(v);
      pending.push(sys.ask(echo, v, { timeout: WAIT, ...(i % 131 === 3 ? { fds: [pipe] } : {}) }));
      if (i % 113 === 7) {
        const err = t.throws(() => sys.send(echo, { n, f: () => n }));
        t.is((err as any).code, 'EBADARG');
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  const got = await within(Promise.all(pending), WAIT, 'every reply');
  t.deepEqual(got, sent);
  const stats = await sys.ask<any>(echo, 'x').then(() => sys.stats());
  t.is(stats.dropped.undecodable, 0);
});

test('messages queued for an actor that is killed come back as dead letters equal to what was sent', async (t) => {
  const { sys } = await startSystem(t);
  // A slow receiver (it sleeps on the first message): what follows waits in our queue.
  const echo = await sys.spawn(fixture('echo'), { mailboxCapacity: 10 });
  const letters: unknown[] = [];
  sys.on('deadLetter', (d) => letters.push(d.message));
  void sys.ask(echo, { sleep: 60_000 }, { timeout: WAIT }).catch(() => {});
  const sent: unknown[] = [];
  for (let n = 0; sys.stats().queued < 2000 || n < 20_000; n++) {
    const v = varied(n, n);
    sent.push(v);
    sys.send(echo, v);
    if (n % 500 === 0) await new Promise((r) => setImmediate(r));
    if (n > 200_000) break;
  }
  t.true(sys.stats().queued > 0, 'messages wait in the queue');
  kill(echo.pid);
  await until(() => sys.stats().queued === 0 && letters.length > 0, WAIT, 'the queue to become dead letters');
  t.true(letters.length > 100, `${letters.length} dead letters`);
  // The dead letters are the tail of what was sent, in order, unchanged.
  t.deepEqual(letters, sent.slice(sent.length - letters.length));
});
