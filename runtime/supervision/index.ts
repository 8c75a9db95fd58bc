// Supervision: OTP-style supervisors as actor processes. Importing this module adds
// `supervise` and `which` to ActorSystem (the layer below does not know about us).
import { ActorSystem, type ActorRef } from '../core/index.js';
import { normalizeSpec, type SupervisorSpec } from './spec.js';
import { SUPERVISOR_MODULE, type ChildInfo, type SupervisorArgs } from './supervisor-actor.js';

declare module '../core/system.js' {
  interface ActorSystem {
    /** Start a supervisor (its own process) over `spec.children`; resolves once every
     * child has started. Throws EBADSPEC before starting anything if the spec is bad. */
    supervise(spec: SupervisorSpec, options?: SuperviseOptions): Promise<ActorRef>;
    /** The children of a supervisor, with their current addresses. */
    which(supervisor: ActorRef, options?: { timeout?: number }): Promise<ChildInfo[]>;
  }
}

export interface SuperviseOptions {
  /** Receive supervisor events (starts, exits, restarts) as messages here. */
  reportTo?: ActorRef;
  /** How long the whole tree may take to start (default 60 s). */
  timeout?: number;
}

ActorSystem.prototype.supervise = function supervise(this: ActorSystem, spec: SupervisorSpec, options: SuperviseOptions = {}) {
  const normal = normalizeSpec(spec);
  const args: SupervisorArgs = { spec: normal, reportTo: options.reportTo ?? null };
  return this.spawn(SUPERVISOR_MODULE, { ...(normal.name ? { name: normal.name } : {}), args, timeout: options.timeout ?? 60_000 });
};

ActorSystem.prototype.which = async function which(this: ActorSystem, supervisor: ActorRef, options: { timeout?: number } = {}) {
  return (await this.askSystem(supervisor, 'which', null, options.timeout ?? 5000)) as ChildInfo[];
};

export { normalizeSpec } from './spec.js';
export type { SupervisorSpec, ChildSpec, Strategy, RestartType, NormalSpec, NormalChild } from './spec.js';
export { shouldRestart, affectedChildren, RestartWindow } from './policy.js';
export { SUPERVISOR_MODULE } from './supervisor-actor.js';
export type { ChildInfo, SupervisorEvent, SupervisorArgs } from './supervisor-actor.js';
