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

/** Voluntary + involuntary context switches summed over every thread of a process. */
export function wakeups(pid: number | 'self' = 'self'): number {
  let sum = 0;
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      const s = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const v = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(s);
      const n = /^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(s);
      sum += Number(v?.[1] ?? 0) + Number(n?.[1] ?? 0);
    } catch { /* thread gone */ }
  }
  return sum;
}
