// Spawning and stopping child actor processes: failures to start (init throws, the
// module is missing, does not parse, throws on import, is not an actor, exits or
// hangs in init) reject spawn and leave no process behind; stop asks politely,
// then SIGKILLs after the timeout.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fixture, isReaped, processesOf, rejection, startSystem, within, WAIT } from '../helpers/actors.js';

const runtimeUrl = new URL('../../runtime/index.js', import.meta.url).href;

/** Only this process's own socket and lockfile are left in the directory. */
function onlyRoot(t: any, dir: string): void {
  t.deepEqual(fs.readdirSync(path.join(dir, 'sock')), [String(process.pid)]);
  t.deepEqual(fs.readdirSync(path.join(dir, 'lock')), [String(process.pid)]);
  t.deepEqual(processesOf(dir), []);
}

test('init that throws rejects spawn with ESPAWN, keeps the cause, and leaves no process', async (t) => {
  const { sys, dir } = await startSystem(t);
  const err = await rejection(sys.spawn(fixture('echo'), { args: { failInit: true } }), 'spawn of a failing init');
  t.is(err.code, 'ESPAWN');
  t.true(err.cause instanceof RangeError);
  t.is(err.cause.name, 'RangeError');
  t.is(err.cause.message, 'init failed on purpose');
  t.regex(err.cause.stack, /echo\.[jt]s/);
  t.is(typeof err.address?.pid, 'number');
  t.true(isReaped(err.address.pid), 'the child process is gone');
  t.is(sys.stats().children, 0);
  onlyRoot(t, dir);
});

/** Modules that cannot be an actor, written into the test's directory. */
const badModules: Record<string, string> = {
  'syntax error': 'export default {{{ not javascript',
  'throws on import': 'throw new URIError("top-level failure");\n',
  'not an actor': 'export default { receive() {} };\n',
  'init rejects': `import { defineActor } from '${runtimeUrl}';\nexport default defineActor({ async init() { await null; throw new EvalError('async init failure'); }, receive() {} });\n`,
};

const failsToLoad = test.macro({
  async exec(t, source: string | null, check: (t: any, err: any) => void) {
    const { sys, dir } = await startSystem(t);
    const file = path.join(path.dirname(dir), 'bad-module.mjs');
    if (source !== null) fs.writeFileSync(file, source);
    const err = await rejection(sys.spawn(file), 'spawn of a bad module');
    t.is(err.code, 'ESPAWN');
    check(t, err);
    if (err.address) t.true(isReaped(err.address.pid), 'the child process is gone');
    t.is(sys.stats().children, 0);
    onlyRoot(t, dir);
  },
  title: (provided = '') => `a module that fails to load rejects spawn with ESPAWN: ${provided}`,
});

test('missing file', failsToLoad, null, (t: any, err: any) => t.is(err.cause?.code, 'ERR_MODULE_NOT_FOUND'));
test('syntax error', failsToLoad, badModules['syntax error'], (t: any, err: any) => t.is(err.cause?.name, 'SyntaxError'));
test('throws on import', failsToLoad, badModules['throws on import'], (t: any, err: any) => {
  t.is(err.cause?.name, 'URIError');
  t.is(err.cause?.message, 'top-level failure');
});
test('no defineActor default export', failsToLoad, badModules['not an actor'], (t: any, err: any) => t.is(err.cause?.code, 'EBADARG'));
test('async init rejects', failsToLoad, badModules['init rejects'], (t: any, err: any) => {
  t.is(err.cause?.name, 'EvalError');
  t.is(err.cause?.message, 'async init failure');
});

test('a child that exits during init rejects spawn with ESPAWN', async (t) => {
  const { sys, dir } = await startSystem(t);
  const err = await rejection(sys.spawn(fixture('probe'), { args: { initExit: 3 } }), 'spawn of a child exiting in init');
  t.is(err.code, 'ESPAWN');
  onlyRoot(t, dir);
});

