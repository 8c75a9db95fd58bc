// The supervision calls of ActorSystem: `supervise`, `which` and the dynamic-child
// calls of OTP's supervisor (start_child, terminate_child, restart_child,
// delete_child, count_children). Each delegates to the supervision layer through
// the slot of supervision.ts. ActorSystem extends this class (as it extends
// Sender), which keeps system.ts to the composition of the core.
import type { ActorRef } from './refs.js';
import { Sender } from './send.js';
import {
  supervision, type ChildCallOptions, type ChildCount, type ChildInfo, type ChildSpec, type SuperviseOptions,
  type SupervisionHost, type SupervisorSpec,
} from './supervision.js';

/** The supervision half of `ActorSystem` (see system.ts). */
export abstract class SupervisionCalls extends Sender {
  // Only ActorSystem extends this class, and it is a SupervisionHost.
  private get host(): SupervisionHost {
    return this as unknown as SupervisionHost;
  }

  /** Start a supervisor (its own process) over `spec.children`; resolves once every
   * child has started. Throws EBADSPEC before starting anything if the spec is bad. */
  supervise(spec: SupervisorSpec, options: SuperviseOptions = {}): Promise<ActorRef> {
    return supervision().supervise(this.host, spec, options);
  }

  /** The children of a supervisor, with their current addresses (OTP's which_children). */
  whichChildren(supervisor: ActorRef, options: { timeout?: number } = {}): Promise<ChildInfo[]> {
    return supervision().which(this.host, supervisor, options);
  }

  /** `whichChildren`, by its first name. */
  which(supervisor: ActorRef, options: { timeout?: number } = {}): Promise<ChildInfo[]> {
    return supervision().which(this.host, supervisor, options);
  }

  /** Add a child to a running supervisor and start it (appended to its order); for a
   * simple_one_for_one supervisor, start an instance of its template with `args`.
   * EBADSPEC, EALREADY (a running child has the id; `err.ref` is it), ECHILDPRESENT
   * (a kept, stopped spec has it), EMAXCHILDREN, ESPAWN (it failed to start). */
  startChild(supervisor: ActorRef, child: ChildSpec, options?: ChildCallOptions): Promise<ActorRef>;
  startChild(supervisor: ActorRef, args?: unknown, options?: ChildCallOptions): Promise<ActorRef>;
  startChild(supervisor: ActorRef, child?: unknown, options: ChildCallOptions = {}): Promise<ActorRef> {
    return supervision().startChild(this.host, supervisor, child, options);
  }

  /** Stop a child (by id, or by address) by its shutdown spec and keep its spec (a
   * temporary child's, or a simple_one_for_one instance, is dropped); it is not
   * restarted. ENOCHILD if there is no such child. */
  terminateChild(supervisor: ActorRef, id: string | ActorRef, options: ChildCallOptions = {}): Promise<void> {
    return supervision().terminateChild(this.host, supervisor, id, options);
  }

  /** Start a terminated child again from its kept spec. ECHILDRUNNING, ERESTARTING,
   * ENOCHILD, ESIMPLE, ESPAWN. */
  restartChild(supervisor: ActorRef, id: string, options: ChildCallOptions = {}): Promise<ActorRef> {
    return supervision().restartChild(this.host, supervisor, id, options);
  }

  /** Forget a terminated child's spec. ECHILDRUNNING, ERESTARTING, ENOCHILD, ESIMPLE. */
  deleteChild(supervisor: ActorRef, id: string, options: ChildCallOptions = {}): Promise<void> {
    return supervision().deleteChild(this.host, supervisor, id, options);
  }

  /** How many child specs a supervisor keeps, how many run, of which kind. */
  countChildren(supervisor: ActorRef, options: ChildCallOptions = {}): Promise<ChildCount> {
    return supervision().countChildren(this.host, supervisor, options);
  }

  /** A child's spec as the supervisor keeps it (module resolved, defaults filled in). ENOCHILD. */
  getChildSpec(supervisor: ActorRef, id: string | ActorRef, options: ChildCallOptions = {}): Promise<ChildSpec> {
    return supervision().getChildSpec(this.host, supervisor, id, options);
  }
}
