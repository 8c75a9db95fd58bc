// `pidgeon ls`: the systems on this host (under the systems base): running ones
// with their launcher and actor count, stopped ones with how their launcher ended.
import { BadArgumentError } from '../errors.js';
import { parseArgs } from './args.js';
import { color, duration, table, toJson } from './format.js';
import { listSystems, type SystemEntry } from './systems.js';

export const lsHelp = `usage: pidgeon ls [--json]

List the systems of this user on this host (the directories under
\${XDG_RUNTIME_DIR:-/tmp}/pidgeon-$UID): name, status, launcher pid, whether it
runs as a daemon, uptime, how many actors are alive, and the exit code of a
launcher that has stopped. Systems started with --dir elsewhere are not listed.

examples:
  pidgeon ls
  pidgeon ls --json | jq '.[] | select(.running) | .name'`;

function row(s: SystemEntry, now: number) {
  const l = s.launcher;
  const launcherAlive = l !== null && s.live.some((a) => a.pid === l.pid);
  const running = s.live.length > 0;
  return {
    name: s.name,
    dir: s.dir,
    running,
    status: running ? 'running' : l?.exitCode !== undefined ? `exited ${l.exitCode}` : 'stopped',
    launcherPid: launcherAlive ? l.pid : null,
    daemon: l?.daemon ?? false,
    uptimeMs: launcherAlive ? now - l.startedAt : null,
    actors: s.live.filter((a) => a.pid !== l?.pid).length,
    tree: l?.tree ?? null,
    logDir: l?.logDir ?? null,
    exitCode: running ? null : l?.exitCode ?? null,
    exitedAt: running ? null : l?.exitedAt ?? null,
  };
}

export async function ls(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { flags: ['json'] });
  if (p.options.help) return console.log(lsHelp), 0;
  if (p.positionals.length) throw new BadArgumentError(`ls takes no arguments (got ${p.positionals.join(' ')})`);
  const now = Date.now();
  const rows = listSystems().map((s) => row(s, now));
  if (p.options.json) return console.log(toJson(rows, 2)), 0;
  if (rows.length === 0) return console.log('no systems (start one with \'pidgeon start TREE\')'), 0;
  const out = [['SYSTEM', 'STATUS', 'LAUNCHER', 'MODE', 'UPTIME', 'ACTORS', 'TREE']];
  for (const r of rows) {
    const status = r.running ? color.green(r.status) : r.exitCode ? color.red(r.status) : color.dim(r.status);
    out.push([r.name, status, r.launcherPid === null ? '-' : String(r.launcherPid), r.daemon ? 'daemon' : r.launcherPid === null ? '-' : 'foreground',
      r.uptimeMs === null ? '-' : duration(r.uptimeMs), String(r.actors), r.tree ?? '-']);
  }
  console.log(table(out));
  return 0;
}
