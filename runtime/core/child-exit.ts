// How a child process's end is seen, twice: when it is dead and when it is reaped.
// Dead: its pidfd fires, and a waitid(WNOWAIT) on it gives the wait status without
// reaping it, so its watchers (a supervisor's monitor) hear of the death a loop turn
// or two before Node's 'exit' event, which comes once libuv has heard of the
// SIGCHLD through its signal pipe and reaped the process. Reaped: that 'exit' event;
// what promises that a process is gone (stop, a failed spawn, shutdown) waits for it.
import type { ChildProcess } from 'node:child_process';
import { watchPid, type PidWatcher } from '../transport/index.js';
import { exitFromStatus } from './reasons.js';

type Exit = (code: number | null, signal: NodeJS.Signals | null) => void;

/** How long a dead child's stderr may take to deliver its last bytes. */
const STDERR_GRACE_MS = 50;

/** Call `dead` once the process is dead (when its pidfd can tell; on an old kernel,
 * or if it was reaped first, not at all) and `reaped` once Node has reaped it; each
 * after its stderr has delivered what it holds. */
export function watchChildExit(proc: ChildProcess, on: { dead: Exit; reaped: Exit }): void {
  let watch: PidWatcher | null = null;
  // Let the stderr pipe deliver its last bytes first (its EOF came before the death
  // notice: the kernel closes a dying process's files first), but do not wait on it
  // for long: a grandchild may hold it open.
  const afterStderr = (f: () => void) => {
    const err = proc.stderr;
    if (!err || err.destroyed) return f();
    const t = setTimeout(f, STDERR_GRACE_MS);
    err.once('close', () => { clearTimeout(t); f(); });
  };
  proc.once('exit', (code, signal) => {
    watch?.close();
    afterStderr(() => on.reaped(code, signal));
  });
  try {
    watch = watchPid(proc.pid!, (status) => {
      if (status < 0) return; // not told (reaped already, an old kernel): 'exit' tells
      const e = exitFromStatus(status);
      afterStderr(() => on.dead(e.code, e.signal));
    });
  } catch { /* no pidfd (the platform check says so where it matters): 'exit' will do */ }
}
