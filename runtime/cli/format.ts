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

/** The length of `s` on screen (colour escapes take no room). */
export function visible(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** Aligned columns; the first row is the header. `right`: columns aligned right. */
export function table(rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => visible(r[i] ?? ''))));
  const pad = (c: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i] - visible(c)));
    return right.has(i) ? fill + c : c + fill;
  };
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 && !right.has(i) ? c : pad(c, i))).join('  ').trimEnd()).join('\n');
}

/** 512B, 3.4K, 45.1M, 1.2G. */
export function bytes(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) v /= 1024, u++;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[u]}`;
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
