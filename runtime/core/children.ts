// The children of this process: starting them (the hand-off of module and init
// arguments on stdin → ready | initFailed, with its timeout), their exit reasons
// as their parent sees them (also for others that watch them), and stopping them
// (shutdown.ts's protocol; after a SIGKILL, cleaning up what their subtree left
// behind).
import fs from 'node:fs';
import { descendantsOf, listPids, removeIfStale, sweepStale, watchPid, type Address } from '../transport/index.js';
import { SpawnError, TimeoutError } from '../errors.js';
import { ChildHandle, checkSpawnOptions, launchChild } from './child-process.js';
import { watchChildExit } from './child-exit.js';
import { deserializeError } from './serialized-error.js';
import type { ShutdownSpec, SpawnOptions } from './options.js';
import { isInitFailedPayload, isNothing, isWatchChildPayload } from './payloads.js';
import type { Protocol } from './protocol.js';
import { childReason, wireReason, type ExitReason } from './reasons.js';
import type { ActorRef } from './refs.js';
import { shutdownProcess } from './shutdown.js';
import { exitedBeforeReady, moduleNotFound, readInitFailure, startError } from './start-error.js';
import { loaderArgs } from './typescript.js';
import { SpawnPool, removeWarmUpDir } from './spawn-pool.js';
export { ChildHandle, resolveModule } from './child-process.js';

/** What the children set needs from its system. */
export interface ChildHost {
  readonly self: Address;
  /** The cluster node (undefined: not in a cluster). */
  readonly node?: string;
  readonly dir: string;
  readonly systemName: string;
  sendSystem(to: Address, op: string, payload: unknown): boolean;
  /** sendSystem, false instead of a throw when `to` is gone. */
  trySendSystem(to: Address, op: string, payload: unknown): boolean;
  pump(): void;
  takeFarewell(ref: Address): ExitReason | undefined;
  /** A child exited (after the handshake). */
  childExited(child: ChildHandle, reason: ExitReason): void;
  /** A child (`name`: the one it was spawned with) was reaped, in any state: forget
   * what is kept for it (the channel to it, its name entry if it left one). */
  reaped(ref: Address, name: string | undefined): void;
}

interface Pending {
  resolve: (ref: ActorRef) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | null;
  failure?: Error;
}

/** The children of this process, in start order. */
export class Children {
  private readonly byPid = new Map<number, ChildHandle>();
  private readonly pending = new Map<number, Pending>();
  // Recently reaped children by pid, for death watches and watchers that come late.
  private readonly recent = new Map<number, { instance: string | null; reason: ExitReason }>();
  private pool: SpawnPool | null = null;
  private poolSize = 0;

  constructor(private readonly host: ChildHost) {}

  /** Keep `size` processes pre-started (spawn-pool.ts); `now` false: only from the
   * first spawn on (an actor that never spawns keeps none). */
  usePool(size: number, now: boolean): void {
    this.poolSize = size;
    if (size > 0 && now) this.startPool();
  }

  private startPool(): SpawnPool {
    if (!this.pool) {
      this.pool = new SpawnPool({ launchIdle: () => this.launchIdle() }, this.poolSize);
      this.pool.refillSoon();
    }
    return this.pool;
  }

  /** The pool's counts for stats() (zeros without one). */
  get poolCounts(): { size: number; idle: number; starting: number } {
    return this.pool?.counts ?? { size: this.poolSize, idle: 0, starting: 0 };
  }

  private launchIdle(): ChildHandle | null {
    const child = launchChild(null, undefined, undefined, [], this.host, this.poolSize);
    if (child.proc.pid === undefined) {
      child.proc.once('error', () => {});
      return null;
    }
    this.track(child);
    child.whenLoaded(() => this.pool?.onReady(child));
    return child;
  }

  // Learn how the child exited, whatever it is (actor, starting, idle): as soon as
  // it is dead, and again once it is reaped (child-exit.ts).
  private track(child: ChildHandle): void {
    this.byPid.set(child.pid, child);
    watchChildExit(child.proc, {
      dead: (code, signal) => this.onDeath(child, code, signal),
      reaped: (code, signal) => this.onExit(child, code, signal),
    });
  }

