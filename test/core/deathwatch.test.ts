// Death watch: monitors (one down per monitor, the exit reason for each way of
// dying, 'noproc' for the already dead, non-children through pidfd) and links
// (abnormal exits propagate both ways, trapExit turns them into EXIT messages,
// normal exits do not propagate, the root process gets 'exit' events).
import test from 'ava';
import type { ActorRef } from '../../runtime/index.js';
import { fixture, isRunning, kill, startSystem, within, WAIT } from '../helpers/actors.js';

const T = { timeout: 20_000 };

/** The reason a non-parent sees for a SIGKILLed actor: the parent reports it. */
function killedBySignal(reason: any): boolean {
  return typeof reason === 'object' && reason.signal === 'SIGKILL';
}

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

test('a linked actor dies abnormally: the other (not trapping) dies with it', async (t) => {
  const { sys, downs } = await startSystem(t);
  const a = await sys.spawn(fixture('probe'));
  const b = await sys.spawn(fixture('probe'));
  t.is(await sys.ask(a, { op: 'link', ref: b }, T), 'linked');
  const ma = sys.monitor(a);
  const mb = sys.monitor(b);
  sys.send(b, { op: 'crash' });
  const [da, db] = await Promise.all([downs.of(ma), downs.of(mb)]);
  t.is((db.reason as any).error.name, 'TypeError');
  t.not(da.reason, 'normal');
  t.not(da.reason, 'shutdown');
  t.is((da.reason as any).error?.message, 'probe crashed on purpose', 'a exits with b\'s reason');
});

test('links work both ways: the linking actor dies, the linked one follows', async (t) => {
  const { sys, downs } = await startSystem(t);
  const a = await sys.spawn(fixture('probe'));
  const b = await sys.spawn(fixture('probe'));
  await sys.ask(a, { op: 'link', ref: b }, T);
  const mb = sys.monitor(b);
  kill(a.pid);
  const db = await downs.of(mb);
  t.true(killedBySignal(db.reason), 'b exits with a\'s reason');
});

test('with trapExit the linked exit arrives as an EXIT message and the actor lives on', async (t) => {
  const { sys, inbox, downs } = await startSystem(t);
  const a = await sys.spawn(fixture('probe'), { args: { report: sys.self, trap: true } });
  const b = await sys.spawn(fixture('probe'));
  const ma = sys.monitor(a);
  await sys.ask(a, { op: 'link', ref: b }, T);
  sys.send(b, { op: 'crash' });
  const exit = await inbox.take((m) => m.type === 'EXIT', 'EXIT message at the trapping actor');
  t.is(exit.at, a.pid);
  t.is(exit.from.pid, b.pid);
  t.is(exit.reason.error.name, 'TypeError');
  t.deepEqual(await sys.ask(a, { op: 'pid' }, T), { pid: a.pid, name: null });
  t.is(downs.count(ma), 0);
  t.true(isRunning(a.pid));
});

test('a normal exit of a linked actor does not kill the other; a trapping one sees it', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const plain = await sys.spawn(fixture('probe'), { args: { report: sys.self } });
  const trapping = await sys.spawn(fixture('probe'), { args: { report: sys.self, trap: true } });
  const b = await sys.spawn(fixture('probe'));
  await sys.ask(plain, { op: 'link', ref: b }, T);
  // Monitored after linking: plain hears of the death through the link first, so
  // its DOWN message proves the link did not stop it.
  const mon = await sys.ask(plain, { op: 'monitor', ref: b }, T);
  await sys.ask(trapping, { op: 'link', ref: b }, T);
  sys.send(b, { op: 'stop' });
  const exit = await inbox.take((m) => m.type === 'EXIT' && m.at === trapping.pid, 'EXIT message at the trapping actor');
  t.is(exit.reason, 'normal');
  const down = await inbox.take((m) => m.type === 'DOWN' && m.monitor === mon, 'DOWN message at the plain actor');
  t.is(down.reason, 'normal');
  t.deepEqual(await sys.ask(plain, { op: 'pid' }, T), { pid: plain.pid, name: null });
  t.deepEqual(inbox.pending((m) => m.type === 'EXIT'), [], 'plain (not trapping) got no EXIT message');
});

test("the root process links to an actor: its death is an 'exit' event", async (t) => {
  const { sys } = await startSystem(t);
  const a = await sys.spawn(fixture('probe'));
  const exited = new Promise<any>((resolve) => sys.once('exit', resolve));
  sys.link(a);
  sys.send(a, { op: 'exit', code: 9 });
  const e = await within(exited, WAIT, "'exit' event");
  t.is(e.from.pid, a.pid);
  t.is(e.reason.code, 9);
});

test('trapExit can be switched on by a message, then a linked crash is an EXIT', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const a = await sys.spawn(fixture('probe'), { args: { report: sys.self } });
  const b = await sys.spawn(fixture('probe'));
  t.is(await sys.ask(a, { op: 'trap', on: true }, T), 'ok');
  await sys.ask(a, { op: 'link', ref: b });
  kill(b.pid);
  const exit = await inbox.take((m) => m.type === 'EXIT', 'EXIT message');
  t.true(killedBySignal(exit.reason));
  t.true(isRunning(a.pid));
});

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
