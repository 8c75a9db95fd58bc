// Mailbox between two real processes: messages of every size arrive intact and in
// order, fds ride along (and unclaimed ones are closed), sends to dead or replaced
// actors fail with EDEADACTOR and clean up stale files, close() cleans up.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { BodyMaker, SequenceChecker, sha256, sizes } from '../helpers/bodies.js';
import { Inbox, openMailbox } from '../helpers/mailbox.js';
import { startPeer } from '../helpers/peer.js';
import { fdCount, makePipe } from '../helpers/pipe.js';
import type { SendReply, SequenceSent } from '../helpers/protocol.js';
import { freshSystemDir, lockFile, sockFile } from '../helpers/sysdir.js';
import { nextEvent, within } from '../helpers/wait.js';
import type { DeadLetter } from '../../runtime/transport/index.js';

const KiB = 1024;
const MiB = 1024 * 1024;
const code = (err: unknown): string | undefined => (err as { code?: string } | undefined)?.code;

// ---- 1. sizes ------------------------------------------------------------------

const fromTestToPeer = test.macro({
  async exec(t: ExecutionContext, size: number) {
    const dir = freshSystemDir(t);
    const mb = openMailbox(t, dir);
    const peer = await startPeer(t, dir);
    const body = randomBytes(size);
    mb.send(peer.address, body);
    const got = await peer.next('message', 60_000);
    t.is(got.len, size);
    t.is(got.sha256, sha256(body));
    t.deepEqual(got.from, mb.address);
    t.is(mb.stats().sent, 1);
  },
  title: (_, size: number) => `a message of ${size} B from the test process arrives intact at the peer`,
});

const fromPeerToTest = test.macro({
  async exec(t: ExecutionContext, size: number) {
    const dir = freshSystemDir(t);
    const mb = openMailbox(t, dir);
    const inbox = new Inbox(mb);
    const peer = await startPeer(t, dir);
    const sent = await peer.request<SendReply>({ cmd: 'send', to: mb.address, size });
    const msg = await inbox.next(60_000);
    t.is(msg.body.length, size);
    t.is(sha256(msg.body), sent.sha256);
    t.deepEqual(msg.from, peer.address);
    t.is(mb.stats().received, 1);
  },
  title: (_, size: number) => `a message of ${size} B from the peer arrives intact at the test process`,
});

// 0 and 1 B, both sides of the coalescing limit (8 KiB), of one datagram's body
// (256 KiB - 48 header bytes), and large fragmented messages.
for (const size of [0, 1, 8 * KiB, 8 * KiB + 1, 64 * KiB, 256 * KiB - 48, 256 * KiB - 47, MiB, 16 * MiB]) {
  test(fromTestToPeer, size);
}
for (const size of [1, 64 * KiB, MiB, 16 * MiB]) {
  test(fromPeerToTest, size);
}

// ---- 2. order --------------------------------------------------------------------

test.serial('100k mixed-size messages (some fragmented) arrive in order and intact', async (t) => {
  const COUNT = 100_000;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  await peer.request({ cmd: 'mode', mode: 'sequence', expect: COUNT });
  const lens = sizes('mixed', COUNT, 42);
  t.true(lens.filter((n) => n > 256 * KiB).length >= 50, 'some messages fragment');
  const maker = new BodyMaker();
  for (let i = 0; i < COUNT; i++) {
    if (!mb.send(peer.address, maker.make(i, lens[i]))) await within(mb.drained(peer.address), 30_000, 'drain');
  }
  const done = await peer.next('sequenceDone', 90_000);
  t.is(done.report.error, undefined);
  t.is(done.report.count, COUNT);
  t.is(done.report.sha256, maker.digest());
  const stats = await peer.request<{ received: number; dropped: Record<string, number> }>({ cmd: 'stats' });
  t.is(stats.received, COUNT);
  t.deepEqual(Object.values(stats.dropped), [0, 0, 0, 0, 0, 0]);
});

// ---- 3. file descriptors -----------------------------------------------------------

