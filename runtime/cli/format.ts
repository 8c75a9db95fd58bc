// Terminal output helpers: timestamps, durations, tables, JSON that survives
// BigInt/Map/Set/Buffer/Error, and colour only on a TTY.
import { formatReason, type ExitReason } from '../core/index.js';

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
export const color = {
  dim: (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s),
  green: (s: string) => (tty ? `\x1b[32m${s}\x1b[0m` : s),
  red: (s: string) => (tty ? `\x1b[31m${s}\x1b[0m` : s),
  yellow: (s: string) => (tty ? `\x1b[33m${s}\x1b[0m` : s),
  bold: (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s),
};

/** HH:MM:SS.mmm of now. */
export function clock(d = new Date()): string {
  return d.toISOString().slice(11, 23);
}

/** 1.2s, 3m04s, 2h05m. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Aligned columns; the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

/** JSON for anything the codec carries. */
export function toJson(v: unknown, indent?: number): string {
  return JSON.stringify(v, (_k, x) => {
    if (typeof x === 'bigint') return x.toString();
    if (x instanceof Map) return Object.fromEntries(x);
    if (x instanceof Set) return [...x];
    if (x instanceof Error) return { name: x.name, message: x.message, ...(x as unknown as Record<string, unknown>) };
    if (x && typeof x === 'object' && x.type === 'Buffer' && Array.isArray(x.data)) return { buffer: Buffer.from(x.data).toString('base64') };
    return x;
  }, indent);
}

/** A reason for humans, coloured by severity. */
export function reasonText(r: ExitReason): string {
  const s = formatReason(r);
  return r === 'normal' || r === 'shutdown' ? color.dim(s) : color.red(s);
}
