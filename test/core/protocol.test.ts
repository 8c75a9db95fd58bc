// The runtime ops table without processes: a message goes to its op's handler (an
// unknown op is dropped), and a request is answered with its handler's value, its
// promise's outcome, or its throw; an unknown request with EBADARG.
import test from 'ava';
import { Protocol } from '../../runtime/core/protocol.js';

const from = { pid: 10, instance: 'ab' };

function table() {
  const replies: { to: unknown; id: number; ok: boolean; body: unknown }[] = [];
  const p = new Protocol((to, id, ok, body) => { replies.push({ to, id, ok, body }); return true; });
  return { p, replies };
}

test('a message reaches the handler of its op, with sender and payload', (t) => {
  const { p } = table();
  const seen: unknown[] = [];
  p.on('hello', (f, payload) => seen.push(['hello', f, payload]));
  p.on('stop', (f, payload) => seen.push(['stop', f, payload]));
  p.message(from, 'stop', { reason: 'shutdown' });
  t.deepEqual(seen, [['stop', from, { reason: 'shutdown' }]]);
});

test('a message for an op nobody handles is dropped', (t) => {
  const { p, replies } = table();
  t.notThrows(() => p.message(from, 'nobody', null));
  t.deepEqual(replies, []);
});

test('a message handler is not a request handler', (t) => {
  const { p, replies } = table();
  p.on('info', () => {});
  p.ask(from, 1, 'info', null);
  t.is(replies.length, 1);
  t.false(replies[0].ok);
  t.is((replies[0].body as { code?: string }).code, 'EBADARG');
});

const answered = test.macro({
  async exec(t, handler: () => unknown, ok: boolean, check: (body: unknown) => boolean) {
    const { p, replies } = table();
    p.onAsk('q', handler);
    p.ask(from, 7, 'q', null);
    await new Promise((r) => setImmediate(r));
    t.is(replies.length, 1);
    t.deepEqual([replies[0].to, replies[0].id, replies[0].ok], [from, 7, ok]);
    t.true(check(replies[0].body));
  },
  title: (provided) => `a request is answered: ${provided}`,
});

test('a value', answered, () => 42, true, (b) => b === 42);
test('undefined', answered, () => undefined, true, (b) => b === undefined);
test('a resolved promise', answered, async () => 'later', true, (b) => b === 'later');
test('a throw', answered, () => { throw new RangeError('no'); }, false, (b) => b instanceof RangeError);
test('a rejected promise', answered, async () => { throw new TypeError('no'); }, false, (b) => b instanceof TypeError);

test('an unknown request is answered with EBADARG', (t) => {
  const { p, replies } = table();
  p.ask(from, 3, 'which', null);
  t.is(replies.length, 1);
  t.false(replies[0].ok);
  t.is((replies[0].body as { code?: string }).code, 'EBADARG');
});

test('an asker that is gone (replyTo throws) does not break the table', (t) => {
  const p = new Protocol(() => { throw new Error('gone'); });
  p.onAsk('q', () => 1);
  t.notThrows(() => p.ask(from, 1, 'q', null));
});
