// Requests: a user's `ask` and the runtime's own questions (`askSystem`) share one
// path here. Each is sent, then waits for its reply, its timeout, or the death of
// the actor it asked, whichever comes first, and settles exactly once.
import { BadArgumentError, DeadActorError, NoConnectionError, TimeoutError } from '../errors.js';
import { formatAddress, type Address } from '../transport/index.js';
import type { DeathWatch } from './deathwatch.js';
import { Deadlines } from './deadlines.js';
import { T_ASK, T_SYSASK } from './envelope.js';
import type { Outbound } from './outbound.js';
import { formatReason, type ExitReason } from './reasons.js';

interface PendingAsk {
  to: Address;
  /** A runtime request (its reply is counted as the runtime's). */
  runtime: boolean;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** Its timeout in ms, if finite (its deadline is in `deadlines`). */
  timeout: number | null;
  cancelWatch: (() => void) | null;
}

/** The table of asks in flight from this process. */
export class Asks {
  private readonly pending = new Map<number, PendingAsk>();
  private readonly deadlines = new Deadlines((id) => {
    const e = this.pending.get(id);
    if (e) this.fail(id, new TimeoutError(`no reply from ${formatAddress(e.to)} within ${e.timeout} ms`, { address: e.to }));
  });
  private nextId = 1;
  /** Called when the table becomes empty or stops being empty (flow control). */
  onBusyChange: (() => void) | null = null;

  constructor(private readonly outbound: Outbound, private readonly deathwatch: DeathWatch) {}

  get size(): number {
    return this.pending.size;
  }

  /** Ask `to`: a user message `body` (op null, answered by its receive) or runtime
   * request `op` (answered by a handler); resolves with the reply. A `timeout` that
   * is not a positive number is EBADARG, thrown. */
  request(to: Address, op: string | null, body: unknown, timeout: number, fds?: number[]): Promise<unknown> {
    if (typeof timeout !== 'number' || !(timeout > 0)) throw new BadArgumentError(`${op ?? 'ask'} timeout must be a positive number`);
    const { id, promise } = this.create(to, timeout, op !== null);
    try {
      this.outbound.send(to, op === null ? [T_ASK, id, body] : [T_SYSASK, id, op, body], fds);
    } catch (err) {
      this.fail(id, err as Error);
    }
    return promise;
  }

  // Register an ask, with its timer and a watch on the actor asked.
  private create(to: Address, timeout: number, runtime: boolean): { id: number; promise: Promise<unknown> } {
    const id = this.nextId++;
    if (this.nextId > 0x7fffffff) this.nextId = 1;
    let entry!: PendingAsk;
    const promise = new Promise<unknown>((resolve, reject) => {
      entry = { to, runtime, resolve, reject, timeout: null, cancelWatch: null };
    });
    this.pending.set(id, entry);
    if (this.pending.size === 1) this.onBusyChange?.();
    if (Number.isFinite(timeout)) {
      entry.timeout = timeout;
      this.deadlines.add(id, timeout);
    }
    entry.cancelWatch = this.deathwatch.watch(to, (reason) => {
      if (reason === 'noconnection') return this.fail(id, new NoConnectionError(`node '${to.node}' of ${formatAddress(to)} became unreachable before it replied`, { address: to }));
      this.fail(id, new DeadActorError(`${formatAddress(to)} exited before replying (${formatReason(reason)})`, { address: to, cause: reasonCause(reason) }));
    }, true);
    return { id, promise };
  }

  /** A reply arrived; false (ignored) if the ask already settled, never existed, or
   * was not asked of `from`. */
  settle(id: number, from: Address, ok: boolean, body: unknown): boolean {
    const e = this.pending.get(id);
    if (!e || e.to.pid !== from.pid || e.to.instance !== from.instance) return false;
    this.finish(id, e);
    if (e.runtime) this.outbound.counts.runtimeReceived++;
    else this.outbound.counts.userReceived++;
    if (ok) e.resolve(body);
    else e.reject(asError(body));
    return true;
  }

  fail(id: number, err: Error): void {
    const e = this.pending.get(id);
    if (!e) return;
    this.finish(id, e);
    e.reject(err);
  }

  /** Reject every pending ask (this process is stopping). */
  failAll(err: Error): void {
    for (const id of [...this.pending.keys()]) this.fail(id, err);
    this.deadlines.close();
  }

  private finish(id: number, e: PendingAsk): void {
    this.pending.delete(id);
    if (e.timeout !== null) this.deadlines.remove(id, e.timeout);
    e.cancelWatch?.();
    if (this.pending.size === 0) this.onBusyChange?.();
  }
}

// A failed reply's body is an Error, unless the other side is not pidgeon's: then
// its text (String may throw, e.g. on a deeply nested array).
function asError(body: unknown): Error {
  if (body instanceof Error) return body;
  try { return new Error(String(body)); } catch { return new Error(Object.prototype.toString.call(body)); }
}

function reasonCause(r: ExitReason): unknown {
  return typeof r === 'object' && 'error' in r ? r.error : undefined;
}
