// Defining actors: the module contract (`export default defineActor({...})`).
import { BadArgumentError } from '../errors.js';
import type { ActorContext } from './context.js';
import type { ActorRef } from './refs.js';
import type { ExitReason } from './reasons.js';
export type { ActorRef } from './refs.js';

/** What `ctx.monitor(ref)` delivers to the actor when `ref` exits. */
export interface DownMessage { type: 'DOWN'; ref: ActorRef; reason: ExitReason; monitor: string }
/** What a linked actor's exit delivers to an actor that traps exits. */
export interface ExitMessage { type: 'EXIT'; from: ActorRef; reason: ExitReason }

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
}

/** The protocol of an actor module's definition (`ProtocolOf<typeof Counter>`), or
 * `D` itself when it is a protocol already. */
export type ProtocolOf<D> = 0 extends 1 & D ? any : [D] extends [ActorDefinition<infer P, any>] ? P : D;
/** The args an actor module's `init` takes (unknown when `D` is not a definition). */
export type ArgsOf<D> = 0 extends 1 & D ? any : [D] extends [ActorDefinition<any, infer A>] ? A : unknown;

const BRAND = Symbol.for('pidgeon.actor');

/** Declare an actor module's behaviour: `export default defineActor({ receive })`;
 * typed: `defineActor<Protocol, Args>({ ... })`. */
export function defineActor<P = any, A = any>(def: ActorDefinition<P, A>): ActorDefinition<P, A> {
  if (typeof def !== 'object' || def === null) throw new BadArgumentError('defineActor needs an object');
  if (typeof def.receive !== 'function') throw new BadArgumentError('defineActor: receive must be a function');
  if (def.init !== undefined && typeof def.init !== 'function') throw new BadArgumentError('defineActor: init must be a function');
  if (def.terminate !== undefined && typeof def.terminate !== 'function') throw new BadArgumentError('defineActor: terminate must be a function');
  return Object.freeze({ ...def, [BRAND]: true });
}

/** Was `v` made by defineActor? */
export function isActorDefinition(v: unknown): v is ActorDefinition {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[BRAND] === true;
}
