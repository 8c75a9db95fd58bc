// Death watch over pidfd: `watchPid(pid, cb)` calls `cb` once when the process exits
// (at once, asynchronously, when it is already gone). No polling, no timeouts.
import os from 'node:os';
import { native, type NativePidWatch } from './native.js';
import { BadArgumentError, PlatformError } from '../errors.js';

/** A running watch; `close()` cancels it. */
export interface PidWatcher {
  close(): void;
  /** Send a signal through the pidfd (never hits a process that reused the pid);
   * returns false when the process is already gone. */
  kill(signal: NodeJS.Signals | number): boolean;
}


/** Watch `pid`; `onExit` runs once when it exits. The watch never keeps the process
 * alive. `status`: the wait status (as waitpid gives it) when `pid` is our own child
 * and not yet reaped, read without reaping it; -1 otherwise. */
export function watchPid(pid: number, onExit: (status: number) => void): PidWatcher {
  if (!Number.isInteger(pid) || pid <= 0) throw new BadArgumentError(`pid must be a positive integer (got ${pid})`);
  let w: NativePidWatch | null = null;
  let done = false;
  const fire = (status = -1) => {
    if (done) return;
    done = true;
    w = null;
    onExit(status);
  };
  try {
    w = new native.PidWatch(pid, fire);
    w.setRef(false);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ESRCH') {
      setImmediate(() => fire());
    } else if (code === 'ENOSYS') {
      throw new PlatformError('pidgeon needs pidfd_open (Linux 5.3 or later)', { cause: err });
    } else {
      throw err;
    }
  }
  return {
    close() {
      done = true;
      w?.close();
      w = null;
    },
    kill(signal) {
      const n = typeof signal === 'number' ? signal : (os.constants.signals as Record<string, number>)[signal];
      if (n === undefined) throw new BadArgumentError(`unknown signal ${String(signal)}`);
      if (!w) return false;
      return w.kill(n) === 0;
    },
  };
}
