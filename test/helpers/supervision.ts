// Following a supervision tree from the root process through the supervisors'
// `reportTo` events: every event in order, each child's current incarnation, and
// waits that re-check their condition on every event (no sleeping, no polling).
import type { ActorRef, ActorSystem, SupervisorEvent } from '../../runtime/index.js';
import { within, WAIT, isRunning } from './actors.js';

export type SupEvent = SupervisorEvent & { supervisor: ActorRef };

/** `${supervisor pid}/${child id}`: children of different supervisors may share ids. */
export const childKey = (supervisor: ActorRef | number, id: string): string =>
  `${typeof supervisor === 'number' ? supervisor : supervisor.pid}/${id}`;

export class Tree {
  readonly events: SupEvent[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(sys: ActorSystem) {
    sys.on('message', (msg: any) => {
      if (msg?.type !== 'pidgeon.supervisor') return;
      this.events.push(msg);
      for (const w of [...this.waiters]) w();
    });
  }

  /** Resolves once `cond()` holds, re-checked after every supervisor event. */
  until(cond: () => boolean, what: string, ms = WAIT): Promise<void> {
    if (cond()) return Promise.resolve();
    let check!: () => void;
    const p = new Promise<void>((resolve) => {
      check = () => {
        if (!cond()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
    return within(p, ms, what).finally(() => this.waiters.delete(check));
  }

  /** The first event (from index `from` on) matching `pred`, waiting for it. */
  async next(pred: (e: SupEvent) => boolean, what: string, from = 0, ms = WAIT): Promise<SupEvent> {
    let found: SupEvent | undefined;
    await this.until(() => (found = this.events.slice(from).find(pred)) !== undefined, what, ms);
    return found!;
  }

  /** The last event about child `id` of `supervisor` (any supervisor if omitted). */
  last(id: string, supervisor?: ActorRef | number): SupEvent | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.id === id && (supervisor === undefined || childKey(e.supervisor, id) === childKey(supervisor, id))) return e;
    }
    return undefined;
  }

  /** The child's current ref: set by its last event if that was 'started'. */
  current(id: string, supervisor?: ActorRef | number): ActorRef | null {
    const e = this.last(id, supervisor);
    return e?.event === 'started' && e.ref ? e.ref : null;
  }

  /** Has `pid` been reported gone ('exited' or 'stopped')? */
  reportedGone(pid: number): boolean {
    return this.events.some((e) => (e.event === 'exited' || e.event === 'stopped') && e.ref?.pid === pid);
  }

  /** Every listed child is running in a reported 'started' incarnation, and every pid
   * in `gone` has been reported exited or stopped: the tree has settled. */
  settled(ids: string[], gone: Iterable<number>, supervisor?: ActorRef | number): boolean {
    for (const pid of gone) if (!this.reportedGone(pid)) return false;
    return ids.every((id) => {
      const ref = this.current(id, supervisor);
      return ref !== null && isRunning(ref.pid);
    });
  }

  /** Events as short strings (`event:id`), for sequence assertions and logs. */
  trace(from = 0, supervisor?: ActorRef | number): string[] {
    return this.events.slice(from)
      .filter((e) => supervisor === undefined || e.supervisor.pid === (typeof supervisor === 'number' ? supervisor : supervisor.pid))
      .map((e) => `${e.event}:${e.id}`);
  }
}
