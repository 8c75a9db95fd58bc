// ActorSystem: this process's place in a system of actors. It owns the mailbox and
// routes envelopes: user messages to the hosted actor (or `message` events in a
// plain process), replies to pending asks, runtime messages to the handshake,
// monitors, links and stop requests. The public API of the actor core.
import { EventEmitter } from 'eventemitter3';
import {
  Mailbox, isAddress, listLive, type Address, type InboundMessage, type MailboxOptions, type MailboxStats,
} from '../transport/index.js';
import { BadArgumentError, ClosedError, DeadActorError, PidgeonError } from '../errors.js';
import type { ActorDefinition, ArgsOf, ProtocolOf, QueuedMessage } from './context.js';
import type { AskOptions, SendOptions, ShutdownSpec, SpawnParams } from './options.js';
import type { ActorRef, Askable, ReplyOf } from './refs.js';
import { Asks } from './asks.js';
import { ChildHandle, Children } from './children.js';
import { ActorRuntime } from './actor-runtime.js';
import { DeathWatch } from './deathwatch.js';
import { T_ASK, T_MSG, T_REPLY, T_SYS, T_SYSASK, decodeEnvelope, encodeEnvelope, type Envelope } from './envelope.js';
import { Registry } from './registry.js';
import { Protocol, type SystemHandler, type SystemAskHandler } from './protocol.js';
import { readReason, safeJson, wireReason, type ExitReason } from './reasons.js';
import { Relations, type DownNotice } from './relations.js';
export type { DownNotice } from './relations.js';

declare module './context.js' {
  /** `ctx.system` is this process's ActorSystem. */
  interface ContextSystem extends ActorSystem {}
}

/** Options of `ActorSystem.start`. */
export interface SystemOptions extends Omit<MailboxOptions, 'system'> {
  /** The system's name (its directory is derived from it unless `dir` is given). */
  name: string;
}
/** Extra facts about a message received by a plain (non-actor) process. */
export interface MessageMeta {
  from: ActorRef;
  fds: readonly number[];
  takeFds(): number[];
  /** Answer an ask (or send to the sender). */
  reply(msg: unknown): boolean;
}
export interface DeadLetterNotice { to: ActorRef; message: unknown; error: PidgeonError }

export interface SystemEvents {
  /** A monitored actor exited. */
  down: (n: DownNotice) => void;
  /** A message could not be delivered. */
  deadLetter: (n: DeadLetterNotice) => void;
  /** A linked actor exited (a plain process always traps exits). */
  exit: (n: { from: ActorRef; reason: ExitReason }) => void;
  /** A child of this process exited after it had started. */
  childExit: (n: { ref: ActorRef; reason: ExitReason; module: string; name?: string }) => void;
  /** A user message to a plain (non-actor) process. */
  message: (msg: unknown, meta: MessageMeta) => void;
  /** Someone asked this plain process to stop (e.g. `pidgeon stop`). */
  stopRequested: (reason: ExitReason) => void;
  error: (err: Error) => void;
}



/** This process's membership in a system of actors. */
export class ActorSystem extends EventEmitter<SystemEvents> {
  readonly name: string;
  readonly dir: string;
  /** @internal */ readonly mailbox: Mailbox;
  /** @internal */ readonly deathwatch: DeathWatch;
  /** @internal */ readonly registry: Registry;
  /** @internal */ readonly children: Children;
  /** The parent actor's address (undefined in a root process). */
  readonly parent: ActorRef | undefined;
  /** @internal */ actor: ActorRuntime | null = null;
  /** @internal */ module: string | undefined;
  readonly startedAt = Date.now();
  private readonly asks = new Asks();
  private readonly relations: Relations;
  private readonly protocol: Protocol;
  private deadLetterCount = 0;
  private closed = false;
  private exiting: Promise<void> | null = null;
  /** @internal */ exitHook: ((reason: ExitReason) => Promise<void>) | null = null;
  // In an actor process, user messages that arrive before the module has loaded
  // (a name is registered first) wait here for the actor.
  private early: QueuedMessage[] | null = null;

  /** Open this process's mailbox in the system `name`. */
  static async start(options: SystemOptions): Promise<ActorSystem> {
    if (typeof options !== 'object' || options === null) throw new BadArgumentError('ActorSystem.start needs { name }');
    return new ActorSystem(options, undefined);
  }

  /** @internal Used by child-main: an actor process's system, with its parent. */
  static startChild(options: SystemOptions, parent: ActorRef): ActorSystem {
    const sys = new ActorSystem(options, parent);
    sys.early = [];
    return sys;
  }

