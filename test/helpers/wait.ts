// Bounded waits: every wait in a test has a deadline and says what it waited for,
// so a hang fails fast with a clear message instead of at ava's global timeout.
import type { EventEmitter } from 'eventemitter3';

/** A bounded wait ran out (the test's own deadline, not an error of the code under test). */
export class WaitTimeout extends Error {}

/** Resolve as `p` does, or reject after `ms` with "timed out after ... waiting for `what`". */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeout(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Re-check `cond` every `every` ms until it holds; for state with no event of its
 * own (counters in stats()). Rejects after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string, every = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new WaitTimeout(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The next `event` of an eventemitter3 emitter (first argument), bounded. */
export function nextEvent<T>(emitter: EventEmitter<any>, event: string, ms: number, what = `event '${event}'`): Promise<T> {
  let listener: ((arg: T) => void) | undefined;
  const p = new Promise<T>((resolve) => {
    listener = (arg: T) => resolve(arg);
    emitter.once(event, listener);
  });
  return within(p, ms, what).finally(() => emitter.off(event, listener));
}

/** Let pending I/O callbacks and immediates run (not a sleep: one loop turn). */
export function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
