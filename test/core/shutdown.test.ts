// The one stop protocol without processes (a fake process that records what is done
// to it): 'brutal_kill' kills without asking, a request that cannot be sent kills at
// once, a number is the time the request has, 'infinity' never kills.
import test from 'ava';
import { shutdownProcess } from '../../runtime/core/shutdown.js';
import type { ShutdownSpec } from '../../runtime/core/options.js';

function fake(sendable = true) {
  const log: string[] = [];
  let exit!: () => void;
  const exited = new Promise<void>((r) => { exit = r; });
  return {
    log,
    exit: () => { log.push('exited'); exit(); },
    p: {
      request: () => { log.push('request'); return sendable; },
      kill: () => { log.push('kill'); },
      exited,
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const at = test.macro({
  async exec(t, shutdown: ShutdownSpec, sendable: boolean, exitAfter: number | null, expected: string[]) {
    const f = fake(sendable);
    shutdownProcess(f.p, shutdown);
    if (exitAfter !== null) setTimeout(f.exit, exitAfter);
    await sleep(120);
    t.deepEqual(f.log, expected);
  },
  title: (provided, shutdown: ShutdownSpec) => `shutdown ${JSON.stringify(shutdown)}: ${provided}`,
});

test('killed at once, never asked', at, 'brutal_kill', true, null, ['kill']);
test('asked; exits in time, not killed', at, 50, true, 10, ['request', 'exited']);
test('asked; does not exit, killed when the time runs out', at, 30, true, null, ['request', 'kill']);
test('asked; 0 ms kills at the next timer', at, 0, true, null, ['request', 'kill']);
test('the request cannot be sent: killed at once', at, 5000, false, null, ['request', 'kill']);
test('asked and waited for, never killed', at, 'infinity', true, null, ['request']);
test('the request cannot be sent: killed even with infinity', at, 'infinity', false, null, ['request', 'kill']);
