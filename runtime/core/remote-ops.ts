// Wiring of one process into its cluster (remote.ts): the routes on the send path,
// the remote death watch, and the runtime ops by which proxies talk to actors.
// What a proxy says is believed only from the proxy registered for that node.
import { BadArgumentError, DeadActorError, MailboxFullError, MessageTooLargeError, NoConnectionError, type PidgeonError } from '../errors.js';
import { NODE_RE, type Address } from '../transport/index.js';
import type { Asks } from './asks.js';
import type { DeathWatch } from './deathwatch.js';
import type { Dispatch } from './dispatch.js';
import { T_ASK, T_MSG, T_REPLY, T_SYSASK, decodeEnvelopeRun } from './envelope.js';
import type { Outbound } from './outbound.js';
import { isWireReason, type PayloadCheck } from './payloads.js';
import type { Protocol } from './protocol.js';
import { readReason } from './reasons.js';
import { AGENT_NAME, REMOTE_OPS, RemoteRoutes } from './remote.js';
import { RemoteWatch } from './remote-watch.js';

/** What the wiring needs from its system. */
export interface RemoteWiring {
  outbound: Outbound;
  deathwatch: DeathWatch;
  protocol: Protocol;
  dispatch: Dispatch;
  asks: Asks;
  lookup(name: string): Address | undefined;
  askSystem(to: Address, op: string, payload: unknown, timeout: number): Promise<unknown>;
  deadLetter(to: Address, message: unknown, error: PidgeonError): void;
}

type Bytes = Uint8Array;
const isNode = (n: unknown): n is string => typeof n === 'string' && NODE_RE.test(n);
const isInstance = (i: unknown): i is string => typeof i === 'string' && /^[0-9a-f]{16}$/.test(i);
const isPid = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p > 0;
// A run (codec.ts RunWriter): the messages of one sender to one receiver, in order.
const isRun = (b: unknown): b is Bytes => b instanceof Uint8Array && b.length > 0;
const isRelayed: PayloadCheck<[number, string, string, Bytes]> = (p): p is [number, string, string, Bytes] =>
  Array.isArray(p) && p.length === 4 && isPid(p[0]) && isInstance(p[1]) && isNode(p[2]) && isRun(p[3]);
const isFailed: PayloadCheck<[number, string, string, Bytes, string]> = (p): p is [number, string, string, Bytes, string] =>
  Array.isArray(p) && p.length === 5 && isPid(p[0]) && isInstance(p[1]) && isNode(p[2]) && isRun(p[3]) && typeof p[4] === 'string';
const isDown: PayloadCheck<[number, string, string, unknown]> = (p): p is [number, string, string, unknown] =>
  Array.isArray(p) && p.length === 4 && isPid(p[0]) && isInstance(p[1]) && isNode(p[2]) && isWireReason(p[3]);
const isNodePayload: PayloadCheck<{ node: string }> = (p): p is { node: string } =>
  typeof p === 'object' && p !== null && isNode((p as { node?: unknown }).node);

