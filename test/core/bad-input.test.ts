// Bad input from another process of the same user, with real processes: every
// runtime op with payloads that do not fit, unknown ops, bodies that are not
// envelopes and stray replies, sent to a live actor and to a plain process. Both
// survive, answer afterwards, and count each one under its cause; messages from
// senders not entitled to them ('ready' from a stranger, a parent's report from
// someone else) are ignored. Payload shapes are unit-tested
// in payloads.test.ts, the counting in protocol.test.ts and dispatch.test.ts.
import test, { type ExecutionContext } from 'ava';
import type { ActorRef, ActorSystem } from '../../runtime/index.js';
import { encode } from '../../runtime/core/codec.js';
import { T_REPLY, T_SYS, encodeEnvelope } from '../../runtime/core/envelope.js';
import { Forge } from '../helpers/forge.js';
import { fixture, isRunning, startSystem } from '../helpers/actors.js';
import { startPlain } from '../helpers/plain.js';
import { RawSocket } from '../helpers/raw-socket.js';
import { RUNTIME_OPS, UNKNOWN_OPS, bogusFor, deepBody } from '../helpers/runtime-ops.js';

const T = { timeout: 20_000 };
const CORE_DROPS = ['undecodable', 'badRuntimeMessage', 'runtimeError', 'strayReply'] as const;

/** Send `target` every bad runtime message there is; returns how many were sent,
 * after every request among them has been answered with EBADARG. */
async function sendBogus(t: ExecutionContext, sys: ActorSystem, target: ActorRef): Promise<number> {
  let n = 0;
  const answers: Promise<unknown>[] = [];
  const unknown = UNKNOWN_OPS.flatMap((op) => [false, true].map((request) => ({ op, request, valid: [], carries: false })));
  for (const op of [...RUNTIME_OPS, ...unknown]) {
    for (const payload of bogusFor(op)) {
      n++;
      if (op.request) answers.push(sys.askSystem(target, op.op, payload, T.timeout).then(() => 'answered', (e) => e.code));
      else sys.sendSystem(target, op.op, payload);
    }
  }
  const codes = await Promise.all(answers);
  t.deepEqual([...new Set(codes)], ['EBADARG'], 'every bad request is answered with EBADARG');
  return n;
}

/** Datagrams whose body is not an envelope (4), and a reply to no ask (1). */
async function sendUndecodable(t: ExecutionContext, sys: ActorSystem, dir: string, target: ActorRef): Promise<void> {
  const raw = new RawSocket(t, dir, target.pid);
  const forge = new Forge(sys.self, target);
  for (const body of [
    Buffer.of(0xc1, 0x00),                                                   // not msgpack
    encode({ not: 'an envelope' }),                                          // msgpack, not an envelope
    deepBody(),                                                              // too deep to decode
    Buffer.concat([Buffer.of(0x93, T_SYS), encode('stop'), deepBody()]),     // a runtime message too deep to decode
    encodeEnvelope([T_REPLY, 0x7fffffff + 5, true, 'nobody asked']),        // a reply to no ask
  ]) await raw.send(forge.message(body));
}

const drops = async (sys: ActorSystem, ref: ActorRef) => ((await sys.info(ref, T)) as { stats: { dropped: Record<string, number> } }).stats.dropped;
const delta = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(CORE_DROPS.map((k) => [k, after[k] - before[k]]));

test('a live actor and a plain process survive bogus runtime messages and undecodable bodies, answer afterwards, and count each', async (t) => {
  t.timeout(120_000);
  const { sys, dir, downs } = await startSystem(t);
  const actor = await sys.spawn(fixture('echo'));
  const plain = await startPlain(t, dir);
  const monitors = [sys.monitor(actor), sys.monitor(plain.ref)];
  for (const [target, reply] of [[actor, 'ping'], [plain.ref, { echo: 'ping' }]] as const) {
    const before = await drops(sys, target);
    const bogus = await sendBogus(t, sys, target);
    await sendUndecodable(t, sys, dir, target);
    // A user ask travels behind all of it on the same channel: once answered, all was read.
    t.deepEqual(await sys.ask(target, 'ping', T), reply, 'it still answers');
    t.deepEqual(delta(before, await drops(sys, target)), { undecodable: 4, badRuntimeMessage: bogus, runtimeError: 0, strayReply: 1 });
    t.true(isRunning(target.pid));
  }
  t.deepEqual(downs.all.filter((d) => monitors.includes(d.monitor)), [], 'no down for either');
  t.deepEqual(sys.stats().dropped.runtimeError, 0);
});

