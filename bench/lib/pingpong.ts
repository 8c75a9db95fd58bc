// The timed ping-pong loop every round-trip subject shares: send, wait for the
// echo, time it, send again; untimed until the warm-up has passed, then timed for
// `durationMs`. Each subject supplies only how to send and calls `reply()` when
// an echo arrives.
import { withTimeout } from './proc.js';
import { Samples } from './stats.js';

export interface PingPong {
  /** Call once per echo received. */
  reply(): void;
  /** Per-round-trip latencies in µs, once the timed part is over. */
  done: Promise<Float64Array>;
}

/** Start a ping-pong that calls `send()` for every round trip (the first at once). */
export function timedPingPong(send: () => void, durationMs: number, warmupMs: number, what: string): PingPong {
  const samples = new Samples();
  const warmEnd = performance.now() + warmupMs;
  let end = warmupMs > 0 ? Infinity : performance.now() + durationMs;
  let t0 = 0;
  let finished = false;
  let resolve!: () => void;
  const over = new Promise<void>((r) => { resolve = r; });
  const ping = (): void => {
    t0 = performance.now();
    send();
  };
  const reply = (): void => {
    if (finished) return;
    const t = performance.now();
    if (end === Infinity) {
      if (t >= warmEnd) end = t + durationMs;
    } else {
      samples.push((t - t0) * 1000);
    }
    if (t >= end) {
      finished = true;
      return resolve();
    }
    ping();
  };
  ping();
  const done = withTimeout(over, durationMs + warmupMs + 10_000, what).then(() => samples.values());
  return { reply, done };
}
