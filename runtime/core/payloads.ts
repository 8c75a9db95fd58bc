// The shape of each runtime op's payload, checked before its handler sees it: any
// process of the same user can send any op with anything in it, so a payload that
// does not fit is dropped and counted (`stats().dropped.badRuntimeMessage`), never
// half-used. Extra fields are allowed (later versions may add some); missing or
// mistyped ones are not. Who may send an op is its handler's business.
import { isAddress, type Address } from '../transport/index.js';
import { isSerializedError } from './serialized-error.js';
import { readInitFailure } from './start-error.js';

/** A shape check for one op's payload. */
export type PayloadCheck<T> = (payload: unknown) => payload is T;

/** hello, ready, watch, unwatch, link, unlink, and the requests info and which
 * carry nothing (null; undefined is the same). */
export const isNothing: PayloadCheck<null | undefined> = (p): p is null | undefined => p === null || p === undefined;

/** init: parent → child. */
export interface InitPayload { args: unknown; name: string | null; mailboxCapacity?: number | null }
export const isInitPayload: PayloadCheck<InitPayload> = (p): p is InitPayload => {
  if (!isRecord(p) || !('args' in p)) return false;
  const cap = p.mailboxCapacity;
  return (p.name === null || typeof p.name === 'string') && (cap === undefined || cap === null || typeof cap === 'number');
};

/** initFailed: child → parent, `{ error, phase, location }` (see start-error.ts). */
export const isInitFailedPayload: PayloadCheck<object> = (p): p is object => readInitFailure(p) !== undefined;

/** stop and farewell: `{ reason }`, an exit reason as `wireReason` writes it. */
export const isReasonPayload: PayloadCheck<{ reason: unknown }> = (p): p is { reason: unknown } => isRecord(p) && isWireReason(p.reason);

/** watch-child: "tell me how your child `child` exits". */
export const isWatchChildPayload: PayloadCheck<{ child: Address }> = (p): p is { child: Address } => isRecord(p) && isAddress(p.child);

/** child-exit: a parent's report, `reason` null for "not my child". */
export const isChildExitPayload: PayloadCheck<{ child: Address; reason: unknown }> = (p): p is { child: Address; reason: unknown } =>
  isRecord(p) && isAddress(p.child) && (p.reason === null || isWireReason(p.reason));

/** An exit reason off the wire (what `readReason` reads without complaint). */
export function isWireReason(r: unknown): boolean {
  if (r === 'normal' || r === 'shutdown' || r === 'noproc' || r === 'noconnection') return true;
  if (!isRecord(r)) return false;
  return 'shutdown' in r || typeof r.code === 'number' || typeof r.signal === 'string' || r.error instanceof Error || isSerializedError(r.error);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
