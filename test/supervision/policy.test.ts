// The supervisor's decisions, without processes: which exits restart which restart
// type, which children each strategy restarts, and the intensity window.
import test from 'ava';
import type { ExitReason, RestartType, Strategy } from '../../runtime/index.js';
import { affectedChildren, RestartWindow, shouldRestart } from '../../runtime/supervision/policy.js';

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
