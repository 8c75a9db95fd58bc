// Death watch for actors: one pidfd per watched process (shared by every monitor,
// link and pending ask on it), and the exit reason when it dies, from best to worst:
//   1. the farewell the actor sent on its way out (orderly stops, crashes);
//   2. what its parent saw when it reaped it (exit code, signal): our own children
//      directly; another's child through its parent, which we asked at watch time
//      to tell us ('watch-child' → 'child-exit');
//   3. what /proc still shows of the zombie; else { signal: 'unknown' }.
// Urgent listeners (asks) hear of the death at once; the others (monitors, links)
// when the reason is known: the parent's report is an event, bounded by the
// parent's own death and, as a last resort, by a short timer.
import { watchPid, probePeer, procStat, type Mailbox, type PidWatcher, type Address } from '../transport/index.js';
import { readReason, reasonFromStatus, type ExitReason } from './reasons.js';
import { isChildExitPayload, isReasonPayload } from './payloads.js';
import type { Protocol } from './protocol.js';
import { PlatformError } from '../errors.js';
import type { RemoteWatch } from './remote-watch.js';

type Listener = (reason: ExitReason) => void;

interface Entry {
  watcher: PidWatcher | null;
  listeners: Set<Listener>;
  urgent: Set<Listener>;
  pid: number;
  /** The watched process's parent, asked to report its exit (not for our own children). */
  parent: Address | null;
}

/** What the death watch needs from its system. */
export interface DeathWatchHost {
  readonly mailbox: Mailbox;
  /** The reason of one of our own children (they are reaped here). */
  childReason(pid: number): Promise<ExitReason> | undefined;
  /** Ask `parent` to report the exit of its child `child` to us. */
  askParent(parent: Address, child: Address): void;
}

const MAX_IDLE_ENTRIES = 256;
const MAX_NOTES = 4096;
/** Last resort when a living parent never reports (its event loop is blocked). */
const PARENT_REPORT_LIMIT_MS = 2000;

const key = (a: Address): string => `${a.pid}:${a.instance}`;

/** Shared pidfd watches with exit reasons. */
export class DeathWatch {
  private readonly entries = new Map<string, Entry>();
  private readonly farewells = new Map<string, ExitReason>();
  /** Parents' reports ('child-exit'): a reason, or null for "not my child". */
  private readonly reports = new Map<string, ExitReason | null>();
  private readonly reportWaiters = new Map<string, (r: ExitReason | null) => void>();
  /** Whom we asked for each report: only that parent may give it. */
  private readonly reporters = new Map<string, string>();
  private closed = false;
  /** @internal Watches on actors of other nodes (in a cluster). */
  remote: RemoteWatch | null = null;

  constructor(private readonly host: DeathWatchHost) {}

  /** Call `listener` once when `ref` exits (with 'noproc' if it is already gone).
   * `urgent` listeners are called at once, before the reason is refined. Returns a
   * function that cancels the watch. */
  watch(ref: Address, listener: Listener, urgent = false): () => void {
    if (ref.node !== undefined && this.remote?.isRemote(ref)) return this.remote.watch(ref, listener);
    // The common case (every ask to an actor already watched) stays this short.
    const entry = this.entries.get(key(ref)) ?? this.open(ref);
    (urgent ? entry.urgent : entry.listeners).add(listener);
    return () => {
      entry.listeners.delete(listener);
      entry.urgent.delete(listener);
    };
  }

  // A new watch: a pidfd on `ref`, kept while it lives; for one already gone, an
  // entry that fires 'noproc' (or its farewell) on the next turn, kept nowhere.
  private open(ref: Address): Entry {
    const k = key(ref);
    const entry: Entry = { watcher: null, listeners: new Set(), urgent: new Set(), pid: ref.pid, parent: null };
    this.entries.set(k, entry);
    let alive = false;
    try {
      entry.watcher = watchPid(ref.pid, () => void this.onExit(k, ref, entry));
      // The pidfd pins the process: check it is the incarnation we were asked about.
      alive = this.host.mailbox.isAlive(ref);
    } catch (err) {
      if (err instanceof PlatformError) {
        this.entries.delete(k);
        throw err; // no pidfd on this kernel: say so, do not pretend the actor is gone
      }
      alive = false;
    }
    if (!alive) {
      entry.watcher?.close();
      entry.watcher = null;
      this.entries.delete(k);
      this.host.mailbox.peerExited(ref);
      const reason = this.farewells.get(k);
      setImmediate(() => this.fire(entry, reason ?? 'noproc'));
      return entry;
    }
    if (!this.host.childReason(ref.pid)) this.askParentOf(ref, entry);
    this.trimIdle();
    return entry;
  }

  /** Signal a watched process through its pidfd; false if not watched or gone. */
  kill(ref: Address, signal: NodeJS.Signals): boolean {
    if (ref.node !== undefined && this.remote?.isRemote(ref)) return this.remote.kill(ref, signal);
    const e = this.entries.get(key(ref));
    return e?.watcher ? e.watcher.kill(signal) : false;
  }

  /** The runtime ops of the death watch: farewells, and parents' reports. */
  registerOps(p: Protocol): void {
    p.on('farewell', isReasonPayload, (from, payload) => this.noteFarewell(from, readReason(payload.reason)));
    p.on('child-exit', isChildExitPayload, (from, { child, reason }) => {
      // Anyone can claim to be a child's parent: only the one we asked is heard.
      if (this.reporters.get(key(child)) === key(from)) this.noteChildExit(child, reason === null ? null : readReason(reason));
    });
  }

