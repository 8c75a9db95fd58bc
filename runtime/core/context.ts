// The inside of an actor process: its behaviour stack, its queue of messages
// (handled one at a time, in arrival order, even when receive is async), its stash,
// and the context object its functions receive.
import type { ActorDefinition, ActorRef, ArgsOf, ProtocolOf, Receive } from './actor.js';
import type { ExitReason } from './reasons.js';
import type { Askable, Replies, ReplyOf } from './refs.js';
import type { ActorSystem, AskOptions, SendOptions, SpawnParams } from './system.js';
import { closeFd } from '../transport/index.js';
import { BadArgumentError } from '../errors.js';

/** One message waiting for (or being handled by) the actor. */
export interface QueuedMessage {
  from: ActorRef;
  msg: unknown;
  askId: number | undefined;
  fds: number[];
  fdsTaken: boolean;
}

/** What an actor's functions see: the actor's own view of the runtime. `P` is the
 * actor's protocol (the messages it accepts). */
export class ActorContext<P = any> {
  /** @internal */ current: QueuedMessage | null = null;
  constructor(private readonly runtime: ActorRuntime, readonly system: ActorSystem) {}

  /** This actor's address. */
  get self(): ActorRef<P> {
    return this.system.self;
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
    return this.system.send(to, msg, options);
  }
  /** Answer the message being handled: the reply of an `ask`, else a message to the
   * sender. Typed actors may only answer with a reply their protocol declares. */
  reply(msg: Replies<P>, options?: SendOptions): boolean {
    const cur = this.current;
    if (!cur) throw new BadArgumentError('reply() outside of receive');
    if (cur.askId !== undefined) {
      const id = cur.askId;
      cur.askId = undefined; // one reply per ask
      return this.system.replyTo(cur.from, id, true, msg, options);
    }
    return this.system.send(cur.from, msg, options);
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
      return id !== undefined ? this.system.replyTo(from, id, true, msg, options) : this.system.send(from, msg, options);
    };
  }
  ask<Q = any, const M extends Askable<Q> = Askable<Q>>(to: ActorRef<Q>, msg: M, options?: AskOptions): Promise<ReplyOf<Q, M>> {
    return this.system.ask(to, msg, options);
  }
  /** Start a child actor of this actor (its process is a child of this process);
   * typed as `ActorSystem.spawn<D>`. */
  spawn<D = any>(module: string | URL, ...options: SpawnParams<ArgsOf<D>>): Promise<ActorRef<ProtocolOf<D>>> {
    return this.system.spawn<D>(module, ...options);
  }
  /** Handle messages with `fn` from the next message on (pushes; `unbecome` pops). */
  become(fn: Receive<P>): void {
    if (typeof fn !== 'function') throw new BadArgumentError('become() needs a function');
    this.runtime.behaviours.push(fn);
  }
  /** Go back to the previous behaviour (never below the module's receive). */
  unbecome(): void {
    if (this.runtime.behaviours.length > 1) this.runtime.behaviours.pop();
  }
  /** Put the current message aside until `unstashAll()`. */
  stash(): void {
    if (!this.current) throw new BadArgumentError('stash() outside of receive');
    this.runtime.stashed.push(this.current);
    this.current.fdsTaken = true; // its fds stay open until it is handled again
  }
  /** Put every stashed message back at the front of the queue, in original order. */
  unstashAll(): void {
    this.runtime.unstashAll();
  }
  /** Watch `ref`: a `{ type: 'DOWN', ref, reason, monitor }` message arrives when it exits. */
  monitor(ref: ActorRef): string {
    return this.system.monitorFor(ref, 'actor');
  }
  demonitor(monitor: string): void {
    this.system.demonitor(monitor);
  }
  /** Share fate with `ref` (see trapExit). */
  link(ref: ActorRef): void {
    this.system.link(ref);
  }
  unlink(ref: ActorRef): void {
    this.system.unlink(ref);
  }
  /** true: a linked actor's exit arrives as `{ type: 'EXIT', from, reason }` instead of killing us. */
  trapExit(on: boolean): void {
    this.runtime.trapExit = on;
  }
  /** Stop this actor (after the current message) with `reason` (default 'normal'). */
  stop(reason: ExitReason | Error = 'normal'): void {
    this.system.exitActor(reason instanceof Error ? { error: reason } : reason);
  }
  /** The live actor registered as `name` (typed as accepting `Q`, unchecked). */
  lookup<Q = any>(name: string): ActorRef<Q> | undefined {
    return this.system.lookup<Q>(name);
  }
}

/** The message loop of the one actor hosted by this process. */
export class ActorRuntime {
  readonly behaviours: Receive[];
  readonly stashed: QueuedMessage[] = [];
  readonly ctx: ActorContext;
  trapExit = false;
  private queue: QueuedMessage[] = [];
  private head = 0;
  private running = false;
  private started = false;
  private halted = false;

  constructor(readonly def: ActorDefinition, system: ActorSystem, private readonly crash: (err: unknown) => void) {
    this.behaviours = [def.receive];
    this.ctx = new ActorContext(this, system);
  }

  get queueLength(): number {
    return this.queue.length - this.head;
  }

  enqueue(m: QueuedMessage): void {
    if (this.halted) {
      closeAll(m);
      return;
    }
    this.queue.push(m);
    if (this.started && !this.running) void this.run();
  }

  /** Begin handling messages (after init). */
  start(): void {
    this.started = true;
    if (!this.running) void this.run();
  }

  /** Stop handling messages; what is queued is dropped (the actor is exiting). */
  halt(): void {
    this.halted = true;
    for (let i = this.head; i < this.queue.length; i++) closeAll(this.queue[i]);
    for (const m of this.stashed) closeAll(m);
    this.queue = [];
    this.head = 0;
    this.stashed.length = 0;
  }

  unstashAll(): void {
    if (this.stashed.length === 0) return;
    const rest = this.queue.slice(this.head);
    this.queue = [...this.stashed.splice(0), ...rest];
    this.head = 0;
    for (const m of this.queue) m.fdsTaken = false;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.halted && this.head < this.queue.length) {
        const m = this.queue[this.head];
        this.queue[this.head++] = undefined as unknown as QueuedMessage;
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        this.ctx.current = m;
        try {
          const r = this.behaviours[this.behaviours.length - 1](this.ctx, m.msg);
          if (r && typeof (r as Promise<void>).then === 'function') await r;
        } catch (err) {
          this.ctx.current = null;
          if (!m.fdsTaken) closeAll(m);
          if (m.askId !== undefined) this.ctx.system.replyTo(m.from, m.askId, false, err);
          this.crash(err);
          return;
        }
        this.ctx.current = null;
        if (!m.fdsTaken) closeAll(m);
      }
    } finally {
      this.running = false;
    }
  }
}

function closeAll(m: QueuedMessage): void {
  for (const fd of m.fds) closeFd(fd);
  m.fds = [];
}
