// NATS for the cluster: checking the options, connecting (authentication required,
// TLS one option away), and the subjects. Subjects are per destination node:
//   <p>.<node>.in.<from>    proxy → proxy: frames from node <from> for node <node>
//   <p>.<node>.ping.<from>  proxy → proxy: "are you there?", answered with a session id
//   <p>.<node>.ctl          → the node's agent: connect, spawn, lookup, snapshot
//   <p>.hb                  every agent's heartbeat (who is in the cluster)
// where <p> is `pdg.<cluster name>`.
import type { NatsConnection } from '@nats-io/transport-node';
import { BadArgumentError } from '../errors.js';
import type { ClusterOptions } from '../core/options.js';
import { importModule } from '../core/bundle-hooks.js';

/** Check `SystemOptions.cluster` (EBADARG naming what is wrong). */
export function checkClusterOptions(o: unknown): ClusterOptions {
  if (typeof o !== 'object' || o === null) throw new BadArgumentError('cluster must be an object: { servers, user, pass } (or token, or nkeySeed)');
  const c = o as ClusterOptions;
  if (!Array.isArray(c.servers) || c.servers.length === 0 || !c.servers.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new BadArgumentError("cluster.servers must be a non-empty array of NATS URLs, e.g. ['nats://10.0.0.1:4222']");
  }
  const userPass = typeof c.user === 'string' && typeof c.pass === 'string';
  if (!userPass && typeof c.token !== 'string' && typeof c.nkeySeed !== 'string') {
    throw new BadArgumentError('cluster needs NATS authentication: user and pass, or token, or nkeySeed');
  }
  if (c.members !== undefined && (!Array.isArray(c.members) || !c.members.every((m) => typeof m === 'string'))) {
    throw new BadArgumentError('cluster.members must be an array of node names');
  }
  if (c.downAfter !== undefined && !(typeof c.downAfter === 'number' && c.downAfter >= 200)) {
    throw new BadArgumentError('cluster.downAfter must be a number of ms, at least 200');
  }
  return c;
}

/** The subject prefix of a cluster (its name made a subject token). */
export function subjectPrefix(clusterName: string): string {
  return `pdg.${clusterName.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export const subjects = {
  in: (p: string, node: string, from: string) => `${p}.${node}.in.${from}`,
  ping: (p: string, node: string, from: string) => `${p}.${node}.ping.${from}`,
  ctl: (p: string, node: string) => `${p}.${node}.ctl`,
  hb: (p: string) => `${p}.hb`,
};

/** Connect to NATS as `name`, reconnecting for ever (the link comes and goes; the
 * proxies' pings decide when a peer counts as unreachable). */
export async function connectNats(c: ClusterOptions, name: string): Promise<NatsConnection> {
  const nats = await importModule<typeof import('@nats-io/transport-node')>('@nats-io/transport-node');
  const auth = c.nkeySeed !== undefined ? { authenticator: nats.nkeyAuthenticator(new TextEncoder().encode(c.nkeySeed)) }
    : c.token !== undefined ? { token: c.token } : { user: c.user, pass: c.pass };
  return nats.connect({
    servers: c.servers,
    name,
    ...auth,
    ...(c.tls ? { tls: c.tls } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
    pingInterval: 1000,
    maxPingOut: 2,
  });
}

/** Is `node` a member (none listed: every node that authenticates is)? */
export function isMember(c: ClusterOptions, node: string): boolean {
  return c.members === undefined || c.members.includes(node);
}
