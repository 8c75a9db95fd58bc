// The peer table (runtime/transport/peers.ts): who may be connected to, stale files
// removed on the way, what happens to unsent messages and drain waiters when it
// closes (in the test process alone); and how long channels live: the idle sweep
// (alone, then with a paused peer process), and channels to peers that exited
// closed by peerExited, fds and all. Sending itself is in mailbox.test.ts and
// peer.test.ts.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { PeerTable } from '../../runtime/transport/peers.js';
import { ClosedError, type PidgeonError } from '../../runtime/errors.js';
import type { Address, DeadLetter } from '../../runtime/transport/index.js';
import { instanceFromString } from '../../runtime/transport/wire.js';
import { BodyMaker } from '../helpers/bodies.js';
import { openMailbox } from '../helpers/mailbox.js';
import { startPeer, type Peer } from '../helpers/peer.js';
import { fdCount } from '../helpers/pipe.js';
import { freshSystemDir, lockFile, sockFile } from '../helpers/sysdir.js';
import { until } from '../helpers/wait.js';

interface Letter {
  to: Address;
  body: string;
  code: string;
}

/** A peer table for the test process's own mailbox, with what it reports. */
function table(t: ExecutionContext) {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const letters: Letter[] = [];
  const drains: Address[] = [];
  const counters = { sent: 0, bytesSent: 0, datagramsSent: 0, coalesced: 0 };
  const peers = new PeerTable(dir, mb.address, instanceFromString(mb.address.instance),
    { batchCapacity: 64 * 1024, fragmentBody: 4096, memfdThreshold: 1 << 20, highWaterMark: 1024, sendMode: 'thread' },
    {
      deadLetters: (to, bodies, error: PidgeonError) => { for (const b of bodies.bodies) letters.push({ to, body: Buffer.from(b).toString(), code: error.code }); },
      drain: (to) => drains.push(to),
    }, counters);
  t.teardown(() => peers.closeAll(new ClosedError('test over')));
  return { dir, self: mb.address, peers, letters, drains, counters };
}

const code = (err: unknown) => (err as { code?: string }).code;

test('a channel to oneself is connected and kept by pid', (t) => {
  const { peers, self } = table(t);
  const ch = peers.connect(self);
  t.deepEqual(ch.address, { pid: self.pid, instance: self.instance });
  t.is(peers.channels.get(self.pid), ch);
});

const refused: [string, (self: Address) => unknown, string][] = [
  ['not an address', () => ({ pid: 'x' }), 'EBADARG'],
  ['another incarnation of our own pid', (self) => ({ pid: self.pid, instance: 'ffffffffffffffff' }), 'EDEADACTOR'],
  ['a pid with no lockfile', () => ({ pid: 4_000_001, instance: '00000000000000aa' }), 'EDEADACTOR'],
];
for (const [title, to, expected] of refused) {
  test(`connect refuses ${title} (${expected})`, (t) => {
    const { peers, self } = table(t);
    t.is(code(t.throws(() => peers.connect(to(self) as Address))), expected);
    t.is(peers.channels.size, 0);
  });
}

test('connect to a dead process removes its stale socket and lockfile', (t) => {
  const { dir, peers } = table(t);
  const pid = 4_000_002;
  fs.writeFileSync(lockFile(dir, pid), '00000000000000aa\n');
  fs.writeFileSync(sockFile(dir, pid), '');
  t.is(code(t.throws(() => peers.connect({ pid, instance: '00000000000000aa' }))), 'EDEADACTOR');
  t.false(fs.existsSync(lockFile(dir, pid)));
  t.false(fs.existsSync(sockFile(dir, pid)));
  t.true(fs.existsSync(path.join(dir, 'lock')));
});

test('queued() counts the open batches; closeAll makes them dead letters with its error', async (t) => {
  const { peers, self, letters } = table(t);
  const ch = peers.connect(self);
  ch.append(Buffer.from('one'));
  ch.append(Buffer.from('two'));
  t.deepEqual(peers.queued(), { messages: 2, bytes: 2 * (3 + 4) });
  peers.closeAll(new ClosedError('closing'));
  t.deepEqual(letters, [
    { to: ch.address, body: 'one', code: 'ECLOSED' },
    { to: ch.address, body: 'two', code: 'ECLOSED' },
  ]);
  t.is(peers.channels.size, 0);
  t.deepEqual(peers.queued(), { messages: 0, bytes: 0 });
  await peers.idle();
});

test('whenDrained resolves at once without a full queue, and on closeAll with one', async (t) => {
  const { peers, self } = table(t);
  await peers.whenDrained(self); // no channel
  const ch = peers.connect(self);
  await peers.whenDrained(self); // a channel below the high-water mark
  ch.append(Buffer.alloc(2000)); // past the 1 KiB high-water mark, not yet flushed
  t.true(ch.full);
  let woken = false;
  const waiting = peers.whenDrained(self).then(() => { woken = true; });
  await Promise.resolve();
  t.false(woken);
  peers.closeAll(new ClosedError('closing'));
  await waiting;
  t.true(woken);
});

// ---- how long channels live ----------------------------------------------------

test('the sweep closes a channel after a whole round without a send, never sooner', (t) => {
  const { peers, self, letters } = table(t);
  const ch = peers.connect(self);
  ch.append(Buffer.from('one'));
  ch.flushBatch(); // out at once: to our own socket, nothing waits
  t.false(ch.busy);
  peers.sweepIdle(); // used since connect: kept, and marked unused
  t.is(peers.channels.get(self.pid), ch);
  ch.append(Buffer.from('two'));
  ch.flushBatch();
  peers.sweepIdle(); // used again: kept
  t.is(peers.channels.get(self.pid), ch);
  t.false(ch.closed);
  peers.sweepIdle(); // a whole round unused: closed
  t.true(ch.closed);
  t.is(peers.channels.size, 0);
  t.not(peers.connect(self), ch, 'the next send gets a new channel');
  t.deepEqual(letters, []);
});

