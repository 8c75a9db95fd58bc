// The seam between the actor core and the cluster layer above it: a system started
// with `cluster` hands itself to the cluster layer's agent, which the package's
// entry point installs here (so that the core imports nothing above it).
import { BadArgumentError } from '../errors.js';
import type { ClusterOptions } from './options.js';

/** A running cluster agent (runtime/cluster/agent.ts). */
export interface ClusterAgentHandle {
  close(): Promise<void>;
}

/** Starts the agent of a system that joins a cluster. */
export type ClusterStarter = (system: unknown, node: string, options: ClusterOptions) => Promise<ClusterAgentHandle>;

let starter: ClusterStarter | null = null;

/** @internal Installed by the cluster layer. */
export function installClusterStarter(s: ClusterStarter): void {
  starter = s;
}

/** @internal Start the cluster agent of `system`. */
export function startClusterAgent(system: unknown, node: string | undefined, options: ClusterOptions): Promise<ClusterAgentHandle> {
  if (node === undefined) throw new BadArgumentError('a system with cluster options needs its node name: ActorSystem.start({ name, node, cluster })');
  if (!starter) throw new BadArgumentError("cluster support is not loaded: import ActorSystem from 'pidgeon' (the package's entry point)");
  return starter(system, node, options);
}
