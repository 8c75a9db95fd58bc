// Inbound routing without processes: each kind of envelope goes where it belongs;
// a plain process sees user messages as events (and answers an ask once); an actor
// process holds them until its actor is there; bodies that are not envelopes and
// replies nobody waits for are dropped and counted; undeliverable runtime messages
// are dropped, user ones become dead letters.
import test from 'ava';
import { DEFAULT_MAILBOX_CAPACITY } from '../../runtime/core/actor-runtime.js';
import { InboundMessage, type Address } from '../../runtime/transport/index.js';
import { DeadActorError } from '../../runtime/errors.js';
import { encode } from '../../runtime/core/codec.js';
import { Dispatch, type MessageMeta } from '../../runtime/core/dispatch.js';
import { T_ASK, T_MSG, T_REPLY, T_SYS, T_SYSASK, encodeEnvelope, type Envelope } from '../../runtime/core/envelope.js';
import type { ActorRuntime } from '../../runtime/core/actor-runtime.js';
import type { Asks } from '../../runtime/core/asks.js';
import type { QueuedMessage } from '../../runtime/core/context.js';
import type { Protocol } from '../../runtime/core/protocol.js';
import { newCoreDrops, newMessageCounts } from '../../runtime/core/stats.js';
import { deepBody } from '../helpers/runtime-ops.js';

const from: Address = { pid: 42, instance: '00ff' };

function world(hostsActor: boolean, settles = true) {
  const log: unknown[][] = [];
  const events: [unknown, MessageMeta][] = [];
  const drops = newCoreDrops();
  const counts = newMessageCounts();
  const asks = { settle: (...a: unknown[]) => (log.push(['settle', ...a]), settles) } as unknown as Asks;
  const protocol = {
    message: (...a: unknown[]) => log.push(['sys', ...a]),
    ask: (...a: unknown[]) => log.push(['sysask', ...a]),
  } as unknown as Protocol;
  const d = new Dispatch(asks, protocol, {
    replyTo: (to, id, ok, body) => { log.push(['replyTo', to, id, ok, body]); return true; },
    send: (to, msg) => { log.push(['send', to, msg]); return true; },
    emitMessage: (msg, meta) => { events.push([msg, meta]); },
    deadLetter: (to, message, error) => { log.push(['deadLetter', to, message, error.code]); },
    throttle: (on) => { log.push(['throttle', on]); },
  }, hostsActor, drops, counts);
  const queued: QueuedMessage[] = [];
  const actor = { enqueue: (m: QueuedMessage) => queued.push(m), throttled: false } as unknown as ActorRuntime;
  return { d, log, events, queued, actor, drops, counts };
}

const inbound = (env: Envelope | Uint8Array) => {
  // In place, as the transport hands it over: the body is a range of a larger buffer.
  const body = Buffer.from(env instanceof Uint8Array ? env : encodeEnvelope(env));
  const source = Buffer.concat([Buffer.from('before'), body, Buffer.from('after')]);
  return new InboundMessage(from, source, 6, 6 + body.length, undefined);
};

const routed = test.macro({
  exec(t, env: Envelope, expected: unknown[]) {
    const w = world(false);
    w.d.onMessage(inbound(env));
    t.deepEqual(w.log, [expected]);
    t.deepEqual(w.drops, newCoreDrops());
  },
  title: (provided) => `routing: ${provided}`,
});

test('a reply settles the pending ask', routed, [T_REPLY, 5, true, 'v'], ['settle', 5, from, true, 'v']);
test('a runtime message goes to the protocol table', routed, [T_SYS, 'stop', { reason: 'shutdown' }], ['sys', from, 'stop', { reason: 'shutdown' }]);
test('a runtime request goes to the protocol table', routed, [T_SYSASK, 9, 'info', null], ['sysask', from, 9, 'info', null]);

const undecodable = test.macro({
  exec(t, body: Uint8Array) {
    const w = world(false);
    w.d.onMessage(inbound(body));
    t.deepEqual(w.log, []);
    t.deepEqual(w.events, []);
    t.deepEqual(w.drops, { ...newCoreDrops(), undecodable: 1 });
  },
  title: (provided) => `dropped and counted as undecodable: ${provided}`,
});

test('an empty body', undecodable, Uint8Array.of());
test('not msgpack', undecodable, Uint8Array.of(0xc1, 0x00));
test('msgpack cut short', undecodable, encodeEnvelope([T_MSG, { n: 1 }]).subarray(0, 4));
test('msgpack with trailing bytes', undecodable, Buffer.concat([encodeEnvelope([T_MSG, 1]), Buffer.of(0)]));
test('nested too deep for the decoder', undecodable, deepBody());
test('a runtime message whose payload is nested too deep', undecodable, Buffer.concat([Buffer.of(0x93, T_SYS), encode('stop'), deepBody()]));
test('not an array', undecodable, encode({ hello: 1 }));
test('an empty array', undecodable, encode([]));
test('a type that is not a number', undecodable, encode(['0', 1]));
test('an unknown envelope type', undecodable, encode([7, 1]));
test('T_MSG too long', undecodable, encode([T_MSG, 1, 2]));
test('T_ASK with a string id', undecodable, encode([T_ASK, '1', 'q']));
test('T_REPLY too short', undecodable, encode([T_REPLY, 1, true]));
test('T_REPLY with an ok that is not a boolean', undecodable, encode([T_REPLY, 1, 1, 'v']));
test('T_SYS with a numeric op', undecodable, encode([T_SYS, 1, null]));
test('T_SYSASK without an id', undecodable, encode([T_SYSASK, 'info', null]));

