// The supervisor: an actor module run in its own process (the process tree is the
// supervision tree). It starts its children in order, watches them, restarts them
// per strategy and restart type within the intensity window, gives up past it
// (stopping its children and exiting with 'shutdown'), and stops them in reverse
// order. Failed restarts are re-queued as messages, never retried in a loop.
import { fileURLToPath } from 'node:url';
import { LOG_NAME_ENV, defineActor, isNothing, type ActorContext, type ActorRef, type ExitReason } from '../core/index.js';
import type { ChildInfo } from '../core/supervision.js';
import { PidgeonError, SpawnError } from '../errors.js';
import { affectedChildren, RestartWindow, shouldRestart } from './policy.js';
import type { NormalChild, NormalSpec } from './spec.js';

/** This module's path: what `supervise` spawns. */
export const SUPERVISOR_MODULE = fileURLToPath(import.meta.url);

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
  /** How often it was started again (shown by `pidgeon ps`). */
  restarts: number;
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

  constructor(private readonly ctx: ActorContext, private readonly spec: NormalSpec, private readonly reportTo: ActorRef | null) {
    this.children = spec.children.map((c) => ({ spec: c, ref: null, monitor: null, restarts: 0 }));
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
      id: c.spec.id, ref: c.ref, type: c.spec.supervisor ? 'supervisor' : 'worker', restart: c.spec.restart, module: c.spec.module, restarts: c.restarts,
    }));
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
    if (i < 0) return;
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
      c.restarts++;
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
    // An unnamed child's output is logged under its id (child-output.ts).
    const env = name === undefined ? { ...s.env, [LOG_NAME_ENV]: s.id } : s.env;
    const ref = s.supervisor
      ? await this.ctx.spawn(SUPERVISOR_MODULE, { name, args: { spec: s.supervisor, reportTo: this.reportTo } satisfies SupervisorArgs, ...(env ? { env } : {}) })
      : await this.ctx.spawn(s.module!, { name, args: s.args, ...(env ? { env } : {}) });
    c.ref = ref;
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

export default defineActor({
  async init(ctx, args: SupervisorArgs) {
    sup = new Supervisor(ctx, args.spec, args.reportTo);
    ctx.system.onSystemAsk('which', isNothing, () => sup!.which());
    await sup.startAll();
  },
  async receive(ctx, msg: any) {
    if (!sup || typeof msg !== 'object' || msg === null) return;
    if (msg.type === 'DOWN') return sup.onDown(msg.monitor, msg.reason);
    if (msg.type === '$pidgeon.restart') return sup.onRetry(msg.id);
  },
  async terminate() {
    await sup?.stopAll();
  },
});

