// Actors on other nodes (a cluster). A message to one goes, as an ordinary datagram,
// to this host's proxy for its node (one proxy process per peer node: the plan of
// the SDC 2015 talk for replacing ctdbd), which carries it over NATS to the peer's
// proxy for us, which delivers it by datagram. This file is the actor side of that:
// which refs are remote, where each node's proxy is (registered as
// `pidgeon:proxy:<node>`; the node agent, `pidgeon:node`, starts it on demand),
// which nodes are unreachable (the proxies say so), and what a proxy relays to us.
// The proxies and the agent are the cluster layer (runtime/cluster/).
import { DeadActorError, NoConnectionError, RemoteFdError, type PidgeonError } from '../errors.js';
import { formatAddress, sameAddress, type Address } from '../transport/index.js';
import { BatchEncoder, RunWriter } from './codec.js';
import { T_SYS, encodeEnvelopeWith, type Envelope } from './envelope.js';

/** Registry names: each node's proxy (`PROXY_NAME + node`) and the node agent. */
export const PROXY_NAME = 'pidgeon:proxy:';
export const AGENT_NAME = 'pidgeon:node';

/** Runtime ops between actors, proxies and the agent (T_SYS unless said). */
export const REMOTE_OPS = {
  relay: 'relay',             // actor → proxy: [toPid, toInstance, run bytes] (codec.ts RunWriter)
  relayed: 'relayed',         // proxy → actor: [fromPid, fromInstance, node, run bytes]
  failed: 'relay-failed',     // proxy → actor: [toPid, toInstance, node, run bytes, reason]
  nodeDown: 'nodedown',       // proxy/agent → every process: { node }
  nodeUp: 'nodeup',           // proxy → every process: { node }
  watch: 'rwatch',            // actor → proxy: [pid, instance] (watch an actor of the peer)
  down: 'rdown',              // proxy → actor: [pid, instance, node, reason]
  kill: 'rkill',              // actor → proxy: [pid, instance, signal]
  proxy: 'pidgeon:proxy',     // ask, actor → agent: { node } → the proxy's address
  spawn: 'rspawn',            // ask, actor → proxy: { module, options } → the ref
  lookup: 'rlookup',          // ask, actor → proxy: { name } → the ref or null
} as const;

/** Asks of the agent and the proxies for the launcher's commands. */
export const AGENT_OPS = {
  nodes: 'pidgeon:nodes',     // ask, → agent: the nodes seen (heartbeats), this one included
  list: 'rlist',              // ask, → proxy: the live processes of its peer node
} as const;

/** In a system directory while its agent runs: the node's name (for the launcher). */
export const NODE_FILE = 'cluster-node';

/** Queued for a proxy whose address is not known yet. */
interface Pending { env: Envelope; to: Address | null }

interface Route {
  proxy: Address | null;
  pending: Pending[];
  resolving: boolean;
  waiters: (() => void)[];
  /** What the last hand-off to the proxy said: false, wait for drained. */
  ok: boolean;
}

/** Messages to one remote actor sent in a row: a run. It goes to the proxy as one
 * runtime message at the end of the sender's turn (a microtask) or before anything
 * else goes to a proxy, and stays one to the end: the peer's proxy delivers it as
 * one, and the receiver decodes its bodies in order. So its bodies are encoded by
 * one BatchEncoder from a reset: an object shape is described once per run, as in
 * a batch datagram. Bounded (a larger message is a run of its own): */
interface Run { to: Address; writer: RunWriter }
const RUN_MAX = 256;
const RUN_BYTES = 32 * 1024;

/** What the routes need from their system. */
export interface RemoteHost {
  lookup(name: string): Address | undefined;
  askSystem(to: Address, op: string, payload: unknown, timeout: number): Promise<unknown>;
  /** Send an envelope to a local process (throws EDEADACTOR if it is gone). */
  sendLocal(to: Address, env: Envelope): boolean;
  /** Messages for a remote actor could not be delivered: their run. */
  undeliverable(to: Address, run: Uint8Array, error: PidgeonError): void;
}

/** Beyond this many messages waiting for a proxy, `send` says "wait for drained". */
const PENDING_HIGH_WATER = 4096;
const PROXY_START_TIMEOUT_MS = 20_000;

/** Routes of one process to the other nodes of its cluster. */
export class RemoteRoutes {
  private readonly routes = new Map<string, Route>();
  private readonly down = new Set<string>();
  private run: Run | null = null;
  private readonly encoder = new BatchEncoder();

  constructor(readonly node: string, private readonly host: RemoteHost) {}

  /** Is `to` on another node? */
  isRemote(to: Address): boolean {
    return to.node !== undefined && to.node !== this.node;
  }

  /** Is `node` another node than this one? */
  isRemoteNode(node: string): boolean {
    return node !== this.node;
  }

  /** Is `node` known to be unreachable? */
  isDown(node: string): boolean {
    return this.down.has(node);
  }

  /** Send `env` to remote actor `to` through its node's proxy (see Outbound.send). */
  send(to: Address, env: Envelope, fds: number[] | undefined): boolean {
    if (fds !== undefined && fds.length > 0) throw new RemoteFdError(`file descriptors cannot be sent to ${formatAddress(to)} on another node`, { address: to });
    const node = to.node!;
    if (this.down.has(node)) throw new NoConnectionError(`node '${node}' is unreachable`, { address: to });
    let run = this.run;
    if (run === null || run.to.pid !== to.pid || run.to.instance !== to.instance || run.to.node !== node || run.writer.count >= RUN_MAX || run.writer.bytes >= RUN_BYTES) {
      run = this.startRun(to);
    }
    // Encoded now (the caller may change its message once send returns) into the
    // run's own buffer.
    let bytes = this.encodeInRun(env);
    if (bytes.length >= RUN_BYTES && run.writer.count > 0) {
      // A large message goes in a run of its own (encoded afresh for it), so that a
      // run too large for NATS is that one message.
      this.flushRun();
      run = this.startRun(to);
      bytes = this.encodeInRun(env);
    }
    run.writer.append(bytes);
    return this.route(node).ok;
  }

