// The ActorSystem's public operations across real processes: shutdown leaves
// nothing behind, broadcast reaches every actor exactly once, sends to dead actors
// become dead letters, and messages between one pair arrive in the order sent
// (100k of them, fragmented ones among them).
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import type { ActorRef } from '../../runtime/index.js';
import { fixture, isReaped, isRunning, kill, processesOf, startSystem, until, within, WAIT } from '../helpers/actors.js';

test('after shutdown no child process, socket, lockfile or name remains', async (t) => {
  const { sys, dir } = await startSystem(t);
  const a = await sys.spawn(fixture('probe'), { name: 'sd-a' });
  const b = await sys.spawn(fixture('echo'));
  const c = await sys.spawn(fixture('stubborn'));
  const grandchild = await sys.ask(a, { op: 'spawn', module: fixture('echo').href }, { timeout: 20_000 }) as ActorRef;
  const pids = [a.pid, b.pid, c.pid, grandchild.pid];
  t.deepEqual(processesOf(dir).sort(), [...pids].sort());
  t.is(fs.readdirSync(path.join(dir, 'sock')).length, 5);
  await within(sys.shutdown({ timeout: 1000 }), WAIT, 'shutdown');
  t.true(sys.isClosed);
  t.deepEqual(processesOf(dir), [], 'no process of this system is left');
  for (const pid of [a.pid, b.pid, c.pid]) t.true(isReaped(pid), `child ${pid} was reaped`);
  t.deepEqual(fs.readdirSync(path.join(dir, 'sock')), []);
  t.deepEqual(fs.readdirSync(path.join(dir, 'lock')), []);
  t.deepEqual(fs.readdirSync(path.join(dir, 'names')), []);
  const err = t.throws(() => sys.send(a, 'late'));
  t.is((err as any).code, 'ECLOSED');
});

test('after a forced shutdown (timeout shorter than a subtree needs) no process, socket or lockfile remains', async (t) => {
  const { sys, dir } = await startSystem(t);
  const sup = await sys.supervise({
    children: [{ id: 'a', module: fixture('probe') }, { id: 's', module: fixture('stubborn'), shutdown: 5000 }],
  });
  const which = await sys.which(sup, { timeout: 20_000 });
  const started = Date.now();
  await within(sys.shutdown({ timeout: 500 }), WAIT, 'shutdown');
  t.true(Date.now() - started < 4000, 'the supervisor was SIGKILLed at the 500 ms timeout');
  t.true(isReaped(sup.pid));
  // Its children die by PDEATHSIG when it is killed; give them a bounded moment.
  await until(() => processesOf(dir).length === 0 && which.every((c) => !isRunning(c.ref!.pid)), WAIT,
    'the supervisor\'s children to die with it');
  t.deepEqual(fs.readdirSync(path.join(dir, 'sock')), [], 'no socket left (the killed subtree\'s are stale)');
  t.deepEqual(fs.readdirSync(path.join(dir, 'lock')), [], 'no lockfile left');
});

test('broadcast reaches each of N actors exactly once', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const N = 5;
  const refs = await Promise.all(Array.from({ length: N }, () => sys.spawn(fixture('probe'), { args: { report: sys.self } })));
  const nonce = `b-${Date.now()}`;
  t.is(sys.broadcast({ type: 'bcast', nonce }), N);
  const seen: number[] = [];
  for (let i = 0; i < N; i++) {
    const m = await inbox.take((x) => x.type === 'got' && x.nonce === nonce, `broadcast receipt ${i + 1} of ${N}`);
    seen.push(m.pid);
  }
  t.deepEqual([...new Set(seen)].sort(), refs.map((r) => r.pid).sort(), 'every actor, no duplicates');
  // Each actor counts what it got; asked after the broadcast (FIFO per pair), so a
  // duplicate would already have been counted.
  const counts = await Promise.all(refs.map((r) => sys.ask(r, { op: 'count', nonce }, { timeout: 20_000 })));
  t.deepEqual(counts, refs.map(() => 1));
  t.deepEqual(inbox.pending((x) => x.type === 'got' && x.nonce === nonce), [], 'no extra receipts');
});

test('a send to a dead actor is a deadLetter event and counts in stats', async (t) => {
  const { sys, downs } = await startSystem(t);
  const ref = await sys.spawn(fixture('echo'));
  const mon = sys.monitor(ref);
  kill(ref.pid);
  await downs.of(mon);
  const before = sys.stats().deadLetters;
  const letters: any[] = [];
  sys.on('deadLetter', (d) => letters.push(d));
  const got = new Promise<any>((resolve) => sys.once('deadLetter', resolve));
  sys.send(ref, { hello: 'anyone?' });
  const letter = await within(got, WAIT, 'deadLetter event');
  t.is(letter.to.pid, ref.pid);
  t.deepEqual(letter.message, { hello: 'anyone?' });
  t.is(letter.error.code, 'EDEADACTOR');
  t.is(sys.stats().deadLetters, before + 1);
  const second = new Promise((r) => sys.once('deadLetter', r));
  sys.send(ref, 2);
  await within(second, WAIT, 'second deadLetter');
  t.is(sys.stats().deadLetters, before + 2);
  t.is(letters.length, 2);
});

