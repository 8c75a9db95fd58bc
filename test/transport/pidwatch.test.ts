// watchPid: a pidfd death watch. Fires once when the process exits, at once (but
// asynchronously) when it is already gone, works for non-children, and can signal
// through the pidfd; for its own child it gives the wait status without reaping it.
import { spawn } from 'node:child_process';
import test from 'ava';
import { procStat, watchPid } from '../../runtime/transport/index.js';
import { exitFromStatus } from '../../runtime/core/reasons.js';
import { startPeer } from '../helpers/peer.js';
import { freshSystemDir } from '../helpers/sysdir.js';
import { turn, within } from '../helpers/wait.js';

const code = (err: unknown): string | undefined => (err as { code?: string } | undefined)?.code;

/** A watch whose callback count and first call can be awaited. */
function counted(pid: number) {
  let calls = 0;
  let fired!: () => void;
  const firedOnce = new Promise<void>((r) => { fired = r; });
  const watcher = watchPid(pid, () => {
    calls++;
    fired();
  });
  return { watcher, firedOnce, calls: () => calls };
}

test('watchPid fires once when a child is SIGKILLed', async (t) => {
  const peer = await startPeer(t, freshSystemDir(t));
  const w = counted(peer.pid);
  t.teardown(() => w.watcher.close());
  await turn();
  t.is(w.calls(), 0, 'not while the child lives');
  peer.child.kill('SIGKILL');
  await within(w.firedOnce, 10_000, 'the watch to fire');
  const exit = await peer.kill();
  t.is(exit.signal, 'SIGKILL');
  await turn();
  await turn();
  t.is(w.calls(), 1);
  t.false(w.watcher.kill('SIGTERM'), 'a fired watch no longer signals');
});

test('watchPid fires at once, asynchronously, for a pid that already exited and was reaped', async (t) => {
  const peer = await startPeer(t, freshSystemDir(t));
  await peer.kill('SIGKILL'); // reaped: the 'exit' event came
  const w = counted(peer.pid);
  t.is(w.calls(), 0, 'not synchronously inside watchPid');
  await within(w.firedOnce, 5_000, 'the watch of a dead pid to fire');
  await turn();
  await turn();
  t.is(w.calls(), 1);
});

test('watchPid sees the death of a process that is not its child', async (t) => {
  const dir = freshSystemDir(t);
  const victim = await startPeer(t, dir);
  const watcher = await startPeer(t, dir);
  await watcher.request({ cmd: 'watch', pid: victim.pid });
  await victim.kill('SIGKILL');
  const e = await watcher.next('pidExit', 10_000);
  t.is(e.pid, victim.pid);
  t.is(e.status, -1, 'no wait status: it is not the watcher\'s child');
  t.is(watcher.queued('pidExit'), 0);
});

test('a closed watch never fires', async (t) => {
  const peer = await startPeer(t, freshSystemDir(t));
  const closed = counted(peer.pid);
  const control = counted(peer.pid);
  t.teardown(() => control.watcher.close());
  closed.watcher.close();
  peer.child.kill('SIGKILL');
  await within(control.firedOnce, 10_000, 'the control watch to fire');
  await peer.kill();
  await turn();
  t.is(closed.calls(), 0);
  t.is(control.calls(), 1);
});

test('a watch signals its process through the pidfd', async (t) => {
  const peer = await startPeer(t, freshSystemDir(t));
  const w = counted(peer.pid);
  t.teardown(() => w.watcher.close());
  t.true(w.watcher.kill('SIGKILL'));
  await within(w.firedOnce, 10_000, 'the watch to fire');
  t.is((await peer.kill()).signal, 'SIGKILL');
  t.false(w.watcher.kill('SIGKILL'));
  t.is(code(t.throws(() => w.watcher.kill('SIGNOPE' as NodeJS.Signals))), 'EBADARG');
});

test('watchPid refuses a pid that is not a positive integer with EBADARG', (t) => {
  for (const pid of [0, -1, 1.5, Number.NaN]) {
    t.is(code(t.throws(() => watchPid(pid, () => {}))), 'EBADARG', `pid ${pid}`);
  }
});

// A plain child process whose exit is awaited both ways: the watch and Node's 'exit'.
function plainChild(t: import('ava').ExecutionContext, script: string) {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, exited };
}

const watchStatus = (pid: number) => new Promise<{ status: number; state: string | undefined }>((resolve) => {
  // The state the process is in when the watch fires: a zombie, not yet reaped.
  watchPid(pid, (status) => resolve({ status, state: procStat(pid)?.[0] }));
});

for (const [what, script, expected] of [
  ['exit code 7', 'process.exit(7)', { code: 7, signal: null }],
  ['SIGKILL', 'process.kill(process.pid, "SIGKILL")', { code: null, signal: 'SIGKILL' }],
] as const) {
  test(`watchPid gives its own child's wait status (${what}) without reaping it; Node's 'exit' still says the same`, async (t) => {
    const { child, exited } = plainChild(t, script);
    const seen = await within(watchStatus(child.pid!), 10_000, 'the watch to fire');
    t.true(seen.status >= 0, `a status for our own child (got ${seen.status})`);
    t.deepEqual(exitFromStatus(seen.status), expected);
    t.is(seen.state, 'Z', 'still a zombie when the watch fires: libuv reaps it');
    t.deepEqual(await within(exited, 10_000, "Node's exit event"), expected);
  });
}

test('watchPid gives no status (-1) for its own child once that is reaped', async (t) => {
  const { child, exited } = plainChild(t, 'process.exit(3)');
  await within(exited, 10_000, "Node's exit event");
  t.is((await within(watchStatus(child.pid!), 5_000, 'the watch of a reaped child')).status, -1, 'reaped already');
});
