// The supervisor: an actor module run in its own process (the process tree is the
// supervision tree). It starts its children in order, watches them, restarts them
// per strategy and restart type within the intensity window, gives up past it
// (stopping its children and exiting with 'shutdown'), and stops them in reverse
// order. Failed restarts are re-queued as messages, never retried in a loop.
import { fileURLToPath } from 'node:url';
import { defineActor, isNothing, type ActorContext, type ActorRef, type ExitReason } from '../core/index.js';
import type { ChildCount, ChildInfo } from '../core/supervision.js';
import { AlreadyStartedError, ChildPresentError, ChildRunningError, NoChildError, PidgeonError, SpawnError } from '../errors.js';
import { OPS } from './dynamic.js';
import { affectedChildren, RestartWindow, shouldRestart } from './policy.js';
import type { NormalChild, NormalSpec } from './spec.js';

/** This module's path: what `supervise` spawns (spelled from the runtime's folders, as
 * this code may run from a bundle chunk in dist/runtime/core/). */
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
  event: 'started' | 'exited' | 'restarting' | 'gave_up' | 'stopped' | 'start_failed';
  supervisor: ActorRef;
  id: string;
  ref?: ActorRef;
  reason?: ExitReason;
}

interface ChildState {
  spec: NormalChild;
  ref: ActorRef | null;
  monitor: string | null;
  /** Stopped by terminateChild: a re-queued restart of it is dropped. */
  terminated?: boolean;
}

/** A child's start failure as the supervisor's own: which child, then why. */
function childFailed(id: string, err: unknown): SpawnError {
  const e = err as Error & { location?: SpawnError['location'] };
  const why = e instanceof Error ? (e instanceof PidgeonError ? e.message : `${e.name}: ${e.message}`) : String(err);
  return new SpawnError(`child '${id}' failed to start: ${why}`, { cause: err, ...(e?.location ? { location: e.location } : {}) });
}

