// Why a start failed, without processes: an 'initFailed' payload is checked (a bogus
// one is ignored), and the SpawnError says which module, which phase and where,
// passes a nested spawn's error on unprefixed, and names the exit of a child that
// died before it was ready.
import test from 'ava';
import { serializeError } from '../../runtime/core/serialized-error.js';
import { exitedBeforeReady, moduleNotFound, readInitFailure, startError } from '../../runtime/core/start-error.js';
import { SpawnError, type ErrorLocation } from '../../runtime/errors.js';

const address = { pid: 7, instance: 'ab' };
const where: ErrorLocation = { file: '/m.js', line: 3, column: 9, source: 'throw x' } as ErrorLocation;

const payload = test.macro({
  exec(t, v: unknown, expected: { phase: 'load' | 'init'; location: boolean } | undefined) {
    const f = readInitFailure(v);
    if (expected === undefined) return t.is(f, undefined);
    t.truthy(f);
    t.is(f!.phase, expected.phase);
    t.is(f!.location !== undefined, expected.location);
  },
  title: (provided) => `initFailed payload: ${provided}`,
});

const error = serializeError(new RangeError('r'));
test('not an object', payload, 'boom', undefined);
test('null', payload, null, undefined);
test('no error', payload, { phase: 'init' }, undefined);
test('an error without a message', payload, { error: { name: 'Error' } }, undefined);
test('an error with a numeric name', payload, { error: { name: 1, message: 'm' } }, undefined);
test('phase init', payload, { error, phase: 'init', location: null }, { phase: 'init', location: false });
test('any other phase reads as load', payload, { error, phase: 'later' }, { phase: 'load', location: false });
test('with a location', payload, { error, phase: 'load', location: where }, { phase: 'load', location: true });
test('a location with a string line is dropped', payload, { error, phase: 'load', location: { ...where, line: '3' } }, { phase: 'load', location: false });

const message = test.macro({
  exec(t, phase: 'load' | 'init', cause: Error, location: ErrorLocation | undefined, expected: string) {
    const e = startError('/m.js', phase, cause, location, address);
    t.true(e instanceof SpawnError);
    t.is(e.code, 'ESPAWN');
    t.is(e.message, expected);
    t.is(e.cause, cause);
    t.deepEqual(e.location, location);
  },
  title: (provided) => `start error: ${provided}`,
});

test('load, with where', message, 'load', new SyntaxError('bad token'), where, 'cannot load actor module /m.js: SyntaxError: bad token at /m.js:3:9');
test('load, nowhere known', message, 'load', new Error('x'), undefined, 'cannot load actor module /m.js: Error: x');
test('init', message, 'init', new RangeError('init failed'), where, 'actor /m.js failed in init: RangeError: init failed at /m.js:3:9');

test('a nested spawn error is passed on as it is, with its location', (t) => {
  const nested = new SpawnError("child 'bad' failed to start: it broke", { location: where });
  const e = startError('/sup.js', 'init', nested, undefined, address);
  t.is(e.message, nested.message);
  t.is(e.cause, nested);
  t.deepEqual(e.location, where);
});

test('a missing module: ESPAWN with an ERR_MODULE_NOT_FOUND cause', (t) => {
  const e = moduleNotFound('/nope.js');
  t.is(e.code, 'ESPAWN');
  t.is((e.cause as { code?: string }).code, 'ERR_MODULE_NOT_FOUND');
});

const exited = test.macro({
  exec(t, reason: Parameters<typeof exitedBeforeReady>[1], expected: string, cause: unknown) {
    const e = exitedBeforeReady('/m.js', reason, address);
    t.is(e.message, `actor /m.js exited before it was ready (${expected})`);
    t.is(e.cause, cause);
  },
  title: (_p, _r, expected: string) => `exited before ready: (${expected})`,
});

const thrown = new Error('gone');
test(exited, { code: 3 }, 'exit code 3', undefined);
test(exited, { signal: 'SIGKILL', stderr: 'x\ny' }, 'SIGKILL; stderr: x | y', undefined);
test(exited, { error: thrown }, 'gone', thrown);
