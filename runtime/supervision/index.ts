// Supervision: OTP-style supervisors as actor processes. This entry provides the
// core's `system.supervise`, `system.which` and the dynamic-child calls (dynamic.ts;
// core/supervision.ts says why they are provided rather than imported), and exports
// the layer's parts.
import { provideSupervision, type Supervision } from '../core/supervision.js';
import { dynamic } from './dynamic.js';
import { normalizeSpec } from './spec.js';
import { SUPERVISOR_MODULE, type SupervisorArgs } from './supervisor.js';

const supervision: Supervision = {
  // Validate the whole spec here, before anything starts (EBADSPEC), then start
  // the supervisor, which starts the children.
  supervise(system, spec, options) {
    const normal = normalizeSpec(spec);
    const args: SupervisorArgs = { spec: normal, reportTo: options.reportTo ?? null };
    return system.spawn(SUPERVISOR_MODULE, { ...(normal.name ? { name: normal.name } : {}), args, timeout: options.timeout ?? 60_000 });
  },
  async which(system, supervisor, options) {
    return (await system.askSystem(supervisor, 'which', null, options.timeout ?? 5000)) as Awaited<ReturnType<Supervision['which']>>;
  },
  ...dynamic,
};
provideSupervision(supervision);

export type { SuperviseOptions, ChildInfo, ChildCount, ChildCallOptions } from '../core/supervision.js';
export { supervisorFlags } from './dynamic.js';
export type { SupervisorFlags } from './supervisor-calls.js';
export { normalizeSpec, normalizeChildSpec, instanceArgs, extraArgs } from './spec.js';
export type { SupervisorSpec, ChildSpec, Strategy, RestartType, BackoffSpec, NormalSpec, NormalChild, NormalBackoff } from './spec.js';
export { shouldRestart, affectedChildren, backoffDelay, RestartWindow } from './policy.js';
export { SUPERVISOR_MODULE } from './supervisor.js';
export type { SupervisorEvent, SupervisorArgs } from './supervisor.js';
