// What the root keeps over many actor lifetimes: nothing per actor that ever lived.
// Spawn → ask → stop cycles, then spawn → ask → SIGKILL cycles (named children);
// after each run the root's fds are within a handful of the baseline taken after a
// warm-up, it has (almost) no channel open, its memory is flat, no child is left
// unreaped and the system directory holds only the root's own files.
// Longer runs (figures for docs): PIDGEON_CYCLES=10000 node scripts/test.mjs
// --timeout=120m dist/test/core/churn.test.js (that many stop cycles, half as
// many kills; ~0.2 s a cycle on a loaded 2-core machine).
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { ActorSystem } from '../../runtime/index.js';
import { fixture, kill, processesOf, startSystem, zombieChildrenOf, type Downs } from '../helpers/actors.js';
import { fdCount } from '../helpers/pipe.js';
import { until } from '../helpers/wait.js';

const CYCLES = Number(process.env.PIDGEON_CYCLES) || 200;
const KILLS = Math.max(1, Math.round(CYCLES / 2));
const WARM_UP = 5;
const T = { timeout: 30_000 };
const MiB = 1 << 20;
/** Growth allowed after the warm-up: fds (a send thread still exiting, a pipe not
 * yet closed), heap after a full GC, and RSS (the allocator keeps freed pages). */
const FD_MARGIN = 4;
const HEAP_MARGIN = 8 * MiB;
const RSS_MARGIN = 48 * MiB;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface Figures { fds: number; peers: number; heap: number; rss: number }

function figures(sys: ActorSystem): Figures {
  gc();
  const m = process.memoryUsage();
  return { fds: fdCount(process.pid), peers: sys.stats().peers, heap: m.heapUsed, rss: m.rss };
}

const show = (f: Figures) => `fds ${f.fds}, peers ${f.peers}, heap ${(f.heap / MiB).toFixed(1)} MiB, rss ${(f.rss / MiB).toFixed(1)} MiB`;

async function stopCycle(sys: ActorSystem, i: number): Promise<void> {
  const ref = await sys.spawn(fixture('echo'));
  if ((await sys.ask(ref, { i }, T) as { i: number }).i !== i) throw new Error(`cycle ${i}: wrong reply`);
  await sys.stop(ref, { timeout: 10_000 });
}

async function killCycle(sys: ActorSystem, downs: Downs, i: number): Promise<void> {
  const ref = await sys.spawn(fixture('echo'), { name: `victim-${i}` });
  if ((await sys.ask(ref, { i }, T) as { i: number }).i !== i) throw new Error(`cycle ${i}: wrong reply`);
  const mon = sys.monitor(ref);
  kill(ref.pid);
  await downs.of(mon); // as soon as the pidfd says it is dead; Node reaps it a turn later
}

/** Warm up, take the baseline, run `n` cycles, compare. */
async function churn(t: ExecutionContext, what: string, n: number, cycle: (sys: ActorSystem, i: number) => Promise<void>, sys: ActorSystem, dir: string) {
  for (let i = 0; i < WARM_UP; i++) await cycle(sys, i);
  const before = figures(sys);
  const started = Date.now();
  for (let i = WARM_UP; i < WARM_UP + n; i++) await cycle(sys, i);
  // A channel's sending thread (none expected here) exits on its own, within 100 ms.
  // The assertions below say by how much, if it never does.
  await until(() => fdCount(process.pid) <= before.fds + FD_MARGIN, 10_000, 'the fd count to settle').catch(() => {});
  const after = figures(sys);
  t.log(`${n} ${what} cycles in ${((Date.now() - started) / 1000).toFixed(1)} s: before ${show(before)}; after ${show(after)}`);
  t.true(after.fds <= before.fds + FD_MARGIN, `fds ${before.fds} → ${after.fds}`);
  t.true(after.peers <= 1, `${after.peers} channels still open`);
  t.true(after.heap <= before.heap + HEAP_MARGIN, `heap ${show(before)} → ${show(after)}`);
  t.true(after.rss <= before.rss + RSS_MARGIN, `rss ${show(before)} → ${show(after)}`);
  // The last DOWN may come a loop turn before Node reaps that child.
  await until(() => zombieChildrenOf(process.pid).length === 0, 10_000, 'the last child to be reaped').catch(() => {});
  t.deepEqual(zombieChildrenOf(process.pid), [], 'every child reaped');
  t.deepEqual(processesOf(dir), [], 'no actor process left');
  t.is(sys.stats().children, 0);
  t.is(sys.stats().asksPending, 0);
  for (const sub of ['sock', 'lock']) t.deepEqual(fs.readdirSync(path.join(dir, sub)), [String(process.pid)], `only the root's own ${sub} file`);
  t.deepEqual(fs.readdirSync(path.join(dir, 'names')), [], 'no names entry of a dead actor');
}

// Serial: the fd count and memory are the whole process's. No idle sweep: the
// channels must close because their peers died, not because they went unused.
const OPTIONS = { idleChannelTimeout: 3_600_000 };
test.serial(`${CYCLES} spawn → ask → stop cycles leave the root as it was`, async (t) => {
  t.timeout(60_000 + CYCLES * 2_000);
  const { sys, dir } = await startSystem(t, OPTIONS);
  await churn(t, 'spawn → ask → stop', CYCLES, stopCycle, sys, dir);
});

test.serial(`${KILLS} spawn → ask → SIGKILL cycles leave the root as it was`, async (t) => {
  t.timeout(60_000 + KILLS * 2_000);
  const { sys, dir, downs } = await startSystem(t, OPTIONS);
  await churn(t, 'spawn → ask → SIGKILL', KILLS, (s, i) => killCycle(s, downs, i), sys, dir);
});
