// Monitors, links and watchers of one process: who we watch (and how their exit
// reaches us: a `down` event, a DOWN/EXIT message, or our own exit for a link), and
// who watches us (they get our farewell, with the exit reason, when we exit).
import type { Address } from '../transport/index.js';
import type { ActorRef, DownMessage, ExitMessage } from './actor.js';
import { isNormalReason, type ExitReason } from './reasons.js';
import type { DeathWatch } from './deathwatch.js';
import { isNothing } from './payloads.js';
import type { Protocol } from './protocol.js';

/** A monitored actor exited. */
export interface DownNotice { ref: ActorRef; reason: ExitReason; monitor: string }

/** What relations need from their system. */
export interface RelationsHost {
  readonly deathwatch: DeathWatch;
  readonly selfPid: number;
  /** Is `a` alive now (a lockfile probe, no message)? */
  isAlive(a: Address): boolean;
  /** Does this process host an actor (and does it trap exits)? */
  actor(): { trapExit: boolean } | null;
  trySendSystem(to: Address, op: string, payload: unknown): boolean;
  /** Deliver a runtime notice (DOWN, EXIT) to the hosted actor's receive. */
  deliverLocal(msg: unknown, from: ActorRef): void;
  emitDown(n: DownNotice): void;
  emitExit(n: { from: ActorRef; reason: ExitReason }): void;
  exitActor(reason: ExitReason): void;
}

interface Monitor { ref: ActorRef; cancel: () => void; to: 'event' | 'actor' }

const key = (a: Address): string => `${a.pid}:${a.instance}`;
/** Watchers kept before the first check for dead ones. */
const PRUNE_MIN = 64;

/** The monitor, link and watcher tables of this process. */
export class Relations {
  private readonly monitors = new Map<string, Monitor>();
  private readonly links = new Map<string, { ref: ActorRef; cancel: () => void }>();
  private readonly watchers = new Map<string, Address>();
  private nextMonitor = 1;
  private pruneAt = PRUNE_MIN;

  constructor(private readonly host: RelationsHost, private readonly parent: ActorRef | undefined) {
    if (parent) this.watchers.set(key(parent), parent);
  }

  /** Watch `ref`; its exit is reported once, as a `down` event or a DOWN message. */
  monitor(ref: ActorRef, to: 'event' | 'actor'): string {
    const id = `${this.host.selfPid}.${this.nextMonitor++}`;
    this.host.trySendSystem(ref, 'watch', null);
    const cancel = this.host.deathwatch.watch(ref, (reason) => {
      if (!this.monitors.delete(id)) return;
      const notice: DownNotice = { ref, reason, monitor: id };
      if (to === 'actor' && this.host.actor()) this.host.deliverLocal({ type: 'DOWN', ...notice } satisfies DownMessage, ref);
      else this.host.emitDown(notice);
    });
    this.monitors.set(id, { ref, cancel, to });
    return id;
  }

  demonitor(monitor: string): void {
    const m = this.monitors.get(monitor);
    if (!m) return;
    this.monitors.delete(monitor);
    m.cancel();
    if (![...this.monitors.values()].some((o) => o.ref.pid === m.ref.pid) && !this.links.has(key(m.ref))) {
      this.host.trySendSystem(m.ref, 'unwatch', null);
    }
  }

  /** Link to `ref` (we asked). */
  link(ref: ActorRef): void {
    this.host.trySendSystem(ref, 'link', null);
    this.watchLinked(ref, false);
  }

  unlink(ref: ActorRef): void {
    const l = this.links.get(key(ref));
    if (!l) return;
    this.links.delete(key(ref));
    l.cancel();
    this.host.trySendSystem(ref, 'unlink', null);
  }

  /** The runtime ops of relations: others' requests about us. */
  registerOps(p: Protocol): void {
    for (const op of ['watch', 'unwatch', 'link', 'unlink'] as const) p.on(op, isNothing, (from) => this.onRequest(op, from));
  }

  /** Runtime messages from others about us: 'watch', 'unwatch', 'link', 'unlink'. */
  onRequest(op: 'watch' | 'unwatch' | 'link' | 'unlink', from: Address): void {
    const k = key(from);
    switch (op) {
      case 'watch':
        this.watchers.set(k, from);
        if (this.watchers.size >= this.pruneAt) this.pruneWatchers();
        return;
      case 'unwatch':
        if (!this.links.has(k) && !(this.parent && key(this.parent) === k)) this.watchers.delete(k);
        return;
      case 'link':
        return this.watchLinked(from, true);
      case 'unlink': {
        const l = this.links.get(k);
        if (l) {
          this.links.delete(k);
          l.cancel();
        }
      }
    }
  }

  /** Everyone to tell our exit reason to. */
  watcherList(): Address[] {
    return [...this.watchers.values()];
  }

  /** Cancel every monitor and link (this process is closing). */
  close(): void {
    for (const m of this.monitors.values()) m.cancel();
    this.monitors.clear();
    for (const l of this.links.values()) l.cancel();
    this.links.clear();
  }

  private watchLinked(ref: ActorRef, requestedByPeer: boolean): void {
    const k = key(ref);
    if (this.links.has(k)) return;
    const cancel = this.host.deathwatch.watch(ref, (reason) => {
      if (!this.links.delete(k)) return;
      // A peer that asked for the link was alive when it asked: 'noproc' means it died
      // (without a farewell, e.g. SIGKILL) before we read its request, not that it
      // never existed. Its exit still propagates, with an unknown cause.
      this.onLinkedExit(ref, requestedByPeer && reason === 'noproc' ? { signal: 'unknown' } : reason);
    });
    this.links.set(k, { ref, cancel });
    this.watchers.set(k, ref);
  }

  // A watcher that dies sends no 'unwatch', and we do not watch it: whenever the
  // table has doubled since the last look, drop the dead (amortised O(1) a watch).
  private pruneWatchers(): void {
    for (const [k, w] of this.watchers) {
      if (!this.links.has(k) && !(this.parent && key(this.parent) === k) && !this.host.isAlive(w)) this.watchers.delete(k);
    }
    this.pruneAt = Math.max(PRUNE_MIN, 2 * this.watchers.size);
  }

  // Erlang: an abnormal exit kills a linked actor that does not trap exits; a
  // trapping one (and a plain process, which always traps) is told instead.
  private onLinkedExit(from: ActorRef, reason: ExitReason): void {
    this.watchers.delete(key(from));
    const actor = this.host.actor();
    if (actor && !actor.trapExit) {
      if (!isNormalReason(reason) && reason !== 'noproc') this.host.exitActor(reason);
      return;
    }
    if (actor) this.host.deliverLocal({ type: 'EXIT', from, reason } satisfies ExitMessage, from);
    else this.host.emitExit({ from, reason });
  }
}