test('a pipe passed with a message works in the receiver', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  await peer.request({ cmd: 'mode', mode: 'fdWrite' });
  const pipe = makePipe(t);
  mb.send(peer.address, Buffer.from('hello'), { fds: [pipe.writeFd] });
  pipe.closeWriteEnd(); // the peer has its own copy now
  const got = await peer.next('message');
  t.is(got.nfds, 1);
  t.is((await pipe.readAll()).toString(), 'hello');
});

test('a pipe passed with a fragmented 1 MiB message works in the receiver', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  await peer.request({ cmd: 'mode', mode: 'fdWrite' });
  const pipe = makePipe(t);
  const body = randomBytes(MiB);
  mb.send(peer.address, body, { fds: [pipe.writeFd] });
  pipe.closeWriteEnd();
  const read = pipe.readAll(30_000); // the peer writes the body back through the pipe
  const got = await peer.next('message');
  t.is(got.nfds, 1);
  t.is(got.sha256, sha256(body));
  t.is(sha256(await read), sha256(body));
});

test('fds nobody claims are closed by the receiver', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  await peer.request({ cmd: 'mode', mode: 'fdIgnore' });
  // Warm up (the peer's first message may allocate), then count its fds.
  mb.send(peer.address, Buffer.from('warm-up'));
  await peer.next('message');
  const before = fdCount(peer.pid);
  const pipe = makePipe(t);
  for (let i = 0; i < 3; i++) mb.send(peer.address, Buffer.from(`m${i}`), { fds: [pipe.writeFd, pipe.writeFd, pipe.writeFd] });
  for (let i = 0; i < 3; i++) t.is((await peer.next('message')).nfds, 3);
  t.is(fdCount(peer.pid), before);
  // EOF proves that no copy of the write end is left open anywhere.
  pipe.closeWriteEnd();
  t.is((await pipe.readAll()).length, 0);
});

// ---- 4. dead actors ----------------------------------------------------------------

test('a send to a SIGKILLed, reaped peer throws EDEADACTOR and removes its stale files', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir); // opened first: its start-up sweep must not do the cleaning
  const peer = await startPeer(t, dir);
  const exit = await peer.kill('SIGKILL');
  t.is(exit.signal, 'SIGKILL');
  t.true(fs.existsSync(sockFile(dir, peer.pid)), 'a crash leaves the socket behind');
  t.true(fs.existsSync(lockFile(dir, peer.pid)), 'a crash leaves the lockfile behind');
  const err = t.throws(() => mb.send(peer.address, Buffer.from('x')));
  t.is(code(err), 'EDEADACTOR');
  t.false(fs.existsSync(sockFile(dir, peer.pid)));
  t.false(fs.existsSync(lockFile(dir, peer.pid)));
  t.is(mb.isAlive(peer.address), false);
});

test('a send to a peer that died after earlier messages yields an EDEADACTOR dead letter, then throws', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  mb.send(peer.address, Buffer.from('first'));
  await peer.next('message');
  await peer.kill('SIGKILL');
  t.true(fs.existsSync(lockFile(dir, peer.pid)));
  const letter = nextEvent<DeadLetter>(mb, 'deadLetter', 10_000);
  // The open channel finds out on sendmsg (ECONNREFUSED), after send() returned.
  t.notThrows(() => mb.send(peer.address, Buffer.from('second')));
  const l = await letter;
  t.is(code(l.error), 'EDEADACTOR');
  t.is(Buffer.from(l.body).toString(), 'second');
  t.deepEqual(l.to, peer.address);
  t.is(mb.stats().deadLetters, 1);
  t.false(fs.existsSync(sockFile(dir, peer.pid)));
  t.false(fs.existsSync(lockFile(dir, peer.pid)));
  t.is(code(t.throws(() => mb.send(peer.address, Buffer.from('third')))), 'EDEADACTOR');
});

test('a send to a peer that closed its mailbox and exited throws EDEADACTOR', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  peer.tell({ cmd: 'exit', code: 0 });
  t.is((await within(peer.exited, 10_000, 'the peer to exit')).code, 0);
  t.false(fs.existsSync(sockFile(dir, peer.pid)));
  t.false(fs.existsSync(lockFile(dir, peer.pid)));
  t.is(code(t.throws(() => mb.send(peer.address, Buffer.from('x')))), 'EDEADACTOR');
});

