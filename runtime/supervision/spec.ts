// Supervisor specs (OTP's child specs and supervisor flags) and their validation.
// A bad spec is refused before anything starts, naming the offending field's path.
import fs from 'node:fs';
import { BadSpecError } from '../errors.js';
import { checkActorName, resolveModule, type ShutdownSpec } from '../core/index.js';
import type { RestartType, Strategy } from '../core/supervision.js';
// The user's spec types belong to the core's supervise() contract.
export type { ChildSpec, RestartType, Strategy, SupervisorSpec } from '../core/supervision.js';


/** A validated child spec, with defaults filled in and its module resolved. */
export interface NormalChild {
  id: string;
  module: string | null;
  supervisor: NormalSpec | null;
  args: unknown;
  name: string | null;
  env: Record<string, string> | null;
  restart: RestartType;
  shutdown: ShutdownSpec;
}

export interface NormalSpec {
  strategy: Strategy;
  intensity: number;
  period: number;
  name: string | null;
  children: NormalChild[];
}

const STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one'];
const RESTARTS = ['permanent', 'transient', 'temporary'];
const SPEC_KEYS = new Set(['strategy', 'intensity', 'period', 'name', 'children']);
const CHILD_KEYS = new Set(['id', 'module', 'supervisor', 'args', 'name', 'env', 'restart', 'shutdown']);

/** Validate a supervisor spec; throws EBADSPEC with the field's path. */
export function normalizeSpec(spec: unknown, path = 'spec', extraKeys: string[] = []): NormalSpec {
  if (!isObject(spec)) throw new BadSpecError(path, 'must be an object');
  for (const k of Object.keys(spec)) {
    if (!SPEC_KEYS.has(k) && !extraKeys.includes(k)) throw new BadSpecError(`${path}.${k}`, 'unknown field');
  }
  const s = spec as Record<string, unknown>;
  const strategy = s.strategy ?? 'one_for_one';
  if (typeof strategy !== 'string' || !STRATEGIES.includes(strategy)) {
    throw new BadSpecError(`${path}.strategy`, `must be one of ${STRATEGIES.join(', ')}`);
  }
  const intensity = s.intensity ?? 3;
  if (typeof intensity !== 'number' || !Number.isInteger(intensity) || intensity < 0) {
    throw new BadSpecError(`${path}.intensity`, 'must be a non-negative integer');
  }
  const period = s.period ?? 5000;
  if (typeof period !== 'number' || !(period > 0)) throw new BadSpecError(`${path}.period`, 'must be a positive number of ms');
  const name = optionalName(s.name, `${path}.name`);
  if (!Array.isArray(s.children)) throw new BadSpecError(`${path}.children`, 'must be an array');
  const ids = new Set<string>();
  const children = s.children.map((c, i) => {
    const child = normalizeChild(c, `${path}.children[${i}]`);
    if (ids.has(child.id)) throw new BadSpecError(`${path}.children[${i}].id`, `duplicate id '${child.id}'`);
    ids.add(child.id);
    return child;
  });
  return { strategy: strategy as Strategy, intensity, period, name, children };
}

/** Validate one child spec (`startChild`'s); throws EBADSPEC with the field's path. */
export function normalizeChildSpec(c: unknown, path = 'child'): NormalChild {
  return normalizeChild(c, path);
}

function normalizeChild(c: unknown, path: string): NormalChild {
  if (!isObject(c)) throw new BadSpecError(path, 'must be an object');
  for (const k of Object.keys(c)) if (!CHILD_KEYS.has(k)) throw new BadSpecError(`${path}.${k}`, 'unknown field');
  const o = c as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id === '') throw new BadSpecError(`${path}.id`, 'must be a non-empty string');
  if ((o.module === undefined) === (o.supervisor === undefined)) {
    throw new BadSpecError(path, 'needs exactly one of module or supervisor');
  }
  let module: string | null = null;
  if (o.module !== undefined) {
    if (typeof o.module !== 'string' && !(o.module instanceof URL)) throw new BadSpecError(`${path}.module`, 'must be a path or file: URL');
    try {
      module = resolveModule(o.module);
    } catch (err) {
      throw new BadSpecError(`${path}.module`, (err as Error).message);
    }
    if (!fs.existsSync(module)) throw new BadSpecError(`${path}.module`, `module not found: ${module}`);
  }
  const supervisor = o.supervisor !== undefined ? normalizeSpec(o.supervisor, `${path}.supervisor`) : null;
  const restart = o.restart ?? 'permanent';
  if (typeof restart !== 'string' || !RESTARTS.includes(restart)) {
    throw new BadSpecError(`${path}.restart`, `must be one of ${RESTARTS.join(', ')}`);
  }
  const shutdown = o.shutdown ?? (supervisor ? 'infinity' : 5000);
  if (!(shutdown === 'brutal_kill' || shutdown === 'infinity' || (typeof shutdown === 'number' && shutdown >= 0))) {
    throw new BadSpecError(`${path}.shutdown`, "must be ms (>= 0), 'brutal_kill' or 'infinity'");
  }
  let env: Record<string, string> | null = null;
  if (o.env !== undefined) {
    if (!isObject(o.env) || !Object.values(o.env).every((v) => typeof v === 'string')) {
      throw new BadSpecError(`${path}.env`, 'must be an object of strings');
    }
    env = o.env as Record<string, string>;
  }
  return {
    id: o.id, module, supervisor, args: o.args, name: optionalName(o.name, `${path}.name`), env,
    restart: restart as RestartType, shutdown: shutdown as ShutdownSpec,
  };
}

function optionalName(v: unknown, path: string): string | null {
  if (v === undefined || v === null) return null;
  try {
    return checkActorName(v);
  } catch (err) {
    throw new BadSpecError(path, (err as Error).message);
  }
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