test('runtime messages from senders not entitled to them are ignored (and are not bad input)', async (t) => {
  t.timeout(120_000);
  const { sys, dir, downs } = await startSystem(t);
  const actor = await sys.spawn(fixture('echo'));
  const plain = await startPlain(t, dir);
  const monitor = sys.monitor(actor);
  const before = await drops(sys, actor);
  // ready and initFailed from a process that is not its pending child; a parent's
  // report that it never asked for.
  for (const to of [actor, sys.self]) {
    await plain.sendSystem(to, 'ready', null);
    await plain.sendSystem(to, 'initFailed', { error: { name: 'Error', message: 'forged' }, phase: 'init', location: null });
    await plain.sendSystem(to, 'child-exit', { child: actor, reason: { code: 99 } });
  }
  t.deepEqual(await plain.askSystem(actor, 'info', null).then((i: any) => i.pid), actor.pid, 'the plain process\'s messages were read');
  t.deepEqual(await plain.askSystem(sys.self, 'info', null).then((i: any) => i.pid), sys.self.pid);
  t.is(await sys.ask(actor, 'still here', T), 'still here');
  t.deepEqual(delta(before, await drops(sys, actor)), { undecodable: 0, badRuntimeMessage: 0, runtimeError: 0, strayReply: 0 });
  t.true(isRunning(actor.pid));
  t.is(downs.count(monitor), 0);
  // The parent still spawns and stops children as before.
  const other = await sys.spawn(fixture('echo'));
  t.is(await sys.stop(other), 'shutdown');
});

test('an init or hello sent to a running actor, even by its parent, is bad input and restarts nothing', async (t) => {
  t.timeout(120_000);
  const { sys, downs } = await startSystem(t);
  const actor = await sys.spawn(fixture('echo'));
  const monitor = sys.monitor(actor);
  const before = await drops(sys, actor);
  // Init comes in the hand-off on stdin only; as a runtime message it is no op at all.
  // Taken as one, failInit would fail this actor's init and end it.
  sys.sendSystem(actor, 'init', { args: { failInit: true }, name: null });
  sys.sendSystem(actor, 'hello', null);
  t.is(await sys.ask(actor, 'still here', T), 'still here');
  t.deepEqual(delta(before, await drops(sys, actor)), { undecodable: 0, badRuntimeMessage: 2, runtimeError: 0, strayReply: 0 });
  t.true(isRunning(actor.pid));
  t.is(downs.count(monitor), 0);
});

test("a parent's report from someone else does not decide a monitored actor's exit reason", async (t) => {
  t.timeout(120_000);
  const { sys, dir, inbox } = await startSystem(t);
  const watcher = await sys.spawn(fixture('probe'), { args: { report: sys.self } });
  const victim = await sys.spawn(fixture('probe'));
  const plain = await startPlain(t, dir);
  // The watcher is not the victim's parent: it asks us (the parent) to report.
  const m = await sys.ask(watcher, { op: 'monitor', ref: victim }, T);
  await plain.sendSystem(watcher, 'child-exit', { child: victim, reason: { code: 99 } });
  await plain.askSystem(watcher, 'info', null); // behind the forgery on one channel: it has been read
  process.kill(victim.pid, 'SIGKILL');
  const d = await inbox.take((x) => x.type === 'DOWN' && x.monitor === m, 'DOWN for the killed actor');
  t.deepEqual(d.reason, { signal: 'SIGKILL' });
});
