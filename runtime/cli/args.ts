// A small argument parser: `--flag`, `--key value`, `--key=value`, positionals.
// Unknown options are errors (a typo must not silently change what a command does).
import { BadArgumentError } from '../errors.js';

export interface Parsed {
  positionals: string[];
  options: Record<string, string | boolean>;
}

/** Parse `argv` given which options take a value and which are flags. */
export function parseArgs(argv: string[], spec: { values?: string[]; flags?: string[] }): Parsed {
  const values = new Set(spec.values ?? []);
  const flags = new Set([...(spec.flags ?? []), 'help']);
  const out: Parsed = { positionals: [], options: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      out.options.help = true;
      continue;
    }
    if (!a.startsWith('--') || a === '-') {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (flags.has(key)) {
      if (eq >= 0) throw new BadArgumentError(`option --${key} takes no value`);
      out.options[key] = true;
    } else if (values.has(key)) {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new BadArgumentError(`option --${key} needs a value`);
      out.options[key] = v;
    } else {
      throw new BadArgumentError(`unknown option --${key}`);
    }
  }
  return out;
}

/** A positive integer option, or the default. */
export function intOption(p: Parsed, key: string, fallback: number): number {
  const v = p.options[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n <= 0) throw new BadArgumentError(`--${key} must be a positive integer`);
  return n;
}
