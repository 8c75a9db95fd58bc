// The one stop protocol (OTP's shutdown): ask the process politely to stop, then
// SIGKILL it when its shutdown time runs out. Used for our own children (through
// their process handle) and for any other actor (through its pidfd).
import type { ShutdownSpec } from './options.js';

/** One process to stop: how to ask it, how to kill it, and when it has exited. */
export interface Stoppable {
  /** Send the stop request; false if it could not be sent (then it is killed at once). */
  request(): boolean;
  kill(): void;
  /** Settles when the process has exited (ends the timer). */
  exited: Promise<unknown>;
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
