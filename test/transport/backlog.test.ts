// A destination whose queue is full: its backlog drains by a sending thread (the
// default) or by a POLLOUT watch (the benchmark's baseline), in order, nothing lost.
// With the thread, the fds of a queued message are its own dups (the sender may
// close its fds at once); a closed fd is refused at send; a send to a stale ref
// dead-letters only its own message, never what waits for the live incarnation.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PidgeonError } from '../../runtime/index.js';
import type { SendMode } from '../../runtime/transport/options.js';
import { BodyMaker, sizes } from '../helpers/bodies.js';
import { openMailbox } from '../helpers/mailbox.js';
import { startPeer } from '../helpers/peer.js';
import { makePipe } from '../helpers/pipe.js';
import { freshSystemDir } from '../helpers/sysdir.js';
import { until, within } from '../helpers/wait.js';
import { BACKLOG_BATCH } from '../../runtime/transport/peer.js';

const drains = test.macro({
  async exec(t, sendMode: SendMode) {
    const COUNT = 20_000;
    const dir = freshSystemDir(t);
    const mb = openMailbox(t, dir, { sendMode, highWaterMark: 256 * 1024 });
    const peer = await startPeer(t, dir);
    await peer.request({ cmd: 'mode', mode: 'sequence', expect: COUNT });
    await peer.request({ cmd: 'pause' });
    const lens = sizes('mixed', COUNT, 7);
    const maker = new BodyMaker();
    let i = 0;
    while (i < COUNT && mb.send(peer.address, maker.make(i, lens[i]))) i++;
    t.true(i < COUNT, 'backpressure while the receiver does not read');
    t.true(mb.stats().queued > 0, 'a backlog waits');
    await peer.request({ cmd: 'resume' });
    for (i++; i < COUNT; i++) {
      if (!mb.send(peer.address, maker.make(i, lens[i]))) await within(mb.drained(peer.address), 30_000, 'drain');
    }
    const done = await peer.next('sequenceDone', 90_000);
    t.is(done.report.error, undefined);
    t.is(done.report.count, COUNT);
    t.is(done.report.sha256, maker.digest());
  },
  title: (_, mode: SendMode) => `sendMode '${mode}': a backlog built while the receiver pauses drains in order, nothing lost`,
});
test(drains, 'thread');
test(drains, 'poll');

/** Fill the peer's kernel queue so that what follows waits in the backlog. */
async function backUp(t: import('ava').ExecutionContext) {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  await peer.request({ cmd: 'pause' });
  const filler = Buffer.alloc(100 * 1024);
  for (let n = 0; n < 64 && mb.stats().queued === 0; n++) mb.send(peer.address, filler);
  t.true(mb.stats().queued > 0, 'the backlog is in use');
  return { dir, mb, peer };
}

test('the fds of a queued message are dups: the sender closes its own at once, and the number is reused', async (t) => {
  const { mb, peer } = await backUp(t);
  await peer.request({ cmd: 'mode', mode: 'fdWrite' });
  const pipes = [makePipe(t), makePipe(t), makePipe(t)];
  const decoys: number[] = [];
  pipes.forEach((p, i) => {
    mb.send(peer.address, Buffer.from(`through pipe ${i}`), { fds: [p.writeFd] });
    p.closeWriteEnd();
    // The freed number goes to another file at once: the queued message must not carry it.
    decoys.push(fs.openSync(path.join(os.tmpdir(), `pidgeon-decoy-${process.pid}-${i}`), 'w'));
  });
  t.teardown(() => { for (const [i, fd] of decoys.entries()) { fs.closeSync(fd); fs.rmSync(path.join(os.tmpdir(), `pidgeon-decoy-${process.pid}-${i}`), { force: true }); } });
  await peer.request({ cmd: 'resume' });
  const read = await Promise.all(pipes.map((p) => p.readAll(30_000)));
  t.deepEqual(read.map((b) => b.toString()), ['through pipe 0', 'through pipe 1', 'through pipe 2']);
  for (let i = 0; i < 3; i++) t.is(fs.readFileSync(path.join(os.tmpdir(), `pidgeon-decoy-${process.pid}-${i}`), 'utf8'), '', 'no decoy was written');
});

test('a closed fd is refused at send with EBADARG; the messages around it arrive', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const peer = await startPeer(t, dir);
  await peer.request({ cmd: 'mode', mode: 'hash' });
  // A number no file has (tests run concurrently: a just-closed one may be reused).
  const fd = 999_999;
  mb.send(peer.address, Buffer.from('before'));
  const err = t.throws(() => mb.send(peer.address, Buffer.from('bad'), { fds: [fd] })) as PidgeonError;
  t.is(err.code, 'EBADARG');
  t.regex(err.message, /^fds\[0\] \(\d+\) is not an open file descriptor$/);
  mb.send(peer.address, Buffer.from('after'));
  t.is((await peer.next('message')).len, 'before'.length);
  t.is((await peer.next('message')).len, 'after'.length);
  t.is(mb.stats().deadLetters, 0);
});

test('a send to a stale ref dead-letters its own message only, not the backlog of the live incarnation', async (t) => {
  const { mb, peer } = await backUp(t);
  await peer.request({ cmd: 'mode', mode: 'quiet' });
  const letters: { to: string; len: number; code: string }[] = [];
  mb.on('deadLetter', (d) => letters.push({ to: d.to.instance, len: d.body.length, code: d.error.code }));
  const queued = mb.stats().queued;
  const stale = { pid: peer.pid, instance: '00000000deadbeef' };
  t.throws(() => mb.send(stale, Buffer.from('for a dead incarnation')), { any: true, message: /newer process|gone|no such/ });
  t.is(mb.stats().queued, queued, 'the live backlog is intact');
  t.deepEqual(letters, [], 'nothing of the live incarnation was dead-lettered');
  await peer.request({ cmd: 'resume' });
  await within(mb.drained(peer.address), 30_000, 'drain');
  await within(mb.close(), 30_000, 'close');
  t.deepEqual(letters, []);
});

test('behind a backlog, small messages go out in small batches (at most BACKLOG_BATCH bytes), so a blocked sender holds little of the receiver\'s queue', async (t) => {
  const { mb, peer } = await backUp(t);
  await peer.request({ cmd: 'mode', mode: 'quiet' });
  const before = mb.stats();
  const N = 5000;
  const body = Buffer.alloc(64, 7);
  for (let i = 0; i < N; i++) mb.send(peer.address, body);
  await peer.request({ cmd: 'resume' });
  await within(mb.drained(peer.address), 30_000, 'drain');
  await until(() => mb.stats().queued === 0, 30_000, 'everything sent');
  const after = mb.stats();
  const datagrams = after.datagramsSent - before.datagramsSent;
  // 64-byte messages in 64 KiB batches would be a handful of datagrams; in 4 KiB
  // ones, one per 60 or so (the fillers add at most 64 more).
  t.true(datagrams >= Math.floor((N * 64) / BACKLOG_BATCH), `${datagrams} datagrams for ${N} messages`);
  t.true(after.sent - before.sent >= N, 'every message sent');
});
