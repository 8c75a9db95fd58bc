// Runs of relays (core/remote.ts): messages sent in a row to one remote actor go to
// its node's proxy as one runtime message at the end of the turn, their bodies
// encoded with shapes shared along the run (decoded in order: decodeEnvelopeRun). Checked against a
// fake host (the proxy is a recorded address): order is kept within and across runs,
// another target or a control message closes the run first, runs are bounded, a
// proxy that fails at the hand-off turns each message into its own undeliverable, and
// fds or an unreachable node still fail at send.
import test from 'ava';
import { NoConnectionError, RemoteFdError, DeadActorError, type PidgeonError } from '../../runtime/errors.js';
import { AGENT_NAME, RemoteRoutes, REMOTE_OPS, PROXY_NAME } from '../../runtime/core/remote.js';
import { T_MSG, T_SYS, decodeEnvelopeRun, type Envelope } from '../../runtime/core/envelope.js';
import type { Address } from '../../runtime/transport/index.js';

const proxy: Address = { pid: 4242, instance: 'proxyinst' };
const x: Address = { pid: 10, instance: 'xinst', node: 'B' };
const y: Address = { pid: 11, instance: 'yinst', node: 'B' };

function setup(fail?: () => Error) {
  const handed: Envelope[] = [];
  const lost: { to: Address; msg: unknown; error: PidgeonError }[] = [];
  const routes = new RemoteRoutes('A', {
    lookup: (name) => (name === PROXY_NAME + 'B' ? proxy : undefined),
    askSystem: async () => proxy,
    sendLocal: (_to, env) => {
      if (fail) throw fail();
      handed.push(env);
      return true;
    },
    undeliverable: (to, run, error) => { for (const env of decodeEnvelopeRun(run)) lost.push({ to, msg: (env as [number, unknown])[1], error }); },
  });
  return { routes, handed, lost };
}

const turn = () => new Promise<void>((r) => queueMicrotask(r));
/** What the proxy got, as [target pid, messages] per runtime message. */
function relays(handed: Envelope[]): [number | string, unknown[]][] {
  return handed.map((env) => {
    if (env[0] !== T_SYS || env[1] !== REMOTE_OPS.relay) return [String(env[1]), []];
    const [pid, , run] = env[2] as [number, string, Uint8Array];
    return [pid, decodeEnvelopeRun(run).map((e) => (e as [number, unknown])[1])];
  });
}

test('messages in a row to one actor go as one relay at the end of the turn, in order', async (t) => {
  const { routes, handed } = setup();
  for (let i = 0; i < 5; i++) t.true(routes.send(x, [T_MSG, { i }], undefined));
  t.is(handed.length, 0, 'nothing handed to the proxy during the turn');
  await turn();
  t.deepEqual(relays(handed), [[10, [{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }, { i: 4 }]]]);
});

test('another target and a control message close the run first; order holds across runs', async (t) => {
  const { routes, handed } = setup();
  routes.send(x, [T_MSG, 1], undefined);
  routes.send(x, [T_MSG, 2], undefined);
  routes.send(y, [T_MSG, 3], undefined);
  routes.control('B', REMOTE_OPS.watch, [x.pid, x.instance]);
  routes.send(x, [T_MSG, 4], undefined);
  await turn();
  t.deepEqual(relays(handed), [[10, [1, 2]], [11, [3]], [REMOTE_OPS.watch, []], [10, [4]]]);
});

test('a run is bounded: 256 messages or 32 KiB', async (t) => {
  const { routes, handed } = setup();
  for (let i = 0; i < 600; i++) routes.send(x, [T_MSG, i], undefined);
  await turn();
  t.deepEqual(relays(handed).map(([, m]) => m.length), [256, 256, 88]);
  t.deepEqual(relays(handed).flatMap(([, m]) => m), Array.from({ length: 600 }, (_, i) => i));
  handed.length = 0;
  for (let i = 0; i < 10; i++) routes.send(x, [T_MSG, 'z'.repeat(10_000)], undefined);
  await turn();
  t.deepEqual(relays(handed).map(([, m]) => m.length), [4, 4, 2]);
});

test('a proxy that fails at the hand-off: every message of the run is undeliverable, each once', async (t) => {
  const { routes, lost } = setup(() => new NoConnectionError('boom'));
  for (let i = 0; i < 3; i++) routes.send(x, [T_MSG, i], undefined);
  await turn();
  t.deepEqual(lost.map((l) => [l.to.pid, l.msg, l.error.code]), [[10, 0, 'ENOCONNECTION'], [10, 1, 'ENOCONNECTION'], [10, 2, 'ENOCONNECTION']]);
});

