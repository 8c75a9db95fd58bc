// Reassembly of fragmented messages (runtime/transport/reassembly.ts). First without
// processes, a table of fragment sequences and what each yields and drops; then at a
// receiver, with real sender processes: a sender that dies mid-message leaves an
// incomplete message that is dropped after reassemblyTimeout; messages over the
// receiver's limits are dropped and counted; several senders' fragments interleave
// without mixing.
import test from 'ava';
import { performance } from 'node:perf_hooks';
import { SequenceChecker, sha256 } from '../helpers/bodies.js';
import { Inbox, openMailbox } from '../helpers/mailbox.js';
import { startPeer } from '../helpers/peer.js';
import type { SendReply, SequenceSent } from '../helpers/protocol.js';
import { freshSystemDir } from '../helpers/sysdir.js';
import { until, within } from '../helpers/wait.js';
import type { MailboxStats } from '../../runtime/transport/index.js';
import { Reassembly, type ReassemblyDrop, type ReassemblyLimits } from '../../runtime/transport/reassembly.js';

const KiB = 1024;
const MiB = 1024 * 1024;

// ---- without processes -------------------------------------------------------------

/** One fragment: [sender pid, sender instance, message id, index, count, total, body length]. */
type Frag = [pid: number, instance: string, msgId: number, index: number, count: number, total: number, len: number];
const A = '00000000000000aa';
const B = '00000000000000bb';
/** The fragments of one message of `total` bytes in `size`-byte pieces. */
const message = (pid: number, instance: string, msgId: number, total: number, size = 100): Frag[] => {
  const count = Math.ceil(total / size);
  return Array.from({ length: count }, (_, i): Frag => [pid, instance, msgId, i, count, total, Math.min(size, total - i * size)]);
};

interface SequenceCase {
  title: string;
  frags: Frag[];
  /** Whole messages yielded, as `pid:length`, in order. */
  whole: string[];
  drops?: Partial<Record<ReassemblyDrop, number>>;
  pending?: number;
  limits?: Partial<ReassemblyLimits>;
}

const sequences: SequenceCase[] = [
  { title: 'one message in three fragments', frags: message(1, A, 1, 250), whole: ['1:250'] },
  { title: 'a message of exactly two full fragments', frags: message(1, A, 1, 200), whole: ['1:200'] },
  { title: 'two messages one after the other', frags: [...message(1, A, 1, 300), ...message(1, A, 2, 150)], whole: ['1:300', '1:150'] },
  {
    title: 'two senders interleaved', whole: ['2:200', '1:300'],
    frags: (() => { const a = message(1, A, 1, 300), b = message(2, B, 1, 200); return [a[0], b[0], a[1], b[1], a[2]]; })(),
  },
  { title: 'the first fragment alone', frags: message(1, A, 1, 300).slice(0, 1), whole: [], pending: 1 },
  { title: 'a fragment that is not the first, none begun', frags: [message(1, A, 1, 300)[1]], whole: [], drops: { malformed: 1 } },
  { title: 'a first fragment with a count of 1', frags: [[1, A, 1, 0, 1, 100, 100]], whole: [], drops: { malformed: 1 } },
  { title: 'a total no longer than the first fragment', frags: [[1, A, 1, 0, 2, 100, 100]], whole: [], drops: { malformed: 1 } },
  { title: 'a total larger than the fragments can hold', frags: [[1, A, 1, 0, 3, 301, 100]], whole: [], drops: { malformed: 1 } },
  { title: 'an index that skips one', frags: [[1, A, 1, 0, 3, 300, 100], [1, A, 1, 2, 3, 300, 100]], whole: [], drops: { malformed: 1 } },
  { title: 'an index repeated', frags: [[1, A, 1, 0, 3, 300, 100], [1, A, 1, 0, 3, 300, 100]], whole: [], drops: { malformed: 1 } },
  { title: 'a count that changes', frags: [[1, A, 1, 0, 3, 300, 100], [1, A, 1, 1, 4, 300, 100]], whole: [], drops: { malformed: 1 } },
  { title: 'fragments that overrun the total', frags: [[1, A, 1, 0, 3, 250, 100], [1, A, 1, 1, 3, 250, 100], [1, A, 1, 2, 3, 250, 100]], whole: [], drops: { malformed: 1 } },
  { title: 'a last fragment that leaves it short', frags: [[1, A, 1, 0, 2, 200, 100], [1, A, 1, 1, 2, 200, 50]], whole: [], drops: { malformed: 1 } },
  {
    title: 'a new message id from the same instance mid-message', whole: ['1:200'], drops: { malformed: 1 },
    frags: [message(1, A, 1, 300)[0], ...message(1, A, 2, 200)],
  },
  {
    title: 'a new instance of the same pid mid-message', whole: ['1:200'], drops: { incomplete: 1 },
    frags: [message(1, A, 1, 300)[0], ...message(1, B, 1, 200)],
  },
  {
    title: 'a message over maxMessageSize: counted once, the rest skipped, the next one whole',
    limits: { maxMessageSize: 250 }, frags: [...message(1, A, 1, 300), ...message(1, A, 2, 200)], whole: ['1:200'], drops: { oversize: 1 },
  },
  {
    title: 'reassembly memory full: the oldest partial message is evicted',
    limits: { maxTotalBytes: 500 }, whole: ['2:300'], drops: { incomplete: 1 },
    frags: [message(1, A, 1, 300)[0], ...message(2, B, 1, 300)],
  },
  {
    title: 'a message larger than all reassembly memory', limits: { maxTotalBytes: 250 },
    frags: message(1, A, 1, 300), whole: [], drops: { oversize: 1 },
  },
];