class Supervisor {
  private children: ChildState[];
  private readonly window: RestartWindow;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly ctx: ActorContext, private readonly spec: NormalSpec, private readonly reportTo: ActorRef | null) {
    this.children = spec.children.map((c) => ({ spec: c, ref: null, monitor: null }));
    this.window = new RestartWindow(spec.intensity, spec.period);
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

  /** Stop every running child, last first (each by its shutdown spec). */
  async stopAll(): Promise<void> {
    for (const c of [...this.children].reverse()) await this.stop(c);
  }

  which(): ChildInfo[] {
    return this.children.map((c) => ({
      id: c.spec.id, ref: c.ref, type: c.spec.supervisor ? 'supervisor' : 'worker', restart: c.spec.restart, module: c.spec.module,
    }));
  }

  // ---- dynamic children (OTP's start_child ... count_children) ----

  /** Run `f` after every operation queued before it: exits, restarts and the
   * dynamic-child calls never interleave. */
  serial<T>(f: () => Promise<T> | T): Promise<T> {
    const p = this.queue.then(f);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** startChild: start the child, then append it to the order. */
  async startChild(spec: NormalChild): Promise<ActorRef> {
    const old = this.children.find((c) => c.spec.id === spec.id);
    if (old?.ref) throw new AlreadyStartedError(`child '${spec.id}' is already started`, old.ref);
    if (old) throw new ChildPresentError(`child '${spec.id}' is present but not running: restartChild or deleteChild it`);
    const c: ChildState = { spec, ref: null, monitor: null };
    await this.startOrFail(c);
    this.children.push(c);
    return c.ref!;
  }

  /** terminateChild: stop it by its shutdown spec; keep its spec unless temporary. */
  async terminateChild(id: string): Promise<void> {
    const c = this.child(id);
    c.terminated = true;
    await this.stop(c);
    if (c.spec.restart === 'temporary') this.children.splice(this.children.indexOf(c), 1);
  }

  /** restartChild: start a stopped child again from its kept spec. */
  async restartChild(id: string): Promise<ActorRef> {
    const c = this.child(id);
    if (c.ref) throw new ChildRunningError(`child '${id}' is running`);
    await this.startOrFail(c);
    return c.ref!;
  }

  /** deleteChild: forget a stopped child's spec. */
  deleteChild(id: string): void {
    const c = this.child(id);
    if (c.ref) throw new ChildRunningError(`child '${id}' is running: terminateChild it first`);
    this.children.splice(this.children.indexOf(c), 1);
  }

  count(): ChildCount {
    const supervisors = this.children.filter((c) => c.spec.supervisor).length;
    const active = this.children.filter((c) => c.ref).length;
    return { specs: this.children.length, active, supervisors, workers: this.children.length - supervisors };
  }

  private child(id: string): ChildState {
    const c = this.children.find((x) => x.spec.id === id);
    if (!c) throw new NoChildError(`no child '${id}'`);
    return c;
  }

  private async startOrFail(c: ChildState): Promise<void> {
    try {
      await this.start(c);
    } catch (err) {
      this.report({ event: 'start_failed', id: c.spec.id, reason: { error: err as Error } });
      throw childFailed(c.spec.id, err);
    }
  }

  /** A monitored child exited. */
  async onDown(monitor: string, reason: ExitReason): Promise<void> {
    const i = this.children.findIndex((c) => c.monitor === monitor);
    if (i < 0) return; // a child we stopped ourselves, or an old incarnation
    const c = this.children[i];
    this.report({ event: 'exited', id: c.spec.id, ref: c.ref ?? undefined, reason });
    c.ref = null;
    c.monitor = null;
    if (!shouldRestart(c.spec.restart, reason)) {
      if (c.spec.restart === 'temporary') this.children.splice(i, 1);
      return;
    }
    if (!this.window.add()) return this.giveUp();
    await this.restart(i);
  }

  /** A re-queued restart (the last attempt failed). */
  async onRetry(id: string): Promise<void> {
    const i = this.children.findIndex((c) => c.spec.id === id);
    if (i < 0 || this.children[i].terminated) return;
    if (!this.window.add()) return this.giveUp();
    await this.restart(i);
  }

  private async restart(failed: number): Promise<void> {
    const idx = affectedChildren(this.spec.strategy, failed, this.children.length);
    const group = idx.map((j) => this.children[j]);
    const failedChild = this.children[failed]; // by identity: splicing below shifts indexes
    for (const c of [...group].reverse()) await this.stop(c);
    for (const c of group) {
      if (c.ref) continue;
      if (c.spec.restart === 'temporary' && c !== failedChild) {
        this.children.splice(this.children.indexOf(c), 1); // OTP: stopped temporaries stay stopped
        continue;
      }
      this.report({ event: 'restarting', id: c.spec.id });
      try {
        await this.start(c);
      } catch (err) {
        this.report({ event: 'start_failed', id: c.spec.id, reason: { error: err as Error } });
        this.ctx.send(this.ctx.self, { type: '$pidgeon.restart', id: c.spec.id });
        return;
      }
    }
  }

  private giveUp(): void {
    this.report({ event: 'gave_up', id: '', reason: 'shutdown' });
    this.ctx.stop('shutdown'); // terminate() stops the children, in reverse order
  }

  private async start(c: ChildState): Promise<void> {
    const s = c.spec;
    const name = s.name ?? s.supervisor?.name ?? undefined;
    const ref = s.supervisor
      ? await this.ctx.spawn(SUPERVISOR_MODULE, { name, args: { spec: s.supervisor, reportTo: this.reportTo } satisfies SupervisorArgs })
      : await this.ctx.spawn(s.module!, { name, args: s.args, ...(s.env ? { env: s.env } : {}) });
    c.ref = ref;
    c.terminated = false;
    c.monitor = this.ctx.monitor(ref);
    this.report({ event: 'started', id: s.id, ref });
  }

  private async stop(c: ChildState): Promise<void> {
    if (!c.ref) return;
    const ref = c.ref;
    if (c.monitor) this.ctx.demonitor(c.monitor);
    c.monitor = null;
    c.ref = null;
    const reason = await this.ctx.system.stop(ref, { timeout: c.spec.shutdown });
    this.report({ event: 'stopped', id: c.spec.id, ref, reason });
  }

  private report(e: Omit<SupervisorEvent, 'type' | 'supervisor'>): void {
    if (!this.reportTo) return;
    try {
      this.ctx.send(this.reportTo, { type: 'pidgeon.supervisor', supervisor: this.ctx.self, ...e } satisfies SupervisorEvent);
    } catch { /* the reporter is gone: nothing to tell */ }
  }
}

let sup: Supervisor | null = null;

// The payloads of the dynamic-child requests (dynamic.ts validated the child spec).
const isIdPayload = (p: unknown): p is { id: string } => typeof p === 'object' && p !== null && typeof (p as { id?: unknown }).id === 'string';
const isChildPayload = (p: unknown): p is NormalChild => isIdPayload(p);

export default defineActor({
  async init(ctx, args: SupervisorArgs) {
    sup = new Supervisor(ctx, args.spec, args.reportTo);
    const s = sup;
    ctx.system.onSystemAsk('which', isNothing, () => s.which());
    ctx.system.onSystemAsk(OPS.start, isChildPayload, (_from, c) => s.serial(() => s.startChild(c)));
    ctx.system.onSystemAsk(OPS.terminate, isIdPayload, (_from, p) => s.serial(() => s.terminateChild(p.id)));
    ctx.system.onSystemAsk(OPS.restart, isIdPayload, (_from, p) => s.serial(() => s.restartChild(p.id)));
    ctx.system.onSystemAsk(OPS.delete, isIdPayload, (_from, p) => s.serial(() => s.deleteChild(p.id)));
    ctx.system.onSystemAsk(OPS.count, isNothing, () => s.serial(() => s.count()));
    await s.serial(() => s.startAll());
  },
  async receive(ctx, msg: any) {
    if (!sup || typeof msg !== 'object' || msg === null) return;
    const s = sup;
    if (msg.type === 'DOWN') return s.serial(() => s.onDown(msg.monitor, msg.reason));
    if (msg.type === '$pidgeon.restart') return s.serial(() => s.onRetry(msg.id));
  },
  async terminate() {
    await sup?.stopAll();
  },
});

