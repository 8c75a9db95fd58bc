// ActorSystem: this process's place in a system of actors, and the public API of the
// actor core. The one composition root: it builds the mailbox, death watch, asks,
// children, relations, protocol table and dispatch, and wires them to each other.
// The send path is its base class's base (send.ts), the supervision calls its base
// class (supervision-calls.ts), inbound routing is dispatch.ts, and
// stopping another actor follows shutdown.ts.
import { Mailbox, type Address } from '../transport/index.js';
import { BadArgumentError, ClosedError, type PidgeonError } from '../errors.js';
import type { ActorDefinition, ArgsOf, ProtocolOf } from './context.js';
import type { AskOptions, ShutdownSpec, SpawnParams, SystemOptions } from './options.js';
export type { SystemOptions, PoolOptions } from './options.js';
import type { ActorRef, Askable, ReplyOf } from './refs.js';
import { Asks } from './asks.js';
import { ChildHandle, Children } from './children.js';
import { checkPoolOptions } from './spawn-pool.js';
import { ActorRuntime, queueStats } from './actor-runtime.js';
import { DeathWatch } from './deathwatch.js';
import { Dispatch } from './dispatch.js';
import { Registry } from './registry.js';
import { Protocol, type SystemHandler, type SystemAskHandler } from './protocol.js';
import { readReason, wireReason, type ExitReason } from './reasons.js';
import { checkRef } from './send.js';
import { Directory } from './directory.js';
import { Relations } from './relations.js';
import { processInfo } from './info.js';
import { isNothing, isReasonPayload, type PayloadCheck } from './payloads.js';
import { newCoreDrops, splitCounts, type SystemStats } from './stats.js';
import { checkShutdownSpec, stopActor } from './shutdown.js';
import { attachRemote, checkNode, notInCluster, spawnRemote } from './remote-ops.js';
import type { RemoteRoutes } from './remote.js';
import { startClusterAgent, type ClusterAgentHandle } from './cluster-hook.js';
export type { DownNotice } from './relations.js';
export type { MessageMeta } from './dispatch.js';
export type { DeadLetterNotice, SystemEvents } from './events.js';
export type { SystemStats } from './stats.js';

declare module './context.js' {
  /** `ctx.system` is this process's ActorSystem. */
  interface ContextSystem extends ActorSystem {}
}

/** This process's membership in a system of actors. */
export class ActorSystem extends Directory {
  readonly name: string;
  readonly dir: string;
  /** @internal */ readonly deathwatch: DeathWatch;
  /** @internal */ override readonly registry: Registry;
  /** @internal */ readonly children: Children;
  /** The parent actor's address (undefined in a root process). */
  readonly parent: ActorRef | undefined;
  /** @internal */ module: string | undefined;
  /** @internal (a pooled process starts its clock when it becomes an actor) */ startedAt = Date.now();
  private readonly asks: Asks;
  private readonly relations: Relations;
  private readonly protocol: Protocol;
  private readonly dispatch: Dispatch;
  private readonly drops = newCoreDrops();
  /** @internal */ exitHook: ((reason: ExitReason) => Promise<void>) | null = null;
  override readonly node: string | undefined;
  /** @internal */ override readonly remote: RemoteRoutes | null = null;
  private agent: ClusterAgentHandle | null = null;

  /** Open this process's mailbox in the system `name` (and, with `cluster`, join the
   * cluster: see docs/cluster.md). */
  static async start(options: SystemOptions): Promise<ActorSystem> {
    if (typeof options !== 'object' || options === null) throw new BadArgumentError('ActorSystem.start needs { name }');
    if (options.node !== undefined) checkNode(options.node); // before the mailbox opens
    const system = new ActorSystem(options, undefined);
    if (options.cluster === undefined) return system;
    try {
      system.agent = await startClusterAgent(system, system.node, options.cluster);
    } catch (err) {
      await system.shutdown();
      throw err;
    }
    return system;
  }

  /** @internal Used by child-main: an actor process's system, with its parent. */
  static startChild(options: SystemOptions, parent: ActorRef): ActorSystem {
    return new ActorSystem(options, parent);
  }