const sequence = test.macro({
  exec(t, c: SequenceCase) {
    const drops = { malformed: 0, oversize: 0, incomplete: 0 };
    const r = new Reassembly({ maxMessageSize: MiB, maxTotalBytes: MiB, timeoutMs: 60_000, ...c.limits }, (why) => { drops[why]++; });
    t.teardown(() => r.stop());
    const whole: string[] = [];
    for (const [pid, instance, msgId, index, count, total, len] of c.frags) {
      const m = r.add(pid, instance, msgId, index, count, total, Buffer.alloc(len, index), undefined);
      if (m) whole.push(`${pid}:${m.body.length}`);
    }
    t.deepEqual(whole, c.whole);
    t.deepEqual(drops, { malformed: 0, oversize: 0, incomplete: 0, ...c.drops });
    t.is(r.pending, c.pending ?? 0);
  },
  title: (_, c: SequenceCase) => `fragments in, messages out: ${c.title}`,
});
for (const c of sequences) test(sequence, c);

test('a message reassembled holds the fragments\' bytes in order', (t) => {
  const r = new Reassembly({ maxMessageSize: MiB, maxTotalBytes: MiB, timeoutMs: 60_000 }, () => t.fail());
  t.teardown(() => r.stop());
  const body = Buffer.from('abcdefghij');
  t.is(r.add(1, A, 9, 0, 3, 10, body.subarray(0, 4), undefined), null);
  t.is(r.add(1, A, 9, 1, 3, 10, body.subarray(4, 8), undefined), null);
  t.deepEqual(r.add(1, A, 9, 2, 3, 10, body.subarray(8), undefined)?.body, body);
});

test('forget() drops a sender\'s partial message as incomplete', (t) => {
  const drops: ReassemblyDrop[] = [];
  const r = new Reassembly({ maxMessageSize: MiB, maxTotalBytes: MiB, timeoutMs: 60_000 }, (why) => drops.push(why));
  t.teardown(() => r.stop());
  r.add(1, A, 1, 0, 3, 300, Buffer.alloc(100), undefined);
  r.forget(2);
  t.is(r.pending, 1, 'another sender: nothing to forget');
  r.forget(1);
  t.is(r.pending, 0);
  t.deepEqual(drops, ['incomplete']);
});

test('a partial message is dropped as incomplete after timeoutMs', async (t) => {
  const drops: ReassemblyDrop[] = [];
  const r = new Reassembly({ maxMessageSize: MiB, maxTotalBytes: MiB, timeoutMs: 30 }, (why) => drops.push(why));
  t.teardown(() => r.stop());
  r.add(1, A, 1, 0, 2, 200, Buffer.alloc(100), undefined);
  await until(() => r.pending === 0, 5000, 'the partial message to time out');
  t.deepEqual(drops, ['incomplete']);
});

test.serial('a timeout past the longest Node timer sweeps at that timer\'s longest interval, not every millisecond', (t) => {
  const real = globalThis.setInterval;
  const delays: number[] = [];
  globalThis.setInterval = ((f: () => void, ms: number) => { delays.push(ms); return real(f, ms); }) as typeof setInterval;
  const r = new Reassembly({ maxMessageSize: MiB, maxTotalBytes: MiB, timeoutMs: 2 ** 33 }, () => t.fail());
  try {
    r.add(1, A, 1, 0, 2, 200, Buffer.alloc(100), undefined);
  } finally {
    globalThis.setInterval = real;
    r.stop();
  }
  t.deepEqual(delays, [2 ** 31 - 1]);
});

