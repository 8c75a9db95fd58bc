// /proc readings of section "overload", taken by each process about itself at the
// window's edges, so that CPU, wake-ups and datagram counts share one window.
import fs from 'node:fs';

/** Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
export const CLK_TCK = 100;

/** utime + stime of a process (all its threads), clock ticks; 0 if it is gone. */
export function cpuTicks(pid: number | 'self' = 'self'): number {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // fields 14 and 15 of proc(5)
  } catch {
    return 0;
  }
}

/** Context switches of a process, summed over its threads: `wakeups` = voluntary
 * (a thread slept and was woken), of which `sendThreads` by pidgeon's sending threads
 * (named pidgeon-send) and `mainThread` by the event loop's thread; `preemptions` =
 * involuntary (a runnable thread lost its CPU: contention, not waiting). */
export interface Switches {
  wakeups: number; mainThread: number; sendThreads: number; preemptions: number;
  /** Time on a CPU (ns, /proc/<pid>/task/<tid>/schedstat: exact, where per-thread
   * utime/stime are whole ticks that a thread running 1 ms at a time mostly misses)
   * of every live thread, of the event loop's thread and of the sending threads. */
  allNs: number; mainNs: number; sendNs: number;
}

/** Time on a CPU of one thread, ns. */
function threadNs(pid: string, tid: string): number {
  // The calling thread's own figure is up to a tick stale unless refreshed (see
  // mainNs in overload-sender.ts): getrusage refreshes it.
  if (tid === String(process.pid)) process.cpuUsage();
  return Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
}

export function switches(pid: number | 'self' = 'self'): Switches {
  const out: Switches = { wakeups: 0, mainThread: 0, sendThreads: 0, preemptions: 0, allNs: 0, mainNs: 0, sendNs: 0 };
  let tids: string[];
  const self = pid === 'self' ? String(process.pid) : String(pid);
  try {
    tids = fs.readdirSync(`/proc/${self}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const s = fs.readFileSync(`/proc/${self}/task/${tid}/status`, 'utf8');
      const v = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
      out.wakeups += v;
      out.preemptions += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
      const ns = threadNs(self, tid);
      out.allNs += ns;
      if (tid === self) {
        out.mainThread += v;
        out.mainNs += ns;
      } else if (/^Name:\s+pidgeon-send$/m.test(s)) {
        out.sendThreads += v;
        out.sendNs += ns;
      }
    } catch { /* thread gone */ }
  }
  return out;
}

/** Voluntary context switches summed over every thread of a process (see `switches`). */
export function wakeups(pid: number | 'self' = 'self'): number {
  return switches(pid).wakeups;
}
