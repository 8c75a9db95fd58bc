// `pidgeon tree`: the supervision tree, drawn from each actor's parent and each
// supervisor's children (with their ids).
import path from 'node:path';
import { SUPERVISOR_MODULE } from '../supervision/index.js';
import { BadArgumentError } from '../errors.js';
import { parseArgs } from './args.js';
import { color, duration } from './format.js';
import { collectInfo, type ActorInfo } from './snapshot.js';
import { existingSystem, join } from './system-dir.js';
import { clusterPeers } from './cluster-view.js';
import type { ActorSystem } from '../core/index.js';
import type { Address } from '../transport/index.js';

export const treeHelp = `usage: pidgeon tree [--system NAME] [--dir PATH] [--cluster]

Draw the supervision tree of a system: every actor under its parent process, and
each supervisor's children labelled with their ids from the tree spec. With
--cluster, the tree of every node of the system's cluster.

example:
  pidgeon tree --system oplock-demo`;

interface Node { pid: number; info: ActorInfo | null; id?: string; kids: Node[] }

export async function tree(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir'], flags: ['cluster'] });
  if (p.options.help) return console.log(treeHelp), 0;
  if (p.positionals.length) throw new BadArgumentError(`tree takes no arguments (got ${p.positionals.join(' ')})`);
  const t = existingSystem(p);
  const sys = await join(t);
  try {
    if (!p.options.cluster) return await drawTree(sys, t.system, t.dir, undefined);
    for (const { node, peers } of await clusterPeers(sys)) await drawTree(sys, t.system, `node ${node}`, peers);
    return 0;
  } finally {
    await sys.shutdown();
  }
}

/** Draw the tree of `peers` (default: this host's live processes). */
async function drawTree(sys: ActorSystem, system: string, where: string, peers: Address[] | undefined): Promise<number> {
  {
    const all = await collectInfo(sys, 2000, peers);
    const nodes = new Map<number, Node>(all.map(({ address, info }) => [address.pid, { pid: address.pid, info, kids: [] }]));
    // Child ids come from the supervisors themselves.
    await Promise.all(all.filter(({ info }) => info?.module === SUPERVISOR_MODULE).map(async ({ address }) => {
      try {
        for (const c of await sys.which(address, { timeout: 2000 })) {
          const n = c.ref ? nodes.get(c.ref.pid) : undefined;
          if (n) n.id = c.id;
        }
      } catch { /* a supervisor busy restarting: ids stay unknown */ }
    }));
    const roots: Node[] = [];
    for (const n of [...nodes.values()].sort((a, b) => a.pid - b.pid)) {
      const parent = n.info?.parent ? nodes.get(n.info.parent.pid) : undefined;
      if (parent) parent.kids.push(n);
      else roots.push(n);
    }
    if (roots.length === 0) {
      console.log(`no live actors in system '${system}'${peers ? ` on ${where}` : ''}`);
      return 0;
    }
    console.log(color.bold(`system ${system}`) + color.dim(`  (${where})`));
    const draw = (n: Node, prefix: string, last: boolean) => {
      console.log(`${prefix}${last ? '└── ' : '├── '}${label(n)}`);
      n.kids.forEach((k, i) => draw(k, prefix + (last ? '    ' : '│   '), i === n.kids.length - 1));
    };
    roots.forEach((r, i) => draw(r, '', i === roots.length - 1));
    return 0;
  }
}

function label(n: Node): string {
  const i = n.info;
  if (!i) return `${n.pid} ${color.dim('(not answering)')}`;
  const kind = i.module === SUPERVISOR_MODULE ? color.yellow('supervisor') : i.module ? path.basename(i.module) : 'launcher';
  const name = i.names[0] ? color.bold(i.names[0]) + ' ' : '';
  const id = n.id && n.id !== i.names[0] ? `[${n.id}] ` : '';
  return `${id}${name}${kind} ${color.dim(`pid ${n.pid}, up ${duration(i.uptimeMs)}`)}`;
}