test('the sweep keeps a channel with anything unsent, however many rounds pass', (t) => {
  const { peers, self, letters } = table(t);
  const ch = peers.connect(self);
  ch.append(Buffer.from('waits in the open batch'));
  for (let i = 0; i < 5; i++) peers.sweepIdle();
  t.is(peers.channels.get(self.pid), ch);
  t.true(ch.busy);
  ch.flushBatch();
  peers.sweepIdle();
  peers.sweepIdle();
  t.true(ch.closed);
  t.deepEqual(letters, []);
});

test('peerExited leaves alone a channel to another incarnation of the pid, and our own', (t) => {
  const { peers, self, letters } = table(t);
  const ch = peers.connect(self);
  peers.peerExited({ pid: self.pid, instance: 'ffffffffffffffff' });
  peers.peerExited(self);
  peers.peerExited({ pid: 4_000_003, instance: '00000000000000aa' }); // no channel at all
  t.is(peers.channels.get(self.pid), ch);
  t.false(ch.closed);
  t.deepEqual(letters, []);
});

/** Send sequence bodies to a paused peer until some wait in our backlog. */
function backUp(t: ExecutionContext, mb: ReturnType<typeof openMailbox>, to: Address, maker: BodyMaker): number {
  let n = 0;
  while (mb.stats().queued === 0 && n < 256) mb.send(to, maker.make(n++, 64 * 1024));
  for (let more = 0; more < 8; more++) mb.send(to, maker.make(n++, 64 * 1024)); // behind the first
  t.true(mb.stats().queued > 0, 'a backlog waits for the paused peer');
  return n;
}

// Serial: the fd count of this process must not see other tests' peers.
test.serial('channels to peers that exited are closed by peerExited: peers and fds back to the baseline, what waited becomes EDEADACTOR dead letters', async (t) => {
  t.timeout(120_000);
  const N = 6;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { idleChannelTimeout: 600_000 }); // no sweep during the test
  const letters: DeadLetter[] = [];
  mb.on('deadLetter', (d) => letters.push(d));
  const live = async (peer: Peer) => {
    mb.send(peer.address, Buffer.from('hello'));
    await peer.next('message');
  };
  const gone = async (peer: Peer) => {
    await peer.kill();
    mb.peerExited(peer.address);
  };
  // Warm up: the first child process and channel allocate for good.
  const first = await startPeer(t, dir);
  await live(first);
  await gone(first);
  t.is(mb.stats().peers, 0);
  const baseline = fdCount(process.pid);

  const peers = await Promise.all(Array.from({ length: N }, () => startPeer(t, dir)));
  await Promise.all(peers.map(live));
  await peers[0].request({ cmd: 'pause' });
  backUp(t, mb, peers[0].address, new BodyMaker());
  const waiting = mb.stats().queued;
  t.is(mb.stats().peers, N);
  t.true(fdCount(process.pid) >= baseline + N, 'a socket per channel');
  await Promise.all(peers.map(gone));

  t.is(mb.stats().peers, 0);
  t.is(mb.stats().queued, 0);
  t.is(letters.length, waiting, 'every message still queued for the dead peer is a dead letter');
  t.true(letters.every((d) => d.error.code === 'EDEADACTOR' && d.to.pid === peers[0].pid));
  // The sending thread of the backed-up channel exits on its own, within 100 ms.
  await until(() => fdCount(process.pid) <= baseline, 10_000, `the fd count back to ${baseline} (now ${fdCount(process.pid)})`);
  t.is(fdCount(process.pid), baseline);
  for (const p of peers) t.false(fs.existsSync(sockFile(dir, p.pid)), 'no stale socket left');
});

test('the sweep never closes a channel whose messages wait for a paused peer; after the backlog drains it closes it, and later sends reconnect and arrive in order', async (t) => {
  t.timeout(120_000);
  const MORE = 200;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { idleChannelTimeout: 20 });
  const [slow, witness] = await Promise.all([startPeer(t, dir), startPeer(t, dir)]);
  const maker = new BodyMaker();
  await slow.request({ cmd: 'pause' });
  const first = backUp(t, mb, slow.address, maker);
  await slow.request({ cmd: 'mode', mode: 'sequence', expect: first + MORE });
  // The witness's channel goes idle at once: when the sweep has closed it, at least
  // two rounds have passed over the backed-up channel too.
  mb.send(witness.address, Buffer.from('idle from now on'));
  await witness.next('message');
  await until(() => mb.stats().peers === 1, 20_000, 'the sweep to close the idle channel to the witness');
  t.true(mb.stats().queued > 0, 'the backlog to the paused peer still waits, on its channel');

  await slow.request({ cmd: 'resume' });
  await until(() => mb.stats().peers === 0, 30_000, 'the drained channel to be closed by the sweep');
  // Sends spread over several turns, so that the sweep may close the channel between them.
  for (let i = first; i < first + MORE; i++) {
    mb.send(slow.address, maker.make(i, 4 + (i % 300)));
    if (i % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  const done = await slow.next('sequenceDone', 60_000);
  t.is(done.report.error, undefined);
  t.is(done.report.count, first + MORE);
  t.is(done.report.sha256, maker.digest());
  t.is(mb.stats().deadLetters, 0);
});