test('a child whose init never finishes is killed at the spawn timeout (ETIMEDOUT)', async (t) => {
  const { sys, dir } = await startSystem(t);
  const started = Date.now();
  const err = await rejection(sys.spawn(fixture('probe'), { args: { initHang: true }, timeout: 1500 }), 'spawn with a hanging init');
  t.is(err.code, 'ETIMEDOUT');
  t.true(Date.now() - started >= 1400);
  onlyRoot(t, dir);
});

test('spawn timeout: Infinity means none (not the 1 ms a Node timer makes of it); beyond 2^31 - 1 ms, or not positive, is EBADARG', async (t) => {
  const { sys } = await startSystem(t);
  const ref = await sys.spawn(fixture('probe'), { timeout: Infinity });
  t.deepEqual(await sys.ask(ref, { op: 'pid' }, { timeout: 20_000 }), { pid: ref.pid, name: null });
  for (const timeout of [2 ** 31, 0, -5, Number.NaN, '10']) {
    const err = await rejection(Promise.resolve().then(() => sys.spawn(fixture('probe'), { timeout: timeout as any })), `spawn timeout ${String(timeout)}`);
    t.is(err.code, 'EBADARG', `spawn timeout ${String(timeout)}`);
  }
  t.is(sys.stats().children, 1, 'no process started for a refused spawn');
});

test('stop: a polite stop ends with reason shutdown', async (t) => {
  const { sys, dir } = await startSystem(t);
  const ref = await sys.spawn(fixture('probe'));
  const reason = await within(sys.stop(ref, { timeout: 10_000 }), WAIT, 'stop of a cooperative actor');
  t.is(reason, 'shutdown');
  t.true(isReaped(ref.pid));
  onlyRoot(t, dir);
});

test('stop: an actor whose terminate hangs is SIGKILLed when the timeout runs out', async (t) => {
  const { sys, dir } = await startSystem(t);
  const ref = await sys.spawn(fixture('stubborn'));
  t.is(await sys.ask(ref, 'ping', { timeout: 20_000 }), 'pong');
  const started = Date.now();
  const reason: any = await within(sys.stop(ref, { timeout: 1000 }), WAIT, 'stop of a stubborn actor');
  const elapsed = Date.now() - started;
  t.is(reason.signal, 'SIGKILL');
  t.true(elapsed >= 950, `killed after ${elapsed} ms, not before the 1000 ms timeout`);
  t.true(elapsed < 4000, `killed after ${elapsed} ms, soon after the 1000 ms timeout`);
  t.true(isReaped(ref.pid));
  onlyRoot(t, dir);
});

test("stop: 'brutal_kill' SIGKILLs at once", async (t) => {
  const { sys } = await startSystem(t);
  const ref = await sys.spawn(fixture('stubborn'));
  const started = Date.now();
  const reason: any = await within(sys.stop(ref, { timeout: 'brutal_kill' }), WAIT, 'brutal kill');
  t.is(reason.signal, 'SIGKILL');
  t.true(Date.now() - started < 900);
});

test('stop: a grandchild (not our child) whose terminate hangs is SIGKILLed through its pidfd', async (t) => {
  const { sys, downs } = await startSystem(t);
  const middle = await sys.spawn(fixture('probe'));
  const grandchild = await sys.ask(middle, { op: 'spawn', module: fixture('stubborn').href }, { timeout: 20_000 }) as any;
  t.not(grandchild.pid, middle.pid);
  const mon = sys.monitor(grandchild);
  const started = Date.now();
  const reason: any = await within(sys.stop(grandchild, { timeout: 1000 }), WAIT, 'stop of a stubborn grandchild');
  const elapsed = Date.now() - started;
  t.true(elapsed >= 950 && elapsed < 4000, `killed after ${elapsed} ms`);
  t.not(reason, 'normal');
  t.not(reason, 'shutdown');
  await downs.of(mon);
  t.is(await sys.ask(middle, { op: 'pid' }, { timeout: 20_000 }).then((r: any) => r.pid), middle.pid, 'its parent lives on');
});
