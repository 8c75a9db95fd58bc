// The runtime ops table without processes: a message goes to its op's handler once
// its payload passes the op's check; an unknown op, a payload that does not fit and
// a handler that throws are counted and never thrown to the caller (the mailbox). A
// request is answered with its handler's value, its promise's outcome, or its throw;
// an unknown request or a bad payload with EBADARG (and counted).
import test from 'ava';
import { Protocol } from '../../runtime/core/protocol.js';
import { isNothing, isReasonPayload, type PayloadCheck } from '../../runtime/core/payloads.js';
import { newCoreDrops } from '../../runtime/core/stats.js';

const from = { pid: 10, instance: 'ab' };
const anything: PayloadCheck<unknown> = (_p): _p is unknown => true;

function table() {
  const replies: { to: unknown; id: number; ok: boolean; body: unknown }[] = [];
  const drops = newCoreDrops();
  const p = new Protocol((to, id, ok, body) => { replies.push({ to, id, ok, body }); return true; }, drops);
  return { p, replies, drops };
}

test('a message reaches the handler of its op, with sender and payload', (t) => {
  const { p, drops } = table();
  const seen: unknown[] = [];
  p.on('hello', isNothing, (f, payload) => seen.push(['hello', f, payload]));
  p.on('stop', isReasonPayload, (f, payload) => seen.push(['stop', f, payload]));
  p.message(from, 'stop', { reason: 'shutdown' });
  t.deepEqual(seen, [['stop', from, { reason: 'shutdown' }]]);
  t.deepEqual(drops, newCoreDrops());
});

// [title, op, payload, the counter it adds to]: nothing reaches the handler.
const refusedMessages: [string, string, unknown, 'badRuntimeMessage' | 'runtimeError'][] = [
  ['an op nobody handles', 'nobody', null, 'badRuntimeMessage'],
  ['an empty op', '', null, 'badRuntimeMessage'],
  ['an op named like an Object property', 'constructor', null, 'badRuntimeMessage'],
  ['a payload that fails its check (null)', 'stop', null, 'badRuntimeMessage'],
  ['a payload that fails its check (wrong field type)', 'stop', { reason: 42 }, 'badRuntimeMessage'],
  ['a payload that fails its check (an array)', 'stop', ['normal'], 'badRuntimeMessage'],
];
for (const [title, op, payload, counter] of refusedMessages) {
  test(`a message is dropped and counted as ${counter}: ${title}`, (t) => {
    const { p, replies, drops } = table();
    const seen: unknown[] = [];
    p.on('stop', isReasonPayload, (_f, x) => seen.push(x));
    t.notThrows(() => p.message(from, op, payload));
    t.deepEqual(seen, []);
    t.deepEqual(replies, []);
    t.deepEqual(drops, { ...newCoreDrops(), [counter]: 1 });
  });
}

// A handler that throws must not take the process down: its error stops here.
const throwing: [string, () => never][] = [
  ['a TypeError (as from reading a field of null)', () => { throw new TypeError('cannot read properties of null'); }],
  ['a non-Error value', () => { throw 'a string'; }],
  ['a RangeError (stack overflow)', () => { throw new RangeError('Maximum call stack size exceeded'); }],
];
for (const [title, handler] of throwing) {
  test(`a message handler that throws is counted as runtimeError: ${title}`, (t) => {
    const { p, drops } = table();
    p.on('boom', anything, handler);
    t.notThrows(() => p.message(from, 'boom', null));
    t.notThrows(() => p.message(from, 'boom', null));
    t.deepEqual(drops, { ...newCoreDrops(), runtimeError: 2 });
  });
}

test('the check runs before the handler, on every message', (t) => {
  const { p, drops } = table();
  const checked: unknown[] = [];
  const seen: unknown[] = [];
  const isOdd: PayloadCheck<number> = (x): x is number => (checked.push(x), typeof x === 'number' && x % 2 === 1);
  p.on('odd', isOdd, (_f, n) => seen.push(n));
  for (const v of [1, 2, 3, '3', null]) p.message(from, 'odd', v);
  t.deepEqual(checked, [1, 2, 3, '3', null]);
  t.deepEqual(seen, [1, 3]);
  t.is(drops.badRuntimeMessage, 3);
});

test('a message handler is not a request handler', (t) => {
  const { p, replies, drops } = table();
  p.on('info', isNothing, () => {});
  p.ask(from, 1, 'info', null);
  t.is(replies.length, 1);
  t.false(replies[0].ok);
  t.is((replies[0].body as { code?: string }).code, 'EBADARG');
  t.is(drops.badRuntimeMessage, 1);
});

const answered = test.macro({
  async exec(t, handler: () => unknown, ok: boolean, check: (body: unknown) => boolean) {
    const { p, replies, drops } = table();
    p.onAsk('q', isNothing, handler);
    p.ask(from, 7, 'q', null);
    await new Promise((r) => setImmediate(r));
    t.is(replies.length, 1);
    t.deepEqual([replies[0].to, replies[0].id, replies[0].ok], [from, 7, ok]);
    t.true(check(replies[0].body));
    t.deepEqual(drops, newCoreDrops(), 'an answer, even a failed one, is not a drop');
  },
  title: (provided) => `a request is answered: ${provided}`,
});

test('a value', answered, () => 42, true, (b) => b === 42);
test('undefined', answered, () => undefined, true, (b) => b === undefined);
test('a resolved promise', answered, async () => 'later', true, (b) => b === 'later');
test('a throw', answered, () => { throw new RangeError('no'); }, false, (b) => b instanceof RangeError);
test('a rejected promise', answered, async () => { throw new TypeError('no'); }, false, (b) => b instanceof TypeError);

// [title, op, payload]: answered with EBADARG, counted, the handler never called.
const refusedRequests: [string, string, unknown][] = [
  ['an unknown request', 'which', null],
  ['a payload that fails its check (an object)', 'q', { x: 1 }],
  ['a payload that fails its check (a number)', 'q', 0],
  ['a payload that fails its check (a string)', 'q', ''],
];
for (const [title, op, payload] of refusedRequests) {
  test(`a request is answered with EBADARG and counted: ${title}`, (t) => {
    const { p, replies, drops } = table();
    let called = 0;
    p.onAsk('q', isNothing, () => ++called);
    p.ask(from, 3, op, payload);
    t.is(called, 0);
    t.is(replies.length, 1);
    t.deepEqual([replies[0].id, replies[0].ok], [3, false]);
    t.is((replies[0].body as { code?: string }).code, 'EBADARG');
    t.deepEqual(drops, { ...newCoreDrops(), badRuntimeMessage: 1 });
  });
}

test('an asker that is gone (replyTo throws) does not break the table', (t) => {
  const drops = newCoreDrops();
  const p = new Protocol(() => { throw new Error('gone'); }, drops);
  p.onAsk('q', isNothing, () => 1);
  t.notThrows(() => p.ask(from, 1, 'q', null));
  t.notThrows(() => p.ask(from, 2, 'nobody', null));
  t.is(drops.badRuntimeMessage, 1);
});
