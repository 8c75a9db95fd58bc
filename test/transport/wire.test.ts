// The wire format (runtime/transport/wire.ts) without processes: headers, instance
// ids, and the one batch encoder/decoder, round trips and malformed bodies.
import test from 'ava';
import {
  HEADER_SIZE, KIND_BATCH, KIND_FRAGMENT, KIND_MESSAGE, MAGIC, OFF_BODY_LEN, OFF_FRAG_COUNT, OFF_FRAG_INDEX, OFF_KIND,
  OFF_MAGIC, OFF_MSG_ID, OFF_NFDS, OFF_RECEIVER_INSTANCE, OFF_SENDER_INSTANCE, OFF_SENDER_PID, OFF_TOTAL_LEN, OFF_VERSION,
  VERSION, batchEntryEnd, decodeBatch, fillHeader, isBatch, headerTemplate, instanceFromString, instanceToString, writeBatchEntry, Unsent,
} from '../../runtime/transport/wire.js';
import { u32 } from '../helpers/forge.js';

interface HeaderCase {
  kind: number;
  nfds: number;
  bodyLen: number;
  msgId: number;
  index: number;
  count: number;
  total: number;
}

const headerCases: [string, HeaderCase][] = [
  ['a message', { kind: KIND_MESSAGE, nfds: 0, bodyLen: 100, msgId: 1, index: 0, count: 1, total: 100 }],
  ['a message with fds', { kind: KIND_MESSAGE, nfds: 253, bodyLen: 0, msgId: 2, index: 0, count: 1, total: 0 }],
  ['a batch', { kind: KIND_BATCH, nfds: 0, bodyLen: 65_488, msgId: 3, index: 0, count: 1, total: 65_488 }],
  ['a last fragment', { kind: KIND_FRAGMENT, nfds: 0, bodyLen: 7, msgId: 0xffffffff, index: 11, count: 12, total: 3 << 20 }],
];

const header = test.macro({
  exec(t, c: HeaderCase) {
    const h = headerTemplate(4242, 0x0123456789abcdefn, 0xfedcba9876543210n);
    fillHeader(h, c.kind, c.nfds, c.bodyLen, c.msgId, c.index, c.count, c.total);
    t.is(h.length, HEADER_SIZE);
    t.deepEqual(
      [h.readUInt32LE(OFF_MAGIC), h[OFF_VERSION], h.readUInt32LE(OFF_SENDER_PID), h.readBigUInt64LE(OFF_SENDER_INSTANCE), h.readBigUInt64LE(OFF_RECEIVER_INSTANCE)],
      [MAGIC, VERSION, 4242, 0x0123456789abcdefn, 0xfedcba9876543210n],
    );
    t.deepEqual(
      { kind: h[OFF_KIND], nfds: h.readUInt16LE(OFF_NFDS), bodyLen: h.readUInt32LE(OFF_BODY_LEN), msgId: h.readUInt32LE(OFF_MSG_ID),
        index: h.readUInt32LE(OFF_FRAG_INDEX), count: h.readUInt32LE(OFF_FRAG_COUNT), total: h.readUInt32LE(OFF_TOTAL_LEN) },
      c,
    );
  },
  title: (name) => `a header written and read back: ${name}`,
});
for (const [name, c] of headerCases) test(name, header, c);

test('message ids wrap at 2^32 on the wire', (t) => {
  const h = headerTemplate(1, 1n, 2n);
  fillHeader(h, KIND_MESSAGE, 0, 0, 2 ** 32 + 5, 0, 1, 0);
  t.is(h.readUInt32LE(OFF_MSG_ID), 5);
});

for (const v of [1n, 0xffn, 0x0123456789abcdefn, 0xffffffffffffffffn]) {
  test(`instance ${v.toString(16)} survives hex and back`, (t) => {
    const s = instanceToString(v);
    t.regex(s, /^[0-9a-f]{16}$/);
    t.is(instanceFromString(s), v);
  });
}

// ---- batches -----------------------------------------------------------------------

function encode(entries: Buffer[]): Buffer {
  const body = Buffer.alloc(entries.reduce((n, e) => n + 4 + e.length, 0));
  let off = 0;
  for (const e of entries) off = writeBatchEntry(body, off, e);
  return body;
}

const roundTrip = test.macro({
  exec(t, entries: Buffer[]) {
    const body = encode(entries);
    const out = new Unsent();
    t.true(isBatch(body));
    t.true(decodeBatch(body, out));
    t.deepEqual(out.bodies, entries);
    t.deepEqual(out.batchIndex, entries.map((_, i) => i));
    for (const e of out.bodies) t.is(e.buffer, body.buffer, 'entries are views, not copies');
  },
  title: (name) => `a batch round trip: ${name}`,
});

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);
test('one empty entry', roundTrip, [Buffer.alloc(0)]);
test('one entry', roundTrip, [Buffer.from('hello')]);
test('entries of 0, 1, 300 and 4096 bytes', roundTrip, [bytes(0, 1), bytes(1, 2), bytes(300, 3), bytes(4096, 4)]);
test('1000 one-byte entries', roundTrip, Array.from({ length: 1000 }, (_, i) => bytes(1, i & 0xff)));

test('writeBatchEntry returns where the next entry goes', (t) => {
  const buf = Buffer.alloc(64);
  t.is(writeBatchEntry(buf, 10, Buffer.from('abc')), 10 + 4 + 3);
  t.is(buf.readUInt32LE(10), 3);
  t.is(buf.subarray(14, 17).toString(), 'abc');
});

test('batchEntryEnd walks entry by entry, and says -1 past the end', (t) => {
  const body = encode([Buffer.from('abc'), Buffer.alloc(0), Buffer.from('z')]);
  t.is(batchEntryEnd(body, 0), 7);
  t.is(batchEntryEnd(body, 7), 11);
  t.is(batchEntryEnd(body, 11), body.length);
  t.is(batchEntryEnd(body, body.length), -1, 'no room for a length');
  t.is(batchEntryEnd(body.subarray(0, 6), 0), -1, 'the entry runs past the end');
});

const malformed = test.macro({
  exec(t, body: Buffer) {
    t.false(isBatch(body));
    const out = new Unsent();
    t.false(decodeBatch(body, out));
    t.deepEqual(out.bodies, [], 'nothing of it is decoded');
  },
  title: (name) => `a malformed batch is refused: ${name}`,
});

const abc = Buffer.from('abc');
test('an empty body', malformed, Buffer.alloc(0));
test('a length prefix cut short', malformed, Buffer.from([3, 0, 0]));
test('an entry that runs past the end', malformed, Buffer.concat([u32(3), abc, u32(10), abc]));
test('a length of 2^32 - 1', malformed, Buffer.concat([u32(0xffffffff), abc]));
for (const n of [1, 2, 3]) test(`${n} stray bytes after the last entry`, malformed, Buffer.concat([u32(3), abc, Buffer.alloc(n)]));
