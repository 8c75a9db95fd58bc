// Links (relations.ts), with real processes: abnormal exits propagate both ways,
// trapExit turns them into EXIT messages, normal exits do not propagate, and the
// root process gets 'exit' events. Without processes: the watcher table does not
// keep watchers that died.
import test from 'ava';
import { Relations, type RelationsHost } from '../../runtime/core/relations.js';
import type { Address } from '../../runtime/transport/index.js';
import { fixture, isRunning, kill, startSystem, within, WAIT } from '../helpers/actors.js';

const T = { timeout: 20_000 };

/** The reason a non-parent sees for a SIGKILLed actor: the parent reports it. */
function killedBySignal(reason: any): boolean {
  return typeof reason === 'object' && reason.signal === 'SIGKILL';
}

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

test('watchers that died without unwatching are dropped: the table follows the live ones, the parent stays', (t) => {
  const alive = new Set<number>();
  const host: RelationsHost = {
    deathwatch: null as never, selfPid: 1, isAlive: (a) => alive.has(a.pid), actor: () => null,
    trySendSystem: () => true, deliverLocal() {}, emitDown() {}, emitExit() {}, exitActor() {},
  };
  const parent: Address = { pid: 2, instance: '00000000000000aa' }; // never alive here: kept all the same
  const r = new Relations(host, parent);
  const at = (pid: number): Address => ({ pid, instance: '00000000000000bb' });
  for (let pid = 100; pid < 10_100; pid++) {
    if (pid % 100 === 0) alive.add(pid); // one watcher in a hundred lives on
    r.onRequest('watch', at(pid));
  }
  const left = r.watcherList();
  t.true(left.length <= 2 * (alive.size + 1) + 64, `${left.length} watchers kept for ${alive.size} live ones`);
  for (const pid of alive) t.true(left.some((w) => w.pid === pid), `live watcher ${pid} kept`);
  t.true(left.some((w) => w.pid === parent.pid), 'the parent is kept');
});