  private constructor(options: SystemOptions, parent: ActorRef | undefined) {
    super();
    const { name, ...rest } = options;
    this.mailbox = Mailbox.open({ ...rest, system: name });
    this.name = name;
    this.dir = this.mailbox.dir;
    this.parent = parent;
    this.deathwatch = new DeathWatch({
      mailbox: this.mailbox,
      childReason: (pid) => this.children.reasonOf(pid),
      askParent: (parent, child) => { this.trySendSystem(parent, 'watch-child', { child }); },
    });
    this.registry = new Registry(this.dir);
    this.children = new Children({
      self: this.mailbox.address,
      dir: this.dir,
      systemName: name,
      sendSystem: (to, op, payload) => this.sendSystem(to, op, payload),
      trySendSystem: (to, op, payload) => this.trySendSystem(to, op, payload),
      pump: () => this.mailbox.pump(),
      takeFarewell: (ref) => this.deathwatch.takeFarewell(ref),
      childExited: (c, reason) => this.onChildExit(c, reason),
    });
    this.relations = new Relations({
      deathwatch: this.deathwatch,
      selfPid: this.mailbox.address.pid,
      actor: () => this.actor,
      trySendSystem: (to, op, payload) => this.trySendSystem(to, op, payload),
      deliverLocal: (msg, from) => this.deliverLocal(msg, from),
      emitDown: (n) => this.emit('down', n),
      emitExit: (n) => this.emit('exit', n),
      exitActor: (r) => this.exitActor(r),
    }, parent);
    this.mailbox.on('message', (m) => this.onMessage(m));
    this.mailbox.on('deadLetter', (d) => {
      const env = decodeEnvelope(d.body);
      // User messages, asks and replies are dead letters; runtime messages (a farewell
      // to a watcher that is gone) are not news to anyone.
      if (env && env[0] === T_MSG) this.reportDeadLetter(d.to, env[1], d.error);
      else if (env && env[0] === T_ASK) this.reportDeadLetter(d.to, env[2], d.error);
      else if (env && env[0] === T_REPLY) this.reportDeadLetter(d.to, env[3], d.error);
    });
    this.mailbox.on('error', (e) => this.emit('error', e));
    this.protocol = new Protocol((to, id, ok, body) => this.replyTo(to, id, ok, body));
    this.children.registerOps(this.protocol);
    this.relations.registerOps(this.protocol);
    this.deathwatch.registerOps(this.protocol);
    this.protocol.on('stop', (_from, payload) => {
      const reason = readReason(payload?.reason ?? 'shutdown');
      if (this.actor || this.exitHook) this.exitActor(reason);
      else this.emit('stopRequested', reason);
    });
    this.protocol.onAsk('info', () => this.localInfo());
  }

  /** This process's address (with its registered name, if any). */
  get self(): ActorRef {
    const names = this.registry.heldNames();
    return names.length ? { ...this.mailbox.address, name: names[0] } : this.mailbox.address;
  }

  /** Start an actor in a new child process; resolves once it can receive. Typed:
   * `spawn<typeof Counter>(url, { args })` (with `import type Counter from
   * './counter.js'`) checks `args` and returns an `ActorRef` of its protocol;
   * `spawn<Protocol>(url)` names the protocol only. */
  spawn<D = any>(module: string | URL, ...[options]: SpawnParams<ArgsOf<D>>): Promise<ActorRef<ProtocolOf<D>>> {
    this.checkOpen();
    return this.children.spawn(module, options);
  }

  /** Fire-and-forget; false means "queue past the high-water mark: await drained()".
   * A message to a dead actor becomes a `deadLetter` event. */
  send<P = any>(to: ActorRef<P>, msg: NoInfer<P>, options?: SendOptions): boolean {
    return this.sendEnvelope(to, [T_MSG, msg], options, msg);
  }

  /** Resolves when the queue to `to` is below its high-water mark. */
  drained(to: ActorRef): Promise<void> {
    return this.mailbox.drained(to);
  }

