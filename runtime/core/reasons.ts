// Exit reasons (Erlang's): their type, what counts as normal, how they read in a
// log, how they travel on the wire, and how a process's exit status becomes one.
// A leaf: it knows nothing of actors, refs or systems.
import os from 'node:os';
import { deserializeError, isSerializedError, serializeError } from './serialized-error.js';

/** Why an actor exited (Erlang's exit reasons). `stderr` is the tail of the child's
 * standard error, attached to abnormal reasons when the observer is its parent. */
export type ExitReason =
  | 'normal'
  | 'shutdown'
  | 'noproc'
  | 'noconnection'
  | { shutdown: unknown }
  | { code: number; stderr?: string }
  | { signal: string; stderr?: string }
  | { error: Error; stderr?: string };

/** Normal reasons do not kill linked actors and do not restart transient children.
 * `{ shutdown: term }` is OTP's `{shutdown, Term}`: a shutdown that says why. */
export function isNormalReason(r: ExitReason): boolean {
  return r === 'normal' || r === 'shutdown' || (typeof r === 'object' && r !== null && 'shutdown' in r);
}

/** A one-line description of a reason, for logs. */
export function formatReason(r: ExitReason): string {
  if (typeof r === 'string') return r;
  if ('shutdown' in r) return `shutdown: ${safeJson(r.shutdown)}`;
  if ('code' in r) return `exit code ${r.code}`;
  if ('signal' in r) return r.signal === 'unknown' ? 'exited (no farewell; not our child, so no exit status)' : `killed by ${r.signal}`;
  return `error: ${r.error.name}: ${r.error.message}`;
}

/** A reason with the last lines of its stderr tail, for the error of a child that
 * exited before it was ready. */
export function describeReason(r: ExitReason): string {
  if (typeof r === 'string') return r;
  if ('shutdown' in r) return formatReason(r);
  const tail = r.stderr ? `; stderr: ${r.stderr.split('\n').slice(-5).join(' | ')}` : '';
  if ('code' in r) return `exit code ${r.code}${tail}`;
  if ('signal' in r) return `${r.signal}${tail}`;
  return `${r.error.message}${tail}`;
}

/** A value printable in an error message, whatever it is. */
export function safeJson(v: unknown): string {
  try { return JSON.stringify(v) ?? String(v); } catch { /* a cycle, a BigInt, too deep */ }
  try { return String(v); } catch { return Object.prototype.toString.call(v); }
}

/** Reasons travel with their Error serialized by the codec. */
export function wireReason(r: ExitReason): unknown {
  return typeof r === 'object' && 'error' in r ? { error: r.error instanceof Error ? r.error : serializeError(r.error) } : r;
}

/** Check a reason that came off the wire. */
export function readReason(r: unknown): ExitReason {
  if (r === 'normal' || r === 'shutdown' || r === 'noproc' || r === 'noconnection') return r;
  if (r && typeof r === 'object') {
    const o = r as Record<string, unknown>;
    if ('shutdown' in o) return { shutdown: o.shutdown };
    if (typeof o.code === 'number') return { code: o.code };
    if (typeof o.signal === 'string') return { signal: o.signal };
    if (o.error instanceof Error) return { error: o.error };
    if (isSerializedError(o.error)) return { error: deserializeError(o.error) };
  }
  return { error: new Error(`unrecognised exit reason ${safeJson(r)}`) };
}

/** The reason of a process that exited with `code` or was killed by `signal` (as
 * Node's 'exit' event reports them). */
export function reasonFromExit(code: number | null, signal: string | null): ExitReason {
  if (signal) return { signal };
  return code === 0 ? 'normal' : { code: code ?? -1 };
}

/** Signal numbers to names, from Node's own table (the first name of an alias
 * pair: SIGABRT, not SIGIOT). */
const SIGNAL_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(os.constants.signals)) if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name);

/** A wait status (as waitpid reports it, and /proc shows a zombie's) as Node's
 * 'exit' event gives it: an exit code, or the name of the signal. */
export function exitFromStatus(status: number): { code: number | null; signal: NodeJS.Signals | null } {
  const sig = status & 0x7f;
  if (sig === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal: (SIGNAL_NAMES.get(sig) ?? `signal ${sig}`) as NodeJS.Signals };
}

/** The reason of a wait status. */
export function reasonFromStatus(status: number): ExitReason {
  const { code, signal } = exitFromStatus(status);
  return reasonFromExit(code, signal);
}

/** How a parent sees its reaped child exit: the farewell if the child sent one, else
 * its exit status; abnormal reasons carry the child's stderr tail (if any). */
export function childReason(farewell: ExitReason | undefined, code: number | null, signal: string | null, stderrTail: string): ExitReason {
  if (farewell !== undefined) {
    return typeof farewell === 'object' && 'error' in farewell && stderrTail ? { ...farewell, stderr: stderrTail } : farewell;
  }
  const r = reasonFromExit(code, signal);
  return typeof r === 'object' && stderrTail ? { ...r, stderr: stderrTail } : r;
}
