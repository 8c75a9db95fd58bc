// The cluster as the launcher's commands see it (`ps --cluster`, `tree --cluster`,
// `send name@node`): a command joins its system on the system's node (the agent
// leaves the node's name in the system directory), asks the agent which nodes are
// in the cluster, and each node's proxy for the live processes there.
import fs from 'node:fs';
import path from 'node:path';
import type { ActorSystem } from '../core/index.js';
import { AGENT_NAME, AGENT_OPS, NODE_FILE } from '../core/remote.js';
import { NoSystemError } from '../errors.js';
import { listLive, type Address } from '../transport/index.js';

/** The node of the system in `dir` (undefined: it is not in a cluster). */
export function nodeOfSystem(dir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, NODE_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Every node of the cluster, this one first, with its live processes. */
export async function clusterPeers(sys: ActorSystem): Promise<{ node: string; peers: Address[] }[]> {
  const agent = sys.lookup(AGENT_NAME);
  if (!sys.node || !sys.remote || !agent) throw new NoSystemError(`system '${sys.name}' is not in a cluster (no node agent runs in it)`);
  const nodes = (await sys.askSystem(agent, AGENT_OPS.nodes, null, 5000)) as string[];
  const out = [{ node: sys.node, peers: listLive(sys.dir).filter((a) => a.pid !== sys.self.pid) }];
  for (const node of nodes.filter((n) => n !== sys.node)) {
    try {
      const proxy = await sys.remote.proxyOf(node);
      out.push({ node, peers: (await sys.askSystem(proxy, AGENT_OPS.list, null, 5000)) as Address[] });
    } catch {
      out.push({ node, peers: [] }); // unreachable now: shown empty
    }
  }
  return out;
}