test('a message for an old incarnation (same pid, other instance) is a dead letter, never delivered', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const live = await sys.spawn(fixture('probe'), { args: { report: sys.self } });
  const impostor = { pid: live.pid, instance: live.instance === '0123456789abcdef' ? 'fedcba9876543210' : '0123456789abcdef' };
  const before = sys.stats().deadLetters;
  const got = new Promise<any>((resolve) => sys.once('deadLetter', resolve));
  sys.send(impostor, { type: 'bcast', nonce: 'stale' });
  const letter = await within(got, WAIT, 'deadLetter for a stale instance');
  t.is(letter.error.code, 'EDEADACTOR');
  t.is(sys.stats().deadLetters, before + 1);
  t.is(await sys.ask(live, { op: 'count', nonce: 'stale' }, { timeout: 20_000 }), 0, 'the live actor never saw it');
  t.deepEqual(inbox.pending((m) => m.type === 'got'), []);
});

const N = 100_000;
const BIG_EVERY = 10_000;
const BIG_SIZE = 300 * 1024; // > 256 KiB: fragmented

test('per-pair FIFO: 100k messages (some fragmented) from one actor to another arrive in order', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const [sender, sink] = await Promise.all([sys.spawn(fixture('flood')), sys.spawn(fixture('flood'), { args: { report: sys.self } })]);
  t.is(await sys.ask(sender, { op: 'flood', to: sink, n: N, bigEvery: BIG_EVERY, bigSize: BIG_SIZE }, { timeout: 90_000 }), 'flooded');
  const r = await inbox.take((m) => m.type === 'sink-result', 'sink result', 90_000);
  t.is(r.from, sender.pid);
  t.deepEqual(r.bad, []);
  t.is(r.received, N);
  t.is(r.big, N / BIG_EVERY);
});

test('per-pair FIFO: two actors flooding the root at once, each stream in order', async (t) => {
  const { sys } = await startSystem(t);
  const senders = await Promise.all([sys.spawn(fixture('flood')), sys.spawn(fixture('flood'))]);
  const n = N / 2;
  const track = new Map<number, { next: number; bad: string[]; big: number; done: boolean }>();
  for (const s of senders) track.set(s.pid, { next: 0, bad: [], big: 0, done: false });
  let finish!: () => void;
  const allDone = new Promise<void>((r) => { finish = r; });
  sys.on('message', (msg: any, meta) => {
    const tr = track.get(meta.from.pid);
    if (!tr) return;
    if (msg.op === 'done') {
      tr.done = true;
      if ([...track.values()].every((x) => x.done)) finish();
      return;
    }
    if (msg.seq !== tr.next && tr.bad.length < 10) tr.bad.push(`expected ${tr.next}, got ${msg.seq}`);
    if (msg.big) {
      tr.big++;
      if (msg.big.length !== BIG_SIZE || msg.big[BIG_SIZE - 1] !== (msg.seq & 0xff)) tr.bad.push(`bad big body at ${msg.seq}`);
    }
    tr.next = msg.seq + 1;
  });
  await Promise.all(senders.map((s) => sys.ask(s, { op: 'flood', to: sys.self, n, bigEvery: BIG_EVERY, bigSize: BIG_SIZE }, { timeout: 90_000 })));
  await within(allDone, 90_000, 'both floods to end');
  for (const s of senders) {
    const tr = track.get(s.pid)!;
    t.deepEqual(tr.bad, [], `stream from ${s.pid}`);
    t.is(tr.next, n);
    t.is(tr.big, n / BIG_EVERY);
  }
});

test('stats count children and pending asks', async (t) => {
  const { sys } = await startSystem(t);
  t.is(sys.stats().children, 0);
  const ref = await sys.spawn(fixture('probe'));
  t.is(sys.stats().children, 1);
  const held = sys.ask(ref, { op: 'hold', tell: sys.self }, { timeout: 20_000 });
  t.is(sys.stats().asksPending, 1);
  kill(ref.pid);
  const err: any = await held.catch((e: unknown) => e);
  t.is(err.code, 'EDEADACTOR');
  t.is(sys.stats().asksPending, 0);
  t.is(sys.stats().children, 0);
});