// ---- at a receiver, with sender processes ------------------------------------------

/** Large messages as fragments, not in a memfd (memfd.test.ts tests that path). */
const FRAGMENTS_ONLY = { memfdThreshold: 1 << 30 };

test('a fragmented message whose sender dies mid-way is dropped after reassemblyTimeout as incomplete', async (t) => {
  const TIMEOUT = 300;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { reassemblyTimeout: TIMEOUT });
  const inbox = new Inbox(mb);
  mb.pause(); // the first fragments wait in our socket, the rest in the sender
  const peer = await startPeer(t, dir, FRAGMENTS_ONLY);
  const sent = await peer.request<SendReply>({ cmd: 'send', to: mb.address, size: 8 * MiB });
  t.true(sent.stats.queuedBytes > 0, 'the sender still holds fragments');
  t.true(sent.stats.queuedBytes < 8 * MiB, 'some fragments went out');
  await peer.kill('SIGKILL');
  const resumedAt = performance.now();
  mb.resume();
  await until(() => mb.stats().dropped.incomplete === 1, 10_000, 'the incomplete message to time out');
  const waited = performance.now() - resumedAt;
  t.true(waited >= TIMEOUT - 20, `dropped after ${waited} ms, before the ${TIMEOUT} ms timeout`);
  const s = mb.stats();
  t.is(s.fragmentsPending, 0);
  t.is(s.received, 0);
  t.deepEqual(s.dropped, { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 1, badMemfd: 0 });
  // The mailbox goes on: a message from another sender arrives whole.
  const other = await startPeer(t, dir);
  const good = await other.request<SendReply>({ cmd: 'send', to: mb.address, size: 2 * MiB });
  t.is(sha256((await inbox.next()).body), good.sha256);
});

test('a fragmented message larger than the receiver\'s maxMessageSize is dropped as oversize, once', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir, { maxMessageSize: 64 * KiB });
  mb.send(peer.address, Buffer.alloc(MiB, 1)); // 4 fragments
  mb.send(peer.address, Buffer.from('after'));
  const got = await peer.next('message');
  t.is(got.len, 5);
  const s = await peer.request<MailboxStats>({ cmd: 'stats' });
  t.is(s.received, 1);
  t.is(s.dropped.oversize, 1);
  t.is(s.dropped.malformed, 0, 'the rest of a refused message is not malformed');
  t.is(s.fragmentsPending, 0);
});

test('a message larger than the receiver\'s reassembly memory is dropped as oversize, once', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, FRAGMENTS_ONLY);
  const peer = await startPeer(t, dir, { maxReassemblyBytes: MiB });
  mb.send(peer.address, Buffer.alloc(2 * MiB, 1));
  mb.send(peer.address, Buffer.alloc(MiB, 2)); // fits
  const got = await peer.next('message');
  t.is(got.len, MiB);
  const s = await peer.request<MailboxStats>({ cmd: 'stats' });
  t.is(s.received, 1);
  t.is(s.dropped.oversize, 1);
  t.is(s.dropped.malformed, 0, 'the rest of a refused message is not malformed');
});

test('fragmented messages from two senders at once are reassembled per sender, in order', async (t) => {
  const COUNT = 40;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const checkers = new Map<number, SequenceChecker>();
  let complete = 0;
  let allDone!: () => void;
  const done = new Promise<void>((r) => { allDone = r; });
  mb.on('message', (m) => {
    const c = checkers.get(m.from.pid)!;
    c.add(m.body);
    if (c.count === COUNT && ++complete === 2) allDone();
  });
  const a = await startPeer(t, dir);
  const b = await startPeer(t, dir);
  checkers.set(a.pid, new SequenceChecker());
  checkers.set(b.pid, new SequenceChecker());
  const [sa, sb] = await Promise.all([
    a.request<SequenceSent>({ cmd: 'sendSequence', to: mb.address, count: COUNT, mix: { fixed: 700 * KiB }, seed: 1 }, 60_000),
    b.request<SequenceSent>({ cmd: 'sendSequence', to: mb.address, count: COUNT, mix: { fixed: 300 * KiB + 5 }, seed: 2 }, 60_000),
  ]);
  await within(done, 60_000, 'both sequences');
  t.deepEqual(checkers.get(a.pid)!.report(), { count: COUNT, sha256: sa.sha256 });
  t.deepEqual(checkers.get(b.pid)!.report(), { count: COUNT, sha256: sb.sha256 });
  const s = mb.stats();
  t.is(s.received, 2 * COUNT);
  t.deepEqual(s.dropped, { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 0, badMemfd: 0 });
});
