// The supervisor's children and their lifecycle, shaped like OTP's supervisor.erl:
// start them in order, watch them, restart them per strategy and restart type
// within the intensity window (after a backoff delay if the child has one), give
// up past it (stopping the children and exiting with 'shutdown'), and stop them
// last first (all at once for simple_one_for_one). A restart that fails, and one
// that waits out a backoff, is re-queued as a message, never retried in a loop.
import { fileURLToPath } from 'node:url';
import type { ActorContext, ActorRef, ExitReason } from '../core/index.js';
import type { ChildCount, ChildInfo } from '../core/supervision.js';
import { PidgeonError, SpawnError } from '../errors.js';
import { affectedChildren, backoffDelay, RestartWindow, shouldRestart } from './policy.js';
import type { NormalChild, NormalSpec } from './spec.js';

/** The supervisor's actor module: what `supervise` spawns. */
// Spelled from the runtime's folders: this code may run from the bundle in
// dist/runtime/core/ (scripts/build-ts.mjs).
export const SUPERVISOR_MODULE = fileURLToPath(new URL('../supervision/supervisor-actor.js', import.meta.url));

/** What a supervisor is started with. */
export interface SupervisorArgs {
  spec: NormalSpec;
  /** Where to send `SupervisorEvent`s (the launcher's live log), or null. */
  reportTo: ActorRef | null;
}

/** Reported to `reportTo` as `{ type: 'pidgeon.supervisor', ... }`. */
export interface SupervisorEvent {
  type: 'pidgeon.supervisor';
  event: 'started' | 'exited' | 'backoff' | 'restarting' | 'gave_up' | 'stopped' | 'start_failed';
  supervisor: ActorRef;
  id: string;
  ref?: ActorRef;
  reason?: ExitReason;
  /** 'backoff': the ms the restart waits. */
  delay?: number;
  /** When it happened, by the supervisor's clock (Date.now()). */
  at: number;
}

/** The message a supervisor sends itself when a restart is to be tried (again). */
export const RETRY = '$pidgeon.restart';

/** One child as its supervisor keeps it. */
export interface ChildState {
  spec: NormalChild;
  ref: ActorRef | null;
  monitor: string | null;
  /** Waiting out its backoff or a re-queued restart (OTP's `restarting`). */
  restarting: boolean;
  timer: NodeJS.Timeout | null;
  /** Backoff: restarts in a row, and when the running incarnation started. */
  attempts: number;
  startedAt: number;
  /** Starts after the first (shown by `pidgeon ps`). */
  restarts: number;
}

export function childState(spec: NormalChild): ChildState {
  return { spec, ref: null, monitor: null, restarting: false, timer: null, attempts: 0, startedAt: 0, restarts: 0 };
}

/** A child's start failure as the supervisor's own: which child, then why. */
export function childFailed(id: string, err: unknown): SpawnError {
  const e = err as Error & { location?: SpawnError['location'] };
  const why = e instanceof Error ? (e instanceof PidgeonError ? e.message : `${e.name}: ${e.message}`) : String(err);
  return new SpawnError(`child '${id}' failed to start: ${why}`, { cause: err, ...(e?.location ? { location: e.location } : {}) });
}

export class Supervisor {
  /** In order; for simple_one_for_one, the running instances (the spec's one child is their template). */
  protected children: ChildState[];
  private readonly window: RestartWindow;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(protected readonly ctx: ActorContext, protected readonly spec: NormalSpec, private readonly reportTo: ActorRef | null) {
    this.children = this.simple ? [] : spec.children.map(childState);
    this.window = new RestartWindow(spec.intensity, spec.period);
  }

  get simple(): boolean {
    return this.spec.strategy === 'simple_one_for_one';
  }

