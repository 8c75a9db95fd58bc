// The node agent: in the process that started a system with `cluster`. It holds one
// NATS connection for the cluster's control traffic (not for messages: those go
// through the proxies), registers as `pidgeon:node`, starts a proxy per peer node
// on demand (a local actor's first message to it, or the peer's 'connect'),
// restarts a proxy that dies (telling every local process the link went down
// first), and answers the peers' remote spawn and lookup requests.
import type { NatsConnection } from '@nats-io/transport-node';
import { NoConnectionError } from '../errors.js';
import { listLive, NODE_RE, type Address } from '../transport/index.js';
import type { ActorRef, ActorSystem } from '../core/index.js';
import type { ClusterOptions } from '../core/options.js';
import type { ClusterAgentHandle } from '../core/cluster-hook.js';
import { AGENT_NAME, AGENT_OPS, NODE_FILE, PROXY_NAME, REMOTE_OPS } from '../core/remote.js';
import { checkClusterOptions, connectNats, isMember, subjectPrefix, subjects } from './nats.js';
import { pack, unpack } from './frames.js';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNothing } from '../core/index.js';
import { tellLinkState, type ProxyArgs } from './peer-link.js';
import { serializeRemoteError } from './remote-errors.js';

interface ProxyEntry { ref: Promise<ActorRef> | null; monitor: string | null; backoff: number; timer: NodeJS.Timeout | null; startedAt: number }

type Sys = ActorSystem & { sendSystem(to: Address, op: string, payload: unknown): boolean };

const HEARTBEAT_MS = 1000;
/** A proxy that ran this long restarts after the shortest backoff again. */
const PROXY_STABLE_MS = 10_000;
/** The proxy's module (as the supervisor's: found alike from the bundle in core/ and from here). */
const PROXY_MODULE = fileURLToPath(new URL('../cluster/proxy.js', import.meta.url));

/** Start the agent of `system` on node `node`. */
export async function startAgent(sys: unknown, node: string, options: ClusterOptions): Promise<ClusterAgentHandle> {
  const system = sys as Sys;
  const c = checkClusterOptions(options);
  let nc: NatsConnection;
  try {
    nc = await connectNats(c, `pidgeon ${node} agent`);
  } catch (err) {
    throw new NoConnectionError(`cannot connect to NATS (${c.servers.join(', ')}): ${(err as Error).message}`, { cause: err });
  }
  const agent = new NodeAgent(system, nc, node, c);
  try {
    agent.start();
  } catch (err) {
    await nc.close();
    throw err;
  }
  return agent;
}

/** Nodes seen by their heartbeats: name → last time. */
export type Membership = Map<string, number>;

class NodeAgent implements ClusterAgentHandle {
  private readonly prefix: string;
  private readonly proxies = new Map<string, ProxyEntry>();
  readonly nodes: Membership = new Map();
  private heartbeat: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(private readonly system: Sys, private readonly nc: NatsConnection, private readonly node: string, private readonly c: ClusterOptions) {
    this.prefix = subjectPrefix(c.name ?? system.name);
  }

  start(): void {
    const { system, nc } = this;
    system.register(AGENT_NAME);
    // For the launcher's commands (pidgeon send name@node, ps --cluster): which node
    // this system is. Names only, no credentials.
    fs.writeFileSync(path.join(system.dir, NODE_FILE), `${this.node}\n`, { mode: 0o600 });
    system.onSystemAsk(AGENT_OPS.nodes, isNothing, () => [this.node, ...[...this.nodes].filter(([n, at]) => n !== this.node && Date.now() - at < 5000).map(([n]) => n)].sort());
    system.onSystemAsk(REMOTE_OPS.proxy, (p: unknown): p is { node: string } => typeof p === 'object' && p !== null && typeof (p as { node?: unknown }).node === 'string',
      (_from, p) => this.ensureProxy(p.node));
    system.on('down', ({ monitor }) => this.onProxyDown(monitor));
    nc.subscribe(subjects.ctl(this.prefix, this.node), { callback: (err, m) => {
      if (err) return;
      void this.control(unpack(m.data)).then((r) => m.respond(pack(r)), () => {});
    } });
    nc.subscribe(subjects.hb(this.prefix), { callback: (err, m) => {
      const hb = err ? undefined : unpack(m.data) as { node?: unknown } | undefined;
      if (hb && typeof hb.node === 'string' && NODE_RE.test(hb.node) && isMember(this.c, hb.node)) this.nodes.set(hb.node, Date.now());
    } });
    const beat = () => { try { nc.publish(subjects.hb(this.prefix), pack({ node: this.node, pid: process.pid })); } catch { /* reconnecting */ } };
    this.heartbeat = setInterval(beat, HEARTBEAT_MS);
    this.heartbeat.unref();
    beat();
  }