test('a reply nobody waits for is counted as strayReply', (t) => {
  const w = world(false, false);
  w.d.onMessage(inbound([T_REPLY, 5, true, 'late']));
  w.d.onMessage(inbound([T_REPLY, 6, false, new Error('late')]));
  t.is(w.log.length, 2);
  t.deepEqual(w.drops, { ...newCoreDrops(), strayReply: 2 });
});

test('a plain process: a user message is a message event; reply() sends to the sender', (t) => {
  const w = world(false);
  w.d.onMessage(inbound([T_MSG, { n: 1 }]));
  t.is(w.events.length, 1);
  const [msg, meta] = w.events[0];
  t.deepEqual(msg, { n: 1 });
  t.deepEqual(meta.from, from);
  meta.reply('back');
  t.deepEqual(w.log, [['send', from, 'back']]);
});

test('a plain process: an ask is answered once; a second reply() is a message', (t) => {
  const w = world(false);
  w.d.onMessage(inbound([T_ASK, 4, 'q']));
  const [msg, meta] = w.events[0];
  t.is(msg, 'q');
  meta.reply(1);
  meta.reply(2);
  t.deepEqual(w.log, [['replyTo', from, 4, true, 1], ['send', from, 2]]);
});

test('an actor process: user messages wait until the actor is attached, then come first, in order', (t) => {
  const w = world(true);
  w.d.onMessage(inbound([T_MSG, 'a']));
  w.d.onMessage(inbound([T_ASK, 1, 'b']));
  t.deepEqual(w.events, []);
  t.deepEqual(w.queued, []);
  w.d.attach(w.actor);
  w.d.onMessage(inbound([T_MSG, 'c']));
  t.deepEqual(w.queued.map((q) => [q.msg, q.askId]), [['a', undefined], ['b', 1], ['c', undefined]]);
  t.deepEqual(w.queued[0].from, from);
});

test('deliverLocal hands a runtime notice to the actor (and to nobody without one)', (t) => {
  const w = world(true);
  w.d.deliverLocal({ type: 'DOWN' }, from);
  t.deepEqual(w.queued, []);
  w.d.attach(w.actor);
  w.d.deliverLocal({ type: 'EXIT' }, from);
  t.deepEqual(w.queued.map((q) => q.msg), [{ type: 'EXIT' }]);
});

const deadLetter = test.macro({
  exec(t, env: Envelope | Uint8Array, expected: unknown[][]) {
    const w = world(false);
    const error = new DeadActorError('gone', { address: from });
    w.d.onDeadLetter({ to: from, body: env instanceof Uint8Array ? env : encodeEnvelope(env), batch: 0, batchIndex: -1, error });
    t.deepEqual(w.log, expected);
  },
  title: (provided) => `undeliverable: ${provided}`,
});

test('a user message is a dead letter', deadLetter, [T_MSG, 'm'], [['deadLetter', from, 'm', 'EDEADACTOR']]);
test('an ask is a dead letter (its message)', deadLetter, [T_ASK, 2, 'q'], [['deadLetter', from, 'q', 'EDEADACTOR']]);
test('a reply is a dead letter (its body)', deadLetter, [T_REPLY, 2, true, 'r'], [['deadLetter', from, 'r', 'EDEADACTOR']]);
test('a runtime message is not news to anyone', deadLetter, [T_SYS, 'farewell', null], []);
test('a runtime request is not either', deadLetter, [T_SYSASK, 1, 'info', null], []);
test('a body that is not an envelope is dropped', deadLetter, Uint8Array.of(0xc1), []);

test('a flood while the module loads is bounded: reading stops at the default capacity, and resumes when the actor takes over', (t) => {
  const w = world(true);
  for (let i = 0; i < DEFAULT_MAILBOX_CAPACITY + 5; i++) w.d.onMessage(inbound([T_MSG, i]));
  t.deepEqual(w.log, [['throttle', true]], 'paused once');
  w.d.attach(w.actor);
  t.is(w.queued.length, DEFAULT_MAILBOX_CAPACITY + 5, 'nothing lost, handed over in order');
  t.is(w.queued[0].msg, 0);
  t.deepEqual(w.log, [['throttle', true], ['throttle', false]]);
});

test('user messages and runtime messages are counted apart (a reply is counted by the asks table)', (t) => {
  const w = world(false);
  for (const env of [[T_MSG, 1], [T_ASK, 2, 'q'], [T_SYS, 'watch', null], [T_SYSASK, 3, 'info', null], [T_REPLY, 4, true, 'v']] as Envelope[]) {
    w.d.onMessage(inbound(env));
  }
  t.deepEqual(w.counts, { userReceived: 2, userSent: 0, runtimeReceived: 2, runtimeSent: 0 });
});
