// What the child commands (scale, start-child, restart) share: finding a
// supervisor by name or pid, and the supervisor of an actor (its parent process,
// if that is a supervisor).
import type { ActorSystem } from '../core/index.js';
import type { Address } from '../transport/index.js';
import { BadArgumentError, NoSupervisorError } from '../errors.js';
import { SUPERVISOR_MODULE } from '../supervision/index.js';
import type { ActorInfo } from './ps.js';
import { resolveActor, type Target } from './system-dir.js';

const INFO_TIMEOUT = 5000;

/** `who` for messages: `name (pid N)` or `pid N`. */
export function label(ref: Address): string {
  return ref.name ? `${ref.name} (pid ${ref.pid})` : `pid ${ref.pid}`;
}

async function info(sys: ActorSystem, ref: Address): Promise<ActorInfo> {
  return (await sys.info(ref, { timeout: INFO_TIMEOUT })) as ActorInfo;
}

/** The live supervisor named `what` (a name or a pid); ENOSUPERVISOR if it is another actor. */
export async function resolveSupervisor(sys: ActorSystem, t: Target, what: string): Promise<Address> {
  const ref = resolveActor(sys, t, what);
  if ((await info(sys, ref)).module !== SUPERVISOR_MODULE) throw new NoSupervisorError(`${label(ref)} is not a supervisor`);
  return ref;
}

/** The supervisor of the actor `ref`: its parent, if that is a supervisor. */
export async function supervisorOf(sys: ActorSystem, ref: Address): Promise<Address> {
  const parent = (await info(sys, ref)).parent;
  if (!parent || (await info(sys, parent)).module !== SUPERVISOR_MODULE) {
    throw new NoSupervisorError(`${label(ref)} has no supervisor${parent ? ` (its parent, pid ${parent.pid}, is not one)` : ''}`);
  }
  return parent;
}

/** A JSON argument, or EBADARG naming what it was for. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadArgumentError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}