  private constructor(options: SystemOptions, parent: ActorRef | undefined) {
    const { name, pool, node, cluster: _cluster, ...rest } = options;
    const poolSize = checkPoolOptions(pool);
    super(Mailbox.open({ ...rest, system: name }));
    // A child's node is its parent's (child-process.ts passes PIDGEON_NODE on).
    this.node = node !== undefined ? checkNode(node) : process.env.PIDGEON_NODE;
    this.name = name;
    this.dir = this.mailbox.dir;
    this.parent = parent;
    this.deathwatch = new DeathWatch({
      mailbox: this.mailbox,
      childReason: (pid) => this.children.reasonOf(pid),
      askParent: (parent, child) => { this.trySendSystem(parent, 'watch-child', { child }); },
    });
    this.asks = new Asks(this.outbound, this.deathwatch);
    this.registry = new Registry(this.dir);
    this.children = new Children({
      self: this.mailbox.address,
      node: this.node,
      dir: this.dir,
      systemName: name,
      sendSystem: (to, op, payload) => this.sendSystem(to, op, payload),
      trySendSystem: (to, op, payload) => this.trySendSystem(to, op, payload),
      pump: () => this.mailbox.pump(),
      takeFarewell: (ref) => this.deathwatch.takeFarewell(ref),
      childExited: (c, reason) => this.onChildExit(c, reason),
      reaped: (ref, name) => { this.mailbox.peerExited(ref); if (name !== undefined) this.registry.clearIfDead(name); },
    });
    this.children.usePool(poolSize, true);
    this.relations = new Relations({
      deathwatch: this.deathwatch,
      selfPid: this.mailbox.address.pid,
      isAlive: (a) => this.isAlive(a),
      actor: () => this.actor,
      trySendSystem: (to, op, payload) => this.trySendSystem(to, op, payload),
      deliverLocal: (msg, from) => this.dispatch.deliverLocal(msg, from),
      emitDown: (n) => this.emit('down', n),
      emitExit: (n) => this.emit('exit', n),
      exitActor: (r) => this.exitActor(r),
    }, parent);
    this.mailbox.on('error', (e) => this.emit('error', e));
    this.protocol = new Protocol((to, id, ok, body) => this.replyRuntime(to, id, ok, body), this.drops);
    const dispatch = this.dispatch = new Dispatch(this.asks, this.protocol, {
      replyTo: (to, id, ok, body) => this.replyTo(to, id, ok, body),
      send: (to, msg) => this.send(to, msg),
      emitMessage: (msg, meta) => this.emit('message', msg, meta),
      deadLetter: (to, message, error) => this.reportDeadLetter(to, message, error),
      throttle: (on) => (on ? this.mailbox.pause() : this.mailbox.resume()),
    }, parent !== undefined, this.drops, this.outbound.counts);
    this.mailbox.on('message', (m) => dispatch.onMessage(m));
    this.mailbox.on('deadLetter', (d) => dispatch.onDeadLetter(d));
    if (this.node !== undefined) {      this.remote = attachRemote(this.node, { outbound: this.outbound, deathwatch: this.deathwatch, protocol: this.protocol, dispatch, asks: this.asks,
        lookup: (n) => this.registry.lookup(n), askSystem: (to, op, p, t) => this.askSystem(to, op, p, t), deadLetter: (to, m, e) => this.reportDeadLetter(to, m, e) });
    }
    this.children.registerOps(this.protocol);
    this.relations.registerOps(this.protocol);
    this.deathwatch.registerOps(this.protocol);
    this.protocol.on('stop', isReasonPayload, (_from, payload) => {
      const reason = readReason(payload.reason);
      if (this.actor || this.exitHook) this.exitActor(reason);
      else this.emit('stopRequested', reason);
    });
    this.protocol.onAsk('info', isNothing, () => processInfo(this));
  }

  /** @internal The hosted actor, once its module has loaded (never, in a plain process). */
  get actor(): ActorRuntime | null {
    return this.dispatch.actor;
  }

  /** This process's address (with its registered name, if any). */
  get self(): ActorRef {
    // The runtime's own names (the node agent's) are not what the process is called.
    const names = this.registry.heldNames().filter((n) => !n.startsWith('pidgeon:'));
    const a = this.node === undefined ? this.mailbox.address : { ...this.mailbox.address, node: this.node };
    return names.length ? { ...a, name: names[0] } : a;
  }

  /** Start an actor in a new child process; resolves once it can receive. Typed:
   * `spawn<typeof Counter>(url, { args })` (with `import type Counter from
   * './counter.js'`) checks `args` and returns an `ActorRef` of its protocol;
   * `spawn<Protocol>(url)` names the protocol only. */
  spawn<D = any>(module: string | URL, ...[options]: SpawnParams<ArgsOf<D>>): Promise<ActorRef<ProtocolOf<D>>> {
    this.checkOpen();
    const node = (options as { node?: string } | undefined)?.node;
    if (node !== undefined && checkNode(node) !== this.node) {
      if (!this.remote) return Promise.reject(notInCluster(node));
      return spawnRemote(this.remote, (to, op, p, t) => this.askSystem(to, op, p, t), node, module, { ...options });
    }
    return this.children.spawn(module, options).then((r) => this.onNode(r));
  }

  /** Request/response: resolves with the reply; rejects with ETIMEDOUT, or with
   * EDEADACTOR at once when the target is gone or dies first. */
  ask<P = any, const M extends Askable<P> = Askable<P>>(to: ActorRef<P>, msg: M, options: AskOptions = {}): Promise<ReplyOf<P, M>> {
    this.checkOpen();
    checkRef(to);
    return this.asks.request(to, null, msg, options.timeout ?? 5000, options.fds) as Promise<ReplyOf<P, M>>;
  }

  /** Watch `ref`: one `down` event when it exits ('noproc' if it is already gone). */
  monitor(ref: ActorRef): string {
    return this.monitorFor(ref, 'event');
  }

  /** @internal */
  monitorFor(ref: ActorRef, to: 'event' | 'actor'): string {
    this.checkOpen();
    checkRef(ref);
    return this.relations.monitor(ref, to);
  }

