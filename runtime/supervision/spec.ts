// Supervisor specs (OTP's child specs and supervisor flags) and their validation.
// A bad spec is refused before anything starts, naming the offending field's path.
import fs from 'node:fs';
import { BadSpecError } from '../errors.js';
import { MAX_TIMER_MS, checkActorName, resolveModule, type ShutdownSpec } from '../core/index.js';
import type { ChildSpec, RestartType, Strategy, SupervisorSpec } from '../core/supervision.js';
// The user's spec types belong to the core's supervise() contract.
export type { BackoffSpec, ChildSpec, RestartType, Strategy, SupervisorSpec } from '../core/supervision.js';


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
  backoff: NormalBackoff | null;
}

/** A validated backoff, defaults filled in. */
export interface NormalBackoff {
  min: number;
  max: number;
  factor: number;
  jitter: number;
  reset: number;
}

export interface NormalSpec {
  strategy: Strategy;
  intensity: number;
  period: number;
  name: string | null;
  /** null: no limit. */
  maxChildren: number | null;
  /** For simple_one_for_one, the one template child. */
  children: NormalChild[];
}

const STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one'];
const RESTARTS = ['permanent', 'transient', 'temporary'];
const SPEC_KEYS = new Set(['strategy', 'intensity', 'period', 'name', 'maxChildren', 'children']);
const CHILD_KEYS = new Set(['id', 'module', 'supervisor', 'args', 'name', 'env', 'restart', 'shutdown', 'backoff']);
const BACKOFF_KEYS = new Set(['min', 'max', 'factor', 'jitter', 'reset']);

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
  const maxChildren = s.maxChildren ?? null;
  if (maxChildren !== null && (typeof maxChildren !== 'number' || !Number.isInteger(maxChildren) || maxChildren < 0)) {
    throw new BadSpecError(`${path}.maxChildren`, 'must be a non-negative integer');
  }
  if (strategy === 'simple_one_for_one') {
    if (children.length !== 1) throw new BadSpecError(`${path}.children`, 'simple_one_for_one needs exactly one template child');
    // Every instance would claim the same name.
    if (children[0].name !== null) throw new BadSpecError(`${path}.children[0].name`, 'a simple_one_for_one template cannot have a name');
    if (children[0].supervisor?.name) throw new BadSpecError(`${path}.children[0].supervisor.name`, 'a simple_one_for_one template cannot have a name');
  } else if (maxChildren !== null && children.length > maxChildren) {
    throw new BadSpecError(`${path}.maxChildren`, `is less than the ${children.length} children of the spec`);
  }
  return { strategy: strategy as Strategy, intensity, period, name, maxChildren, children };
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
  if (!(shutdown === 'brutal_kill' || shutdown === 'infinity' || (typeof shutdown === 'number' && shutdown >= 0 && shutdown <= MAX_TIMER_MS))) {
    throw new BadSpecError(`${path}.shutdown`, `must be ms (0 to ${MAX_TIMER_MS}), 'brutal_kill' or 'infinity'`);
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
    restart: restart as RestartType, shutdown: shutdown as ShutdownSpec, backoff: normalizeBackoff(o.backoff, `${path}.backoff`),
  };
}

function normalizeBackoff(b: unknown, path: string): NormalBackoff | null {
  if (b === undefined || b === null) return null;
  if (!isObject(b)) throw new BadSpecError(path, 'must be an object { min, max, factor?, jitter?, reset? }');
  for (const k of Object.keys(b)) if (!BACKOFF_KEYS.has(k)) throw new BadSpecError(`${path}.${k}`, 'unknown field');
  const o = b as Record<string, unknown>;
  const ms = (k: string, v: unknown, floor: number): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < floor || v > MAX_TIMER_MS) throw new BadSpecError(`${path}.${k}`, `must be a number of ms from ${floor} to ${MAX_TIMER_MS}`);
    return v;
  };
  const min = ms('min', o.min, 0);
  const max = ms('max', o.max, min);
  const factor = o.factor ?? 2;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) throw new BadSpecError(`${path}.factor`, 'must be a number >= 1');
  const jitter = o.jitter ?? 0.2;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) throw new BadSpecError(`${path}.jitter`, 'must be a number from 0 to 1');
  const reset = o.reset === undefined ? max : ms('reset', o.reset, 0);
  return { min, max, factor, jitter, reset };
}

/** The args of a simple_one_for_one instance: OTP appends startChild's argument list
 * to the template's; here two arrays are concatenated, two plain objects merged
 * (startChild's keys win), `undefined` keeps the template's, anything else replaces them. */
export function instanceArgs(template: unknown, extra: unknown): unknown {
  if (extra === undefined) return template;
  if (Array.isArray(template) && Array.isArray(extra)) return [...template, ...extra];
  if (isPlain(template) && isPlain(extra)) return { ...template, ...extra };
  return extra;
}

/** The inverse of `instanceArgs`: what startChild must be given to start an instance
 * with `instance` as its args again (`pidgeon restart` of an instance). */
export function extraArgs(template: unknown, instance: unknown): unknown {
  if (Array.isArray(template) && Array.isArray(instance)) return instance.slice(template.length);
  return instance;
}

/** A kept spec as users write one (getChildSpec): null fields left out. */
export function publicChildSpec(c: NormalChild): ChildSpec {
  const out: ChildSpec = { id: c.id, restart: c.restart, shutdown: c.shutdown };
  if (c.module !== null) out.module = c.module;
  if (c.supervisor) out.supervisor = publicSpec(c.supervisor);
  if (c.args !== undefined) out.args = c.args;
  if (c.name !== null) out.name = c.name;
  if (c.env !== null) out.env = c.env;
  if (c.backoff) out.backoff = c.backoff;
  return out;
}

function publicSpec(s: NormalSpec): SupervisorSpec {
  const out: SupervisorSpec = { strategy: s.strategy, intensity: s.intensity, period: s.period, children: s.children.map(publicChildSpec) };
  if (s.name !== null) out.name = s.name;
  if (s.maxChildren !== null) out.maxChildren = s.maxChildren;
  return out;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return isObject(v) && Object.getPrototypeOf(v) === Object.prototype;
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
