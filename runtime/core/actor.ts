// Defining actors: the module contract (`export default defineActor({...})`), and
// the messages the runtime gives an actor about others (DOWN, EXIT).
import { BadArgumentError } from '../errors.js';
import type { ActorDefinition } from './context.js';
export type { ActorDefinition, ArgsOf, ProtocolOf, Receive } from './context.js';
import type { ActorRef } from './refs.js';
import type { ExitReason } from './reasons.js';
export type { ActorRef } from './refs.js';

/** What `ctx.monitor(ref)` delivers to the actor when `ref` exits. */
export interface DownMessage { type: 'DOWN'; ref: ActorRef; reason: ExitReason; monitor: string }
/** What a linked actor's exit delivers to an actor that traps exits. */
export interface ExitMessage { type: 'EXIT'; from: ActorRef; reason: ExitReason }

const BRAND = Symbol.for('pidgeon.actor');

/** Declare an actor module's behaviour: `export default defineActor({ receive })`;
 * typed: `defineActor<Protocol, Args>({ ... })`. */
export function defineActor<P = any, A = any>(def: ActorDefinition<P, A>): ActorDefinition<P, A> {
  if (typeof def !== 'object' || def === null) throw new BadArgumentError('defineActor needs an object');
  if (typeof def.receive !== 'function') throw new BadArgumentError('defineActor: receive must be a function');
  if (def.init !== undefined && typeof def.init !== 'function') throw new BadArgumentError('defineActor: init must be a function');
  if (def.terminate !== undefined && typeof def.terminate !== 'function') throw new BadArgumentError('defineActor: terminate must be a function');
  if (def.mailboxCapacity !== undefined) checkMailboxCapacity(def.mailboxCapacity, 'defineActor: mailboxCapacity');
  return Object.freeze({ ...def, [BRAND]: true });
}

/** Was `v` made by defineActor? */
export function isActorDefinition(v: unknown): v is ActorDefinition {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[BRAND] === true;
}

/** A queue bound is a whole number of messages ≥ 1, or Infinity (unbounded). */
export function checkMailboxCapacity(v: unknown, what: string): number {
  if (v === Infinity || (typeof v === 'number' && Number.isInteger(v) && v >= 1)) return v;
  throw new BadArgumentError(`${what} must be a whole number of messages ≥ 1, or Infinity (got ${typeof v === 'number' ? v : typeof v})`);
}
