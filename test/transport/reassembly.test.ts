// Reassembly of fragmented messages at a receiver, with real sender processes: a
// sender that dies mid-message leaves an incomplete message that is dropped after
// reassemblyTimeout; messages over the receiver's limits are dropped and counted;
// several senders' fragments interleave without mixing.
import test from 'ava';
import { performance } from 'node:perf_hooks';
import { SequenceChecker, sha256 } from '../helpers/bodies.js';
import { Inbox, openMailbox } from '../helpers/mailbox.js';
import { startPeer } from '../helpers/peer.js';
import type { SendReply, SequenceSent } from '../helpers/protocol.js';
import { freshSystemDir } from '../helpers/sysdir.js';
import { until, within } from '../helpers/wait.js';
import type { MailboxStats } from '../../runtime/transport/index.js';

const KiB = 1024;
const MiB = 1024 * 1024;

test('a fragmented message whose sender dies mid-way is dropped after reassemblyTimeout as incomplete', async (t) => {
  const TIMEOUT = 300;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { reassemblyTimeout: TIMEOUT });
  const inbox = new Inbox(mb);
  mb.pause(); // the first fragments wait in our socket, the rest in the sender
  const peer = await startPeer(t, dir);
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
  t.deepEqual(s.dropped, { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 1 });
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
  const mb = openMailbox(t, dir);
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
  t.deepEqual(s.dropped, { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 0 });
});
