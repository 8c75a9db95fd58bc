// examples/become: the door changes behaviour with become/unbecome and answers a
// stashed request once its state allows it. The example's transcript, and the door
// driven directly.
import test from 'ava';
import { ActorSystem, type ActorRef } from '../../runtime/index.js';
import { runExample, tempSystemDir } from './run-example.js';

const DOOR = new URL('../../examples/become/door.js', import.meta.url);

test('the example prints the door conversation and exits 0', async (t) => {
  const r = await runExample(t, 'become');
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  t.false(r.leftover, 'no process outlives the example');
  t.deepEqual(r.lines, [
    'state?             -> locked (stack: locked)',
    'state?             -> locked (stack: locked, 1 waiting)',
    'open               -> cannot open: the door is locked',
    'unlock with 0000   -> wrong code: still locked',
    'unlock with 1234   -> unlocked',
    'state?             -> unlocked (stack: locked > unlocked, 1 waiting)',
    'open               -> opened',
    '(alice, waiting)   -> alice walked through',
    'state?             -> open (stack: locked > unlocked > open)',
    'close              -> closed',
    'lock               -> locked',
    'state?             -> locked (stack: locked)',
    'done',
  ]);
});

async function door(t: import('ava').ExecutionContext): Promise<{ system: ActorSystem; door: ActorRef }> {
  const system = await ActorSystem.start({ name: 'become-test', dir: tempSystemDir(t, 'become') });
  t.teardown(() => system.shutdown({ timeout: 'brutal_kill' }));
  return { system, door: await system.spawn(DOOR, { args: { code: 'k' } }) };
}

test('stashed requests are answered in arrival order, after the messages that unblock them', async (t) => {
  const { system, door: d } = await door(t);
  const answers: string[] = [];
  const ask = (msg: object) => system.ask(d, msg, { timeout: 10_000 }).then((a) => { answers.push(a as string); });
  const all = [
    ask({ type: 'walk', who: 'ann' }),
    ask({ type: 'walk', who: 'ben' }),
    ask({ type: 'unlock', code: 'k' }),
    ask({ type: 'walk', who: 'cat' }),
    ask({ type: 'open' }),
    ask({ type: 'walk', who: 'dan' }),
  ];
  await Promise.all(all);
  t.deepEqual(answers, ['unlocked', 'opened', 'ann walked through', 'ben walked through', 'cat walked through', 'dan walked through']);
});

test('unbecome pops one state at a time and never below the first', async (t) => {
  const { system, door: d } = await door(t);
  const say = (msg: object) => system.ask(d, msg);
  t.is(await say({ type: 'unlock', code: 'k' }), 'unlocked');
  t.is(await say({ type: 'open' }), 'opened');
  t.is(await say({ type: 'lock' }), 'cannot lock: the door is open');
  t.is(await say({ type: 'close' }), 'closed');
  t.is(await say({ type: 'state' }), 'unlocked (stack: locked > unlocked)');
  t.is(await say({ type: 'lock' }), 'locked');
  t.is(await say({ type: 'close' }), 'cannot close: the door is locked');
  t.is(await say({ type: 'state' }), 'locked (stack: locked)');
});