  /** Start a child actor; resolves with its address once it can receive. */
  spawn(module: string | URL, options: SpawnOptions = {}): Promise<ActorRef> {
    const { file, name, timeout, mailboxCapacity } = checkSpawnOptions(module, options);
    if (!fs.existsSync(file)) return Promise.reject(moduleNotFound(file));
    let loader: string[];
    try {
      loader = loaderArgs(file);
    } catch (err) {
      return Promise.reject(err);
    }
    // A warm process takes any module that needs no loader flags or env of its own.
    const pool = this.poolSize > 0 && loader.length === 0 && options.env === undefined ? this.startPool() : null;
    const warm = pool?.take();
    const child = warm ?? launchChild(file, name, options.env, loader, this.host, this.poolSize);
    warm?.adopt(file, name);
    child.logUnder(options.logName);
    const proc = child.proc;
    return new Promise<ActorRef>((resolve, reject) => {
      if (!warm) {
        proc.once('error', (err) => {
          // spawn itself failed (no pid): nothing to reap.
          if (proc.pid === undefined) reject(new SpawnError(`cannot start node for ${file}: ${err.message}`, { cause: err }));
        });
        if (proc.pid === undefined) return;
        this.track(child);
      }
      const timer = timeout === Infinity ? null : setTimeout(() => {
        const p = this.pending.get(child.pid);
        if (!p) return;
        p.failure = new TimeoutError(`actor ${file} did not become ready within ${timeout} ms`);
        proc.kill('SIGKILL');
      }, timeout);
      const p: Pending = { resolve, reject, timer };
      this.pending.set(proc.pid!, p);
      // Module and init go on stdin now, to a new process as to a warm one (a new one
      // reads them as it starts, with no round trip); its `ready` names its address.
      child.handOff(file, { args: options.args, name: name ?? null, mailboxCapacity });
    });
  }

  /** The runtime ops of children: the start handshake, and others' watches on them. */
  registerOps(p: Protocol): void {
    p.on('ready', isNothing, (from) => this.onReady(from));
    p.on('initFailed', isInitFailedPayload, (from, payload) => this.onInitFailed(from, payload));
    p.on('watch-child', isWatchChildPayload, (from, { child }) => {
      // Someone watches one of our children: we will tell it how the child exits.
      const known = this.addWatcher(child, from);
      if (known !== undefined) this.tellWatcher(from, child, known);
    });
  }

  // The child's address, from its first runtime message (the kernel vouches for the pid).
  private learnRef(child: ChildHandle, from: Address): void {
    child.ref = { pid: from.pid, instance: from.instance, ...(child.name ? { name: child.name } : {}) };
  }

  onReady(from: Address): void {
    const child = this.byPid.get(from.pid);
    const p = this.pending.get(from.pid);
    if (child && p && !child.ref) this.learnRef(child, from);
    if (!child || !p || !child.ref || child.ref.instance !== from.instance) return;
    this.pending.delete(from.pid);
    if (p.timer) clearTimeout(p.timer);
    child.state = 'running';
    p.resolve(child.ref);
    if (this.pending.size === 0) this.pool?.refillSoon();
  }

  /** The child could not start: `payload` is `{ error, phase, location }` from
   * child-main (checked: a bogus one from some other process is ignored). */
  onInitFailed(from: Address, payload: unknown): void {
    const p = this.pending.get(from.pid);
    const child = this.byPid.get(from.pid);
    if (child && p && !child.ref) this.learnRef(child, from);
    if (!p || !child?.ref || child.ref.instance !== from.instance) return;
    const f = readInitFailure(payload);
    if (!f) return;
    const cause = deserializeError(f.error);
    p.failure = startError(child.module, f.phase, cause, f.location, from);
    // The child exits by itself after reporting; the promise settles when it is reaped.
  }

  /** Exit reason of a child, if `pid` is one (for death watch: as soon as it is dead). */
  reasonOf(pid: number): Promise<ExitReason> | undefined {
    const live = this.byPid.get(pid);
    if (live) return live.died;
    const r = this.recent.get(pid);
    return r ? Promise.resolve(r.reason) : undefined;
  }

  /** `watcher` wants to hear how our child `child` exits. Returns its reason if it
   * has already exited, null if it is not (or no longer known as) our child, and
   * undefined when the watcher has been added and will be told. */
  addWatcher(child: Address, watcher: Address): ExitReason | null | undefined {
    const c = this.byPid.get(child.pid);
    if (c && c.ref && c.ref.instance === child.instance && c.state !== 'exited') {
      if (c.exitReason !== undefined) return c.exitReason; // dead, not reaped yet
      if (!c.watchers.some((w) => w.pid === watcher.pid && w.instance === watcher.instance)) c.watchers.push(watcher);
      return undefined;
    }
    const r = this.recent.get(child.pid);
    return r && r.instance === child.instance ? r.reason : null;
  }

  get(pid: number): ChildHandle | undefined {
    return this.byPid.get(pid);
  }

  /** Running children in start order (idle pooled processes are not actors yet;
   * a dead one waiting to be reaped is no longer one). */
  list(): ChildHandle[] {
    return [...this.byPid.values()].filter((c) => c.state !== 'exited' && c.exitReason === undefined && !c.idle);
  }

