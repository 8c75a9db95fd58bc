// The loads of section api, shared by the bench root and the actors that drive the
// actor → actor figures (bench/actors/api-driver.ts), so both measure the same loop.
import { performance } from 'node:perf_hooks';
import { Samples } from './stats.js';

/** Sends handed over per event-loop turn before yielding (setImmediate). */
export const PER_TICK = 1024;
/** The one-way message body (40 characters). */
export const PAYLOAD = 'x'.repeat(40);

export interface OnewayEnds {
  /** Send one message; false means "past the high-water mark: await drained()". */
  send(msg: { type: 'seq'; seq: number; payload: string }): boolean;
  drained(): Promise<void>;
  /** The receiver's count of 'seq' messages (answered after everything sent before). */
  count(): Promise<number>;
}

export interface OnewayResult {
  messages: number;
  elapsedS: number;
  msgsPerS: number;
  /** Time spent inside send() calls only, s. */
  sendS: number;
  usPerSend: number;
  /** Times send() returned false (and drained() was awaited). */
  waits: number;
}

/** `warmupMs` of untimed sends, the receiver's count, then `durationMs` of timed sends;
 * the clock stops when the receiver has confirmed the count of everything sent. */
export async function onewayLoop(ends: OnewayEnds, warmupMs: number, durationMs: number, perTick = PER_TICK): Promise<OnewayResult> {
  let seq = 0;
  let sendMs = 0;
  let waits = 0;
  const pump = async (until: number): Promise<void> => {
    while (performance.now() < until) {
      let t = performance.now();
      for (let k = 0; k < perTick; k++) {
        if (!ends.send({ type: 'seq', seq: seq++, payload: PAYLOAD })) {
          sendMs += performance.now() - t;
          waits++;
          await ends.drained();
          t = performance.now();
        }
      }
      sendMs += performance.now() - t;
      await new Promise((r) => setImmediate(r));
    }
  };
  await pump(performance.now() + warmupMs);
  const base = await ends.count();
  if (base !== seq) throw new Error(`after the warm-up: sent ${seq}, the receiver counted ${base}`);
  sendMs = 0;
  waits = 0;
  const start = performance.now();
  await pump(start + durationMs);
  const got = await ends.count();
  const elapsedS = (performance.now() - start) / 1000;
  const messages = seq - base;
  if (got !== seq) throw new Error(`sent ${seq}, the receiver counted ${got}`);
  return { messages, elapsedS, msgsPerS: messages / elapsedS, sendS: sendMs / 1000, usPerSend: (sendMs * 1000) / messages, waits };
}

/** One ask at a time for `durationMs` after `warmupMs` of untimed ones; per-ask µs. */
export async function askLoop(ask: (msg: unknown) => Promise<unknown>, warmupMs: number, durationMs: number): Promise<Float64Array> {
  const samples = new Samples();
  let seq = 0;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) await ask({ type: 'ping', seq: seq++, payload: PAYLOAD });
  const end = performance.now() + durationMs;
  for (;;) {
    const t = performance.now();
    await ask({ type: 'ping', seq: seq++, payload: PAYLOAD });
    const t1 = performance.now();
    samples.push((t1 - t) * 1000);
    if (t1 >= end) break;
  }
  return Float64Array.from(samples.values());
}
