// The dynamic-child requests as the supervisor answers them (OTP's start_child,
// terminate_child, restart_child, delete_child, get_childspec): the supervisor of
// supervisor.ts, plus the calls. dynamic.ts is the caller's side.
import type { ActorRef } from '../core/index.js';
import type { ChildSpec } from '../core/supervision.js';
import {
  AlreadyStartedError, BadSpecError, ChildPresentError, ChildRestartingError, ChildRunningError, MaxChildrenError, NoChildError,
  SimpleOneForOneError,
} from '../errors.js';
import { instanceArgs, publicChildSpec, type NormalChild } from './spec.js';
import { childState, Supervisor, type ChildState } from './supervisor.js';

/** startChild's request: the child spec as the caller validated it (or why it is
 * not one), and the argument as given (a simple_one_for_one instance's args). */
export interface StartPayload {
  spec: NormalChild | null;
  specError: { path: string; detail: string } | null;
  args: unknown;
}

/** A child named by its id, or by its address. */
export type ChildKey = { id: string } | { ref: ActorRef };

/** The supervisor's flags (for `pidgeon scale`). */
export interface SupervisorFlags {
  strategy: string;
  intensity: number;
  period: number;
  maxChildren: number | null;
}

export class DynamicSupervisor extends Supervisor {
  private seq = 0;

  /** startChild: start the child, then append it to the order; for simple_one_for_one,
   * start an instance of the template with the given args. */
  async startChild(p: StartPayload): Promise<ActorRef> {
    const max = this.spec.maxChildren;
    if (max !== null && this.children.length >= max) {
      throw new MaxChildrenError(`the supervisor has ${this.children.length} children already (maxChildren ${max})`);
    }
    if (this.simple) return this.add(this.instance(p.args));
    if (!p.spec) throw new BadSpecError(p.specError?.path ?? 'child', p.specError?.detail ?? 'must be a child spec');
    const spec = p.spec;
    const old = this.children.find((c) => c.spec.id === spec.id);
    if (old?.ref) throw new AlreadyStartedError(`child '${spec.id}' is already started`, old.ref);
    if (old) throw new ChildPresentError(`child '${spec.id}' is present but not running: restartChild or deleteChild it`);
    return this.add(spec);
  }

  /** terminateChild: stop it by its shutdown spec (cancelling a pending restart);
   * keep its spec unless it is temporary or a simple_one_for_one instance. */
  async terminateChild(key: ChildKey): Promise<void> {
    const c = this.child(key);
    await this.stop(c);
    if (c.spec.restart === 'temporary' || this.simple) this.remove(c);
  }

  /** restartChild: start a stopped child again from its kept spec. */
  async restartChild(id: string): Promise<ActorRef> {
    const c = this.kept(id, 'restartChild');
    await this.startOrFail(c);
    return c.ref!;
  }

  /** deleteChild: forget a stopped child's spec. */
  deleteChild(id: string): void {
    this.remove(this.kept(id, 'deleteChild'));
  }

  /** getChildSpec: a child's spec (for simple_one_for_one, an instance's, or the
   * template's by its id). */
  childSpec(key: ChildKey): ChildSpec {
    const template = this.spec.children[0];
    if (this.simple && 'id' in key && key.id === template.id) return publicChildSpec(template);
    return publicChildSpec(this.child(key).spec);
  }

  flags(): SupervisorFlags {
    const { strategy, intensity, period, maxChildren } = this.spec;
    return { strategy, intensity, period, maxChildren };
  }

  private async add(spec: NormalChild): Promise<ActorRef> {
    const c = childState(spec);
    await this.startOrFail(c);
    this.children.push(c);
    return c.ref!;
  }

  /** A new instance of the simple_one_for_one template: its own id (`<template id>#n`). */
  private instance(args: unknown): NormalChild {
    const t = this.spec.children[0];
    return { ...t, id: `${t.id}#${++this.seq}`, args: instanceArgs(t.args, args) };
  }

  /** A kept child that is neither running nor about to restart (OTP's checks). */
  private kept(id: string, call: string): ChildState {
    if (this.simple) throw new SimpleOneForOneError(`${call} does not apply to a simple_one_for_one supervisor`);
    const c = this.child({ id });
    if (c.ref) throw new ChildRunningError(`child '${id}' is running${call === 'deleteChild' ? ': terminateChild it first' : ''}`);
    if (c.restarting) throw new ChildRestartingError(`child '${id}' is restarting`);
    return c;
  }

  private child(key: ChildKey): ChildState {
    const c = 'id' in key
      ? this.children.find((x) => x.spec.id === key.id)
      : this.children.find((x) => x.ref !== null && x.ref.pid === key.ref.pid && x.ref.instance === key.ref.instance);
    if (!c) throw new NoChildError('id' in key ? `no child '${key.id}'` : `no child with pid ${key.ref.pid}`);
    return c;
  }
}