  /** Stop one child: stop request, then SIGKILL after `shutdown` ms. */
  stop(child: ChildHandle, shutdown: ShutdownSpec = 5000, reason: ExitReason = 'shutdown'): Promise<ExitReason> {
    if (child.state === 'exited' || child.exitReason !== undefined) return this.settled(child);
    if (child.state === 'starting' || !child.ref) {
      this.killTree(child);
      return this.settled(child);
    }
    child.state = 'stopping';
    const ref = child.ref;
    shutdownProcess({
      request: () => this.host.trySendSystem(ref, 'stop', { reason }) || child.state !== 'stopping',
      kill: () => this.killTree(child),
      exited: child.reason,
    }, shutdown);
    return this.settled(child);
  }

  /** The child's reason, once whatever a SIGKILL left behind is cleaned up too. */
  private async settled(child: ChildHandle): Promise<ExitReason> {
    const r = await child.reason;
    await child.cleanup;
    return r;
  }

  // SIGKILL gives a child no chance to stop its own children in order: they die by
  // their parent-death signal, and nobody is left to remove their sockets and
  // lockfiles. So note the subtree first, wait for it to die, then clean up.
  private killTree(child: ChildHandle): void {
    if (child.state === 'exited' || child.cleaningUp) {
      child.proc.kill('SIGKILL');
      return;
    }
    const subtree = descendantsOf(child.pid, listPids(this.host.dir));
    child.proc.kill('SIGKILL');
    child.cleaningUp = true;
    child.cleanup = child.reason.then(() => Promise.all(subtree.map((pid) => new Promise<void>((resolve) => {
      try {
        watchPid(pid, () => resolve());
      } catch {
        resolve();
      }
    })))).then(() => {
      for (const pid of subtree) removeIfStale(this.host.dir, pid);
      sweepStale(this.host.dir, this.host.self.pid);
    });
  }

  /** Stop every child, last started first, then the idle pooled processes. */
  async stopAll(shutdown: ShutdownSpec = 5000): Promise<void> {
    for (const c of this.list().reverse()) await this.stop(c, shutdown);
    const idle = this.pool?.close() ?? [];
    this.pool = null;
    this.poolSize = 0;
    // An idle process holds no mailbox and no file: nothing to stop in order.
    await Promise.all(idle.map((c) => { c.proc.kill('SIGKILL'); return c.reason; }));
  }

  // 'child-exit': how `child` exited (null: not, or no longer known as, our child).
  private tellWatcher(watcher: Address, child: Address, reason: ExitReason | null): void {
    this.host.trySendSystem(watcher, 'child-exit', { child, reason: reason === null ? null : wireReason(reason) });
  }

  // The child is dead (its pidfd fired, or it has been reaped): its reason, decided
  // once, for everyone who watches it.
  private onDeath(child: ChildHandle, code: number | null, signal: NodeJS.Signals | null): ExitReason {
    if (child.exitReason !== undefined) return child.exitReason;
    this.host.pump();
    const farewell = child.ref ? this.host.takeFarewell(child.ref) : undefined;
    const reason = childReason(farewell, code, signal, child.stderrTail.trim());
    child.exitReason = reason;
    // A child killed hard leaves its socket and lockfile: we clean up.
    removeIfStale(this.host.dir, child.pid);
    if (child.ref) {
      this.host.reaped(child.ref, child.name);
      for (const w of child.watchers) this.tellWatcher(w, child.ref, reason);
    }
    child.settleDied(reason);
    return reason;
  }

  private onExit(child: ChildHandle, code: number | null, signal: NodeJS.Signals | null): void {
    if (child.state === 'exited') return;
    const wasStarting = child.state === 'starting';
    child.state = 'exited';
    const reason = this.onDeath(child, code, signal);
    if (child.idle) removeWarmUpDir(child.pid);
    this.byPid.delete(child.pid);
    this.recent.delete(child.pid); // re-insert: the map's order is the eviction order
    this.recent.set(child.pid, { instance: child.ref?.instance ?? null, reason });
    if (this.recent.size > 256) this.recent.delete(this.recent.keys().next().value as number);
    child.settleReason(reason);
    const p = this.pending.get(child.pid);
    if (p) {
      this.pending.delete(child.pid);
      if (p.timer) clearTimeout(p.timer);
      p.reject(p.failure ?? exitedBeforeReady(child.module, reason, child.ref));
      if (this.pending.size === 0) this.pool?.refillSoon();
    }
    if (child.idle) this.pool?.onExit(child);
    else if (!wasStarting) this.host.childExited(child, reason);
  }
}
