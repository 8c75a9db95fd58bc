// The send path of a system: user messages, replies and runtime messages leave as
// envelopes through the mailbox, and a message to an actor that is gone becomes a
// `deadLetter` event. ActorSystem extends this class, so a send costs no extra call.
import { EventEmitter } from 'eventemitter3';
import { isAddress, type Address, type Mailbox } from '../transport/index.js';
import { BadArgumentError, ClosedError, DeadActorError, NoConnectionError, type PidgeonError } from '../errors.js';
import { T_MSG, T_REPLY, T_SYS, type Envelope } from './envelope.js';
import { Outbound } from './outbound.js';
import type { SystemEvents } from './events.js';
import type { SendOptions } from './options.js';
import { safeJson } from './reasons.js';
import type { ActorRef } from './refs.js';

/** The sending half of `ActorSystem` (see system.ts). */
export class Sender extends EventEmitter<SystemEvents> {
  /** @internal */ readonly mailbox: Mailbox;
  /** @internal Every envelope this process sends goes through it (outbound.ts). */
  readonly outbound: Outbound;
  protected closed = false;
  protected exiting: Promise<void> | null = null;
  protected deadLetterCount = 0;

  protected constructor(mailbox: Mailbox) {
    super();
    this.mailbox = mailbox;
    this.outbound = new Outbound(mailbox);
  }

  /** Fire-and-forget; false means "queue past the high-water mark: await drained()".
   * A message to a dead actor becomes a `deadLetter` event. */
  send<P = any>(to: ActorRef<P>, msg: NoInfer<P>, options?: SendOptions): boolean {
    return this.sendEnvelope(to, [T_MSG, msg], options, msg);
  }

  /** Resolves when the queue to `to` is below its high-water mark. */
  drained(to: ActorRef): Promise<void> {
    const remote = this.outbound.remote;
    if (remote && remote.isRemote(to)) return remote.drained(to.node!, (proxy) => this.mailbox.drained(proxy));
    return this.mailbox.drained(to);
  }

  /** @internal Send a reply to an ask. */
  replyTo(to: ActorRef, id: number, ok: boolean, body: unknown, options?: SendOptions): boolean {
    return this.sendEnvelope(to, [T_REPLY, id, ok, body], options, body);
  }

  /** @internal Answer a runtime request (counted as the runtime's); throws if `to` is gone. */
  replyRuntime(to: Address, id: number, ok: boolean, body: unknown): boolean {
    this.checkOpen();
    return this.outbound.send(to, [T_REPLY, id, ok, body], undefined, true);
  }

  /** @internal Send a runtime message; throws EDEADACTOR if `to` is gone. */
  sendSystem(to: Address, op: string, payload: unknown): boolean {
    return this.outbound.send(to, [T_SYS, op, payload]);
  }

  protected checkOpen(): void {
    if (this.closed || this.exiting) throw new ClosedError('actor system is closed');
  }

  protected sendEnvelope(to: ActorRef, env: Envelope, options: SendOptions | undefined, message: unknown): boolean {
    this.checkOpen();
    checkRef(to);
    try {
      return this.outbound.send(to, env, options?.fds);
    } catch (err) {
      // Gone, or on a node that is unreachable: a dead letter, with its reason.
      if (err instanceof DeadActorError || err instanceof NoConnectionError) {
        this.reportDeadLetter(to, message, err);
        return true;
      }
      throw err;
    }
  }

  protected reportDeadLetter(to: Address, message: unknown, error: PidgeonError): void {
    this.deadLetterCount++;
    this.emit('deadLetter', { to, message, error });
  }

  /** sendSystem, false instead of a throw when `to` is gone. */
  protected trySendSystem(to: Address, op: string, payload: unknown): boolean {
    try {
      return this.sendSystem(to, op, payload);
    } catch {
      return false;
    }
  }
}

/** Throw EBADARG unless `ref` is an actor reference. */
export function checkRef(ref: unknown): asserts ref is ActorRef {
  if (!isAddress(ref)) throw new BadArgumentError(`not an actor reference: ${safeJson(ref)}`);
}
