// Process-tree guarantees: a child dies with its parent, and a launcher adopts
// orphaned descendants (and reaps them) so none outlives the tree or lingers as a zombie.
import fs from 'node:fs';
import { native } from './native.js';

/** Ask the kernel to send `signal` to this process when its parent dies. Returns
 * false when the parent (expected pid) is already gone. */
export function setParentDeathSignal(signal = 9, expectedParentPid = process.ppid): boolean {
  return native.setParentDeathSignal(signal, expectedParentPid) === 0;
}

/** Become a subreaper: orphaned descendants are re-parented to this process. Call
 * `reapOrphans` on SIGCHLD, since Node only waits for children it spawned itself. */
export function setChildSubreaper(): boolean {
  return native.setChildSubreaper() === 0;
}

/** The fields of /proc/<pid>/stat after the command name (state first, then the
 * parent pid, ...), or null if the process is gone. */
export function procStat(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Reap zombie children of this process that Node did not spawn (`nodeChildren`
 * lists the ones it did: those are Node's to wait for). Returns how many. */
export function reapOrphans(nodeChildren: { has(pid: number): boolean }): number {
  let n = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (!/^[0-9]+$/.test(e)) continue;
    const pid = Number(e);
    if (nodeChildren.has(pid)) continue;
    const f = procStat(pid);
    if (f && f[0] === 'Z' && Number(f[1]) === process.pid && native.reapChild(pid) === pid) n++;
  }
  return n;
}

/** Which of `pids` descend from `root` (by their parent pids in /proc). */
export function descendantsOf(root: number, pids: number[]): number[] {
  const parent = new Map<number, number>();
  for (const pid of pids) {
    const f = procStat(pid);
    if (f) parent.set(pid, Number(f[1]));
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid), hops = 0; p !== undefined && hops < 64; p = parent.get(p), hops++) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}
