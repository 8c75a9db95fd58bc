// Helpers for tests that run real actor processes: a system per test in a fresh
// directory (shut down, leftovers killed, directory removed at teardown), bounded
// waits, an inbox of the root's messages, and process facts from /proc.
import type { ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActorSystem, type ActorRef, type DownNotice, type MessageMeta, type SystemOptions } from '../../runtime/index.js';

/** The compiled fixture `name` (test/fixtures/<name>.ts) as a file: URL. */
export const fixture = (name: string): URL => new URL(`../fixtures/${name}.js`, import.meta.url);

/** Default bound for one wait; generous because the CI machine is a loaded 2-core box. */
export const WAIT = 30_000;

// Bounded waits are the transport helpers' (one implementation for the suite).
export { within, until, WaitTimeout } from './wait.js';
import { within, WaitTimeout } from './wait.js';

/** Processes (pids) whose environment places them in the system directory `dir`. */
export function processesOf(dir: string): number[] {
  const needle = `\0PIDGEON_DIR=${dir}\0`;
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = `\0${fs.readFileSync(`/proc/${name}/environ`, 'latin1')}`;
      if (env.includes(needle) && !isZombieOrGone(Number(name))) out.push(Number(name));
    } catch { /* exited meanwhile, or not ours */ }
  }
  return out;
}

function isZombieOrGone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Children of `pid` that have exited but are not reaped (state Z in /proc). */
export function zombieChildrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state === 'Z') out.push(Number(name));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** Is `pid` a running (not zombie, not reaped) process? */
export function isRunning(pid: number): boolean {
  return !isZombieOrGone(pid);
}

/** Has `pid` been reaped (no /proc entry at all)? */
export function isReaped(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** SIGKILL `pid`; false if it was already gone. */
export function kill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

export interface Received { msg: any; meta: MessageMeta }

/** The root process's incoming messages, buffered so none is missed between waits. */
export class Inbox {
  private readonly buffer: Received[] = [];
  private readonly waiters: { pred: (m: any) => boolean; resolve: (r: Received) => void }[] = [];
  /** Every message ever received, in arrival order (never consumed). */
  readonly log: any[] = [];

  constructor(sys: ActorSystem) {
    sys.on('message', (msg, meta) => {
      this.log.push(msg);
      const i = this.waiters.findIndex((w) => w.pred(msg));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        w.resolve({ msg, meta });
      } else {
        this.buffer.push({ msg, meta });
      }
    });
  }

  /** The first unconsumed message matching `pred` (consumed), waiting up to `ms`. */
  take(pred: (m: any) => boolean, what: string, ms = WAIT): Promise<any> {
    return this.takeWithMeta(pred, what, ms).then((r) => r.msg);
  }

  takeWithMeta(pred: (m: any) => boolean, what: string, ms = WAIT): Promise<Received> {
    const i = this.buffer.findIndex((r) => pred(r.msg));
    if (i >= 0) return Promise.resolve(this.buffer.splice(i, 1)[0]);
    let waiter!: { pred: (m: any) => boolean; resolve: (r: Received) => void };
    const p = new Promise<Received>((resolve) => {
      waiter = { pred, resolve };
      this.waiters.push(waiter);
    });
    return within(p, ms, what).catch((err) => {
      const j = this.waiters.indexOf(waiter);
      if (j >= 0) this.waiters.splice(j, 1);
      throw err;
    });
  }

  /** Unconsumed messages matching `pred` (not consumed). */
  pending(pred: (m: any) => boolean): any[] {
    return this.buffer.filter((r) => pred(r.msg)).map((r) => r.msg);
  }
}

/** Every `down` event of a system, and bounded waits for one. */
export class Downs {
  readonly all: DownNotice[] = [];
  private readonly waiters: { pred: (d: DownNotice) => boolean; resolve: (d: DownNotice) => void }[] = [];

  constructor(sys: ActorSystem) {
    sys.on('down', (d) => {
      this.all.push(d);
      for (const w of this.waiters.filter((x) => x.pred(d))) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(d);
      }
    });
  }

  /** The down notice of monitor `id` (already seen or yet to come). */
  of(monitor: string, what = `down of monitor ${monitor}`, ms = WAIT): Promise<DownNotice> {
    const seen = this.all.find((d) => d.monitor === monitor);
    if (seen) return Promise.resolve(seen);
    return within(new Promise<DownNotice>((resolve) => this.waiters.push({ pred: (d) => d.monitor === monitor, resolve })), ms, what);
  }

  count(monitor: string): number {
    return this.all.filter((d) => d.monitor === monitor).length;
  }
}

export interface TestSystem {
  sys: ActorSystem;
  dir: string;
  inbox: Inbox;
  downs: Downs;
}

let counter = 0;

/** Options of a test system (its name and directory are the helper's). */
export type TestSystemOptions = Omit<SystemOptions, 'name' | 'dir'>;

/** A new system in a fresh directory, with `close()`: shut it down, SIGKILL any
 * process left in its directory, remove the directory. For hooks (no teardown). */
export async function openSystem(name = `t${process.pid}-${++counter}`, options: TestSystemOptions = {}): Promise<TestSystem & { close(): Promise<void> }> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-core-'));
  const dir = path.join(base, 'sys');
  const sys = await ActorSystem.start({ ...options, name, dir });
  const inbox = new Inbox(sys);
  const downs = new Downs(sys);
  const close = async () => {
    try {
      await within(sys.shutdown({ timeout: 2000 }), 20_000, 'system shutdown at teardown');
    } catch { /* whatever is left is killed below */ }
    for (const pid of processesOf(dir)) kill(pid);
    fs.rmSync(base, { recursive: true, force: true });
  };
  return { sys, dir, inbox, downs, close };
}

/** A new system for one test, cleaned up (see openSystem) when the test ends. */
export async function startSystem(t: ExecutionContext, options: TestSystemOptions = {}): Promise<TestSystem> {
  const ts = await openSystem(undefined, options);
  t.teardown(ts.close);
  return ts;
}

/** Same pid and instance. */
export function sameRef(a: ActorRef | null | undefined, b: ActorRef | null | undefined): boolean {
  return !!a && !!b && a.pid === b.pid && a.instance === b.instance;
}

/** A small seeded PRNG (mulberry32), so a failing random schedule can be replayed
 * with PIDGEON_TEST_SEED. */
export function rng(t: ExecutionContext): () => number {
  let seed = Number(process.env.PIDGEON_TEST_SEED) || (Date.now() ^ (process.pid << 8)) >>> 0;
  t.log(`random seed ${seed} (replay with PIDGEON_TEST_SEED=${seed})`);
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let x = seed;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The error a promise rejects with (fails if it resolves), bounded. */
export async function rejection(p: Promise<unknown>, what: string, ms = WAIT): Promise<any> {
  try {
    await within(p, ms, what);
  } catch (err) {
    if (err instanceof WaitTimeout) throw err;
    return err;
  }
  throw new Error(`${what}: expected a rejection, but it resolved`);
}
