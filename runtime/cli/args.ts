// Command-line arguments, parsed by Node's own util.parseArgs: `--flag`,
// `--key value`, `--key=value`, `-h`, `--`, positionals. Unknown options are
// errors (a typo must not silently change what a command does).
import { parseArgs as nodeParseArgs } from 'node:util';
import { BadArgumentError } from '../errors.js';

export interface Parsed {
  positionals: string[];
  options: Record<string, string | boolean>;
}

/** Parse `argv` given which options take a value and which are flags. */
export function parseArgs(argv: string[], spec: { values?: string[]; flags?: string[] }): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const k of spec.values ?? []) options[k] = { type: 'string' };
  for (const k of spec.flags ?? []) options[k] = { type: 'boolean' };
  try {
    const r = nodeParseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return { positionals: r.positionals, options: { ...r.values } as Record<string, string | boolean> };
  } catch (err) {
    // ERR_PARSE_ARGS_UNKNOWN_OPTION, ..._INVALID_OPTION_VALUE: Node's message names the option.
    throw new BadArgumentError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''), { cause: err });
  }
}

/** A positive integer option, or the default. */
export function intOption(p: Parsed, key: string, fallback: number): number {
  const v = p.options[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n <= 0) throw new BadArgumentError(`--${key} must be a positive integer`);
  return n;
}
