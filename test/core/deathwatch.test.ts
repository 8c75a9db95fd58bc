// Death watch: one down per monitor, the exit reason for each way of dying,
// 'noproc' for the already dead, non-children through pidfd and their parents'
// reports; the channel to a watched actor closed when it dies. (Links, built on it,
// are in relations.test.ts.)
import test from 'ava';
import type { ActorRef } from '../../runtime/index.js';
import { fixture, kill, startSystem } from '../helpers/actors.js';

const T = { timeout: 20_000 };

test('every monitor gets exactly one down; a demonitored one gets none', async (t) => {
  const { sys, downs } = await startSystem(t);
  const ref = await sys.spawn(fixture('echo'));
  const m1 = sys.monitor(ref);
  const m2 = sys.monitor(ref);
  const m3 = sys.monitor(ref);
  t.not(m1, m2);
  sys.demonitor(m3);
  kill(ref.pid);
  const [d1, d2] = await Promise.all([downs.of(m1), downs.of(m2)]);
  t.is(d1.ref.pid, ref.pid);
  t.deepEqual(d1.reason, d2.reason);
  // A later death is a barrier: anything still due for `ref` would have come first.
  const other = await sys.spawn(fixture('echo'));
  const barrier = sys.monitor(other);
  kill(other.pid);
  await downs.of(barrier);
  t.is(downs.count(m1), 1);
  t.is(downs.count(m2), 1);
  t.is(downs.count(m3), 0);
  t.is(downs.count(barrier), 1);
});

test("monitoring an actor that is already gone gives one down with 'noproc'", async (t) => {
  const { sys, downs } = await startSystem(t);
  const ref = await sys.spawn(fixture('echo'));
  const first = sys.monitor(ref);
  kill(ref.pid);
  await downs.of(first);
  const late = sys.monitor(ref);
  const d = await downs.of(late);
  t.is(d.reason, 'noproc');
  t.is(d.ref.pid, ref.pid);
});

const reasonOf = test.macro({
  async exec(t, msg: unknown, check: (t: any, reason: any, ref: ActorRef) => void) {
    const { sys, downs } = await startSystem(t);
    const ref = await sys.spawn(fixture('probe'));
    const mon = sys.monitor(ref);
    if (msg === 'SIGKILL') kill(ref.pid);
    else sys.send(ref, msg);
    const d = await downs.of(mon);
    check(t, d.reason, ref);
  },
  title: (provided = '') => `down reason: ${provided}`,
});

test('{ error } with name, message and stack for an uncaught throw', reasonOf, { op: 'crash' }, (t: any, reason: any) => {
  t.true(reason.error instanceof Error);
  t.is(reason.error.name, 'TypeError');
  t.is(reason.error.message, 'probe crashed on purpose');
  t.regex(reason.error.stack, /probe\.[jt]s/);
});
test('{ code } for process.exit(n)', reasonOf, { op: 'exit', code: 5 }, (t: any, reason: any) => t.is(reason.code, 5));
test("{ signal: 'SIGKILL' } for a kill by the parent", reasonOf, 'SIGKILL', (t: any, reason: any) => t.is(reason.signal, 'SIGKILL'));
test("'normal' for ctx.stop()", reasonOf, { op: 'stop' }, (t: any, reason: any) => t.is(reason, 'normal'));
test("'shutdown' for ctx.stop('shutdown')", reasonOf, { op: 'stop', reason: 'shutdown' }, (t: any, reason: any) => t.is(reason, 'shutdown'));

test('a monitor on a grandchild (not our child) fires through pidfd within a second', async (t) => {
  const { sys, downs } = await startSystem(t);
  const middle = await sys.spawn(fixture('probe'));
  const grandchild = await sys.ask(middle, { op: 'spawn', module: fixture('probe').href }, T) as ActorRef;
  const mon = sys.monitor(grandchild);
  const crashed = sys.monitor(middle);
  const started = Date.now();
  kill(grandchild.pid);
  const d = await downs.of(mon);
  t.true(Date.now() - started < 1000, `down after ${Date.now() - started} ms`);
  t.not(d.reason, 'normal');
  t.not(d.reason, 'noproc');
  t.is(downs.count(crashed), 0, 'its parent is unaffected');
});

test('ctx.monitor delivers { type: DOWN } as a message to the watching actor', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const watcher = await sys.spawn(fixture('probe'), { args: { report: sys.self } });
  const target = await sys.spawn(fixture('probe'));
  const mon = await sys.ask(watcher, { op: 'monitor', ref: target }, T);
  sys.send(target, { op: 'crash' });
  const down = await inbox.take((m) => m.type === 'DOWN' && m.monitor === mon, 'DOWN message at the watcher');
  t.is(down.at, watcher.pid);
  t.is(down.ref.pid, target.pid);
  t.is(down.reason.error.message, 'probe crashed on purpose');
});

// ---- links ----

test("a monitor by a non-parent gets the exact reason: the parent reports SIGKILL and exit codes", async (t) => {
  const { sys, inbox } = await startSystem(t);
  const watcher = await sys.spawn(fixture('probe'), { args: { report: sys.self } });
  const victim = await sys.spawn(fixture('probe'));
  const exiter = await sys.spawn(fixture('probe'));
  const m1 = await sys.ask(watcher, { op: 'monitor', ref: victim }, T);
  const m2 = await sys.ask(watcher, { op: 'monitor', ref: exiter }, T);
  kill(victim.pid);
  sys.send(exiter, { op: 'exit', code: 7 });
  const d1 = await inbox.take((m) => m.type === 'DOWN' && m.monitor === m1, 'DOWN for the killed actor');
  const d2 = await inbox.take((m) => m.type === 'DOWN' && m.monitor === m2, 'DOWN for the exiting actor');
  t.deepEqual(d1.reason, { signal: 'SIGKILL' });
  t.deepEqual(d2.reason, { code: 7 });
});

test('a monitor by a non-parent set up after the death gets noproc, never a wait', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const watcher = await sys.spawn(fixture('probe'), { args: { report: sys.self } });
  const victim = await sys.spawn(fixture('probe'));
  const gone = sys.monitor(victim);
  kill(victim.pid);
  await new Promise((resolve) => sys.on('down', (d) => { if (d.monitor === gone) resolve(d); }));
  const m = await sys.ask(watcher, { op: 'monitor', ref: victim }, T);
  const d = await inbox.take((x) => x.type === 'DOWN' && x.monitor === m, 'DOWN for the dead actor');
  t.is(d.reason, 'noproc');
});

test('the death of a watched non-child closes our channel to it: the root keeps no socket to the dead', async (t) => {
  t.timeout(60_000);
  const { sys, downs } = await startSystem(t, { idleChannelTimeout: 600_000 }); // no idle sweep meanwhile
  const middle = await sys.spawn(fixture('probe'));
  const grandchild = await sys.ask(middle, { op: 'spawn', module: fixture('probe').href }, T) as ActorRef;
  t.deepEqual(await sys.ask(grandchild, { op: 'pid' }, T), { pid: grandchild.pid, name: null });
  const before = sys.stats().peers;
  t.true(before >= 2, 'channels to the middle actor and the grandchild');
  const mon = sys.monitor(grandchild);
  kill(grandchild.pid);
  await downs.of(mon);
  t.is(sys.stats().peers, before - 1, 'the channel to the grandchild is closed; the one to its parent stays');
});