  /** An actor told us why it is exiting. */
  noteFarewell(from: Address, reason: ExitReason): void {
    remember(this.farewells, key(from), reason);
  }

  /** A parent reported how its child exited (null: it is not its child). */
  noteChildExit(child: Address, reason: ExitReason | null): void {
    const k = key(child);
    const waiter = this.reportWaiters.get(k);
    if (waiter) {
      this.reportWaiters.delete(k);
      waiter(reason);
    } else {
      remember(this.reports, k, reason);
    }
  }

  /** The farewell reason of `ref`, if it sent one (consumed). */
  takeFarewell(ref: Address): ExitReason | undefined {
    const k = key(ref);
    const r = this.farewells.get(k);
    if (r !== undefined) this.farewells.delete(k);
    return r;
  }

  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) e.watcher?.close();
    this.entries.clear();
    for (const w of this.reportWaiters.values()) w(null);
    this.reportWaiters.clear();
  }

  // Another process's child: find its parent (while the pidfd pins the child, its
  // parent pid is stable) and, if the parent is a member of this system, ask it to
  // report the exit. It answers at once if it does not know the child.
  private askParentOf(ref: Address, entry: Entry): void {
    const ppid = parentPid(ref.pid);
    if (!ppid || ppid === this.host.mailbox.address.pid) return;
    try {
      const p = probePeer(this.host.mailbox.dir, ppid);
      if (p.state !== 'alive') return;
      entry.parent = { pid: ppid, instance: p.instance };
      remember(this.reporters, key(ref), key(entry.parent));
      this.host.askParent(entry.parent, ref);
    } catch {
      entry.parent = null;
    }
  }

  private async onExit(k: string, ref: Address, e: Entry): Promise<void> {
    e.watcher = null;
    this.entries.delete(k);
    if (this.closed) return;
    // The dead process's last datagrams (its farewell, replies) are already queued
    // on our socket: read them before anyone hears of the death.
    this.host.mailbox.pump();
    // Nothing more reaches it: close our channel to it now, not at the next send.
    this.host.mailbox.peerExited(ref);
    const farewell = this.farewells.get(k);
    // Our own child's reason comes with its reap, at once; another's may wait for
    // its parent's report, and an ask must not wait for that.
    if (!this.host.childReason(e.pid)) {
      const urgent = [...e.urgent];
      e.urgent.clear();
      for (const l of urgent) l(farewell ?? { signal: 'unknown' });
    }
    this.fire(e, await this.reasonOf(k, ref, e, farewell));
  }

  private async reasonOf(k: string, ref: Address, e: Entry, farewell: ExitReason | undefined): Promise<ExitReason> {
    const fromChild = this.host.childReason(e.pid);
    if (fromChild) return fromChild;
    if (farewell !== undefined) {
      this.farewells.delete(k);
      this.reports.delete(k);
      this.reporters.delete(k);
      return farewell;
    }
    const zombie = zombieReason(e.pid); // read before the parent reaps it, if we can
    let report = this.reports.get(k);
    if (report === undefined && e.parent && e.listeners.size > 0) report = await this.parentReport(k, e.parent);
    this.reports.delete(k);
    this.reporters.delete(k);
    return report ?? zombie ?? { signal: 'unknown' };
  }

  // Wait for the parent's report: it comes when the parent reaps the child, or never
  // if the parent dies first (its own death ends the wait) or is blocked.
  private parentReport(k: string, parent: Address): Promise<ExitReason | null> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: ExitReason | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        cancelParent();
        this.reportWaiters.delete(k);
        resolve(r);
      };
      this.reportWaiters.set(k, finish);
      const cancelParent = this.watch(parent, () => finish(null), true);
      const timer = setTimeout(() => finish(null), PARENT_REPORT_LIMIT_MS);
      timer.unref();
    });
  }

  private fire(e: Entry, reason: ExitReason): void {
    const ls = [...e.urgent, ...e.listeners];
    e.urgent.clear();
    e.listeners.clear();
    for (const l of ls) l(reason);
  }

  // Keep idle watches for reuse (asks come in streams), but only so many.
  private trimIdle(): void {
    if (this.entries.size <= MAX_IDLE_ENTRIES) return;
    for (const [k, e] of this.entries) {
      if (e.listeners.size === 0 && e.urgent.size === 0) {
        e.watcher?.close();
        this.entries.delete(k);
        if (this.entries.size <= MAX_IDLE_ENTRIES) return;
      }
    }
  }
}

function remember<V>(m: Map<string, V>, k: string, v: V): void {
  if (m.size >= MAX_NOTES) {
    const first = m.keys().next().value;
    if (first !== undefined) m.delete(first);
  }
  m.set(k, v);
}

function parentPid(pid: number): number | null {
  const f = procStat(pid);
  const ppid = f ? Number(f[1]) : NaN;
  return Number.isInteger(ppid) && ppid > 1 ? ppid : null;
}

/** A zombie not yet reaped by its parent still shows its wait status in /proc. */
function zombieReason(pid: number): ExitReason | undefined {
  const f = procStat(pid);
  if (!f || f[0] !== 'Z' || f.length < 50) return undefined;
  const status = Number(f[49]);
  return Number.isFinite(status) ? reasonFromStatus(status) : undefined;
}
