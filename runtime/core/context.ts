// What an actor's functions see: the context (the actor's own view of the runtime)
// and the shapes of the functions that receive it (Receive, ActorDefinition), with
// the types read off a definition (ProtocolOf, ArgsOf). The context reaches its
// process through ContextHost and its message loop through ContextLoop, so this
// file imports neither the system nor the loop.
import type { ActorRef, Askable, Replies, ReplyOf } from './refs.js';
import type { ExitReason } from './reasons.js';
import type { AskOptions, SendOptions, SpawnParams } from './options.js';
import type { ChildCallOptions, ChildCount, ChildInfo, ChildSpec, SuperviseOptions, SupervisorSpec } from './supervision.js';
import { BadArgumentError } from '../errors.js';

/** The fds of a message that carries none (shared, never written to). */
export const EMPTY_FDS = Object.freeze([]) as unknown as number[];

/** One message waiting for (or being handled by) the actor. */
export interface QueuedMessage {
  from: ActorRef;
  msg: unknown;
  askId: number | undefined;
  fds: number[];
  fdsTaken: boolean;
}

/** A receive function for protocol `P`: handles one message; may be async (the
 * next waits for it). */
export type Receive<P = any> = (ctx: ActorContext<P>, msg: P) => void | Promise<void>;

/** What an actor module exports by default: the behaviour of an actor that accepts
 * the messages `P` and is started with the args `A`. */
export interface ActorDefinition<P = any, A = any> {
  /** Runs once before the actor is reported ready; a throw fails the spawn. */
  init?(ctx: ActorContext<P>, args: A): void | Promise<void>;
  /** Handles one message at a time, in arrival order. */
  receive: Receive<P>;
  /** Runs on an orderly stop (not after SIGKILL). */
  terminate?(ctx: ActorContext<P>, reason: ExitReason): void | Promise<void>;
  /** Messages waiting for `receive` past which the process stops reading its socket,
   * so that senders see backpressure (default 1000; `spawn`'s option overrides). */
  mailboxCapacity?: number;
}

/** The protocol of an actor module's definition (`ProtocolOf<typeof Counter>`), or
 * `D` itself when it is a protocol already. */
export type ProtocolOf<D> = 0 extends 1 & D ? any : [D] extends [ActorDefinition<infer P, any>] ? P : D;
/** The args an actor module's `init` takes (unknown when `D` is not a definition). */
export type ArgsOf<D> = 0 extends 1 & D ? any : [D] extends [ActorDefinition<any, infer A>] ? A : unknown;

/** What a context needs from its process's system (the system itself is one). */
export interface ContextHost {
  readonly self: ActorRef;
  send<Q = any>(to: ActorRef<Q>, msg: NoInfer<Q>, options?: SendOptions): boolean;
  replyTo(to: ActorRef, id: number, ok: boolean, body: unknown, options?: SendOptions): boolean;
  ask<Q = any, const M extends Askable<Q> = Askable<Q>>(to: ActorRef<Q>, msg: M, options?: AskOptions): Promise<ReplyOf<Q, M>>;
  spawn<D = any>(module: string | URL, ...options: SpawnParams<ArgsOf<D>>): Promise<ActorRef<ProtocolOf<D>>>;
  monitorFor(ref: ActorRef, to: 'event' | 'actor'): string;
  demonitor(monitor: string): void;
  link(ref: ActorRef): void;
  unlink(ref: ActorRef): void;
  exitActor(reason: ExitReason): void;
  lookup<Q = any>(name: string): ActorRef<Q> | undefined;
}

/** The parts of the actor's message loop (actor-runtime.ts) that its context changes. */
export interface ContextLoop {
  readonly behaviours: Receive[];
  readonly stashed: QueuedMessage[];
  trapExit: boolean;
  unstashAll(): void;
}

/** `ctx.system`, as users see it: this process's `ActorSystem`. system.ts, the
 * composition root, declares that (declaration merging), so that this file need
 * not import the file that imports it. */
export interface ContextSystem {}

/** What an actor's functions see: the actor's own view of the runtime. `P` is the
 * actor's protocol (the messages it accepts). */
export class ActorContext<P = any> {
  /** @internal */ current: QueuedMessage | null = null;
  constructor(private readonly loop: ContextLoop, private readonly host: ContextHost, readonly system: ContextSystem) {}

