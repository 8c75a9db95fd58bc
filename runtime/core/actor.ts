// Defining actors: the module contract (`export default defineActor({...})`), the
// shape of exit reasons, and actor references.
import type { Address } from '../transport/index.js';
import { BadArgumentError } from '../errors.js';
import type { ActorContext } from './context.js';

/** A reference to an actor: its process address, and its registered name if any. */
export type ActorRef = Address;

/** Why an actor exited (Erlang's exit reasons). `stderr` is the tail of the child's
 * standard error, attached to abnormal reasons when the observer is its parent. */
export type ExitReason =
  | 'normal'
  | 'shutdown'
  | 'noproc'
  | { code: number; stderr?: string }
  | { signal: string; stderr?: string }
  | { error: Error; stderr?: string };

/** A receive function: handles one message; may be async (the next waits for it). */
export type Receive<M = any> = (ctx: ActorContext, msg: M) => void | Promise<void>;

/** What an actor module exports by default. */
export interface ActorDefinition<A = any, M = any> {
  /** Runs once before the actor is reported ready; a throw fails the spawn. */
  init?(ctx: ActorContext, args: A): void | Promise<void>;
  /** Handles one message at a time, in arrival order. */
  receive: Receive<M>;
  /** Runs on an orderly stop (not after SIGKILL). */
  terminate?(ctx: ActorContext, reason: ExitReason): void | Promise<void>;
}

const BRAND = Symbol.for('pidgeon.actor');

/** Declare an actor module's behaviour: `export default defineActor({ receive })`. */
export function defineActor<A = any, M = any>(def: ActorDefinition<A, M>): ActorDefinition<A, M> {
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

/** Normal reasons do not kill linked actors and do not restart transient children. */
export function isNormalReason(r: ExitReason): boolean {
  return r === 'normal' || r === 'shutdown';
}

/** A one-line description of a reason, for logs. */
export function formatReason(r: ExitReason): string {
  if (typeof r === 'string') return r;
  if ('code' in r) return `exit code ${r.code}`;
  if ('signal' in r) return r.signal === 'unknown' ? 'exited (no farewell; not our child, so no exit status)' : `killed by ${r.signal}`;
  return `error: ${r.error.name}: ${r.error.message}`;
}
