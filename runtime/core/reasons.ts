// Exit reasons on the wire: an Error travels serialized by the codec, and anything
// that arrives is checked back into an ExitReason.
import type { ExitReason } from './actor.js';
import { serializeError } from './codec.js';

/** A value printable in an error message, whatever it is. */
export function safeJson(v: unknown): string {
  try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
}

/** Reasons travel with their Error serialized by the codec. */
export function wireReason(r: ExitReason): unknown {
  return typeof r === 'object' && 'error' in r ? { error: r.error instanceof Error ? r.error : serializeError(r.error) } : r;
}

/** Check a reason that came off the wire. */
export function readReason(r: unknown): ExitReason {
  if (r === 'normal' || r === 'shutdown' || r === 'noproc') return r;
  if (r && typeof r === 'object') {
    const o = r as Record<string, unknown>;
    if (typeof o.code === 'number') return { code: o.code };
    if (typeof o.signal === 'string') return { signal: o.signal };
    if (o.error instanceof Error) return { error: o.error };
  }
  return { error: new Error(`unrecognised exit reason ${safeJson(r)}`) };
}

