// The dynamic-child calls on the caller's side (OTP's start_child, terminate_child,
// restart_child, delete_child, count_children): each is a runtime request to the
// supervisor process, answered by supervisor-actor.ts. A child spec is validated
// here, before asking (EBADSPEC, its module resolved against this process's cwd).
// The supervisor's refusals cross the process boundary as plain errors with their
// code; they are rebuilt here as their classes.
import type { ActorRef } from '../core/index.js';
import type { ChildCount, Supervision } from '../core/supervision.js';
import {
  AlreadyStartedError, BadArgumentError, ChildPresentError, ChildRunningError, NoChildError, PidgeonError, SpawnError, type ErrorAddress,
} from '../errors.js';
import { normalizeChildSpec } from './spec.js';

/** The runtime requests a supervisor answers (besides 'which'). */
export const OPS = {
  start: 'sup.start-child', terminate: 'sup.terminate-child', restart: 'sup.restart-child',
  delete: 'sup.delete-child', count: 'sup.count-children',
} as const;

const LONG = 60_000;
const SHORT = 5000;

type Dynamic = Pick<Supervision, 'startChild' | 'terminateChild' | 'restartChild' | 'deleteChild' | 'countChildren'>;

export const dynamic: Dynamic = {
  async startChild(system, supervisor, child, options) {
    const normal = normalizeChildSpec(child);
    return (await call(system.askSystem(supervisor, OPS.start, normal, options.timeout ?? LONG))) as ActorRef;
  },
  async terminateChild(system, supervisor, id, options) {
    await call(system.askSystem(supervisor, OPS.terminate, { id: checkId(id) }, options.timeout ?? LONG));
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
};

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id === '') throw new BadArgumentError('a child id must be a non-empty string');
  return id;
}

/** The request's answer; a refusal rebuilt as its class (other errors as they come). */
async function call(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    throw rebuild(err);
  }
}

function rebuild(err: unknown): unknown {
  if (err instanceof PidgeonError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: unknown; ref?: ErrorAddress };
  const opts = e.cause === undefined ? {} : { cause: e.cause };
  let out: PidgeonError;
  switch (e.code) {
    case 'EALREADY': out = new AlreadyStartedError(e.message, e.ref!, opts); break;
    case 'ECHILDPRESENT': out = new ChildPresentError(e.message, opts); break;
    case 'ECHILDRUNNING': out = new ChildRunningError(e.message, opts); break;
    case 'ENOCHILD': out = new NoChildError(e.message, opts); break;
    case 'ESPAWN': out = new SpawnError(e.message, { ...opts, ...(isLocation(e) ? { location: e.location } : {}) }); break;
    default: return err;
  }
  if (e.stack) out.stack = e.stack;
  return out;
}

function isLocation(e: object): e is { location: SpawnError['location'] & object } {
  return typeof (e as { location?: unknown }).location === 'object' && (e as { location?: unknown }).location !== null;
}
