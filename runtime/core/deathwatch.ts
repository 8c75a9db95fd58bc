// Death watch for actors: one pidfd per watched process (shared by every monitor,
// link and pending ask on it), and the exit reason when it dies: the farewell the
// actor sent on its way out, else what its parent saw (exit code, signal), else
// what /proc still shows of the zombie.
import fs from 'node:fs';
import { watchPid, type Mailbox, type PidWatcher, type Address } from '../transport/index.js';
import type { ExitReason } from './actor.js';
import { PlatformError } from '../errors.js';

type Listener = (reason: ExitReason) => void;

interface Entry {
  watcher: PidWatcher | null;
  listeners: Set<Listener>;
  pid: number;
}

/** Where to ask for the exit reason of our own children (they are reaped here). */
export interface ChildReasons {
  reasonOf(pid: number): Promise<ExitReason> | undefined;
}

const MAX_IDLE_ENTRIES = 256;
const MAX_FAREWELLS = 4096;

const key = (a: Address): string => `${a.pid}:${a.instance}`;

/** Shared pidfd watches with exit reasons. */
export class DeathWatch {
  private readonly entries = new Map<string, Entry>();
  private readonly farewells = new Map<string, ExitReason>();
  private children: ChildReasons | null = null;
  private closed = false;

  constructor(private readonly mailbox: Mailbox) {}

  setChildReasons(c: ChildReasons): void {
    this.children = c;
  }

  /** Call `listener` once when `ref` exits (with 'noproc' if it is already gone).
   * Returns a function that cancels the watch. */
  watch(ref: Address, listener: Listener): () => void {
    const k = key(ref);
    let e = this.entries.get(k);
    if (!e) {
      e = { watcher: null, listeners: new Set(), pid: ref.pid };
      const entry = e;
      this.entries.set(k, entry);
      let alive = false;
      try {
        entry.watcher = watchPid(ref.pid, () => this.onExit(k, entry));
        // The pidfd pins the process: check it is the incarnation we were asked about.
        alive = this.mailbox.isAlive(ref);
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
        const reason = this.farewells.get(k);
        entry.listeners.add(listener);
        setImmediate(() => this.fire(entry, reason ?? 'noproc'));
        return () => entry.listeners.delete(listener);
      }
      this.trimIdle();
    }
    const entry = e;
    entry.listeners.add(listener);
    return () => {
      entry.listeners.delete(listener);
    };
  }

  /** Signal a watched process through its pidfd; false if not watched or gone. */
  kill(ref: Address, signal: NodeJS.Signals): boolean {
    const e = this.entries.get(key(ref));
    return e?.watcher ? e.watcher.kill(signal) : false;
  }

  /** An actor told us why it is exiting. */
  noteFarewell(from: Address, reason: ExitReason): void {
    if (this.farewells.size >= MAX_FAREWELLS) {
      const first = this.farewells.keys().next().value;
      if (first !== undefined) this.farewells.delete(first);
    }
    this.farewells.set(key(from), reason);
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
  }

  private async onExit(k: string, e: Entry): Promise<void> {
    e.watcher = null;
    this.entries.delete(k);
    if (this.closed) return;
    // The dead process's last datagrams (its farewell, replies) are already queued
    // on our socket: read them before anyone hears of the death.
    this.mailbox.pump();
    let reason: ExitReason | undefined = this.farewells.get(k);
    const fromChild = this.children?.reasonOf(e.pid);
    if (fromChild) reason = await fromChild;
    else if (reason !== undefined) this.farewells.delete(k);
    this.fire(e, reason ?? zombieReason(e.pid) ?? { signal: 'unknown' });
  }

  private fire(e: Entry, reason: ExitReason): void {
    const ls = [...e.listeners];
    e.listeners.clear();
    for (const l of ls) l(reason);
  }

  // Keep idle watches for reuse (asks come in streams), but only so many.
  private trimIdle(): void {
    if (this.entries.size <= MAX_IDLE_ENTRIES) return;
    for (const [k, e] of this.entries) {
      if (e.listeners.size === 0) {
        e.watcher?.close();
        this.entries.delete(k);
        if (this.entries.size <= MAX_IDLE_ENTRIES) return;
      }
    }
  }
}

const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL',
  10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
};

/** A zombie not yet reaped by its parent still shows its wait status in /proc. */
function zombieReason(pid: number): ExitReason | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] !== 'Z' || fields.length < 50) return undefined;
  const status = Number(fields[49]);
  if (!Number.isFinite(status)) return undefined;
  const sig = status & 0x7f;
  if (sig !== 0) return { signal: SIGNAL_NAMES[sig] ?? `signal ${sig}` };
  const code = (status >> 8) & 0xff;
  return code === 0 ? 'normal' : { code };
}
