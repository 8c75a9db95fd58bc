// Errors as messages carry them: name, message, stack, code, cause (nested) and own
// properties, rebuilt on the other side as an Error of the same class where it is a
// built-in one, else an Error that keeps the name. The codec's Error extension and
// exit reasons use these.

/** An Error as it travels: enough to rebuild it on the other side. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: unknown;
  props?: Record<string, unknown>;
}

const KNOWN: Record<string, ErrorConstructor> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

/** Turn an error (or anything thrown) into a plain object. */
export function serializeError(err: unknown, depth = 0): SerializedError {
  if (!(err instanceof Error)) {
    return { name: 'Error', message: typeof err === 'string' ? err : safeString(err) };
  }
  const out: SerializedError = { name: err.name, message: err.message, stack: err.stack };
  const e = err as Error & { code?: unknown; cause?: unknown };
  if (e.code !== undefined) out.code = e.code;
  if (e.cause !== undefined && depth < 8) out.cause = e.cause instanceof Error ? serializeError(e.cause, depth + 1) : e.cause;
  const props: Record<string, unknown> = {};
  for (const k of Object.keys(err)) {
    if (k === 'code' || k === 'cause' || k === 'stack' || k === 'message' || k === 'name') continue;
    const v = (err as unknown as Record<string, unknown>)[k];
    if (typeof v !== 'function') props[k] = v;
  }
  if (Object.keys(props).length) out.props = props;
  return out;
}

/** Is `v` what serializeError writes (as a reason's `error` carries it when what was
 * thrown was not an Error)? */
export function isSerializedError(v: unknown): v is SerializedError {
  const s = v as SerializedError | null;
  return typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.message === 'string';
}

/** Rebuild an Error from `serializeError`'s output; the remote stack is kept. */
export function deserializeError(s: SerializedError, depth = 0): Error {
  const Ctor = KNOWN[s.name] ?? Error;
  const err = new Ctor(s.message) as Error & { code?: unknown; cause?: unknown };
  if (!KNOWN[s.name]) Object.defineProperty(err, 'name', { value: s.name, configurable: true, writable: true });
  if (s.stack !== undefined) err.stack = s.stack;
  if (s.code !== undefined) err.code = s.code;
  if (s.cause !== undefined) {
    const c = s.cause as SerializedError;
    err.cause = c && typeof c === 'object' && typeof c.message === 'string' && typeof c.name === 'string' && depth < 8
      ? deserializeError(c, depth + 1) : s.cause;
  }
  if (s.props) Object.assign(err, s.props);
  return err;
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
