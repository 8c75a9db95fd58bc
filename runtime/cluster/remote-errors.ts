// Errors that cross nodes (a remote spawn's ESPAWN, say) keep their class and code.
import * as errors from '../errors.js';
import { deserializeError, serializeError } from '../core/index.js';

export { BadArgumentError } from '../errors.js';

export function serializeRemoteError(err: unknown): unknown {
  const s = serializeError(err) as unknown as Record<string, unknown>;
  return { ...s, pidgeonCode: err instanceof errors.PidgeonError ? err.code : undefined };
}

/** An error from another node, as the same PidgeonError subclass when it was one. */
export function deserializeRemoteError(e: unknown): Error {
  if (typeof e !== 'object' || e === null) return new errors.PidgeonError('EREMOTE', `remote node failed: ${String(e)}`);
  const o = e as Record<string, unknown>;
  const message = typeof o.message === 'string' ? o.message : 'remote error';
  const code = o.pidgeonCode;
  if (typeof code === 'string') {
    for (const C of Object.values(errors)) {
      if (typeof C === 'function' && (C as unknown as { code?: string }).code === code) return new (C as new (m: string) => Error)(message);
    }
    return new errors.PidgeonError(code, message);
  }
  try { return deserializeError(o as never); } catch { return new Error(message); }
}
