// Exit reasons without processes: their wire form round trips, anything else that
// arrives becomes an { error }, they read as one line, and exit statuses map to them.
import test from 'ava';
import os from 'node:os';
import { decode, encode } from '../../runtime/core/codec.js';
import {
  childReason, describeReason, formatReason, isNormalReason, readReason, reasonFromExit, reasonFromStatus, wireReason,
  type ExitReason,
} from '../../runtime/core/reasons.js';

const wire = (r: ExitReason): ExitReason => readReason(decode(encode(wireReason(r))));

const roundTrip = test.macro({
  exec(t, r: ExitReason) {
    t.deepEqual(wire(r), r);
  },
  title: (_p, r: ExitReason) => `wire round trip: ${JSON.stringify(r)}`,
});

test(roundTrip, 'normal');
test(roundTrip, 'shutdown');
test(roundTrip, 'noproc');
test(roundTrip, { code: 3 });
test(roundTrip, { signal: 'SIGKILL' });
test(roundTrip, { signal: 'unknown' });
test(roundTrip, { shutdown: 'scaled down' });
test(roundTrip, { shutdown: { why: 'drain', n: 2 } });

test('wire round trip: { error } keeps name, message and stack', (t) => {
  const err = new TypeError('bad');
  const r = wire({ error: err });
  t.true(typeof r === 'object' && 'error' in r && r.error instanceof Error);
  const e = (r as { error: Error }).error;
  t.is(e.name, 'TypeError');
  t.is(e.message, 'bad');
  t.is(e.stack, err.stack);
});

test('wire round trip: { error } of a thrown non-Error (serialized) reads back as an Error', (t) => {
  const r = wire({ error: 'a string was thrown' as unknown as Error });
  t.true(typeof r === 'object' && 'error' in r && r.error instanceof Error);
  t.is((r as { error: Error }).error.message, 'a string was thrown');
});

test('readReason of a deeply nested value does not throw (its text is bounded by the stack)', (t) => {
  let deep: unknown = null;
  for (let i = 0; i < 20_000; i++) deep = [deep];
  t.notThrows(() => readReason(deep));
});

test('wire form: stderr is not carried (only a parent attaches it)', (t) => {
  t.deepEqual(wire({ code: 1, stderr: 'boom' }), { code: 1 });
});

const unrecognised = test.macro({
  exec(t, v: unknown) {
    const r = readReason(v);
    t.true(typeof r === 'object' && 'error' in r);
    t.regex((r as { error: Error }).error.message, /^unrecognised exit reason/);
  },
  title: (_p, v: unknown) => `readReason refuses ${typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v)}`,
});

test(unrecognised, 'killed');
test(unrecognised, undefined);
test(unrecognised, 42);
test(unrecognised, { code: '1' });
test(unrecognised, { signal: 9 });
test(unrecognised, { error: 'not an Error' });

const formatted = test.macro({
  exec(t, r: ExitReason, expected: string, described: string) {
    t.is(formatReason(r), expected);
    t.is(describeReason(r), described);
  },
  title: (_p, r: ExitReason, expected: string) => `formatReason(${JSON.stringify(r)}) is '${expected}'`,
});

test(formatted, 'normal', 'normal', 'normal');
test(formatted, 'noproc', 'noproc', 'noproc');
test(formatted, { shutdown: 'drain' }, 'shutdown: "drain"', 'shutdown: "drain"');
test(formatted, { code: 2 }, 'exit code 2', 'exit code 2');
test(formatted, { signal: 'SIGTERM' }, 'killed by SIGTERM', 'SIGTERM');
test(formatted, { signal: 'unknown' }, 'exited (no farewell; not our child, so no exit status)', 'unknown');
test(formatted, { code: 1, stderr: 'a\nb\nc\nd\ne\nf' }, 'exit code 1', 'exit code 1; stderr: b | c | d | e | f');
test('formatReason of an error', formatted, { error: new RangeError('r') }, 'error: RangeError: r', 'r');

const normal = test.macro({
  exec(t, r: ExitReason, expected: boolean) {
    t.is(isNormalReason(r), expected);
  },
  title: (_p, r: ExitReason, expected: boolean) => `isNormalReason(${JSON.stringify(r)}) is ${expected}`,
});

test(normal, 'normal', true);
test(normal, 'shutdown', true);
test(normal, { shutdown: 'drain' }, true);
test(normal, { shutdown: null }, true);
test(normal, 'noproc', false);
test(normal, { code: 0 }, false);
test(normal, { signal: 'SIGKILL' }, false);

const signo = (name: string): number => (os.constants.signals as Record<string, number>)[name];

const status = test.macro({
  exec(t, s: number, expected: ExitReason) {
    t.deepEqual(reasonFromStatus(s), expected);
  },
  title: (provided, s: number, expected: ExitReason) => `wait status ${s}${provided ? ` (${provided})` : ''} → ${JSON.stringify(expected)}`,
});

test('exit 0', status, 0, 'normal');
test('exit 1', status, 1 << 8, { code: 1 });
test('exit 255', status, 255 << 8, { code: 255 });
test('SIGKILL', status, signo('SIGKILL'), { signal: 'SIGKILL' });
test('SIGTERM', status, signo('SIGTERM'), { signal: 'SIGTERM' });
test('SIGABRT with a core dump', status, signo('SIGABRT') | 0x80, { signal: 'SIGABRT' });
test('a signal with no name', status, 0x7e, { signal: 'signal 126' });

const exit = test.macro({
  exec(t, code: number | null, signal: string | null, expected: ExitReason) {
    t.deepEqual(reasonFromExit(code, signal), expected);
  },
  title: (_p, code: number | null, signal: string | null, expected: ExitReason) => `exit (${code}, ${signal}) → ${JSON.stringify(expected)}`,
});

test(exit, 0, null, 'normal');
test(exit, 3, null, { code: 3 });
test(exit, null, 'SIGKILL', { signal: 'SIGKILL' });
test(exit, null, null, { code: -1 });

const child = test.macro({
  exec(t, farewell: ExitReason | undefined, code: number | null, signal: string | null, tail: string, expected: ExitReason) {
    t.deepEqual(childReason(farewell, code, signal, tail), expected);
  },
  title: (provided) => `a parent sees its child exit: ${provided}`,
});

const err = new Error('x');
test('farewell normal, stderr ignored', child, 'normal', 0, null, 'noise', 'normal');
test('farewell shutdown over exit code 1', child, 'shutdown', 1, null, '', 'shutdown');
test('farewell error gets the stderr tail', child, { error: err }, 1, null, 'trace', { error: err, stderr: 'trace' });
test('farewell error without stderr', child, { error: err }, 1, null, '', { error: err });
test('farewell code is kept as it is', child, { code: 7 }, 1, null, 'tail', { code: 7 });
test('no farewell, a signal with stderr', child, undefined, null, 'SIGKILL', 'tail', { signal: 'SIGKILL', stderr: 'tail' });
test('no farewell, exit 0 with stderr is normal', child, undefined, 0, null, 'tail', 'normal');
test('no farewell, exit 2', child, undefined, 2, null, '', { code: 2 });
test('no farewell, exit 2 with stderr', child, undefined, 2, null, 'tail', { code: 2, stderr: 'tail' });
