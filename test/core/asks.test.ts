// ask: a reply resolves it; the death of the asked actor rejects it with EDEADACTOR
// at once (pidfd, no polling: well under a second, whatever the ask's timeout);
// no reply rejects it with ETIMEDOUT.
import test from 'ava';
import type { ActorRef, ActorSystem } from '../../runtime/index.js';
import { fixture, kill, rejection, startSystem, type Inbox, type TestSystem } from '../helpers/actors.js';

const LONG = 30_000;

/** Ask `ref` to hold (never reply) and wait until it says it is holding; the
 * pending ask is returned wrapped (an async function would adopt it). */
async function holding(sys: ActorSystem, inbox: Inbox, ref: ActorRef): Promise<{ pending: Promise<unknown> }> {
  const pending = sys.ask(ref, { op: 'hold', tell: sys.self }, { timeout: LONG });
  pending.catch(() => {}); // inspected later
  await inbox.take((m) => m.type === 'holding' && m.pid === ref.pid, `actor ${ref.pid} to hold the ask`);
  return { pending };
}

const diesMidRequest = test.macro({
  async exec(t, how: (ts: TestSystem, ref: ActorRef) => void | Promise<void>, check?: (t: any, err: any) => void) {
    const ts = await startSystem(t);
    const ref = await ts.sys.spawn(fixture('probe'));
    const { pending } = await holding(ts.sys, ts.inbox, ref);
    const started = Date.now();
    await how(ts, ref);
    const err = await rejection(pending, 'the pending ask to be rejected');
    const latency = Date.now() - started;
    t.is(err.code, 'EDEADACTOR');
    t.is(err.address?.pid, ref.pid);
    t.true(latency < 1000, `rejected ${latency} ms after the death (timeout was ${LONG} ms)`);
    check?.(t, err);
    t.is(ts.sys.stats().asksPending, 0);
  },
  title: (provided = '') => `an ask pending when the actor dies rejects with EDEADACTOR at once: ${provided}`,
});

test('SIGKILL from outside', diesMidRequest, (_ts: TestSystem, ref: ActorRef) => void kill(ref.pid));
test('it crashes on another message', diesMidRequest, (ts: TestSystem, ref: ActorRef) => void ts.sys.send(ref, { op: 'crash' }),
  (t: any, err: any) => {
    t.true(err.cause instanceof TypeError, 'the cause is the actor\'s error');
    t.is(err.cause?.message, 'probe crashed on purpose');
  });
test('it calls process.exit', diesMidRequest, (ts: TestSystem, ref: ActorRef) => void ts.sys.send(ref, { op: 'exit', code: 7 }));
test('it stops normally without replying', diesMidRequest, (ts: TestSystem, ref: ActorRef) => void ts.sys.send(ref, { op: 'stop' }));

test('an ask to a grandchild (not our child) killed mid-request rejects at once via its pidfd', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const middle = await sys.spawn(fixture('probe'));
  const grandchild = await sys.ask(middle, { op: 'spawn', module: fixture('probe').href }, { timeout: LONG }) as ActorRef;
  for (let round = 0; round < 3; round++) {
    // the same target, asked repeatedly, then killed: the death watch is shared
    t.deepEqual(await sys.ask(grandchild, { op: 'pid' }, { timeout: LONG }), { pid: grandchild.pid, name: null });
  }
  const { pending } = await holding(sys, inbox, grandchild);
  const started = Date.now();
  kill(grandchild.pid);
  const err = await rejection(pending, 'the pending ask to the grandchild');
  const latency = Date.now() - started;
  t.is(err.code, 'EDEADACTOR');
  t.true(latency < 1000, `rejected ${latency} ms after the kill`);
});

test('several asks pending on one actor all reject when it dies', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const ref = await sys.spawn(fixture('probe'));
  const asks = [];
  for (let i = 0; i < 5; i++) asks.push((await holding(sys, inbox, ref)).pending);
  kill(ref.pid);
  const errs = await Promise.all(asks.map((p) => rejection(p, 'pending ask')));
  t.deepEqual(errs.map((e) => e.code), ['EDEADACTOR', 'EDEADACTOR', 'EDEADACTOR', 'EDEADACTOR', 'EDEADACTOR']);
});

test('an ask to an actor that is already dead rejects with EDEADACTOR at once', async (t) => {
  const { sys, downs } = await startSystem(t);
  const ref = await sys.spawn(fixture('echo'));
  const mon = sys.monitor(ref);
  kill(ref.pid);
  await downs.of(mon);
  const started = Date.now();
  const err = await rejection(sys.ask(ref, 'hello?', { timeout: LONG }), 'ask to a dead actor');
  t.is(err.code, 'EDEADACTOR');
  t.true(Date.now() - started < 1000);
});

test('an ask that gets no reply rejects with ETIMEDOUT after its timeout; the actor lives on', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const ref = await sys.spawn(fixture('probe'));
  const started = Date.now();
  const pending = sys.ask(ref, { op: 'hold', tell: sys.self }, { timeout: 700 });
  const err = await rejection(pending, 'ask with no reply');
  const elapsed = Date.now() - started;
  t.is(err.code, 'ETIMEDOUT');
  t.true(elapsed >= 690, `rejected after ${elapsed} ms`);
  await inbox.take((m) => m.type === 'holding', 'the holding notice');
  t.deepEqual(await sys.ask(ref, { op: 'pid' }, { timeout: LONG }), { pid: ref.pid, name: null });
});

test('an ask whose timeout is beyond the longest Node timer (24.8 days) waits for its reply, not 1 ms', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const ref = await sys.spawn(fixture('probe'));
  const pending = sys.ask(ref, { op: 'hold', tell: sys.self }, { timeout: 3e9 });
  pending.catch(() => {});
  await inbox.take((m) => m.type === 'holding' && m.pid === ref.pid, 'the actor to hold the ask');
  // Still pending after its first event-loop turns: then the death settles it.
  await new Promise((r) => setTimeout(r, 20));
  t.is(sys.stats().asksPending, 1);
  kill(ref.pid);
  t.is((await rejection(pending, 'the held ask')).code, 'EDEADACTOR');
});

test('the timeouts of stop, shutdown and info are checked: EBADARG, not a silent wait or a 1 ms timer', async (t) => {
  const { sys } = await startSystem(t);
  const ref = await sys.spawn(fixture('probe'));
  for (const timeout of [-1, 'soon', 2 ** 31, Number.NaN]) {
    t.is((t.throws(() => sys.stop(ref, { timeout: timeout as any })) as any).code, 'EBADARG', `stop timeout ${String(timeout)}`);
    t.is((await rejection(Promise.resolve().then(() => sys.shutdown({ timeout: timeout as any })), 'shutdown')).code, 'EBADARG', `shutdown timeout ${String(timeout)}`);
  }
  for (const timeout of [0, -1, 'soon']) t.is((t.throws(() => sys.info(ref, { timeout: timeout as any })) as any).code, 'EBADARG', `info timeout ${String(timeout)}`);
  t.is(await sys.stop(ref, { timeout: Infinity as any }), 'shutdown', 'Infinity is infinity');
});

test('a bad ask timeout is refused with EBADARG', async (t) => {
  const { sys } = await startSystem(t);
  const err = t.throws(() => sys.ask(sys.self, 'x', { timeout: -1 }));
  t.is((err as any).code, 'EBADARG');
  const err2 = t.throws(() => sys.ask({ pid: 'nope' } as any, 'x'));
  t.is((err2 as any).code, 'EBADARG');
});
