// `pidgeon ps`: every actor of a system in tree order, with status, restarts, CPU,
// memory, uptime and message counts (the user's apart from the runtime's), like
// `pm2 ls`; read from the system directory and by asking each actor (snapshot.ts).
import { BadArgumentError } from '../errors.js';
import { parseArgs } from './args.js';
import { bytes, color, duration, table, toJson } from './format.js';
import { snapshot, type ActorRow } from './snapshot.js';
import { clusterPeers } from './cluster-view.js';
import { existingSystem, join } from './system-dir.js';
import { endedText, readLauncherState } from './systems.js';
export { collectInfo, type ActorInfo } from './snapshot.js';

export const psHelp = `usage: pidgeon ps [--system NAME] [--dir PATH] [--json] [--cluster]

List every actor of a system, in tree order (children under their supervisor,
named by their registered name or their child id): status, restarts, CPU %,
memory (RSS), uptime, the user's messages in and out (the runtime's own counted
apart), queued messages, mailbox drops and dead letters. CPU % is measured over
about 300 ms. The system is found by itself when only one runs. With --cluster,
every node's actors, a table per node (another node's CPU and memory show as -).

examples:
  pidgeon ps
  pidgeon ps --system oplock-demo
  pidgeon ps --cluster
  pidgeon ps --json | jq '.[] | select(.restarts > 0) | .name'`;

const n = (v: number | null) => (v === null ? '-' : String(v));

function statusText(s: string): string {
  return s === 'running' ? color.green(s) : s === 'restarting' || s === 'unresponsive' ? color.yellow(s) : color.red(s);
}

/** The table, pm2-style; also used by `pidgeon top`. */
export function psTable(rows: ActorRow[]): string {
  const out = [['NAME', 'ID', 'PID', 'STATUS', '↺', 'CPU', 'MEM', 'UPTIME', 'IN', 'OUT', 'QUEUED', 'DROPS', 'DEAD', 'RT IN/OUT']];
  for (const r of rows) {
    out.push([
      r.branch + (r.kind === 'supervisor' ? color.yellow(r.label) : r.kind === 'launcher' ? color.bold(r.label) : r.label),
      r.id ?? '-', n(r.pid), statusText(r.status), n(r.restarts), r.cpu === null ? '-' : `${r.cpu.toFixed(1)}%`,
      r.rss === null ? '-' : bytes(r.rss), r.uptimeMs === null ? '-' : duration(r.uptimeMs),
      n(r.userIn), n(r.userOut), n(r.queued), n(r.drops), n(r.deadLetters),
      r.runtimeIn === null ? '-' : `${r.runtimeIn}/${r.runtimeOut}`,
    ]);
  }
  return table(out, new Set([2, 4, 5, 6, 8, 9, 10, 11, 12]));
}

export async function ps(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir'], flags: ['json', 'cluster'] });
  if (p.options.help) return console.log(psHelp), 0;
  if (p.positionals.length) throw new BadArgumentError(`ps takes no arguments (got ${p.positionals.join(' ')})`);
  const t = existingSystem(p);
  const sys = await join(t);
  let rows: ActorRow[];
  let byNode: { node: string; rows: ActorRow[] }[] = [];
  try {
    if (p.options.cluster) {
      for (const { node, peers } of await clusterPeers(sys)) byNode.push({ node, rows: (await snapshot(sys, null, node === sys.node ? 300 : 0, peers)).rows });
    }
    rows = p.options.cluster ? byNode.flatMap((b) => b.rows.map((r) => ({ ...r, node: b.node }))) : (await snapshot(sys, null, 300)).rows;
  } finally {
    await sys.shutdown();
  }
  if (p.options.cluster && !p.options.json) {
    for (const b of byNode) console.log(`${color.bold(`node ${b.node}`)}\n${b.rows.length ? psTable(b.rows) : '(no live actors, or unreachable)'}`);
    return 0;
  }
  if (p.options.json) {
    console.log(toJson(rows.map((r) => ({ ...r, received: r.userIn, sent: r.userOut })), 2));
    return 0;
  }
  if (rows.length === 0) {
    const l = readLauncherState(t.dir);
    console.log(`no live actors in system '${t.system}'${l ? ` (its launcher, pid ${l.pid}, ${endedText(l)})` : ''}`);
    return 0;
  }
  console.log(psTable(rows));
  return 0;
}
