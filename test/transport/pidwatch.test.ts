// watchPid: a pidfd death watch. Fires once when the process exits, at once (but
// asynchronously) when it is already gone, works for non-children, and can signal
// through the pidfd.
import test from 'ava';
import { watchPid } from '../../runtime/transport/index.js';
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
