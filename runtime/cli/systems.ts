// The systems on this host: which run (a live lockfile in their directory), what
// their launcher wrote about itself (launcher.json: pid, tree, daemon or not, and
// how it ended), and finding "the" system when a command names none.
import fs from 'node:fs';
import path from 'node:path';
import { listLive, systemsBase, sweepDeadSystems } from '../transport/index.js';
import { ManySystemsError, NoSystemError } from '../errors.js';

/** What a launcher records in its system directory (kept after it exits). */
export interface LauncherState {
  pid: number;
  system: string;
  tree: string;
  daemon: boolean;
  logDir: string;
  startedAt: number;
  /** Set when it exited: its exit code and when. */
  exitCode?: number;
  exitedAt?: number;
}

/** One system directory. */
export interface SystemEntry {
  name: string;
  dir: string;
  /** Live member processes (the launcher included). */
  live: { pid: number; instance: string }[];
  launcher: LauncherState | null;
}

const STATE_FILE = 'launcher.json';

/** Read a system's launcher.json (null if none or unreadable). */
export function readLauncherState(dir: string): LauncherState | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8')) as LauncherState;
  } catch {
    return null;
  }
}

/** Write it atomically (rename over the old one). */
export function writeLauncherState(dir: string, s: LauncherState): void {
  const tmp = path.join(dir, `.${STATE_FILE}.${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, STATE_FILE));
}

function liveIn(dir: string): { pid: number; instance: string }[] {
  try {
    return listLive(dir);
  } catch {
    return [];
  }
}

/** Every system directory under the systems base (dead ones with nothing of ours
 * left in them are removed first), running or not. */
export function listSystems(base = systemsBase()): SystemEntry[] {
  sweepDeadSystems(base);
  let names: string[];
  try {
    names = fs.readdirSync(base).sort();
  } catch {
    return [];
  }
  const out: SystemEntry[] = [];
  for (const name of names) {
    const dir = path.join(base, name);
    if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/.test(name) || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    out.push({ name, dir, live: liveIn(dir), launcher: readLauncherState(dir) });
  }
  return out;
}

/** How a stopped system's launcher ended, for messages. */
export function endedText(s: LauncherState | null): string {
  if (!s || s.exitCode === undefined) return 'not running';
  return `exited with code ${s.exitCode} at ${new Date(s.exitedAt ?? 0).toISOString()}`;
}

/** The one running system: ENOSYSTEM if none runs, EMANYSYSTEMS if several do. */
export function theRunningSystem(): SystemEntry {
  const all = listSystems();
  const running = all.filter((s) => s.live.length > 0);
  if (running.length === 1) return running[0];
  if (running.length > 1) {
    throw new ManySystemsError(`several systems are running (${running.map((s) => s.name).join(', ')}): choose one with --system NAME`);
  }
  const stopped = all.filter((s) => s.launcher).map((s) => `${s.name} (${endedText(s.launcher)})`);
  throw new NoSystemError(`no system is running${stopped.length ? `; stopped: ${stopped.join(', ')}` : ''}; start one with 'pidgeon start TREE'`);
}
