// The supervisor's decisions, without processes: which exits restart which restart
// type, which children each strategy restarts, and the intensity window.
import test from 'ava';
import type { ExitReason, RestartType, Strategy } from '../../runtime/index.js';
import { affectedChildren, backoffDelay, RestartWindow, shouldRestart } from '../../runtime/supervision/policy.js';

const restartCase = test.macro({
  exec(t, restart: RestartType, reason: ExitReason, expected: boolean) {
    t.is(shouldRestart(restart, reason), expected);
  },
  title: (provided, restart: RestartType, reason: ExitReason, expected: boolean) =>
    `shouldRestart(${restart}, ${JSON.stringify(reason)}) is ${expected}${provided ? ` (${provided})` : ''}`,
});

const abnormal: ExitReason[] = [{ code: 1 }, { signal: 'SIGKILL' }, { error: new Error('x') }, 'noproc'];
for (const reason of ['normal', 'shutdown', ...abnormal] as ExitReason[]) {
  test(restartCase, 'permanent', reason, true);
  test(restartCase, 'temporary', reason, false);
  test(restartCase, 'transient', reason, reason !== 'normal' && reason !== 'shutdown');
}

const strategyCase = test.macro({
  exec(t, strategy: Strategy, failed: number, count: number, expected: number[]) {
    t.deepEqual(affectedChildren(strategy, failed, count), expected);
  },
  title: (_p, strategy: Strategy, failed: number, count: number, expected: number[]) =>
    `${strategy}: child ${failed} of ${count} fails → restart [${expected.join(', ')}]`,
});

test(strategyCase, 'one_for_one', 0, 4, [0]);
test(strategyCase, 'one_for_one', 3, 4, [3]);
test(strategyCase, 'one_for_all', 0, 4, [0, 1, 2, 3]);
test(strategyCase, 'one_for_all', 2, 4, [0, 1, 2, 3]);
test(strategyCase, 'one_for_all', 0, 1, [0]);
test(strategyCase, 'rest_for_one', 0, 4, [0, 1, 2, 3]);
test(strategyCase, 'rest_for_one', 1, 4, [1, 2, 3]);
test(strategyCase, 'rest_for_one', 3, 4, [3]);

test('RestartWindow: at most `intensity` restarts within `period`', (t) => {
  const w = new RestartWindow(3, 1000);
  t.true(w.add(0));
  t.true(w.add(100));
  t.true(w.add(200));
  t.false(w.add(300), 'the fourth within 1000 ms exceeds intensity 3');
});

test('RestartWindow: restarts older than the period no longer count', (t) => {
  const w = new RestartWindow(2, 1000);
  t.true(w.add(0));
  t.true(w.add(500));
  t.true(w.add(1000), 'the one at 0 has left the window');
  t.true(w.add(1600), 'the one at 500 has left the window');
  t.false(w.add(1700), '1000, 1600, 1700 are three within 1000 ms');
});

test('RestartWindow: intensity 0 gives up at the first restart', (t) => {
  const w = new RestartWindow(0, 5000);
  t.false(w.add(0));
});

test('simple_one_for_one restarts the one instance that failed', (t) => {
  t.deepEqual(affectedChildren('simple_one_for_one', 2, 5), [2]);
});

test('backoffDelay: min·factor^attempt capped at max, plus up to jitter of it', (t) => {
  const b = { min: 100, max: 1000, factor: 2, jitter: 0, reset: 1000 };
  t.deepEqual([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(b, n)), [100, 200, 400, 800, 1000, 1000]);
  const j = { ...b, jitter: 0.5 };
  t.is(backoffDelay(j, 1, () => 0), 200);
  t.is(backoffDelay(j, 1, () => 0.999999), 300);
  t.is(backoffDelay(j, 9, () => 0.5), 1250, 'jitter applies after the cap, as Akka');
  t.is(backoffDelay({ ...b, factor: 1 }, 7), 100);
});

test('shouldRestart: { shutdown: term } is normal for transient children', (t) => {
  t.false(shouldRestart('transient', { shutdown: 'drained' }));
  t.true(shouldRestart('permanent', { shutdown: 'drained' }));
});