  /** Request/response: resolves with the reply; rejects with ETIMEDOUT, or with
   * EDEADACTOR at once when the target is gone or dies first. */
  ask<P = any, const M extends Askable<P> = Askable<P>>(to: ActorRef<P>, msg: M, options: AskOptions = {}): Promise<ReplyOf<P, M>> {
    this.checkOpen();
    checkRef(to);
    const timeout = options.timeout ?? 5000;
    if (typeof timeout !== 'number' || !(timeout > 0)) throw new BadArgumentError('ask timeout must be a positive number');
    const { id, promise } = this.asks.create(to, timeout, (died) => this.deathwatch.watch(to, died, true));
    try {
      this.mailbox.send(to, encodeEnvelope([T_ASK, id, msg]), options.fds ? { fds: options.fds } : undefined);
    } catch (err) {
      this.asks.fail(id, err as Error);
    }
    return promise as Promise<ReplyOf<P, M>>;
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

  /** Is `ref` alive now? (its lockfile is held by the same incarnation; no message sent) */
  isAlive(ref: ActorRef): boolean {
    checkRef(ref);
    return this.mailbox.isAlive(ref);
  }

  /** The live actor registered as `name` in this system, or undefined. `lookup<P>`
   * types the ref as accepting `P`, unchecked (the registry holds addresses only). */
  lookup<P = any>(name: string): ActorRef<P> | undefined {
    return this.registry.lookup(name);
  }

  /** Register this process under `name` (ENAMETAKEN if a live actor has it). */
  register(name: string): void {
    this.checkOpen();
    this.registry.register(name, this.mailbox.address);
  }

  /** Send `msg` to every other live actor of the system; returns how many. */
  broadcast(msg: unknown): number {
    this.checkOpen();
    let n = 0;
    for (const a of listLive(this.dir)) {
      if (a.pid === this.mailbox.address.pid) continue;
      this.send(a, msg);
      n++;
    }
    return n;
  }

  /** Stop an actor: a child through its shutdown protocol (stop request, then SIGKILL
   * after `timeout`), another actor by stop request then SIGKILL through its pidfd. */
  stop(ref: ActorRef, options: { timeout?: ShutdownSpec } = {}): Promise<ExitReason> {
    this.checkOpen();
    checkRef(ref);
    const child = this.children.get(ref.pid);
    if (child && child.ref?.instance === ref.instance) return this.children.stop(child, options.timeout ?? 5000);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      // The watch ends by itself when it fires (it resolves this stop).
      this.deathwatch.watch(ref, (reason) => {
        if (timer) clearTimeout(timer);
        resolve(reason);
      });
      this.trySendSystem(ref, 'watch', null); // so that its farewell tells us the reason
      this.trySendSystem(ref, 'stop', { reason: 'shutdown' });
      const t = options.timeout ?? 5000;
      if (typeof t === 'number') timer = setTimeout(() => this.deathwatch.kill(ref, 'SIGKILL'), t);
      else if (t === 'brutal_kill') this.deathwatch.kill(ref, 'SIGKILL');
    });
  }

  /** Facts about an actor (pid, name, parent, uptime, mailbox stats). */
  info(ref?: ActorRef, options: { timeout?: number } = {}): Promise<unknown> {
    if (ref === undefined) return Promise.resolve(this.localInfo());
    return this.askSystem(ref, 'info', null, options.timeout ?? 2000);
  }

  /** Counters of this process (mailbox, dead letters, asks, children). */
  stats(): MailboxStats & { deadLetters: number; asksPending: number; children: number; queueLength: number } {
    const s = this.mailbox.stats();
    return {
      ...s,
      deadLetters: this.deadLetterCount, // as many as 'deadLetter' events
      asksPending: this.asks.size,
      children: this.children.list().length,
      queueLength: this.actor?.queueLength ?? 0,
    };
  }

  /** Stop every child (last started first), tell watchers, close the mailbox. */
  async shutdown(options: { timeout?: ShutdownSpec } = {}): Promise<void> {
    if (this.closed) return;
    await this.children.stopAll(options.timeout ?? 5000);
    await this.closeWith('shutdown');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- internal: used by the context, child-main and the supervision layer ----

  /** @internal Send a reply to an ask. */
  replyTo(to: ActorRef, id: number, ok: boolean, body: unknown, options?: SendOptions): boolean {
    return this.sendEnvelope(to, [T_REPLY, id, ok, body], options, body);
  }

  /** @internal Send a runtime message; throws EDEADACTOR if `to` is gone. */
  sendSystem(to: Address, op: string, payload: unknown): boolean {
    return this.mailbox.send(to, encodeEnvelope([T_SYS, op, payload]));
  }

  /** @internal Ask a runtime question (answered by a handler, not by receive). */
  askSystem(to: ActorRef, op: string, payload: unknown, timeout = 5000): Promise<unknown> {
    this.checkOpen();
    checkRef(to);
    const { id, promise } = this.asks.create(to, timeout, (died) => this.deathwatch.watch(to, died, true));
    try {
      this.mailbox.send(to, encodeEnvelope([T_SYSASK, id, op, payload]));
    } catch (err) {
      this.asks.fail(id, err as Error);
    }
    return promise;
  }

  /** @internal Layers above register handlers for their own runtime messages. */
  onSystem(op: string, handler: SystemHandler): void {
    this.protocol.on(op, handler);
  }
  /** @internal */
  onSystemAsk(op: string, handler: SystemAskHandler): void {
    this.protocol.onAsk(op, handler);
  }

  /** @internal Host the actor of this process. */
  hostActor(def: ActorDefinition, crash: (err: unknown) => void): ActorRuntime {
    this.actor = new ActorRuntime(def, this, this, crash);
    for (const m of this.early ?? []) this.actor.enqueue(m);
    this.early = null;
    return this.actor;
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
      this.relations.close();
      this.registry.unregisterAll(this.mailbox.address);
      this.deathwatch.close();
      this.closed = true;
      await this.mailbox.close({ timeout: 2000 });
    })();
    return this.exiting;
  }

  private localInfo() {
    return {
      pid: this.mailbox.address.pid,
      instance: this.mailbox.address.instance,
      names: this.registry.heldNames(),
      parent: this.parent ?? null,
      module: this.module ?? null,
      startedAt: this.startedAt,
      uptimeMs: Date.now() - this.startedAt,
      stats: this.stats(),
      children: this.children.list().map((c) => ({ pid: c.pid, instance: c.ref?.instance ?? null, name: c.name ?? null, module: c.module, state: c.state })),
    };
  }

  private checkOpen(): void {
    if (this.closed || this.exiting) throw new ClosedError('actor system is closed');
  }

  private sendEnvelope(to: ActorRef, env: Envelope, options: SendOptions | undefined, message: unknown): boolean {
    this.checkOpen();
    checkRef(to);
    try {
      return this.mailbox.send(to, encodeEnvelope(env), options?.fds ? { fds: options.fds } : undefined);
    } catch (err) {
      if (err instanceof DeadActorError) {
        this.reportDeadLetter(to, message, err);
        return true;
      }
      throw err;
    }
  }

  private reportDeadLetter(to: Address, message: unknown, error: PidgeonError): void {
    this.deadLetterCount++;
    this.emit('deadLetter', { to, message, error });
  }

  private trySendSystem(to: Address, op: string, payload: unknown): boolean {
    try {
      return this.sendSystem(to, op, payload);
    } catch {
      return false;
    }
  }


  private onChildExit(c: ChildHandle, reason: ExitReason): void {
    if (c.ref) this.emit('childExit', { ref: c.ref, reason, module: c.module, ...(c.name ? { name: c.name } : {}) });
  }

  private deliverLocal(msg: unknown, from: ActorRef): void {
    this.actor?.enqueue({ from, msg, askId: undefined, fds: [], fdsTaken: false });
  }

  private onMessage(m: InboundMessage): void {
    const env = decodeEnvelope(m.body);
    if (env === null) return; // not an envelope: counted by nobody's receive, dropped
    switch (env[0]) {
      case T_MSG:
        return this.deliverUser(m, env[1], undefined);
      case T_ASK:
        return this.deliverUser(m, env[2], env[1]);
      case T_REPLY:
        return this.asks.settle(env[1], m.from, env[2], env[3]);
      case T_SYS:
        return this.protocol.message(m.from, env[1], env[2]);
      case T_SYSASK:
        return this.protocol.ask(m.from, env[1], env[2], env[3]);
    }
  }

  private deliverUser(m: InboundMessage, msg: unknown, askId: number | undefined): void {
    if (this.actor || this.early) {
      const q = { from: m.from, msg, askId, fds: m.fds.length ? m.takeFds() : [], fdsTaken: false };
      if (this.actor) this.actor.enqueue(q);
      else this.early!.push(q);
      return;
    }
    let replied = false;
    this.emit('message', msg, {
      from: m.from,
      fds: m.fds,
      takeFds: () => m.takeFds(),
      reply: (v: unknown) => {
        if (askId !== undefined && !replied) {
          replied = true;
          return this.replyTo(m.from, askId, true, v);
        }
        return this.send(m.from, v);
      },
    });
  }
}

function checkRef(ref: unknown): asserts ref is ActorRef {
  if (!isAddress(ref)) throw new BadArgumentError(`not an actor reference: ${safeJson(ref)}`);
}