test('a dead proxy: the run waits for the next one and then goes, in order', async (t) => {
  let dead = false;
  const handed: Envelope[] = [];
  const routes = new RemoteRoutes('A', {
    // The dead proxy's name is gone; the agent starts the next one.
    lookup: (name) => (name === AGENT_NAME ? { pid: 1, instance: 'agent' } : dead ? undefined : proxy),
    askSystem: async () => { dead = false; return proxy; },
    sendLocal: (_to, env) => {
      if (dead) throw new DeadActorError('gone');
      handed.push(env);
      return true;
    },
    undeliverable: () => t.fail('nothing is lost'),
  });
  routes.send(x, [T_MSG, 'a'], undefined);
  await turn();
  dead = true; // it dies after a first message went
  routes.send(x, [T_MSG, 'b'], undefined);
  routes.send(x, [T_MSG, 'c'], undefined);
  await turn();
  await new Promise((r) => setTimeout(r, 10));
  t.deepEqual(relays(handed), [[10, ['a']], [10, ['b', 'c']]]);
});

test('fds and an unreachable node still fail at send, before anything is queued', async (t) => {
  const { routes, handed } = setup();
  t.throws(() => routes.send(x, [T_MSG, 1], [0]), { instanceOf: RemoteFdError });
  routes.setDown('B', true);
  t.throws(() => routes.send(x, [T_MSG, 1], undefined), { instanceOf: NoConnectionError });
  await turn();
  t.deepEqual(handed, []);
});

test('a run describes each shape once and decodes in order to the messages sent; a broken body costs only what follows it', async (t) => {
  const { routes, handed } = setup();
  const sent = [
    { type: 'seq', seq: 1, payload: 'x'.repeat(40) },
    { type: 'seq', seq: 2, payload: 'y' },
    new Map<unknown, unknown>([['k', new Set([1, 2])], [3, { nested: [new Date(0), 10n] }]]),
    { type: 'seq', seq: 3, payload: 'z' },
  ];
  for (const m of sent) routes.send(x, [T_MSG, m], undefined);
  await turn();
  t.deepEqual(relays(handed), [[10, sent]]);
  const bodies = entries((handed[0][2] as [number, string, Uint8Array])[2]);
  t.is(bodies.length, 4);
  t.true(bodies[1].length < bodies[0].length - 20, 'the second message names the shape the first described');
  // On its own, a later body does not decode as sent: its shape was described earlier in the run.
  t.deepEqual(decodeEnvelopeRun(runOf([bodies[1]])).map((e) => e === null || (e[1] as { seq?: number }).seq !== 2), [true]);
  // A broken body: the ones before it decode, it does not (null), nothing throws.
  const out = decodeEnvelopeRun(runOf([bodies[0], Uint8Array.from([0xc1]), bodies[3]]));
  t.deepEqual(out[0], [T_MSG, sent[0]]);
  t.is(out[1], null);
  t.is(out.length, 3);
  // Cut short, or a length past the end: what came before decodes, the rest is one null.
  const whole = runOf(bodies);
  t.deepEqual(decodeEnvelopeRun(whole.subarray(0, whole.length - 3)).slice(0, 3), [[T_MSG, sent[0]], [T_MSG, sent[1]], [T_MSG, sent[2]]]);
  t.is(decodeEnvelopeRun(whole.subarray(0, whole.length - 3))[3], null);
  t.deepEqual(decodeEnvelopeRun(Uint8Array.from([0xff, 0xff, 0xff, 0x7f, 1, 2])), [null]);
});

/** The entries of a run: a u32le length and its bytes each. */
function entries(run: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const v = new DataView(run.buffer, run.byteOffset, run.byteLength);
  for (let at = 0; at < run.length;) {
    const n = v.getUint32(at, true);
    out.push(run.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return out;
}

function runOf(bodies: Uint8Array[]): Uint8Array {
  const out = Buffer.alloc(bodies.reduce((a, b) => a + 4 + b.length, 0));
  let at = 0;
  for (const b of bodies) {
    out.writeUInt32LE(b.length, at);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}

test('a message of 32 KiB or more goes in a run of its own', async (t) => {
  const { routes, handed } = setup();
  routes.send(x, [T_MSG, 'a'], undefined);
  routes.send(x, [T_MSG, 'b'.repeat(40_000)], undefined);
  routes.send(x, [T_MSG, 'c'], undefined);
  await turn();
  t.deepEqual(relays(handed).map(([, m]) => m.map((v) => String(v).slice(0, 1) + String(v).length)), [['a1'], ['b40000'], ['c1']]);
});
