// Inbound routing: where each envelope that reaches this process goes. User messages
// go to the hosted actor's queue (held back while its module loads) or, in a plain
// process, to `message` events; replies to the pending asks; runtime messages to the
// protocol table. What is not an envelope, and replies nobody waits for, are dropped
// and counted here. Outbound envelopes the mailbox could not deliver are decoded
// here into dead letters.
import type { Address, DeadLetter, InboundMessage } from '../transport/index.js';
import type { PidgeonError } from '../errors.js';
import { DEFAULT_MAILBOX_CAPACITY, type ActorRuntime } from './actor-runtime.js';
import type { Asks } from './asks.js';
import { EMPTY_FDS, type QueuedMessage } from './context.js';
import { BatchDecoder } from './codec.js';
import { T_ASK, T_MSG, T_REPLY, T_SYS, T_SYSASK, decodeEnvelope, type Envelope } from './envelope.js';
import type { Protocol } from './protocol.js';
import type { ActorRef } from './refs.js';
import type { CoreDrops, MessageCounts } from './stats.js';

/** Extra facts about a message received by a plain (non-actor) process. */
export interface MessageMeta {
  from: ActorRef;
  fds: readonly number[];
  takeFds(): number[];
  /** Answer an ask (or send to the sender). */
  reply(msg: unknown): boolean;
}

/** The fds that came with a message (none, for one relayed from another node). */
type Carried = Pick<InboundMessage, 'fds' | 'takeFds'>;
const NO_FDS: Carried = { fds: [], takeFds: () => [] };

/** What dispatch needs from its system. */
export interface DispatchHost {
  replyTo(to: ActorRef, id: number, ok: boolean, body: unknown): boolean;
  send(to: ActorRef, msg: unknown): boolean;
  /** A user message for a plain process (its `message` event). */
  emitMessage(msg: unknown, meta: MessageMeta): void;
  deadLetter(to: Address, message: unknown, error: PidgeonError): void;
  /** Stop or resume reading the socket (the early queue is full / handed over). */
  throttle(on: boolean): void;
}

/** Routes this process's inbound envelopes. */
export class Dispatch {
  /** The hosted actor, once its module has loaded (never, in a plain process). */
  actor: ActorRuntime | null = null;
  /** This node, in a cluster: the senders of user messages carry it, so that a ref
   * passed on to another node still names the same process. */
  node: string | undefined = undefined;
  // In an actor process, user messages that arrive before the module has loaded
  // (a name is registered first) wait here for the actor.
  private early: QueuedMessage[] | null;
  private earlyFull = false;
  // Batch entries share records (outbound.ts): one decoder for what arrives, one for
  // what comes back undelivered.
  private readonly inbound = new BatchDecoder();
  private readonly undelivered = new BatchDecoder();
  /** The outbound side's counters (stats.ts MessageCounts): received ones counted here. */
  private readonly counts: MessageCounts;

  constructor(private readonly asks: Asks, private readonly protocol: Protocol, private readonly host: DispatchHost, hostsActor: boolean,
    private readonly drops: Pick<CoreDrops, 'undecodable' | 'strayReply'>, counts: MessageCounts) {
    this.early = hostsActor ? [] : null;
    this.counts = counts;
  }

  /** One envelope from the mailbox. */
  onMessage(m: InboundMessage): void {
    this.route(decodeEnvelope(m.source, this.inbound, m.batch, m.batchIndex, m.start, m.end), m.from, m);
  }

  /** One envelope a proxy relayed from `from`, an actor of another node (remote.ts). */
  onRelayed(from: Address, env: Envelope | null): void {
    this.route(env, from, NO_FDS);
  }

  private route(env: Envelope | null, from: Address, m: Carried): void {
    if (env === null) {
      this.drops.undecodable++;
      return;
    }
    switch (env[0]) {
      case T_MSG:
        this.counts.userReceived++;
        return this.deliverUser(from, m, env[1], undefined);
      case T_ASK:
        this.counts.userReceived++;
        return this.deliverUser(from, m, env[2], env[1]);
      case T_REPLY:
        if (!this.asks.settle(env[1], from, env[2], env[3])) this.drops.strayReply++;
        return;
      case T_SYS:
        this.counts.runtimeReceived++;
        return this.protocol.message(from, env[1], env[2]);
      case T_SYSASK:
        this.counts.runtimeReceived++;
        return this.protocol.ask(from, env[1], env[2], env[3]);
    }
  }

  /** An envelope the mailbox could not deliver. User messages, asks and replies are
   * dead letters; runtime messages (a farewell to a watcher that is gone) are not
   * news to anyone. */
  onDeadLetter(d: DeadLetter): void {
    const env = decodeEnvelope(d.body, this.undelivered, d.batch, d.batchIndex);
    if (env && env[0] === T_MSG) this.host.deadLetter(d.to, env[1], d.error);
    else if (env && env[0] === T_ASK) this.host.deadLetter(d.to, env[2], d.error);
    else if (env && env[0] === T_REPLY) this.host.deadLetter(d.to, env[3], d.error);
    else if (env && env[0] === T_SYS) this.undeliveredRuntime?.(d.to, env[1], env[2], d.error);
  }

  /** Runtime messages the mailbox could not deliver, for a layer that forwards
   * others' messages as runtime ones (a cluster proxy): see ActorSystem. */
  undeliveredRuntime: ((to: Address, op: string, payload: unknown, error: PidgeonError) => void) | null = null;

  /** Start delivering to the actor (its module has loaded). */
  attach(actor: ActorRuntime): void {
    this.actor = actor;
    for (const m of this.early ?? []) actor.enqueue(m);
    this.early = null;
    // The actor's own bound decides from now on.
    if (this.earlyFull && !actor.throttled) this.host.throttle(false);
    this.earlyFull = false;
  }

  /** A runtime notice (DOWN, EXIT) for the hosted actor's receive. */
  deliverLocal(msg: unknown, from: ActorRef): void {
    this.actor?.enqueue({ from, msg, askId: undefined, fds: EMPTY_FDS, fdsTaken: false });
  }

  private deliverUser(sender: Address, m: Carried, msg: unknown, askId: number | undefined): void {
    const from = this.node !== undefined && sender.node === undefined ? { pid: sender.pid, instance: sender.instance, node: this.node } : sender;
    if (this.actor || this.early) {
      const q = { from, msg, askId, fds: m.fds.length ? m.takeFds() : EMPTY_FDS, fdsTaken: false };
      if (this.actor) this.actor.enqueue(q);
      else if (this.early!.push(q) >= DEFAULT_MAILBOX_CAPACITY && !this.earlyFull) {
        // A flood while the module loads: bounded like the actor's queue.
        this.earlyFull = true;
        this.host.throttle(true);
      }
      return;
    }
    let replied = false;
    this.host.emitMessage(msg, {
      from,
      fds: m.fds,
      takeFds: () => m.takeFds(),
      reply: (v: unknown) => {
        if (askId !== undefined && !replied) {
          replied = true;
          return this.host.replyTo(from, askId, true, v);
        }
        return this.host.send(from, v);
      },
    });
  }
}
