// The cluster layer: proxies per peer node over NATS (proxy.ts, peer-link.ts), and
// the node agent (agent.ts). Loading this file installs the agent's starter in the
// core; NATS itself is loaded only when a system joins a cluster.
import { installClusterStarter } from '../core/cluster-hook.js';

installClusterStarter(async (system, node, options) => (await import('./agent.js')).startAgent(system, node, options));