  /** Stop watching (no `down` will follow). */
  demonitor(monitor: string): void {
    this.relations.demonitor(monitor);
  }

  /** Link: if either exits abnormally the other exits too (unless it traps exits;
   * a plain process always does and gets an `exit` event). */
  link(ref: ActorRef): void {
    this.checkOpen();
    checkRef(ref);
    this.relations.link(ref);
  }

  unlink(ref: ActorRef): void {
    this.relations.unlink(ref);
  }

  /** Stop an actor: a child through its shutdown protocol (stop request, then SIGKILL
   * after `timeout`), another actor by stop request then SIGKILL through its pidfd. */
  stop(ref: ActorRef, options: { timeout?: ShutdownSpec } = {}): Promise<ExitReason> {
    this.checkOpen();
    checkRef(ref);
    const child = this.children.get(ref.pid);
    const timeout = checkShutdownSpec(options.timeout ?? 5000, 'stop timeout');
    if (child && child.ref?.instance === ref.instance) return this.children.stop(child, timeout);
    return stopActor(ref, timeout, this.deathwatch, (to, op, payload) => this.trySendSystem(to, op, payload));
  }

  /** Facts about an actor (pid, name, parent, uptime, mailbox stats). */
  info(ref?: ActorRef, options: { timeout?: number } = {}): Promise<unknown> {
    if (ref === undefined) return Promise.resolve(processInfo(this));
    return this.askSystem(ref, 'info', null, options.timeout ?? 2000);
  }

  /** Counters of this process (mailbox, what the core dropped, dead letters, asks, children). */
  stats(): SystemStats {
    const s = this.mailbox.stats();
    return {
      ...s,
      dropped: { ...s.dropped, ...this.drops },
      ...splitCounts(this.outbound.counts),
      deadLetters: this.deadLetterCount, // as many as 'deadLetter' events
      asksPending: this.asks.size,
      children: this.children.list().length,
      ...queueStats(this.actor),
      pool: this.children.poolCounts,
    };
  }

  /** Stop every child (last started first), tell watchers, close the mailbox. */
  async shutdown(options: { timeout?: ShutdownSpec } = {}): Promise<void> {
    if (this.closed) return;
    await this.children.stopAll(checkShutdownSpec(options.timeout ?? 5000, 'shutdown timeout'));
    await this.closeWith('shutdown');
  }

  get isClosed(): boolean {
    return this.closed;
  }
  // ---- internal: used by the context, child-main and the supervision layer ----

  /** @internal Ask a runtime question (answered by a handler, not by receive). */
  override askSystem(to: ActorRef, op: string, payload: unknown, timeout = 5000): Promise<unknown> {
    this.checkOpen();
    checkRef(to);
    return this.asks.request(to, op, payload, timeout);
  }

  /** @internal Layers above register handlers for their own runtime messages. */
  onSystem<T>(op: string, check: PayloadCheck<T>, handler: SystemHandler<T>): void {
    this.protocol.on(op, check, handler);
  }
  /** @internal Runtime messages the mailbox could not deliver (a proxy's relays). */
  onUndeliveredSystem(h: (to: Address, op: string, payload: unknown, error: PidgeonError) => void): void {
    this.dispatch.undeliveredRuntime = h;
  }
  /** @internal */
  onSystemAsk<T>(op: string, check: PayloadCheck<T>, handler: SystemAskHandler<T>): void {
    this.protocol.onAsk(op, check, handler);
  }

  /** @internal Host the actor of this process. */
  hostActor(def: ActorDefinition, crash: (err: unknown) => void, mailboxCapacity?: number): ActorRuntime {
    const actor = new ActorRuntime(def, this, this, crash, { pause: () => this.mailbox.pause(), resume: () => this.mailbox.resume(), awaitingReply: () => this.asks.size > 0 }, mailboxCapacity);
    this.asks.onBusyChange = () => actor.reconsider();
    this.dispatch.attach(actor);
    return actor;
  }

  /** @internal Exit this actor process with `reason` (see child-main). */
  exitActor(reason: ExitReason): void {
    if (this.exitHook) void this.exitHook(reason);
    else void this.closeWith(reason);
  }

  /** @internal Orderly close: stop children, farewell to watchers, close the mailbox. */
  closeWith(reason: ExitReason): Promise<void> {
    if (this.exiting) return this.exiting;
    this.exiting = (async () => {
      this.actor?.halt();
      await this.children.stopAll(5000);
      for (const w of this.relations.watcherList()) this.trySendSystem(w, 'farewell', { reason: wireReason(reason) });
      this.asks.failAll(new ClosedError('actor system closed'));
      await this.agent?.close();
      this.relations.close();
      this.registry.unregisterAll(this.mailbox.address);
      this.deathwatch.close();
      this.closed = true;
      await this.mailbox.close({ timeout: 2000 });
    })();
    return this.exiting;
  }

  private onChildExit(c: ChildHandle, reason: ExitReason): void {
    if (c.ref) this.emit('childExit', { ref: c.ref, reason, module: c.module, ...(c.name ? { name: c.name } : {}) });
  }
}