  private startRun(to: Address): Run {
    this.flushRun();
    this.encoder.reset();
    const run = this.run = { to, writer: new RunWriter() };
    queueMicrotask(() => this.flushRun());
    return run;
  }

  // The bytes share memory with the next encoding: append them before encoding again.
  private encodeInRun(env: Envelope): Uint8Array {
    try {
      return encodeEnvelopeWith(this.encoder, env);
    } catch (err) {
      // The encoder's state is undefined after a throw: the run goes as it is, and
      // the next message starts another.
      this.flushRun();
      throw err;
    }
  }

  /** A runtime message for `node`'s proxy itself (after what was sent before it). */
  control(node: string, op: string, payload: unknown): void {
    this.flushRun();
    this.toProxy(node, [T_SYS, op, payload], null);
  }

  private flushRun(): void {
    const run = this.run;
    if (run === null) return;
    this.run = null;
    const { to, writer } = run;
    if (writer.count === 0) return;
    const bytes = writer.finish();
    const node = to.node!;
    const r = this.route(node);
    try {
      r.ok = this.toProxy(node, [T_SYS, REMOTE_OPS.relay, [to.pid, to.instance, bytes]], to);
    } catch (err) {
      // Not for a send to answer any more (it returned): each message is a dead letter.
      this.host.undeliverable(to, bytes, err as PidgeonError);
    }
  }

  /** Resolves when messages to `node` no longer wait for its proxy. */
  async drained(node: string, proxyDrained: (proxy: Address) => Promise<void>): Promise<void> {
    this.flushRun();
    const r = this.routes.get(node);
    if (r && r.pending.length > 0) await new Promise<void>((resolve) => r.waiters.push(resolve));
    const proxy = this.routes.get(node)?.proxy;
    if (proxy) await proxyDrained(proxy);
    if (r) r.ok = true;
  }

  /** The address of `node`'s proxy (started by the agent if need be). */
  async proxyOf(node: string): Promise<Address> {
    const r = this.route(node);
    if (r.proxy) return r.proxy;
    const found = this.host.lookup(PROXY_NAME + node);
    if (found) return (r.proxy = found);
    const agent = this.host.lookup(AGENT_NAME);
    if (!agent) throw new NoConnectionError(`no cluster agent runs in this system: node '${node}' cannot be reached`);
    const addr = await this.host.askSystem(agent, REMOTE_OPS.proxy, { node }, PROXY_START_TIMEOUT_MS) as Address;
    return (r.proxy = addr);
  }

  /** Is `from` the proxy of `node` (so that what it relays may be believed)? */
  isProxy(from: Address, node: string): boolean {
    if (!this.isRemoteNode(node)) return false;
    const r = this.route(node);
    if (r.proxy && sameAddress(r.proxy, from)) return true;
    const found = this.host.lookup(PROXY_NAME + node);
    if (!found || !sameAddress(found, from)) return false;
    r.proxy = found;
    return true;
  }

  /** A proxy or the agent says `node` is unreachable (or reachable again). */
  setDown(node: string, down: boolean): void {
    if (down) {
      this.down.add(node);
      const r = this.routes.get(node);
      if (r) r.proxy = null; // a restarted proxy has a new address
    } else {
      this.down.delete(node);
    }
  }

  private route(node: string): Route {
    let r = this.routes.get(node);
    if (!r) this.routes.set(node, (r = { proxy: null, pending: [], resolving: false, waiters: [], ok: true }));
    return r;
  }

  private toProxy(node: string, env: Envelope, to: Address | null): boolean {
    const r = this.route(node);
    if (r.pending.length === 0) {
      if (!r.proxy) r.proxy = this.host.lookup(PROXY_NAME + node) ?? null;
      if (r.proxy) {
        try {
          return this.host.sendLocal(r.proxy, env);
        } catch (err) {
          if (!(err instanceof DeadActorError)) throw err;
          r.proxy = null; // the proxy died: the agent starts another
        }
      }
    }
    r.pending.push({ env, to }); // its bytes are its own (copied by send)
    if (!r.resolving) this.resolve(node, r);
    return r.pending.length < PENDING_HIGH_WATER;
  }

  private resolve(node: string, r: Route): void {
    r.resolving = true;
    this.proxyOf(node).then(
      (proxy) => this.flush(r, proxy, null),
      (err: PidgeonError) => this.flush(r, null, err instanceof NoConnectionError ? err : new NoConnectionError(`node '${node}' cannot be reached: ${err.message}`, { cause: err })),
    );
  }

  private flush(r: Route, proxy: Address | null, error: PidgeonError | null): void {
    r.resolving = false;
    const pending = r.pending;
    r.pending = [];
    for (const p of pending) {
      let err = error;
      if (proxy && !err) {
        try {
          this.host.sendLocal(proxy, p.env);
        } catch (e) {
          err = e instanceof DeadActorError ? new NoConnectionError(`the proxy for node '${p.to?.node}' died`, { cause: e }) : (e as PidgeonError);
        }
      }
      if (err && p.to) this.host.undeliverable(p.to, (p.env[2] as [number, string, Uint8Array])[2], err);
    }
    for (const w of r.waiters.splice(0)) w();
  }
}
