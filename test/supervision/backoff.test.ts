// Restart backoff (Akka's BackoffSupervisor) on real supervisor processes: delays
// grow by the factor up to max, each restart waits at least its delay (checked with
// the supervisor's own event timestamps, never an upper bound on wall-clock time),
// restarts still count against the intensity, and a child waiting out its backoff
// is 'restarting' for which/restartChild/deleteChild and cancelled by terminateChild.
import test, { type ExecutionContext } from 'ava';
import { ChildRestartingError, type BackoffSpec } from '../../runtime/index.js';
import { fixture, kill, processesOf, rejection, startSystem } from '../helpers/actors.js';
import { Tree } from '../helpers/supervision.js';

const T = { timeout: 20_000 };
const probe = fixture('probe');

async function withBackoff(t: ExecutionContext, backoff: BackoffSpec, intensity = 10) {
  const ts = await startSystem(t);
  const tree = new Tree(ts.sys);
  const sup = await ts.sys.supervise({
    intensity, period: 60_000, children: [{ id: 'a', module: probe }, { id: 'b', module: probe, backoff }],
  }, { reportTo: ts.sys.self });
  return { ...ts, tree, sup };
}

test('backoff: delays grow by the factor up to max, and each restart waits at least its delay', async (t) => {
  const { tree, sup } = await withBackoff(t, { min: 100, max: 400, factor: 2, jitter: 0, reset: 60_000 });
  for (let i = 0; i < 4; i++) {
    const b = tree.current('b', sup)!;
    const mark = tree.events.length;
    kill(b.pid);
    await tree.until(() => tree.settled(['a', 'b'], [b.pid], sup), `restart ${i + 1} of b`);
    t.deepEqual(tree.trace(mark, sup), ['exited:b', 'backoff:b', 'restarting:b', 'started:b']);
  }
  const delays = tree.events.filter((e) => e.event === 'backoff').map((e) => e.delay);
  t.deepEqual(delays, [100, 200, 400, 400]);
  // Lower bounds by the supervisor's own clock: from the exit to the next start.
  const exits = tree.events.filter((e) => e.event === 'exited');
  const starts = tree.events.filter((e) => e.event === 'started' && e.id === 'b').slice(1);
  exits.forEach((e, i) => t.true(starts[i].at - e.at >= delays[i]!, `restart ${i + 1} waited ${starts[i].at - e.at} ms >= ${delays[i]}`));
  t.false(tree.events.some((e) => e.id === 'a' && e.event !== 'started'), 'one_for_one: a was left alone');
});

test('backoff with jitter: each delay is between its base and base·(1 + jitter)', async (t) => {
  const { tree, sup } = await withBackoff(t, { min: 50, max: 1000, factor: 3, jitter: 0.5, reset: 60_000 });
  for (let i = 0; i < 3; i++) {
    const b = tree.current('b', sup)!;
    kill(b.pid);
    await tree.until(() => tree.settled(['b'], [b.pid], sup), `restart ${i + 1}`);
  }
  const delays = tree.events.filter((e) => e.event === 'backoff').map((e) => e.delay!);
  [50, 150, 450].forEach((base, i) => t.true(delays[i] >= base && delays[i] <= base * 1.5, `delay ${delays[i]} for base ${base}`));
});

test('backoff: restarts still count against the intensity; past it the supervisor gives up', async (t) => {
  const { sys, dir, tree, sup, downs } = await withBackoff(t, { min: 20, max: 20, jitter: 0 }, 1);
  const m = sys.monitor(sup);
  const b = tree.current('b', sup)!;
  kill(b.pid);
  await tree.until(() => tree.settled(['b'], [b.pid], sup), 'first restart');
  kill(tree.current('b', sup)!.pid);
  t.like(await downs.of(m), { reason: 'shutdown' });
  t.deepEqual(tree.trace().filter((s) => s.startsWith('backoff') || s.startsWith('gave_up')), ['backoff:b', 'gave_up:']);
  t.deepEqual(processesOf(dir), []);
});

test('a child waiting out its backoff shows as restarting; restartChild and deleteChild are ERESTARTING; terminateChild cancels it', async (t) => {
  const { sys, tree, sup } = await withBackoff(t, { min: 60_000, max: 60_000, jitter: 0 });
  const b = tree.current('b', sup)!;
  kill(b.pid);
  await tree.next((e) => e.event === 'backoff' && e.id === 'b', 'b in backoff');
  t.like((await sys.whichChildren(sup, T))[1], { id: 'b', ref: null, state: 'restarting' });
  t.like(await sys.countChildren(sup, T), { specs: 2, active: 1 });
  for (const call of ['restartChild', 'deleteChild'] as const) {
    const err = await rejection(sys[call](sup, 'b', T), `${call} during backoff`);
    t.true(err instanceof ChildRestartingError, call);
    t.is(err.code, 'ERESTARTING');
  }
  await sys.terminateChild(sup, 'b', T);
  t.like((await sys.whichChildren(sup, T))[1], { id: 'b', ref: null, state: 'stopped' });
  const b2 = await sys.restartChild(sup, 'b', T);
  t.like((await sys.whichChildren(sup, T))[1], { id: 'b', ref: b2, state: 'running' });
});

test('a supervisor stopped while a child waits out its backoff stops at once, with no restart after', async (t) => {
  const { sys, dir, tree, sup } = await withBackoff(t, { min: 60_000, max: 60_000, jitter: 0 });
  kill(tree.current('b', sup)!.pid);
  await tree.next((e) => e.event === 'backoff', 'b in backoff');
  t.is(await sys.stop(sup, { timeout: 10_000 }), 'shutdown');
  t.false(tree.events.some((e) => e.event === 'restarting'));
  t.deepEqual(processesOf(dir), []);
});

test('backoff spec checks name the field', async (t) => {
  const ts = await startSystem(t);
  const cases: [unknown, string][] = [
    ['fast', 'spec.children[0].backoff'],
    [{ max: 10 }, 'spec.children[0].backoff.min'],
    [{ min: 100, max: 10 }, 'spec.children[0].backoff.max'],
    [{ min: 1, max: 10, factor: 0.5 }, 'spec.children[0].backoff.factor'],
    [{ min: 1, max: 10, jitter: 2 }, 'spec.children[0].backoff.jitter'],
    [{ min: 1, max: 10, reset: -1 }, 'spec.children[0].backoff.reset'],
    [{ min: 1, max: 2 ** 31 }, 'spec.children[0].backoff.max'], // past the longest Node timer: would restart at once
    [{ min: 1, max: 10, every: 1 }, 'spec.children[0].backoff.every'],
  ];
  for (const [backoff, path] of cases) {
    const err = await rejection(Promise.resolve().then(() => ts.sys.supervise({ children: [{ id: 'a', module: probe, backoff: backoff as BackoffSpec }] })), path);
    t.is(err.code, 'EBADSPEC', path);
    t.is(err.path, path);
  }
});
