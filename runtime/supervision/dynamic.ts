// The dynamic-child calls on the caller's side (OTP's start_child, terminate_child,
// restart_child, delete_child, count_children, get_childspec): each is a runtime
// request to the supervisor process, answered by supervisor-calls.ts. A child spec
// is validated here (EBADSPEC, its module resolved against this process's cwd);
// the caller cannot know whether the supervisor is simple_one_for_one (then the
// argument is an instance's args), so the request carries both the validated spec
// (or why it is not one) and the argument, and the supervisor decides. Its
// refusals cross the process boundary as plain errors with their code; they are
// rebuilt here as their classes.
import type { ActorRef } from '../core/index.js';
import type { ChildCount, Supervision, SupervisionHost } from '../core/supervision.js';
import {
  AlreadyStartedError, BadArgumentError, BadSpecError, ChildPresentError, ChildRestartingError, ChildRunningError, MaxChildrenError,
  NoChildError, PidgeonError, SimpleOneForOneError, SpawnError, type ErrorAddress,
} from '../errors.js';
import { normalizeChildSpec, type NormalChild } from './spec.js';
import type { ChildKey, StartPayload, SupervisorFlags } from './supervisor-calls.js';

/** The runtime requests a supervisor answers (besides 'which'). */
export const OPS = {
  start: 'sup.start-child', terminate: 'sup.terminate-child', restart: 'sup.restart-child',
  delete: 'sup.delete-child', count: 'sup.count-children', spec: 'sup.child-spec', flags: 'sup.flags',
} as const;

const LONG = 60_000;
const SHORT = 5000;

type Dynamic = Pick<Supervision, 'startChild' | 'terminateChild' | 'restartChild' | 'deleteChild' | 'countChildren' | 'getChildSpec'>;

export const dynamic: Dynamic = {
  async startChild(system, supervisor, child, options) {
    let spec: NormalChild | null = null;
    let specError: StartPayload['specError'] = null;
    try {
      spec = normalizeChildSpec(child);
    } catch (err) {
      if (!(err instanceof BadSpecError)) throw err;
      specError = { path: err.path, detail: err.message.slice(err.path.length + 2) };
    }
    // A URL does not travel; as args, it is the path it names.
    const args = spec && child instanceof Object && (child as { module?: unknown }).module instanceof URL ? { ...child, module: spec.module } : child;
    const payload: StartPayload = { spec, specError, args };
    return (await call(system.askSystem(supervisor, OPS.start, payload, options.timeout ?? LONG))) as ActorRef;
  },
  async terminateChild(system, supervisor, id, options) {
    await call(system.askSystem(supervisor, OPS.terminate, key(id), options.timeout ?? LONG));
  },
  async restartChild(system, supervisor, id, options) {
    return (await call(system.askSystem(supervisor, OPS.restart, { id: checkId(id) }, options.timeout ?? LONG))) as ActorRef;
  },
  async deleteChild(system, supervisor, id, options) {
    await call(system.askSystem(supervisor, OPS.delete, { id: checkId(id) }, options.timeout ?? SHORT));
  },
  async countChildren(system, supervisor, options) {
    return (await call(system.askSystem(supervisor, OPS.count, null, options.timeout ?? SHORT))) as ChildCount;
  },
  async getChildSpec(system, supervisor, id, options) {
    return (await call(system.askSystem(supervisor, OPS.spec, key(id), options.timeout ?? SHORT))) as Awaited<ReturnType<Supervision['getChildSpec']>>;
  },
};

/** A supervisor's strategy, intensity, period and maxChildren (for `pidgeon scale`). */
export async function supervisorFlags(system: SupervisionHost, supervisor: ActorRef, timeout = SHORT): Promise<SupervisorFlags> {
  return (await call(system.askSystem(supervisor, OPS.flags, null, timeout))) as SupervisorFlags;
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id === '') throw new BadArgumentError('a child id must be a non-empty string');
  return id;
}

function key(id: unknown): ChildKey {
  if (typeof id === 'object' && id !== null && typeof (id as ActorRef).pid === 'number' && typeof (id as ActorRef).instance === 'string') {
    const r = id as ActorRef;
    return { ref: { pid: r.pid, instance: r.instance } };
  }
  if (typeof id !== 'string' || id === '') throw new BadArgumentError('a child is named by a non-empty id or by its address');
  return { id };
}

/** The request's answer; a refusal rebuilt as its class (other errors as they come). */
async function call(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    throw rebuild(err);
  }
}

const SIMPLE: Record<string, new (message: string, options?: { cause?: unknown }) => PidgeonError> = {
  ECHILDPRESENT: ChildPresentError, ECHILDRUNNING: ChildRunningError, ENOCHILD: NoChildError, ERESTARTING: ChildRestartingError,
  EMAXCHILDREN: MaxChildrenError, ESIMPLE: SimpleOneForOneError,
};

function rebuild(err: unknown): unknown {
  if (err instanceof PidgeonError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: unknown; ref?: ErrorAddress; path?: unknown };
  const opts = e.cause === undefined ? {} : { cause: e.cause };
  let out: PidgeonError;
  const code = String(e.code);
  if (SIMPLE[code]) out = new SIMPLE[code](e.message, opts);
  else if (code === 'EALREADY') out = new AlreadyStartedError(e.message, e.ref!, opts);
  else if (code === 'EBADSPEC' && typeof e.path === 'string') out = new BadSpecError(e.path, e.message.slice(e.path.length + 2), opts);
  else if (code === 'ESPAWN') out = new SpawnError(e.message, { ...opts, ...(isLocation(e) ? { location: e.location } : {}) });
  else return err;
  if (e.stack) out.stack = e.stack;
  return out;
}

function isLocation(e: object): e is { location: SpawnError['location'] & object } {
  return typeof (e as { location?: unknown }).location === 'object' && (e as { location?: unknown }).location !== null;
}
