// The warm spawn pool (a zygote, like Python's forkserver): processes that have
// already started Node and loaded the runtime, with no mailbox yet, waiting on stdin
// for their hand-off (the actor module and what `init` carries; ChildHandle.handOff).
// `spawn` hands one its module and is ready in the time of a mailbox open, an import
// and an init; the pool refills in the background, one process at a time. Idle
// processes are children of this process (reaped, killed with it) but not actors:
// having no mailbox, `children`, `which`, `broadcast`, `info` and `pidgeon ps` do not
// see them.
import { BadArgumentError } from '../errors.js';
import type { ChildHandle } from './child-process.js';
export { removeWarmUpDir } from './pool-warmup.js';

/** The largest pool: an idle process holds about 12 MiB of its own (53 MiB RSS). */
export const MAX_POOL_SIZE = 64;

/** Validate `pool` (EBADARG); the size, 0 without a pool. */
export function checkPoolOptions(pool: unknown): number {
  if (pool === undefined || pool === null) return 0;
  if (typeof pool !== 'object') throw new BadArgumentError('pool must be an object { size }');
  for (const k of Object.keys(pool)) if (k !== 'size') throw new BadArgumentError(`pool.${k}: unknown option (pool takes { size })`);
  const size = (pool as { size?: unknown }).size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_POOL_SIZE) {
    throw new BadArgumentError(`pool.size must be an integer from 0 to ${MAX_POOL_SIZE} (got ${String(size)})`);
  }
  return size;
}

/** What the pool needs from the children set. */
export interface PoolHost {
  /** Start an idle process (ChildHandle.idle); it reports back through `ready` or `lost`. */
  launchIdle(): ChildHandle | null;
}

/** Idle processes that start repeatedly die before they are ready: wait this long
 * (times the failures in a row, at most 8) before the next attempt. */
const RETRY_MS = 500;

/** The pre-started processes of one system. */
export class SpawnPool {
  private readonly ready: ChildHandle[] = [];
  private starting: ChildHandle | null = null;
  private closed = false;
  private failures = 0;
  private retry: NodeJS.Timeout | null = null;
  private scheduled = false;

  constructor(private readonly host: PoolHost, readonly size: number) {}

  /** Counts for stats(): processes ready now, and one starting (or not). */
  get counts(): { size: number; idle: number; starting: number } {
    return { size: this.size, idle: this.ready.length, starting: this.starting ? 1 : 0 };
  }

  /** An idle process, ready for its module; undefined if none is (start cold).
   * The pool refills once the spawns under way are ready (`refillSoon`), so that
   * starting a new Node does not compete with them for the CPU. */
  take(): ChildHandle | undefined {
    return this.ready.shift();
  }

  /** Start refilling after the current job: a spawn in progress goes first. */
  refillSoon(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.fill();
    });
  }

  private fill(): void {
    if (this.closed || this.starting || this.retry || this.ready.length >= this.size) return;
    this.starting = this.host.launchIdle();
  }

  /** An idle process said hello: it can take a module now. */
  onReady(c: ChildHandle): void {
    if (c !== this.starting) return;
    this.starting = null;
    this.failures = 0;
    this.ready.push(c);
    this.fill();
  }

  /** An idle process exited (killed, or it failed to start). */
  onExit(c: ChildHandle): void {
    const i = this.ready.indexOf(c);
    if (i >= 0) this.ready.splice(i, 1);
    if (c === this.starting) {
      this.starting = null;
      this.failures++;
    }
    if (this.closed) return;
    if (this.failures === 0) return this.fill();
    // A process that cannot even start (a broken node, no memory): do not spin.
    this.retry = setTimeout(() => {
      this.retry = null;
      this.fill();
    }, RETRY_MS * Math.min(this.failures, 8));
    this.retry.unref();
  }

  /** Stop refilling; the idle processes, to be stopped by the caller. */
  close(): ChildHandle[] {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const all = [...this.ready, ...(this.starting ? [this.starting] : [])];
    this.ready.length = 0;
    this.starting = null;
    return all;
  }
}
