// What `pidgeon start` does for operating the tree: choose the log directory (every
// actor's parent writes that actor's output there: core/child-output.ts), record the
// launcher in launcher.json (and, at the end, its exit code), show every actor's
// output lines in the foreground prefixed with its name (as `docker compose up`
// does), and tell a waiting `start --daemon` when the tree is up.
import fs from 'node:fs';
import path from 'node:path';
import { LOG_DIR_ENV, LOG_FILES_ENV, LOG_MAX_BYTES_ENV } from '../core/index.js';
import { BadArgumentError } from '../errors.js';
import type { Parsed } from './args.js';
import { color, visible } from './format.js';
import { LogFollower, parseLine } from './log-follow.js';
import type { Target } from './system-dir.js';
import { writeLauncherState, type LauncherState } from './systems.js';

/** The options `start` takes for this. */
export const launchOptions = { values: ['log-dir', 'log-max-bytes', 'log-files'], flags: ['daemon', 'daemon-child'] };

/** The log directory: --log-dir, else $PIDGEON_LOG_DIR, else the system directory's logs/. */
export function logDirOf(p: Parsed, t: Target): string {
  const d = typeof p.options['log-dir'] === 'string' ? p.options['log-dir'] : process.env[LOG_DIR_ENV] || path.join(t.dir, 'logs');
  return path.resolve(d);
}

/** fd 3 of a launcher started by `start --daemon`: written once the tree is up. */
const READY_FD = 3;

/** The running launch; `up()` once the tree is up, `end(code)` before exiting. */
export interface Launch { up(): void; end(code: number): void }

const palette = [color.green, color.yellow, (s: string) => color.bold(s), color.dim];

/** Set the log settings in our environment, before the system starts: every process
 * it starts (the pool's too) inherits them, and so on down the tree. */
export function logEnvironment(p: Parsed, t: Target): void {
  const logDir = logDirOf(p, t);
  const env: Record<string, string> = { [LOG_DIR_ENV]: logDir };
  for (const [opt, key] of [['log-max-bytes', LOG_MAX_BYTES_ENV], ['log-files', LOG_FILES_ENV]] as const) {
    const v = p.options[opt];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !/^[1-9][0-9]*$/.test(v)) throw new BadArgumentError(`--${opt} must be a positive integer`);
    env[key] = v;
  }
  Object.assign(process.env, env);
  fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
}

/** Record the launcher (launcher.json) and, in the foreground, show the actors' output. */
export function beginLaunch(p: Parsed, t: Target, treeFile: string): Launch {
  const logDir = logDirOf(p, t);
  const daemonChild = p.options['daemon-child'] === true;
  const state: LauncherState = {
    pid: process.pid, system: t.system, tree: path.resolve(treeFile), daemon: daemonChild, logDir, startedAt: Date.now(),
  };
  writeLauncherState(t.dir, state);
  // In the foreground: every actor's lines, `name | text`, names padded to the widest so far.
  let width = 0;
  const colours = new Map<string, (s: string) => string>();
  const follower = daemonChild ? null : new LogFollower(logDir, (file, raw) => {
    const l = parseLine(raw, file.replace(/\.log$/, ''));
    width = Math.max(width, visible(l.name));
    let c = colours.get(l.name);
    if (!c) colours.set(l.name, (c = palette[colours.size % palette.length]));
    const text = l.stream === 'err' ? color.red(l.text) : l.text;
    process.stdout.write(`${c(l.name.padEnd(width))} | ${text}\n`);
  }, true);
  return {
    up() {
      if (!daemonChild) return;
      try {
        fs.writeSync(READY_FD, 'up\n');
        fs.closeSync(READY_FD);
      } catch { /* the starting command is gone: nobody to tell */ }
    },
    end(code: number) {
      follower?.close();
      try {
        writeLauncherState(t.dir, { ...state, exitCode: code, exitedAt: Date.now() });
      } catch { /* the directory went away */ }
    },
  };
}