  async close(): Promise<void> {
    this.closing = true;
    try { fs.unlinkSync(path.join(this.system.dir, NODE_FILE)); } catch { /* gone */ }
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const e of this.proxies.values()) if (e.timer) clearTimeout(e.timer);
    await this.nc.drain().catch(() => this.nc.close());
  }

  /** The proxy for `peer`, started if need be. */
  ensureProxy(peer: string): Promise<ActorRef> {
    if (this.closing) return Promise.reject(new NoConnectionError('the node is shutting down'));
    if (typeof peer !== 'string' || !NODE_RE.test(peer) || peer === this.node) return Promise.reject(new NoConnectionError(`no node '${peer}' to connect to`));
    if (!isMember(this.c, peer)) return Promise.reject(new NoConnectionError(`node '${peer}' is not a member of the cluster`));
    let e = this.proxies.get(peer);
    if (!e) this.proxies.set(peer, (e = { ref: null, monitor: null, backoff: 100, timer: null, startedAt: 0 }));
    if (e.ref) return e.ref;
    const entry = e;
    const args: ProxyArgs = { local: this.node, peer, prefix: this.prefix, cluster: this.c };
    entry.ref = this.system.spawn(PROXY_MODULE, { name: PROXY_NAME + peer, args, logName: `proxy-${peer}` }).then((ref) => {
      entry.monitor = this.system.monitor(ref);
      entry.startedAt = Date.now();
      return ref;
    }, (err) => {
      entry.ref = null;
      this.retry(peer, entry);
      throw err;
    });
    return entry.ref;
  }

  // A proxy died: what it held is lost, so the link to its peer counts as down for
  // every local process; a new proxy is started (with backoff) to bring it back.
  private onProxyDown(monitor: string): void {
    for (const [peer, e] of this.proxies) {
      if (e.monitor !== monitor) continue;
      e.ref = null;
      e.monitor = null;
      tellLinkState(this.system, REMOTE_OPS.nodeDown, peer);
      // A proxy that lived long enough starts the backoff afresh.
      if (Date.now() - e.startedAt > PROXY_STABLE_MS) e.backoff = 100;
      this.retry(peer, e);
      return;
    }
  }

  private retry(peer: string, e: ProxyEntry): void {
    if (this.closing || e.timer) return;
    e.timer = setTimeout(() => { e.timer = null; this.ensureProxy(peer).catch(() => {}); }, e.backoff);
    e.backoff = Math.min(e.backoff * 2, 5000);
  }

  // A peer's request: connect (start our proxy for it), spawn, lookup.
  private async control(req: unknown): Promise<{ ok: boolean; value?: unknown; error?: unknown }> {
    try {
      if (typeof req !== 'object' || req === null) throw new NoConnectionError('malformed control request');
      const r = req as Record<string, unknown>;
      if (typeof r.from !== 'string' || !isMember(this.c, r.from)) throw new NoConnectionError(`node '${String(r.from)}' is not a member of the cluster`);
      if (r.op === 'connect') {
        await this.ensureProxy(r.from);
        return { ok: true };
      }
      if (r.op === 'spawn' && typeof r.module === 'string' && typeof r.options === 'object' && r.options !== null) {
        const ref = await this.system.spawn(r.module, r.options as never);
        return { ok: true, value: { ...ref, node: this.node } };
      }
      if (r.op === 'list') {
        return { ok: true, value: listLive(this.system.dir).map((a) => ({ ...a, node: this.node })) };
      }
      if (r.op === 'lookup' && typeof r.name === 'string') {
        const ref = this.system.lookup(r.name);
        return { ok: true, value: ref ? { ...ref, node: this.node } : null };
      }
      throw new NoConnectionError(`unknown control request '${String(r.op)}'`);
    } catch (err) {
      return { ok: false, error: serializeRemoteError(err) };
    }
  }
}