  /** Run `f` after every operation queued before it: exits, restarts and the
   * dynamic-child calls never interleave. */
  serial<T>(f: () => Promise<T> | T): Promise<T> {
    const p = this.queue.then(f);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Start every child in order; if one fails, stop those started and fail. */
  async startAll(): Promise<void> {
    for (const c of this.children) {
      try {
        await this.start(c);
      } catch (err) {
        this.report({ event: 'start_failed', id: c.spec.id, reason: { error: err as Error } });
        await this.stopAll();
        throw childFailed(c.spec.id, err);
      }
    }
  }

  /** Stop every child, each by its shutdown spec: last first, or (simple_one_for_one,
   * as OTP) all at once. Pending restarts are cancelled. */
  async stopAll(): Promise<void> {
    if (this.simple) await Promise.all(this.children.map((c) => this.stop(c)));
    else for (const c of [...this.children].reverse()) await this.stop(c);
  }

  which(): ChildInfo[] {
    return this.children.map((c) => ({
      id: c.spec.id, ref: c.ref, type: c.spec.supervisor ? 'supervisor' : 'worker', restart: c.spec.restart, module: c.spec.module,
      state: c.ref ? 'running' : c.restarting ? 'restarting' : 'stopped', restarts: c.restarts,
    }));
  }

  /** OTP's count_children; for simple_one_for_one `specs` is its one template. */
  count(): ChildCount {
    const active = this.children.filter((c) => c.ref).length;
    const supervisors = this.children.filter((c) => c.spec.supervisor).length;
    const specs = this.simple ? 1 : this.children.length;
    return { specs, active, supervisors, workers: this.children.length - supervisors };
  }

  /** A monitored child exited. */
  async onDown(monitor: string, reason: ExitReason): Promise<void> {
    const c = this.children.find((x) => x.monitor === monitor);
    if (!c) return; // a child we stopped ourselves, or an old incarnation
    this.report({ event: 'exited', id: c.spec.id, ref: c.ref ?? undefined, reason });
    c.ref = null;
    c.monitor = null;
    if (!shouldRestart(c.spec.restart, reason)) {
      // OTP keeps no spec of a temporary child, nor of any simple_one_for_one instance.
      if (c.spec.restart === 'temporary' || this.simple) this.remove(c);
      return;
    }
    if (!this.window.add()) return this.giveUp();
    const b = c.spec.backoff;
    if (b) {
      if (Date.now() - c.startedAt >= b.reset) c.attempts = 0; // it had stayed up: start over at min
      return this.requeue(c, true);
    }
    await this.restart(c);
  }

  /** A re-queued restart: its backoff is over, or its last attempt failed. Each
   * failed attempt counts against the intensity (`counted`: already counted at the exit). */
  async onRetry(id: string, counted: boolean): Promise<void> {
    const c = this.children.find((x) => x.spec.id === id);
    // Terminated, deleted, or restarted with its group meanwhile: nothing to do.
    if (!c || !c.restarting) return;
    c.timer = null;
    if (!counted && !this.window.add()) return this.giveUp();
    await this.restart(c);
  }

  /** Restart `failed` and the children its strategy groups with it: stop those
   * running (last first), start every one not running, in order. */
  private async restart(failed: ChildState): Promise<void> {
    const idx = affectedChildren(this.spec.strategy, this.children.indexOf(failed), this.children.length);
    const group = idx.map((j) => this.children[j]);
    for (const c of [...group].reverse()) await this.stop(c);
    for (const c of group) {
      if (c.ref) continue;
      if (c.spec.restart === 'temporary' && c !== failed) {
        this.remove(c); // OTP: stopped temporaries stay stopped
        continue;
      }
      this.report({ event: 'restarting', id: c.spec.id });
      try {
        await this.start(c);
      } catch (err) {
        this.report({ event: 'start_failed', id: c.spec.id, reason: { error: err as Error } });
        this.requeue(c, false);
        return;
      }
    }
  }

  /** Mark `c` restarting and send ourselves its restart: now, or after its backoff. */
  private requeue(c: ChildState, counted: boolean): void {
    c.restarting = true;
    const b = c.spec.backoff;
    const delay = b ? backoffDelay(b, c.attempts++) : 0;
    if (b) this.report({ event: 'backoff', id: c.spec.id, delay });
    const send = () => {
      c.timer = null;
      this.ctx.send(this.ctx.self, { type: RETRY, id: c.spec.id, counted });
    };
    if (delay > 0) c.timer = setTimeout(send, delay);
    else send();
  }

  private giveUp(): void {
    this.report({ event: 'gave_up', id: '', reason: 'shutdown' });
    this.ctx.stop('shutdown'); // terminate() stops the children
  }

  protected remove(c: ChildState): void {
    this.cancel(c);
    const i = this.children.indexOf(c);
    if (i >= 0) this.children.splice(i, 1);
  }

  protected async start(c: ChildState): Promise<void> {
    const s = c.spec;
    const name = s.name ?? s.supervisor?.name ?? undefined;
    // An unnamed child's output is logged under its id; simple_one_for_one instances
    // all under the template's (one file, not one per connection ever served).
    const logName = this.simple ? this.spec.children[0].id : s.id;
    const ref = s.supervisor
      ? await this.ctx.spawn(SUPERVISOR_MODULE, { name, logName, args: { spec: s.supervisor, reportTo: this.reportTo } satisfies SupervisorArgs })
      : await this.ctx.spawn(s.module!, { name, logName, args: s.args, ...(s.env ? { env: s.env } : {}) });
    this.cancel(c);
    c.ref = ref;
    if (c.startedAt !== 0) c.restarts++;
    c.startedAt = Date.now();
    c.monitor = this.ctx.monitor(ref);
    this.report({ event: 'started', id: s.id, ref });
  }

  /** Start a child for a call (startChild, restartChild): failures are the caller's. */
  protected async startOrFail(c: ChildState): Promise<void> {
    try {
      await this.start(c);
    } catch (err) {
      this.report({ event: 'start_failed', id: c.spec.id, reason: { error: err as Error } });
      throw childFailed(c.spec.id, err);
    }
  }

  /** Stop `c` by its shutdown spec (a pending restart of it is cancelled). */
  protected async stop(c: ChildState): Promise<void> {
    this.cancel(c);
    if (!c.ref) return;
    const ref = c.ref;
    if (c.monitor) this.ctx.demonitor(c.monitor);
    c.monitor = null;
    c.ref = null;
    const reason = await this.ctx.system.stop(ref, { timeout: c.spec.shutdown });
    this.report({ event: 'stopped', id: c.spec.id, ref, reason });
  }

  private cancel(c: ChildState): void {
    if (c.timer) clearTimeout(c.timer);
    c.timer = null;
    c.restarting = false;
  }

  protected report(e: Omit<SupervisorEvent, 'type' | 'supervisor' | 'at'>): void {
    if (!this.reportTo) return;
    try {
      this.ctx.send(this.reportTo, { type: 'pidgeon.supervisor', supervisor: this.ctx.self, at: Date.now(), ...e } satisfies SupervisorEvent);
    } catch { /* the reporter is gone: nothing to tell */ }
  }
}
