// Coalescing (runtime/transport/batch.ts) without processes: what fits, what a sealed
// batch looks like on the wire, where its buffer goes after it is sent or queued.
import test from 'ava';
import { OpenBatch } from '../../runtime/transport/batch.js';
import {
  HEADER_SIZE, KIND_BATCH, OFF_BODY_LEN, OFF_FRAG_COUNT, OFF_KIND, OFF_MSG_ID, OFF_NFDS, OFF_SENDER_PID, OFF_TOTAL_LEN,
  decodeBatch, headerTemplate, Unsent,
} from '../../runtime/transport/wire.js';

// Larger than Buffer.poolSize / 2: each batch buffer is its own ArrayBuffer.
const CAPACITY = 8000;
const template = headerTemplate(4242, 7n, 9n);

// [message length, its cost in a batch of CAPACITY bytes]
const costs: [number, number][] = [
  [0, 4],
  [1, 5],
  [CAPACITY - HEADER_SIZE - 4, CAPACITY - HEADER_SIZE],
  [CAPACITY - HEADER_SIZE - 3, -1],
  [64 << 20, -1],
];
for (const [len, cost] of costs) {
  test(`a message of ${len} bytes costs ${cost} in a ${CAPACITY}-byte batch`, (t) => {
    t.is(new OpenBatch(CAPACITY).cost(len), cost);
  });
}

test('a message fits until the batch is full to the byte', (t) => {
  const b = new OpenBatch(CAPACITY);
  const room = CAPACITY - HEADER_SIZE;
  b.add(Buffer.alloc(room - 4 - 100 - 4)); // leaves exactly one 100-byte entry
  t.true(b.fits(100));
  t.false(b.fits(101));
  b.add(Buffer.alloc(100));
  t.is(b.len, CAPACITY);
  t.false(b.fits(0));
});

test('a sealed batch is one datagram of kind batch whose entries decode in order', (t) => {
  const b = new OpenBatch(CAPACITY);
  const bodies = ['a', '', 'hello', 'x'.repeat(300)].map((s) => Buffer.from(s));
  for (const body of bodies) b.add(body);
  const d = b.seal(template, 77);
  const dgram = Buffer.from(d.parts[0]);
  t.is(d.parts.length, 1);
  t.is(d.fds, undefined);
  t.is(d.kind, KIND_BATCH);
  t.is(d.messages, 4);
  t.is(d.bytes, dgram.length);
  t.is(dgram.length, HEADER_SIZE + bodies.reduce((n, x) => n + 4 + x.length, 0));
  t.deepEqual(
    [dgram[OFF_KIND], dgram.readUInt32LE(OFF_SENDER_PID), dgram.readUInt16LE(OFF_NFDS), dgram.readUInt32LE(OFF_MSG_ID), dgram.readUInt32LE(OFF_FRAG_COUNT)],
    [KIND_BATCH, 4242, 0, 77, 1],
  );
  t.is(dgram.readUInt32LE(OFF_BODY_LEN), dgram.length - HEADER_SIZE);
  t.is(dgram.readUInt32LE(OFF_TOTAL_LEN), dgram.length - HEADER_SIZE);
  const out = new Unsent();
  t.true(decodeBatch(dgram.subarray(HEADER_SIZE), out));
  t.deepEqual(out.bodies, bodies);
  t.deepEqual(out.batchIndex, [0, 1, 2, 3], 'each entry knows its place in the batch');
  t.is(b.count, 0);
  t.is(b.len, HEADER_SIZE);
});

/** The buffer behind a sealed datagram's bytes. */
const backing = (b: OpenBatch) => {
  b.add(Buffer.from('next'));
  const d = b.seal(template, 1);
  return d.parts[0].buffer;
};

const settled = test.macro({
  exec(t, c: { fill: number; queued: boolean; copied: boolean; reused: boolean }) {
    const b = new OpenBatch(CAPACITY);
    b.add(Buffer.alloc(c.fill));
    const d = b.seal(template, 0);
    const before = d.parts[0];
    b.settle(d, c.queued);
    t.is(d.parts[0] !== before, c.copied, c.copied ? 'the queued datagram is a copy' : 'the datagram is the batch buffer');
    t.deepEqual(Buffer.from(d.parts[0]), Buffer.from(before), 'same bytes');
    t.is(backing(b) === before.buffer, c.reused, c.reused ? 'the next batch reuses the buffer' : 'the next batch has a new buffer');
  },
  title: (name) => `after sealing: ${name}`,
});
test('sent at once: the buffer is reused', settled, { fill: 10, queued: false, copied: false, reused: true });
test('queued, mostly empty: copied to its size, the buffer reused', settled, { fill: 10, queued: true, copied: true, reused: true });
test('queued, half full or more: kept as it is, a new buffer for the next', settled, { fill: CAPACITY / 2, queued: true, copied: false, reused: false });

test('take hands over what is still in the batch and empties it', (t) => {
  const b = new OpenBatch(CAPACITY);
  const out = new Unsent();
  b.take(out);
  t.deepEqual(out.bodies, [], 'an empty batch has nothing');
  b.add(Buffer.from('one'));
  b.add(Buffer.from('two'));
  b.take(out);
  t.deepEqual(out.bodies.map(String), ['one', 'two']);
  t.deepEqual(out.batchIndex, [0, 1]);
  t.is(b.count, 0);
  t.is(b.len, HEADER_SIZE);
});
