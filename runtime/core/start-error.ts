// Why a child could not start, as the SpawnError its spawn rejects with: its module
// is missing, it failed to load or in init (reported by child-main as
// 'initFailed' { error, phase, location }), or it exited before it was ready.
import type { Address } from '../transport/index.js';
import { SpawnError, type ErrorLocation } from '../errors.js';
import type { SerializedError } from './serialized-error.js';
import { describeReason, type ExitReason } from './reasons.js';
import { atLocation } from './load-error.js';

/** The module file does not exist. */
export function moduleNotFound(file: string): SpawnError {
  return new SpawnError(`actor module not found: ${file}`, { cause: Object.assign(new Error(`Cannot find module '${file}'`), { code: 'ERR_MODULE_NOT_FOUND' }) });
}

/** The child exited before it reported ready (and without saying why). */
export function exitedBeforeReady(module: string, reason: ExitReason, address: Address | undefined): SpawnError {
  return new SpawnError(`actor ${module} exited before it was ready (${describeReason(reason)})`, {
    cause: typeof reason === 'object' && 'error' in reason ? reason.error : undefined,
    address,
  });
}

/** What an 'initFailed' report says. */
export interface InitFailure { error: SerializedError; phase: 'load' | 'init'; location: ErrorLocation | undefined }

/** Check an 'initFailed' payload (a bogus one from some other process is undefined). */
export function readInitFailure(v: unknown): InitFailure | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { error, phase, location } = v as Record<string, unknown>;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.name !== 'string' || typeof e.message !== 'string') return undefined;
  return { error: e as unknown as SerializedError, phase: phase === 'init' ? 'init' : 'load', location: isLocation(location) ? location : undefined };
}

function isLocation(v: unknown): v is ErrorLocation {
  const l = v as ErrorLocation | null;
  return typeof l === 'object' && l !== null && typeof l.file === 'string' && typeof l.source === 'string'
    && Number.isInteger(l.line) && Number.isInteger(l.column);
}

/** The spawn error for a child's failed start. A nested spawn's error (a
 * supervisor's child failed) is passed on as it is, not prefixed once more. */
export function startError(module: string, phase: 'load' | 'init', cause: Error, location: ErrorLocation | undefined, address: Address): SpawnError {
  const c = cause as Error & { code?: unknown; location?: unknown };
  if (c.code === 'ESPAWN') {
    return new SpawnError(cause.message, { cause, address, ...(isLocation(c.location) ? { location: c.location } : {}) });
  }
  const what = phase === 'load' ? `cannot load actor module ${module}` : `actor ${module} failed in init`;
  return new SpawnError(`${what}: ${cause.name}: ${cause.message}${atLocation(location)}`, { cause, address, ...(location ? { location } : {}) });
}
