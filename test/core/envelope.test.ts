// Envelopes without processes: every kind survives encode → decode, and anything
// that is not a well-formed envelope decodes to null (it is dropped, never thrown).
import test from 'ava';
import { encode } from '../../runtime/core/codec.js';
import {
  T_ASK, T_MSG, T_REPLY, T_SYS, T_SYSASK, decodeEnvelope, encodeEnvelope, type Envelope,
} from '../../runtime/core/envelope.js';

const roundTrip = test.macro({
  exec(t, env: Envelope) {
    t.deepEqual(decodeEnvelope(encodeEnvelope(env)), env);
  },
  title: (provided, env: Envelope) => `round trip: ${provided ?? JSON.stringify(env)}`,
});

test(roundTrip, [T_MSG, { type: 'add', n: 5 }]);
test(roundTrip, [T_MSG, null]);
test('T_MSG with a Map body', roundTrip, [T_MSG, new Map([[1, 'a']])]);
test(roundTrip, [T_ASK, 7, { type: 'get' }]);
test(roundTrip, [T_REPLY, 7, true, 42]);
test(roundTrip, [T_REPLY, 7, false, 'no']);
test(roundTrip, [T_SYS, 'farewell', { reason: 'normal' }]);
test(roundTrip, [T_SYSASK, 3, 'info', null]);

test('a failed reply carries its Error', (t) => {
  const env = decodeEnvelope(encodeEnvelope([T_REPLY, 1, false, new RangeError('out')]));
  t.truthy(env);
  const body = env![3] as Error;
  t.true(body instanceof Error);
  t.is(body.name, 'RangeError');
  t.is(body.message, 'out');
});

const malformed = test.macro({
  exec(t, bytes: Uint8Array) {
    t.is(decodeEnvelope(bytes), null);
  },
  title: (provided) => `malformed: ${provided}`,
});

test('empty body', malformed, new Uint8Array(0));
test('not msgpack (a truncated map)', malformed, Uint8Array.of(0x83, 0xa1));
test('a string, not an array', malformed, encode('hello'));
test('an object, not an array', malformed, encode({ 0: 0, 1: 'x' }));
test('an empty array', malformed, encode([]));
test('a type that is not a number', malformed, encode(['0', 'x']));
test('an unknown type', malformed, encode([9, 'x']));
test('T_MSG with an extra element', malformed, encode([T_MSG, 'x', 'y']));
test('T_MSG without a body', malformed, encode([T_MSG]));
test('T_ASK with a string id', malformed, encode([T_ASK, '1', 'x']));
test('T_ASK too short', malformed, encode([T_ASK, 1]));
test('T_REPLY with a string id', malformed, encode([T_REPLY, '1', true, 'x']));
test('T_REPLY too short', malformed, encode([T_REPLY, 1, true]));
test('T_REPLY with an ok that is not a boolean', malformed, encode([T_REPLY, 1, 1, 'x']));
test('T_SYS with a numeric op', malformed, encode([T_SYS, 1, null]));
test('T_SYS too long', malformed, encode([T_SYS, 'stop', null, null]));
test('T_SYSASK with a numeric op', malformed, encode([T_SYSASK, 1, 2, null]));
test('T_SYSASK with a string id', malformed, encode([T_SYSASK, '1', 'info', null]));
