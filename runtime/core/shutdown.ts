// The one stop protocol (OTP's shutdown): ask the process politely to stop, then
// SIGKILL it when its shutdown time runs out. Used for our own children (through
// their process handle, children.ts) and for any other actor (through its pidfd).
import { MAX_TIMER_MS, type Address } from '../transport/index.js';
import { BadArgumentError } from '../errors.js';
import type { DeathWatch } from './deathwatch.js';
import type { ShutdownSpec } from './options.js';
import type { ExitReason } from './reasons.js';

/** One process to stop: how to ask it, how to kill it, and when it has exited. */
export interface Stoppable {
  /** Send the stop request; false if it could not be sent (then it is killed at once). */
  request(): boolean;
  kill(): void;
  /** Settles when the process has exited (ends the timer). */
  exited: Promise<unknown>;
}

/** `v` as a shutdown spec: ms from 0 to MAX_TIMER_MS, 'brutal_kill', or 'infinity'
 * (also the number Infinity); anything else is EBADARG naming `what`. */
export function checkShutdownSpec(v: unknown, what: string): ShutdownSpec {
  if (v === 'brutal_kill' || v === 'infinity') return v;
  if (v === Infinity) return 'infinity';
  if (typeof v === 'number' && v >= 0 && v <= MAX_TIMER_MS) return v;
  throw new BadArgumentError(`${what} must be ms (0 to ${MAX_TIMER_MS}), 'brutal_kill' or 'infinity' (got ${typeof v === 'string' ? JSON.stringify(v) : String(v)})`);
}

/** Stop `p` per `shutdown`: 'brutal_kill' kills at once, a number of ms is how long
 * the request has before SIGKILL, 'infinity' waits for as long as it takes. */
export function shutdownProcess(p: Stoppable, shutdown: ShutdownSpec): void {
  if (shutdown === 'brutal_kill' || !p.request()) {
    p.kill();
    return;
  }
  if (typeof shutdown === 'number') {
    const timer = setTimeout(() => p.kill(), shutdown);
    void p.exited.finally(() => clearTimeout(timer));
  }
}

/** Stop an actor that is not our child: it is asked to tell us its reason and to
 * stop, and is SIGKILLed through its pidfd if it has not exited in time. */
export function stopActor(ref: Address, shutdown: ShutdownSpec, deathwatch: DeathWatch,
  trySendSystem: (to: Address, op: string, payload: unknown) => boolean): Promise<ExitReason> {
  // The watch ends by itself when it fires (it settles this stop).
  const exited = new Promise<ExitReason>((resolve) => { deathwatch.watch(ref, resolve); });
  trySendSystem(ref, 'watch', null); // so that its farewell tells us the reason
  shutdownProcess({
    request: () => {
      trySendSystem(ref, 'stop', { reason: 'shutdown' });
      return true; // if it is gone, the watch says so
    },
    kill: () => deathwatch.kill(ref, 'SIGKILL'),
    exited,
  }, shutdown);
  return exited;
}
