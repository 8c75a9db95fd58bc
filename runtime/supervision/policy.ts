// The supervisor's decisions, as in OTP's supervisor.erl: one small function per
// question, no I/O. Which exits lead to a restart, whether the restart intensity is
// exceeded, which children a strategy restarts, and how long a backoff waits.
import { isNormalReason, type ExitReason } from '../core/index.js';
import type { NormalBackoff, RestartType, Strategy } from './spec.js';

/** permanent: always; temporary: never; transient: only after an abnormal exit
 * ('normal', 'shutdown' and `{ shutdown: term }` are normal). */
export function shouldRestart(restart: RestartType, reason: ExitReason): boolean {
  switch (restart) {
    case 'permanent': return true;
    case 'temporary': return false;
    case 'transient': return !isNormalReason(reason);
  }
}

/** The restart intensity window: at most `intensity` restarts within `period` ms. */
export class RestartWindow {
  private stamps: number[] = [];
  constructor(private readonly intensity: number, private readonly period: number) {}

  /** Record a restart now; false means the intensity is exceeded (give up). */
  add(now = Date.now()): boolean {
    this.stamps.push(now);
    this.stamps = this.stamps.filter((t) => now - t < this.period);
    return this.stamps.length <= this.intensity;
  }
}

/** Indexes of the children to stop and restart when child `failed` exits. */
export function affectedChildren(strategy: Strategy, failed: number, count: number): number[] {
  switch (strategy) {
    case 'one_for_one':
    case 'simple_one_for_one': return [failed];
    case 'one_for_all': return range(0, count);
    case 'rest_for_one': return range(failed, count);
  }
}

/** The wait before restart number `attempt` (0 = the first in a row): min·factor^attempt
 * capped at max, then up to `jitter` of it added at random (Akka's randomFactor). */
export function backoffDelay(b: NormalBackoff, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(b.max, b.min * b.factor ** attempt);
  return Math.round(base * (1 + b.jitter * random()));
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