  /** This actor's address. */
  get self(): ActorRef<P> {
    return this.host.self;
  }
  /** Who sent the message being handled. */
  get sender(): ActorRef | undefined {
    return this.current?.from;
  }
  /** File descriptors that came with the message being handled (closed after receive
   * returns unless taken with `takeFds()`). */
  get fds(): readonly number[] {
    return this.current?.fds ?? [];
  }
  /** Keep the current message's fds: the actor now owns (and must close) them. */
  takeFds(): number[] {
    if (!this.current) return [];
    this.current.fdsTaken = true;
    return [...this.current.fds];
  }
  send<Q = any>(to: ActorRef<Q>, msg: NoInfer<Q>, options?: SendOptions): boolean {
    return this.host.send(to, msg, options);
  }
  /** Answer the message being handled: the reply of an `ask`, else a message to the
   * sender. Typed actors may only answer with a reply their protocol declares. */
  reply(msg: Replies<P>, options?: SendOptions): boolean {
    const cur = this.current;
    if (!cur) throw new BadArgumentError('reply() outside of receive');
    if (cur.askId !== undefined) {
      const id = cur.askId;
      cur.askId = undefined; // one reply per ask
      return this.host.replyTo(cur.from, id, true, msg, options);
    }
    return this.host.send(cur.from, msg, options);
  }
  /** Answer the current message later (OTP's gen_server:reply): returns a function
   * that sends the reply once, from any later point; `reply()` is then a no-op. */
  replyLater(): (msg: Replies<P>, options?: SendOptions) => boolean {
    const cur = this.current;
    if (!cur) throw new BadArgumentError('replyLater() outside of receive');
    const from = cur.from;
    const id = cur.askId;
    cur.askId = undefined;
    let done = false;
    return (msg, options) => {
      if (done) return false;
      done = true;
      return id !== undefined ? this.host.replyTo(from, id, true, msg, options) : this.host.send(from, msg, options);
    };
  }
  ask<Q = any, const M extends Askable<Q> = Askable<Q>>(to: ActorRef<Q>, msg: M, options?: AskOptions): Promise<ReplyOf<Q, M>> {
    return this.host.ask(to, msg, options);
  }
  /** Start a child actor of this actor (its process is a child of this process);
   * typed as `ActorSystem.spawn<D>`. */
  spawn<D = any>(module: string | URL, ...options: SpawnParams<ArgsOf<D>>): Promise<ActorRef<ProtocolOf<D>>> {
    return this.host.spawn<D>(module, ...options);
  }
  /** Handle messages with `fn` from the next message on (pushes; `unbecome` pops). */
  become(fn: Receive<P>): void {
    if (typeof fn !== 'function') throw new BadArgumentError('become() needs a function');
    this.loop.behaviours.push(fn);
  }
  /** Go back to the previous behaviour (never below the module's receive). */
  unbecome(): void {
    if (this.loop.behaviours.length > 1) this.loop.behaviours.pop();
  }
  /** Put the current message aside until `unstashAll()`. */
  stash(): void {
    if (!this.current) throw new BadArgumentError('stash() outside of receive');
    this.loop.stashed.push(this.current);
    this.current.fdsTaken = true; // its fds stay open until it is handled again
  }
  /** Put every stashed message back at the front of the queue, in original order. */
  unstashAll(): void {
    this.loop.unstashAll();
  }
  /** Watch `ref`: a `{ type: 'DOWN', ref, reason, monitor }` message arrives when it exits. */
  monitor(ref: ActorRef): string {
    return this.host.monitorFor(ref, 'actor');
  }
  demonitor(monitor: string): void {
    this.host.demonitor(monitor);
  }
  /** Share fate with `ref` (see trapExit). */
  link(ref: ActorRef): void {
    this.host.link(ref);
  }
  unlink(ref: ActorRef): void {
    this.host.unlink(ref);
  }
  /** true: a linked actor's exit arrives as `{ type: 'EXIT', from, reason }` instead of killing us. */
  trapExit(on: boolean): void {
    this.loop.trapExit = on;
  }
  /** Stop this actor (after the current message) with `reason` (default 'normal'). */
  stop(reason: ExitReason | Error = 'normal'): void {
    this.host.exitActor(reason instanceof Error ? { error: reason } : reason);
  }
  /** The live actor registered as `name` (typed as accepting `Q`, unchecked). */
  lookup<Q = any>(name: string): ActorRef<Q> | undefined {
    return this.host.lookup<Q>(name);
  }

  // The supervision calls, as `ctx.system` has them (supervision-calls.ts says what each does).
  supervise(spec: SupervisorSpec, options?: SuperviseOptions): Promise<ActorRef> {
    return this.system.supervise(spec, options);
  }
  whichChildren(supervisor: ActorRef, options?: { timeout?: number }): Promise<ChildInfo[]> {
    return this.system.whichChildren(supervisor, options);
  }
  which(supervisor: ActorRef, options?: { timeout?: number }): Promise<ChildInfo[]> {
    return this.system.which(supervisor, options);
  }
  startChild(supervisor: ActorRef, child: ChildSpec, options?: ChildCallOptions): Promise<ActorRef>;
  startChild(supervisor: ActorRef, args?: unknown, options?: ChildCallOptions): Promise<ActorRef>;
  startChild(supervisor: ActorRef, child?: unknown, options?: ChildCallOptions): Promise<ActorRef> {
    return this.system.startChild(supervisor, child, options);
  }
  terminateChild(supervisor: ActorRef, id: string | ActorRef, options?: ChildCallOptions): Promise<void> {
    return this.system.terminateChild(supervisor, id, options);
  }
  restartChild(supervisor: ActorRef, id: string, options?: ChildCallOptions): Promise<ActorRef> {
    return this.system.restartChild(supervisor, id, options);
  }
  deleteChild(supervisor: ActorRef, id: string, options?: ChildCallOptions): Promise<void> {
    return this.system.deleteChild(supervisor, id, options);
  }
  countChildren(supervisor: ActorRef, options?: ChildCallOptions): Promise<ChildCount> {
    return this.system.countChildren(supervisor, options);
  }
  getChildSpec(supervisor: ActorRef, id: string | ActorRef, options?: ChildCallOptions): Promise<ChildSpec> {
    return this.system.getChildSpec(supervisor, id, options);
  }
}
