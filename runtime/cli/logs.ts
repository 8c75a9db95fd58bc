// `pidgeon logs`: the actors' output as their parents logged it (time, name[pid],
// stream, text): the last lines of one actor or of all (merged in time order), and
// with --follow the new ones as they come.
import fs from 'node:fs';
import path from 'node:path';
import { logFileName } from '../core/index.js';
import { BadArgumentError, NoActorError } from '../errors.js';
import { intOption, parseArgs } from './args.js';
import { LogFollower, lastLines, logFiles } from './log-follow.js';
import { existingSystem } from './system-dir.js';
import { readLauncherState } from './systems.js';

export const logsHelp = `usage: pidgeon logs [name] [--follow] [--lines N] [--log-dir PATH] [--system NAME] [--dir PATH]

Print the last --lines lines (default 50) of an actor's stdout and stderr, or of
every actor's merged in time order. Each line is "TIME NAME[PID] out|err TEXT".
An actor is named by its registered name, else by its child id (the top
supervisor: 'supervisor-actor'). With --follow (-f), keep printing new lines until
Ctrl-C. The logs are in the directory the launcher chose (--log-dir of 'pidgeon
start', default the system directory's logs/); they outlive the system.

examples:
  pidgeon logs
  pidgeon logs cache-1 --lines 200
  pidgeon logs -f --system oplock-demo`;

export async function logs(argv: string[]): Promise<number> {
  const p = parseArgs(['-f', '-n'].some((s) => argv.includes(s)) ? argv.map((a) => (a === '-f' ? '--follow' : a === '-n' ? '--lines' : a)) : argv,
    { values: ['system', 'dir', 'lines', 'log-dir'], flags: ['follow'] });
  if (p.options.help) return console.log(logsHelp), 0;
  if (p.positionals.length > 1) throw new BadArgumentError('logs takes at most one actor name');
  const n = intOption(p, 'lines', 50);
  let dir: string;
  if (typeof p.options['log-dir'] === 'string') dir = path.resolve(p.options['log-dir']);
  else {
    const t = existingSystem(p);
    dir = readLauncherState(t.dir)?.logDir ?? path.join(t.dir, 'logs');
  }
  const files = logFiles(dir);
  const who = p.positionals[0];
  let only: string | null = null;
  if (who !== undefined) {
    only = logFileName(who);
    if (!files.includes(only)) {
      const known = files.map((f) => f.replace(/\.log$/, ''));
      throw new NoActorError(`no log for '${who}' in ${dir} (${known.length ? `logs: ${known.join(', ')}` : 'no logs yet'})`);
    }
  }
  const lines = (only ? [only] : files).flatMap((f) => lastLines(path.join(dir, f), n));
  if (!only) lines.sort(); // ISO times first: a plain sort is time order (stable for equal times)
  for (const l of lines.slice(-n)) console.log(l);
  if (!p.options.follow) return 0;
  if (!fs.existsSync(dir)) throw new BadArgumentError(`no log directory ${dir}`);
  return new Promise<number>((resolve) => {
    const f = new LogFollower(dir, (_file, raw) => console.log(raw), true, only ? (file) => file === only : null);
    const done = () => { f.close(); resolve(0); };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
