// The sending side (PeerChannel) against a real receiver process: backpressure
// while the receiver does not read, bounded memory, the EMAILBOXFULL hard limit,
// and dead letters for what was queued when the receiver died.
import test from 'ava';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createHash, randomBytes } from 'node:crypto';
import type { DeadLetter } from '../../runtime/transport/index.js';
import { BodyMaker, sha256, sizes } from '../helpers/bodies.js';
import { openMailbox } from '../helpers/mailbox.js';
import { startPeer } from '../helpers/peer.js';
import { freshSystemDir } from '../helpers/sysdir.js';
import { nextEvent, turn, within } from '../helpers/wait.js';

const KiB = 1024;
const MiB = 1024 * 1024;
const code = (err: unknown): string | undefined => (err as { code?: string } | undefined)?.code;

// These tests measure the event loop and fill socket buffers: one at a time.

test.serial('a receiver paused for 2 s loses none of 200k messages; the sender stays responsive with bounded memory', async (t) => {
  const COUNT = 200_000;
  const HWM = 256 * KiB;
  const BATCH = 64 * KiB;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { highWaterMark: HWM, batchCapacity: BATCH });
  const peer = await startPeer(t, dir);
  await peer.request({ cmd: 'mode', mode: 'sequence', expect: COUNT });
  const lens = sizes('small', COUNT, 7);
  const largest = lens.reduce((a, b) => Math.max(a, b), 0);
  const maker = new BodyMaker();
  let drains = 0;
  mb.on('drain', () => drains++);

  // While the receiver is paused the sender must keep turning: its event loop delay
  // (histogram) and a 10 ms tick counter are measured over exactly that window.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let ticks = 0;
  let lastTick = 0;
  let worstGapAfter = 0;
  let resumed = false;
  const ticker = setInterval(() => {
    const now = performance.now();
    if (resumed) worstGapAfter = Math.max(worstGapAfter, now - lastTick);
    else ticks++;
    lastTick = now;
  }, 10);
  t.teardown(() => clearInterval(ticker));
  await peer.request({ cmd: 'pause', ms: 2000 });
  const pausedSince = performance.now();
  lastTick = pausedSince;
  delay.enable();
  let pausedFor = 0;
  const resumedEvent = peer.next('resumed', 30_000).then(() => {
    delay.disable();
    resumed = true;
    pausedFor = performance.now() - pausedSince;
  });

  let maxQueued = 0;
  let falseWhilePaused = 0;
  for (let i = 0; i < COUNT; i++) {
    const ok = mb.send(peer.address, maker.make(i, lens[i]));
    const q = mb.stats().queuedBytes;
    if (q > maxQueued) maxQueued = q;
    if (!ok) {
      if (!resumed) falseWhilePaused++;
      await within(mb.drained(peer.address), 30_000, 'the queue to drain');
    } else if (i % 1000 === 999) {
      await turn(); // a sender that has other work to do
    }
  }
  await resumedEvent;
  const done = await peer.next('sequenceDone', 60_000);
  clearInterval(ticker);

  t.is(done.report.error, undefined);
  t.is(done.report.count, COUNT);
  t.is(done.report.sha256, maker.digest());
  t.true(falseWhilePaused > 0, 'send() returned false while the receiver was paused');
  t.true(drains > 0, "'drain' was emitted");
  // One batch can be open on top of the high-water mark, plus the message that crossed it.
  t.true(maxQueued <= HWM + BATCH + largest, `queuedBytes peaked at ${maxQueued}`);
  const maxDelayMs = delay.max / 1e6;
  t.log(`paused ${pausedFor.toFixed(0)} ms: event loop delay max ${maxDelayMs.toFixed(1)} ms, ${ticks} ticks of 10 ms; ` +
    `after: worst tick gap ${worstGapAfter.toFixed(0)} ms; queuedBytes peak ${maxQueued}`);
  t.true(maxDelayMs < 200, `event loop delay peaked at ${maxDelayMs} ms while the receiver was paused`);
  t.true(ticks >= pausedFor / 10 / 4, `only ${ticks} ticks in ${pausedFor} ms`);
  t.is(mb.stats().queuedBytes, 0);
  t.is(mb.stats().deadLetters, 0);
});