/** Put this process on node `node`: returns its routes (also set on outbound). */
export function attachRemote(node: string, w: RemoteWiring): RemoteRoutes {
  const routes = new RemoteRoutes(node, {
    lookup: (name) => w.lookup(name),
    askSystem: (to, op, payload, timeout) => w.askSystem(to, op, payload, timeout),
    sendLocal: (to, env) => w.outbound.send(to, env, undefined, true),
    undeliverable: (to, run, error) => undeliverable(w, to, run, error),
  });
  const watch = new RemoteWatch(routes);
  w.outbound.remote = routes;
  w.deathwatch.remote = watch;
  w.dispatch.node = node;
  const fromProxy = (from: Address, peer: string): void => {
    if (!routes.isProxy(from, peer)) throw new Error(`${from.pid} is not the proxy of node '${peer}'`);
  };
  const p = w.protocol;
  p.on(REMOTE_OPS.relayed, isRelayed, (from, [pid, instance, peer, run]) => {
    fromProxy(from, peer);
    const sender = { pid, instance, node: peer };
    for (const env of decodeEnvelopeRun(run)) w.dispatch.onRelayed(sender, env);
  });
  p.on(REMOTE_OPS.failed, isFailed, (from, [pid, instance, peer, run, reason]) => {
    fromProxy(from, peer);
    const to = { pid, instance, node: peer };
    const err = reason === 'noproc' ? new DeadActorError(`${pid} on node '${peer}' is not alive`, { address: to })
      : reason === 'EMSGSIZE' ? new MessageTooLargeError(`a message for ${pid} on node '${peer}' is too large for NATS (about 900 KiB at most)`, { address: to })
        : reason === 'EMAILBOXFULL' ? new MailboxFullError(`the queue to ${pid} on node '${peer}' is full: the message was dropped there`, { address: to })
          : reason === 'noconnection' ? new NoConnectionError(`node '${peer}' is unreachable`, { address: to })
            : new NoConnectionError(`node '${peer}' could not deliver to ${pid} (${reason})`, { address: to });
    undeliverable(w, to, run, err);
  });
  p.on(REMOTE_OPS.down, isDown, (from, [pid, instance, peer, reason]) => {
    fromProxy(from, peer);
    watch.exited({ pid, instance, node: peer }, readReason(reason));
  });
  const agentOrProxy = (from: Address, peer: string): void => {
    const agent = w.lookup(AGENT_NAME);
    if (!(agent && agent.pid === from.pid && agent.instance === from.instance)) fromProxy(from, peer);
  };
  p.on(REMOTE_OPS.nodeDown, isNodePayload, (from, { node: peer }) => {
    agentOrProxy(from, peer);
    routes.setDown(peer, true);
    watch.nodeDown(peer);
  });
  p.on(REMOTE_OPS.nodeUp, isNodePayload, (from, { node: peer }) => {
    agentOrProxy(from, peer);
    routes.setDown(peer, false);
  });
  return routes;
}

// A message for a remote actor that will not arrive: an ask fails at once, the rest
// are dead letters (as for a local actor that is gone).
function undeliverable(w: RemoteWiring, to: Address, run: Bytes, error: PidgeonError): void {
  for (const env of decodeEnvelopeRun(run)) {
    if (env === null) continue;
    if (env[0] === T_ASK || env[0] === T_SYSASK) w.asks.fail(env[1], error);
    else if (env[0] === T_MSG) w.deadLetter(to, env[1], error);
    else if (env[0] === T_REPLY) w.deadLetter(to, env[3], error);
  }
}


/** Check a node name (EBADARG unless it is a NATS subject token). */
export function checkNode(node: unknown): string {
  if (!isNode(node)) throw new BadArgumentError(`node must match ${NODE_RE} (got ${JSON.stringify(node)})`);
  return node;
}

/** ENOCONNECTION: `node` named in a system that is not in a cluster. */
export function notInCluster(node: string): NoConnectionError {
  return new NoConnectionError(`this system is not in a cluster: node '${node}' cannot be reached (ActorSystem.start with node and cluster)`);
}

/** Spawn `module` on another node: its proxy asks that node's agent, which resolves
 * the module there (a missing one is ESPAWN there, reported here). */
export async function spawnRemote(routes: RemoteRoutes, ask: AskFn, node: string, module: string | URL, options: Record<string, unknown>): Promise<Address> {
  // The other options travel as they are and are checked there.
  const { node: _node, ...rest } = options;
  const proxy = await routes.proxyOf(node);
  const timeout = typeof rest.timeout === 'number' ? rest.timeout + 5000 : 35_000;
  return await ask(proxy, REMOTE_OPS.spawn, { module: String(module instanceof URL ? module.href : module), options: rest }, timeout) as Address;
}

/** The actor registered as `name` on another node, or undefined. */
export async function lookupRemote(routes: RemoteRoutes, ask: AskFn, node: string, name: string): Promise<Address | undefined> {
  const proxy = await routes.proxyOf(node);
  return (await ask(proxy, REMOTE_OPS.lookup, { name }, 10_000) as Address | null) ?? undefined;
}

type AskFn = (to: Address, op: string, payload: unknown, timeout: number) => Promise<unknown>;
