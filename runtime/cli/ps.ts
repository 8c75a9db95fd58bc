// `pidgeon ps`: the live actors of a system, read from its directory (held
// lockfiles) and by asking each actor for its info (like smbstatus).
import path from 'node:path';
import type { ActorSystem } from '../core/index.js';
import type { Address } from '../transport/index.js';
import { BadArgumentError } from '../errors.js';
import { parseArgs } from './args.js';
import { duration, table, toJson } from './format.js';
import { existingSystem, join, livePeers } from './system-dir.js';

export const psHelp = `usage: pidgeon ps [--system NAME] [--dir PATH] [--json]

List the live actors of a system: pid, name, instance, parent, uptime, messages
in/out, queued, dead letters, module.

examples:
  pidgeon ps --system oplock-demo
  pidgeon ps --json | jq '.[].name'`;

export interface ActorInfo {
  pid: number;
  instance: string;
  names: string[];
  parent: Address | null;
  module: string | null;
  uptimeMs: number;
  stats: { received: number; sent: number; queued: number; deadLetters: number; queueLength: number };
  children: unknown[];
}

/** Ask every live actor (but us) for its info; unanswered ones get `null`. */
export async function collectInfo(sys: ActorSystem, timeout = 2000): Promise<{ address: Address; info: ActorInfo | null }[]> {
  const peers = livePeers(sys);
  return Promise.all(peers.map(async (address) => {
    try {
      return { address, info: (await sys.info(address, { timeout })) as ActorInfo };
    } catch {
      return { address, info: null };
    }
  }));
}

export async function ps(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir'], flags: ['json'] });
  if (p.options.help) return console.log(psHelp), 0;
  if (p.positionals.length) throw new BadArgumentError(`ps takes no arguments (got ${p.positionals.join(' ')})`);
  const t = existingSystem(p);
  const sys = await join(t);
  try {
    const all = await collectInfo(sys);
    all.sort((a, b) => a.address.pid - b.address.pid);
    if (p.options.json) {
      console.log(toJson(all.map(({ address, info }) => ({
        pid: address.pid, instance: address.instance, name: info?.names[0] ?? null, parent: info?.parent?.pid ?? null,
        uptimeMs: info?.uptimeMs ?? null, received: info?.stats.received ?? null, sent: info?.stats.sent ?? null,
        queued: info ? info.stats.queued + info.stats.queueLength : null, deadLetters: info?.stats.deadLetters ?? null,
        module: info?.module ?? null,
      })), 2));
      return 0;
    }
    if (all.length === 0) {
      console.log(`no live actors in system '${t.system}'`);
      return 0;
    }
    const rows = [['PID', 'NAME', 'INSTANCE', 'PARENT', 'UPTIME', 'IN', 'OUT', 'QUEUED', 'DEAD', 'MODULE']];
    for (const { address, info } of all) {
      rows.push(info ? [
        String(address.pid), info.names[0] ?? '-', address.instance.slice(0, 8), info.parent ? String(info.parent.pid) : '-',
        duration(info.uptimeMs), String(info.stats.received), String(info.stats.sent),
        String(info.stats.queued + info.stats.queueLength), String(info.stats.deadLetters),
        info.module ? path.basename(info.module) : '(launcher)',
      ] : [String(address.pid), '?', address.instance.slice(0, 8), '?', '?', '?', '?', '?', '?', '(not answering)']);
    }
    console.log(table(rows));
    return 0;
  } finally {
    await sys.shutdown();
  }
}