test('a send to a live pid with the wrong instance throws EDEADACTOR; the right one still works', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  const last = peer.address.instance.at(-1) === '0' ? '1' : '0';
  const wrong = { pid: peer.address.pid, instance: peer.address.instance.slice(0, -1) + last };
  t.is(code(t.throws(() => mb.send(wrong, Buffer.from('x')))), 'EDEADACTOR');
  t.false(mb.isAlive(wrong));
  t.true(mb.isAlive(peer.address));
  t.true(fs.existsSync(lockFile(dir, peer.pid)), 'a live peer keeps its files');
  mb.send(peer.address, Buffer.from('right'));
  t.is((await peer.next('message')).len, 5);
  t.is(mb.stats().dropped.misdelivered, 0);
  const peerStats = await peer.request<{ received: number }>({ cmd: 'stats' });
  t.is(peerStats.received, 1, 'the message for the wrong instance never reached the peer');
});

test('a send to a pid with no mailbox in the system throws EDEADACTOR', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  // The peer is alive but lives in another system directory.
  const other = freshSystemDir(t);
  const mbOther = openMailbox(t, other);
  t.is(code(t.throws(() => mbOther.send(peer.address, Buffer.from('x')))), 'EDEADACTOR');
  mb.send(peer.address, Buffer.from('ok'));
  t.is((await peer.next('message')).len, 2);
});

// ---- close -------------------------------------------------------------------------

test('close() removes the socket and lockfile; sends to the closed mailbox throw EDEADACTOR', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  t.true(fs.existsSync(sockFile(dir, peer.pid)));
  t.true(fs.existsSync(lockFile(dir, peer.pid)));
  await peer.request({ cmd: 'close' });
  t.true(peer.running, 'the process lives on without its mailbox');
  t.false(fs.existsSync(sockFile(dir, peer.pid)));
  t.false(fs.existsSync(lockFile(dir, peer.pid)));
  t.false(mb.isAlive(peer.address));
  t.is(code(t.throws(() => mb.send(peer.address, Buffer.from('x')))), 'EDEADACTOR');
});

test('close() first delivers what is queued', async (t) => {
  const COUNT = 20_000;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const checker = new SequenceChecker();
  let done!: () => void;
  const all = new Promise<void>((r) => { done = r; });
  mb.on('message', (m) => {
    checker.add(m.body);
    if (checker.count === COUNT) done();
  });
  const peer = await startPeer(t, dir);
  const sent = await peer.request<SequenceSent>({ cmd: 'sendSequence', to: mb.address, count: COUNT, mix: 'small', close: true }, 60_000);
  await within(all, 30_000, `${COUNT} messages`);
  const r = checker.report();
  t.is(r.error, undefined);
  t.is(r.sha256, sent.sha256);
  t.false(fs.existsSync(sockFile(dir, peer.pid)));
  t.false(fs.existsSync(lockFile(dir, peer.pid)));
});

// ---- message size limit ------------------------------------------------------------

test('a message larger than maxMessageSize throws EMSGSIZE; one of exactly that size arrives', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { maxMessageSize: MiB });
  const peer = await startPeer(t, dir);
  t.is(code(t.throws(() => mb.send(peer.address, Buffer.alloc(MiB + 1)))), 'EMSGSIZE');
  t.is(mb.stats().queuedBytes, 0, 'nothing of the refused message was queued');
  const body = randomBytes(MiB);
  mb.send(peer.address, body);
  const got = await peer.next('message');
  t.is(got.sha256, sha256(body));
});

test('close timeout: beyond 2^31 - 1 ms, negative or not a number is EBADARG and the mailbox stays open; Infinity waits for the queues', async (t) => {
  const mb = openMailbox(t, freshSystemDir(t));
  for (const timeout of [2 ** 31, -1, '5', Number.NaN]) {
    const err: any = await mb.close({ timeout: timeout as any }).then(() => null, (e: unknown) => e);
    t.is(err?.code, 'EBADARG', `close timeout ${String(timeout)}`);
    t.false(mb.isClosed);
  }
  await within(mb.close({ timeout: Infinity }), 10_000, 'close with nothing queued');
  t.true(mb.isClosed);
});
