// Fragmenting (runtime/transport/fragment.ts) without processes: the fragment size,
// how a message is split at the boundaries, what each fragment's header says, that
// reassembly.ts puts it back together, and the one copy made once a fragment waits.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { fragmentBodySize, sendFragments, type FragmentSink } from '../../runtime/transport/fragment.js';
import { Reassembly } from '../../runtime/transport/reassembly.js';
import {
  HEADER_SIZE, KIND_FRAGMENT, MAX_DATAGRAM, OFF_BODY_LEN, OFF_FRAG_COUNT, OFF_FRAG_INDEX, OFF_KIND, OFF_MSG_ID, OFF_NFDS,
  OFF_TOTAL_LEN, headerTemplate, type Datagram,
} from '../../runtime/transport/wire.js';

const MiB = 1024 * 1024;

// [SO_SNDBUF, fragment body size]
const sizes: [number, number][] = [
  [4 * MiB, MAX_DATAGRAM - HEADER_SIZE], // capped by the receive slot
  [MAX_DATAGRAM * 4, MAX_DATAGRAM - HEADER_SIZE],
  [212_992, 212_992 / 4 - HEADER_SIZE], // Linux's default wmem
  [1000, 4096], // never below 4 KiB
];
for (const [sndbuf, body] of sizes) {
  test(`a send buffer of ${sndbuf} bytes makes fragments of ${body} body bytes`, (t) => {
    t.is(fragmentBodySize(sndbuf), body);
  });
}

/** A sink that records what it is given; it queues from fragment `queueFrom` on. */
class Sink implements FragmentSink {
  readonly got: Datagram[] = [];
  closed = false;
  constructor(private readonly queueFrom = Infinity, private readonly closeAfter = Infinity) {}
  submit(d: Datagram): boolean {
    this.got.push(d);
    if (this.got.length >= this.closeAfter) this.closed = true;
    return this.got.length > this.queueFrom;
  }
}

const FRAG = 100;
const template = headerTemplate(4242, 7n, 9n);

const split = test.macro({
  exec(t, len: number) {
    const body = randomBytes(len);
    const fds = [5, 6];
    const sink = new Sink();
    sendFragments(sink, template, 31, body, fds, FRAG);
    const count = Math.ceil(len / FRAG);
    t.is(sink.got.length, count);
    sink.got.forEach((d, i) => {
      const h = Buffer.from(d.parts[0]);
      const last = i === count - 1;
      const bodyLen = last ? len - FRAG * (count - 1) : FRAG;
      t.deepEqual(
        [h[OFF_KIND], h.readUInt32LE(OFF_MSG_ID), h.readUInt32LE(OFF_FRAG_INDEX), h.readUInt32LE(OFF_FRAG_COUNT), h.readUInt32LE(OFF_TOTAL_LEN)],
        [KIND_FRAGMENT, 31, i, count, len], `fragment ${i}`);
      t.is(h.readUInt32LE(OFF_BODY_LEN), bodyLen);
      t.is(d.parts[1].length, bodyLen);
      t.is(d.bytes, HEADER_SIZE + bodyLen);
      t.is(h.readUInt16LE(OFF_NFDS), i === 0 ? 2 : 0, 'fds ride on fragment 0');
      t.is(d.fds, i === 0 ? fds : undefined);
      t.is(d.messages, last ? 1 : 0, 'the message counts once, on its last fragment');
    });
    t.deepEqual(Buffer.concat(sink.got.map((d) => d.parts[1])), body);
    // And back: the receiver's reassembly yields the message and its fds.
    const drops: string[] = [];
    const r = new Reassembly({ maxMessageSize: MiB, maxTotalBytes: MiB, timeoutMs: 60_000 }, (why) => drops.push(why));
    t.teardown(() => r.stop());
    let whole: { body: Buffer; fds: number[] | undefined } | null = null;
    sink.got.forEach((d, i) => {
      t.is(whole, null, 'nothing before the last fragment');
      whole = r.add(4242, '0000000000000007', 31, i, count, len, d.parts[1], d.fds);
    });
    t.deepEqual(whole, { body, fds });
    t.deepEqual(drops, []);
    t.is(r.pending, 0);
  },
  title: (_, len: number) => `a message of ${len} bytes in ${FRAG}-byte fragments: split, headers, reassembled`,
});
for (const len of [FRAG + 1, 2 * FRAG - 1, 2 * FRAG, 2 * FRAG + 1, 10 * FRAG, 10 * FRAG + 99]) test(split, len);

test('once a fragment waits, the rest are views of one copy, and the dead letter is the whole message', (t) => {
  const body = randomBytes(5 * FRAG);
  const original = Buffer.from(body);
  const sink = new Sink(2); // fragments 0 and 1 go out, 2.. are queued
  sendFragments(sink, template, 1, body, undefined, FRAG);
  body.fill(0); // the caller reuses its buffer after send() returns
  const [sent0, sent1, ...queued] = sink.got;
  t.is(sent0.whole, body);
  t.is(sent1.whole, body);
  const copy = queued[0].whole!;
  t.not(copy, body);
  t.deepEqual(Buffer.from(copy), original, 'the copy is the whole message as it was sent');
  for (const [k, d] of queued.entries()) {
    t.is(d.whole, copy, 'one copy for all waiting fragments');
    t.is(d.parts[1].buffer, copy.buffer);
    t.deepEqual(Buffer.from(d.parts[1]), original.subarray((k + 2) * FRAG, (k + 3) * FRAG));
  }
});

test('a sink that closes stops the fragments', (t) => {
  const sink = new Sink(Infinity, 2);
  sendFragments(sink, template, 1, randomBytes(5 * FRAG), undefined, FRAG);
  t.is(sink.got.length, 2);
});
