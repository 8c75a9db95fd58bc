// Argument parsing of the `pidgeon` commands (util.parseArgs underneath): flags,
// values in both spellings, `-h`, `--`, positionals; unknown or malformed options
// are EBADARG, never silently ignored. No processes.
import test from 'ava';
import { intOption, parseArgs } from '../../runtime/cli/args.js';

const spec = { values: ['system', 'timeout'], flags: ['ask', 'json'] };

const parses = test.macro({
  exec(t, argv: string[], positionals: string[], options: Record<string, string | boolean>) {
    t.deepEqual(parseArgs(argv, spec), { positionals, options });
  },
  title: (_, argv: string[]) => `parses ${JSON.stringify(argv)}`,
});
test(parses, [], [], {});
test(parses, ['kv', '{"a":1}'], ['kv', '{"a":1}'], {});
test(parses, ['kv', '--ask', '--system', 'demo'], ['kv'], { ask: true, system: 'demo' });
test(parses, ['--system=demo', 'x'], ['x'], { system: 'demo' });
test(parses, ['-h'], [], { help: true });
test(parses, ['--help', '--json'], [], { help: true, json: true });
test(parses, ['--', '--ask', '-h'], ['--ask', '-h'], {});

const refuses = test.macro({
  exec(t, argv: string[]) {
    const err = t.throws(() => parseArgs(argv, spec)) as { code?: string; message: string };
    t.is(err.code, 'EBADARG');
    t.false(err.message.includes('\n'), 'one line');
  },
  title: (_, argv: string[]) => `refuses ${JSON.stringify(argv)} with EBADARG`,
});
test(refuses, ['--bogus']);
test(refuses, ['--ask=yes']);
test(refuses, ['--system']);
test(refuses, ['-x']);

const ints = test.macro({
  exec(t, value: string | undefined, expected: number | 'EBADARG') {
    const options: Record<string, string | boolean> = value === undefined ? {} : { timeout: value };
    const p = { positionals: [], options };
    if (expected === 'EBADARG') t.is((t.throws(() => intOption(p, 'timeout', 5000)) as { code?: string }).code, 'EBADARG');
    else t.is(intOption(p, 'timeout', 5000), expected);
  },
  title: (_, value: string | undefined, expected: number | string) => `--timeout ${value ?? '(none)'} → ${expected}`,
});
test(ints, undefined, 5000);
test(ints, '250', 250);
for (const bad of ['0', '-1', '1.5', 'abc', '']) test(ints, bad, 'EBADARG');
