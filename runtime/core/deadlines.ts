// The deadlines of the pending asks, on one shared timer. A Node timer per ask was
// the costliest part of an ask after the kernel's: one ask at a time, every ask
// created a timer list and put it in the priority queue, armed libuv's timer and
// read its clock, and its reply took all of that down again (8-15 µs of a ~100 µs
// round trip here). Deadlines of asks with the same timeout come in the order they
// were set, so each timeout gets a queue in insertion order (as Node's timer lists
// do), and the one timer is armed for the earliest deadline and re-armed only when
// it fires or an earlier deadline comes; a reply just takes its ask off its queue.
// While any deadline is pending the timer keeps the process alive, as each ask's
// own timer did. A deadline past the longest Node timer is reached in steps of it.
import { MAX_TIMER_MS } from '../transport/index.js';

/** Deadlines by id; `expire(id)` is called once for each that passes unremoved (it
 * is off the table by then). */
export class Deadlines {
  /** Per timeout in ms: id → deadline (performance.now() ms), earliest first. */
  private readonly queues = new Map<number, Map<number, number>>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;
  private count = 0;

  constructor(private readonly expire: (id: number) => void) {}

  /** Expire `id` in `ms` ms (finite, ≥ 0) unless removed first. */
  add(id: number, ms: number): void {
    const at = performance.now() + ms;
    let q = this.queues.get(ms);
    if (q === undefined) this.queues.set(ms, (q = new Map()));
    q.set(id, at);
    if (this.count++ === 0) this.timer?.ref();
    if (at < this.armedFor) this.arm(at);
  }

  /** `id` (added with `ms`) settled: it will not expire. */
  remove(id: number, ms: number): void {
    const q = this.queues.get(ms);
    if (q === undefined || !q.delete(id)) return;
    if (q.size === 0) this.queues.delete(ms);
    // The timer stays armed (re-arming per ask is what this saves) but lets go.
    if (--this.count === 0) this.timer?.unref();
  }

  /** Stop the timer (nothing expires after this). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
    this.queues.clear();
    this.count = 0;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = at;
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(at - performance.now()))));
    if (this.count === 0) this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    this.armedFor = Infinity;
    const now = performance.now();
    const due: { id: number; at: number }[] = [];
    // Taken off first (deleting the entry being visited is safe in a Map), so that
    // each expires once whatever expire() does; it may add others.
    for (const [ms, q] of this.queues) {
      for (const [id, at] of q) {
        if (at > now) break;
        due.push({ id, at });
        q.delete(id);
        this.count--;
      }
      if (q.size === 0) this.queues.delete(ms);
    }
    // Several at once (the loop was late): in the order of their deadlines.
    if (due.length > 1) due.sort((a, b) => a.at - b.at);
    for (const d of due) this.expire(d.id);
    let next = Infinity;
    for (const q of this.queues.values()) {
      const first = q.values().next();
      if (!first.done && first.value < next) next = first.value;
    }
    if (next < this.armedFor) this.arm(next);
  }
}
