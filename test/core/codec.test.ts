// Message bodies and errors crossing the process boundary: every value type the
// codec promises survives a round trip through a real actor (echo), and errors keep
// name, message, stack, code, cause and own properties.
import test from 'ava';
import type { ActorRef } from '../../runtime/index.js';
import { deserializeError, serializeError } from '../../runtime/core/serialized-error.js';
import { fixture, openSystem, rejection, type TestSystem } from '../helpers/actors.js';

let shared: (TestSystem & { close(): Promise<void> }) | undefined;
let echo: ActorRef;
let probe: ActorRef;

test.before(async () => {
  shared = await openSystem();
  [echo, probe] = await Promise.all([shared.sys.spawn(fixture('echo')), shared.sys.spawn(fixture('probe'))]);
});
test.after.always(async () => {
  await shared?.close();
});

const roundTrip = test.macro({
  async exec(t, value: unknown, check?: (t: any, back: any) => void) {
    const back = await shared!.sys.ask(echo, { value }, { timeout: 20_000 }) as { value: unknown };
    t.deepEqual(back.value, value);
    check?.(t, back.value);
  },
  title: (provided = '') => `round trip: ${provided}`,
});

test('Map (with non-string keys)', roundTrip, new Map<unknown, unknown>([[1, 'one'], ['k', { deep: [1, 2] }], [true, null]]),
  (t: any, v: unknown) => t.true(v instanceof Map));
test('Set', roundTrip, new Set([1, 'two', 3.5]), (t: any, v: unknown) => t.true(v instanceof Set));
test('Date', roundTrip, new Date('2024-02-29T12:34:56.789Z'), (t: any, v: unknown) => t.true(v instanceof Date));
test('BigInt beyond 64 bits and negative', roundTrip, [10n ** 30n, -(2n ** 70n), 0n, 2n ** 63n - 1n],
  (t: any, v: bigint[]) => t.true(v.every((x) => typeof x === 'bigint')));
test('Buffer', roundTrip, Buffer.from([0, 1, 2, 250, 255]), (t: any, v: unknown) => t.true(Buffer.isBuffer(v)));
test('Uint8Array', roundTrip, new Uint8Array([9, 8, 7]), (t: any, v: unknown) => t.true(v instanceof Uint8Array));
test('Float64Array', roundTrip, new Float64Array([1.5, -0.25, Number.MAX_VALUE]), (t: any, v: unknown) => t.true(v instanceof Float64Array));
test('Int32Array', roundTrip, new Int32Array([-1, 2 ** 31 - 1, -(2 ** 31)]), (t: any, v: unknown) => t.true(v instanceof Int32Array));
test('Uint16Array', roundTrip, new Uint16Array([1, 65535]), (t: any, v: unknown) => t.true(v instanceof Uint16Array));
test('nested objects and arrays', roundTrip, {
  a: { b: { c: [1, { d: 'x', e: [null, true, false] }], f: -0.5 } },
  unicode: 'grüße 🐦 日本',
  empty: { o: {}, a: [] },
  when: new Date(0),
  tags: new Set(['x']),
  index: new Map([['k', new Uint8Array([1])]]),
});
test('large string (fragmented)', roundTrip, 'x'.repeat(600 * 1024));
test('numbers at the edges', roundTrip, [0, -1, 2 ** 53 - 1, -(2 ** 53), 1e-300, Infinity, -Infinity]);

test('an Error as a message value keeps name, message, stack, code, cause and props', async (t) => {
  const r = await shared!.sys.ask(probe, { op: 'error' }, { timeout: 20_000 }) as { err: any };
  t.true(r.err instanceof Error);
  t.is(r.err.name, 'CustomError');
  t.is(r.err.message, 'returned, not thrown');
  t.is(r.err.code, 'EFOO');
  t.deepEqual(r.err.detail, { n: 42 });
  t.regex(r.err.stack, /probe\.[jt]s/);
  t.true(r.err.cause instanceof SyntaxError);
  t.is(r.err.cause.message, 'why');
});

test('an error thrown in receive rejects the ask with name, message, stack, code and cause chain', async (t) => {
  const { sys } = shared!;
  const victim = await sys.spawn(fixture('probe'));
  const err = await rejection(sys.ask(victim, { op: 'throw' }, { timeout: 20_000 }), 'ask answered by a throw');
  t.true(err instanceof Error);
  t.is(err.name, 'CustomError');
  t.is(err.message, 'custom failure');
  t.is(err.code, 'EFOO');
  t.deepEqual(err.detail, { n: 42 });
  t.regex(err.stack, /CustomError: custom failure/);
  t.regex(err.stack, /probe\.[jt]s/);
  t.true(err.cause instanceof RangeError);
  t.is(err.cause.message, 'inner cause');
  t.regex(err.cause.stack, /probe\.[jt]s/);
  t.is(err.cause.cause, 'root cause');
});

test('serializeError/deserializeError keep non-Error throws and nested causes', (t) => {
  const e = deserializeError(serializeError('plain string'));
  t.is(e.message, 'plain string');
  const deep = deserializeError(serializeError(new Error('a', { cause: new TypeError('b', { cause: new Error('c') }) })));
  t.is((deep.cause as Error).name, 'TypeError');
  t.is(((deep.cause as Error).cause as Error).message, 'c');
});

// What no message can carry is refused at send, naming its path, never silently
// changed (a function used to arrive as undefined, `{ f, x }` as `{ x }`).
const unsendable = test.macro({
  async exec(t, msg: unknown, path: string, type: string) {
    const { sys } = shared!;
    const before = sys.stats().sent;
    const err = t.throws(() => sys.send(echo, msg)) as { code?: string; message: string };
    t.is(err.code, 'EBADARG');
    t.true(err.message.startsWith(`${path} is a ${type}: messages carry data only`), err.message);
    t.is(sys.stats().sent, before, 'nothing was sent');
    const asked = await rejection(sys.ask(echo, msg), 'the ask');
    t.is(asked.code, 'EBADARG');
    t.true(asked.message.startsWith(`${path} is a ${type}`));
  },
  title: (_, _msg, path: string, type: string) => `send refuses a ${type} at ${path} with EBADARG`,
});
test(unsendable, () => 1, 'msg', 'function');
test(unsendable, { f() {}, x: 1 }, 'msg.f', 'function');
test(unsendable, Symbol('s'), 'msg', 'symbol');
test(unsendable, { list: [1, 2, { deep: Symbol.iterator }] }, 'msg.list[2].deep', 'symbol');
test(unsendable, new Map([['k', { cb: () => 0 }]]), 'msg.get("k").cb', 'function');
test(unsendable, { 'odd key': [new Set([() => 0])] }, 'msg["odd key"][0] (a member)', 'function');

test('after a refused send the same destination still gets the next message, unchanged', async (t) => {
  const { sys } = shared!;
  t.throws(() => sys.send(echo, { f() {} }));
  t.deepEqual(await sys.ask(echo, { x: 1, nested: { y: [1, 2] } }), { x: 1, nested: { y: [1, 2] } });
});
