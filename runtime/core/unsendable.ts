// The error for a message that cannot be encoded (codec.ts): EBADARG naming the
// path of the first function or symbol in it, as structured clone's DataCloneError
// does.
import { BadArgumentError } from '../errors.js';

/** The error for a value that failed to encode: the path of the first function or
 * symbol in it (`msg.handlers[2]`), else the encoder's own complaint. Only runs on
 * failure, so the common path pays nothing. */
export function unsendable(value: unknown, root: string, cause: unknown): BadArgumentError {
  const found = findUnsendable(value, root, new Set());
  if (found) {
    return new BadArgumentError(`${found.path} is a ${found.type}: messages carry data only (objects, arrays, strings, numbers, `
      + 'bigints, booleans, null, Dates, Maps, Sets, RegExps, Buffers and typed arrays, Errors); see docs/guide.md#messages', { cause });
  }
  return new BadArgumentError(`${root} cannot be encoded: ${(cause as Error)?.message ?? cause}`, { cause });
}

function findUnsendable(v: unknown, path: string, seen: Set<object>): { path: string; type: string } | null {
  if (typeof v === 'function' || typeof v === 'symbol') return { path, type: typeof v };
  if (typeof v !== 'object' || v === null || seen.has(v) || ArrayBuffer.isView(v)) return null;
  seen.add(v);
  if (v instanceof Map) {
    for (const [k, x] of v) {
      const kp = typeof k === 'string' ? JSON.stringify(k) : String(typeof k === 'symbol' ? 'symbol' : k);
      const r = findUnsendable(k, `${path} (a key)`, seen) ?? findUnsendable(x, `${path}.get(${kp})`, seen);
      if (r) return r;
    }
    return null;
  }
  if (v instanceof Set) {
    for (const x of v) {
      const r = findUnsendable(x, `${path} (a member)`, seen);
      if (r) return r;
    }
    return null;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = findUnsendable(v[i], `${path}[${i}]`, seen);
      if (r) return r;
    }
    return null;
  }
  for (const k of Object.keys(v)) {
    const r = findUnsendable((v as Record<string, unknown>)[k], /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, seen);
    if (r) return r;
  }
  return null;
}