test.serial('a sender that ignores send() === false gets EMAILBOXFULL past maxQueueBytes; what was accepted still arrives', async (t) => {
  const HWM = 16 * KiB;
  const MAX = 256 * KiB;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { highWaterMark: HWM, maxQueueBytes: MAX });
  const peer = await startPeer(t, dir);
  await peer.request({ cmd: 'pause' }); // until told otherwise
  const maker = new BodyMaker();
  const acceptedHash = createHash('sha256');
  let accepted = 0;
  let sawFalse = false;
  let maxQueued = 0;
  let error: unknown;
  // Each turn of the loop lets batches flush and the kernel queue fill up; stop at
  // the first refusal (a bounded loop: 200 MiB would be far past any limit).
  outer: for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 1024; i++) {
      const body = maker.make(accepted, KiB);
      try {
        if (!mb.send(peer.address, body)) sawFalse = true;
      } catch (err) {
        error = err;
        break outer;
      }
      acceptedHash.update(body);
      accepted++;
      maxQueued = Math.max(maxQueued, mb.stats().queuedBytes);
    }
    await turn();
  }
  t.is(code(error), 'EMAILBOXFULL');
  t.true(sawFalse, 'send() returned false before the hard limit');
  t.true(maxQueued <= MAX, `queuedBytes peaked at ${maxQueued}`);
  t.true(mb.stats().queuedBytes > HWM);
  // The refused message left no trace; everything accepted is delivered in order.
  await peer.request({ cmd: 'mode', mode: 'sequence', expect: accepted });
  await peer.request({ cmd: 'resume' });
  const done = await peer.next('sequenceDone', 30_000);
  t.is(done.report.error, undefined);
  t.is(done.report.sha256, acceptedHash.digest('hex'));
  t.is(done.report.count, accepted);
  const s = await peer.request<{ received: number }>({ cmd: 'stats' });
  t.is(s.received, accepted);
});

test.serial('messages queued for a receiver that dies become dead letters, one per unsent message, in order', async (t) => {
  const COUNT = 5000;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { highWaterMark: 64 * MiB });
  const peer = await startPeer(t, dir);
  await peer.request({ cmd: 'pause' });
  const maker = new BodyMaker();
  const lens = sizes('mixed', COUNT, 3).map((n) => Math.min(n, 100 * KiB)); // not fragmented
  for (let i = 0; i < COUNT; i++) mb.send(peer.address, maker.make(i, lens[i]));
  await turn(); // the open batch is flushed into the queue
  const before = mb.stats();
  t.true(before.queued > 0, 'messages are queued behind the full receiver');
  const letters: DeadLetter[] = [];
  mb.on('deadLetter', (l) => letters.push(l));
  const first = nextEvent(mb, 'deadLetter', 15_000, 'dead letters after the receiver died');
  await peer.kill('SIGKILL');
  await first;
  await turn();
  const after = mb.stats();
  t.is(after.sent, before.sent, 'nothing was sent after the receiver stopped reading');
  t.is(letters.length, COUNT - after.sent, 'every message that did not leave is a dead letter');
  t.is(letters.length, before.queued);
  t.is(after.deadLetters, letters.length);
  t.is(after.queued, 0);
  t.is(after.queuedBytes, 0);
  t.true(letters.every((l) => code(l.error) === 'EDEADACTOR' && l.to.pid === peer.pid));
  const seqs = letters.map((l) => Buffer.from(l.body.buffer, l.body.byteOffset, 4).readUInt32LE(0));
  t.deepEqual(seqs, Array.from({ length: letters.length }, (_, i) => after.sent + i), 'the unsent tail, in order');
  t.true(letters.every((l, i) => l.body.length === lens[after.sent + i]));
});

test.serial('a large message partly sent when its receiver dies is one dead letter with the whole body', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { memfdThreshold: 1 << 30 }); // fragments, not a memfd
  const peer = await startPeer(t, dir);
  await peer.request({ cmd: 'pause' });
  const body = randomBytes(8 * MiB); // 32 fragments; the paused receiver's queue takes ~11
  mb.send(peer.address, body);
  t.true(mb.stats().queuedBytes > 0);
  t.true(mb.stats().queuedBytes < body.length, 'some fragments went out');
  const letter = nextEvent<DeadLetter>(mb, 'deadLetter', 15_000);
  await peer.kill('SIGKILL');
  const l = await letter;
  t.is(code(l.error), 'EDEADACTOR');
  t.is(l.body.length, body.length);
  t.is(sha256(l.body), sha256(body));
  t.is(mb.stats().deadLetters, 1);
});
