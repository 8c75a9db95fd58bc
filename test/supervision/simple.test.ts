// simple_one_for_one supervisors and maxChildren on real processes: instances of one
// template started with their own args, terminated by address, counted, restarted
// alone, never kept once they are gone, stopped all at once. Test names follow OTP's
// supervisor_SUITE where a case applies. Every wait is on an event, bounded.
import test, { type ExecutionContext } from 'ava';
import {
  BadSpecError, MaxChildrenError, NoChildError, SimpleOneForOneError, type ActorRef, type ChildSpec, type SupervisorSpec,
} from '../../runtime/index.js';
import { fixture, isRunning, kill, processesOf, rejection, sameRef, startSystem, within, WAIT } from '../helpers/actors.js';
import { Tree } from '../helpers/supervision.js';

const T = { timeout: 20_000 };
const probe = fixture('probe');

async function simple(t: ExecutionContext, template: Partial<ChildSpec> = {}, flags: Partial<SupervisorSpec> = {}) {
  const ts = await startSystem(t);
  const tree = new Tree(ts.sys);
  const spec: SupervisorSpec = {
    strategy: 'simple_one_for_one', intensity: 10, period: 60_000, ...flags,
    children: [{ id: 'w', module: probe, ...template }],
  };
  const sup = await ts.sys.supervise(spec, { reportTo: ts.sys.self });
  return { ...ts, tree, sup };
}

test('simple_one_for_one: no child at start; startChild(sup, args) starts instances with their own ids and args', async (t) => {
  const { sys, sup } = await simple(t, { args: { role: 'worker', n: 0 } });
  t.deepEqual(await sys.whichChildren(sup, T), []);
  t.deepEqual(await sys.countChildren(sup, T), { specs: 1, active: 0, supervisors: 0, workers: 0 });
  const refs: ActorRef[] = [];
  for (let n = 1; n <= 3; n++) refs.push(await sys.startChild(sup, { n }, T));
  const which = await sys.whichChildren(sup, T);
  t.deepEqual(which.map((c) => [c.id, c.ref?.pid, c.state]), refs.map((r, i) => [`w#${i + 1}`, r.pid, 'running']));
  t.deepEqual(await sys.ask(refs[1], { op: 'args' }, T), { role: 'worker', n: 2 }, "the instance's keys win over the template's");
  t.deepEqual(await sys.countChildren(sup, T), { specs: 1, active: 3, supervisors: 0, workers: 3 });
  t.deepEqual(await sys.which(sup, T), which, 'which is whichChildren');
});

test('simple_one_for_one_extra: array args are appended to the template\'s (OTP), no args keep the template\'s', async (t) => {
  const { sys, sup } = await simple(t, { args: ['a', 1] });
  const appended = await sys.startChild(sup, ['b', 2], T);
  t.deepEqual(await sys.ask(appended, { op: 'args' }, T), ['a', 1, 'b', 2]);
  const plain = await sys.startChild(sup, undefined, T);
  t.deepEqual(await sys.ask(plain, { op: 'args' }, T), ['a', 1]);
  const replaced = await sys.startChild(sup, 'scalar', T);
  t.is(await sys.ask(replaced, { op: 'args' }, T), 'scalar', 'anything else replaces them');
  t.like(await sys.getChildSpec(sup, appended, T), { id: 'w#1', module: probe.pathname, args: ['a', 1, 'b', 2], restart: 'permanent' });
  t.like(await sys.getChildSpec(sup, 'w', T), { id: 'w', args: ['a', 1] }, 'the template by its id');
});

test('simple_one_for_one: terminateChild(sup, ref) stops the instance and drops it; restartChild and deleteChild are ESIMPLE', async (t) => {
  const { sys, sup, downs } = await simple(t);
  const a = await sys.startChild(sup, undefined, T);
  const b = await sys.startChild(sup, undefined, T);
  const m = sys.monitor(a);
  await sys.terminateChild(sup, a, T);
  t.like(await downs.of(m), { reason: 'shutdown' });
  t.deepEqual((await sys.whichChildren(sup, T)).map((c) => c.ref?.pid), [b.pid]);
  t.is((await rejection(sys.terminateChild(sup, a, T), 'terminateChild of a gone instance')).code, 'ENOCHILD');
  for (const call of ['restartChild', 'deleteChild'] as const) {
    const err = await rejection(sys[call](sup, 'w#2', T), call);
    t.true(err instanceof SimpleOneForOneError, call);
    t.is(err.code, 'ESIMPLE');
  }
  await sys.terminateChild(sup, 'w#2', T); // by its id works too
  t.deepEqual(await sys.countChildren(sup, T), { specs: 1, active: 0, supervisors: 0, workers: 0 });
  t.true((await rejection(sys.getChildSpec(sup, 'w#2', T), 'getChildSpec of a gone instance')) instanceof NoChildError);
});

test('simple_one_for_one: a killed instance is restarted alone, with the same id and args', async (t) => {
  const { sys, tree, sup } = await simple(t);
  const a = await sys.startChild(sup, { n: 1 }, T);
  const b = await sys.startChild(sup, { n: 2 }, T);
  const mark = tree.events.length;
  kill(a.pid);
  await tree.until(() => tree.settled(['w#1', 'w#2'], [a.pid], sup), 'w#1 to be restarted');
  t.deepEqual(tree.trace(mark, sup), ['exited:w#1', 'restarting:w#1', 'started:w#1']);
  const a2 = tree.current('w#1', sup)!;
  t.deepEqual(await sys.ask(a2, { op: 'args' }, T), { n: 1 });
  t.true(sameRef(tree.current('w#2', sup), b), 'the sibling was left alone');
});

test('do_not_save_child_specs_for_temporary_children: a temporary instance that exits is gone, not restarted', async (t) => {
  const { sys, tree, sup } = await simple(t, { restart: 'temporary' });
  const a = await sys.startChild(sup, undefined, T);
  const b = await sys.startChild(sup, undefined, T);
  kill(a.pid);
  await tree.next((e) => e.event === 'exited' && e.id === 'w#1', 'w#1 exited');
  sys.send(b, { op: 'crash' });
  await tree.next((e) => e.event === 'exited' && e.id === 'w#2', 'w#2 exited');
  t.deepEqual(await sys.countChildren(sup, T), { specs: 1, active: 0, supervisors: 0, workers: 0 });
  t.deepEqual(await sys.whichChildren(sup, T), []);
  t.false(tree.events.some((e) => e.event === 'restarting'));
});

test('simple_one_for_one: a transient instance ending with { shutdown: term } counts as normal and is dropped', async (t) => {
  const { sys, tree, sup } = await simple(t, { restart: 'transient' });
  const a = await sys.startChild(sup, undefined, T);
  sys.send(a, { op: 'stop', reason: { shutdown: 'drained' } });
  const e = await tree.next((x) => x.event === 'exited' && x.id === 'w#1', 'w#1 exited');
  t.deepEqual(e.reason, { shutdown: 'drained' });
  t.deepEqual(await sys.whichChildren(sup, T), []);
  t.false(tree.events.some((x) => x.event === 'restarting'));
});

test('simple_one_for_one_shutdown: stopping the supervisor stops every instance at once, each within its shutdown', async (t) => {
  const { sys, dir, tree, inbox, sup } = await simple(t, { args: { slowStop: true }, shutdown: 1500 });
  const refs = [];
  for (let i = 0; i < 3; i++) refs.push(await sys.startChild(sup, { report: sys.self }, T));
  const stopped = within(sys.stop(sup, { timeout: 20_000 }), WAIT, 'supervisor stop');
  // All three are asked to stop before the first one's shutdown runs out: in parallel.
  const terminating = await Promise.all(refs.map((r) => inbox.take((m) => m?.type === 'terminating' && m.pid === r.pid, `${r.pid} terminating`)));
  t.is(terminating.length, 3);
  const firstStop = tree.events.findIndex((e) => e.event === 'stopped');
  t.is(firstStop, -1, 'no instance was stopped before all three were asked to stop');
  t.is(await stopped, 'shutdown');
  const stops = tree.events.filter((e) => e.event === 'stopped');
  t.is(stops.length, 3);
  for (const s of stops) t.deepEqual(s.reason, { signal: 'SIGKILL' }, 'each was killed when its shutdown ran out');
  t.deepEqual(processesOf(dir), []);
});

test('simple_global_supervisor-like: a registered simple_one_for_one supervisor is reached by name, from the root and from an actor (ctx)', async (t) => {
  const { sys, tree } = await simple(t, {}, { name: 'pool' });
  const pool = sys.lookup('pool')!;
  const a = await sys.startChild(pool, { from: 'root' }, T);
  const caller = await sys.spawn(fixture('sup-caller'));
  const r: any = await sys.ask(caller, { call: 'startChild', sup: pool, args: [{ from: 'ctx' }], via: 'ctx' }, T);
  t.true(sameRef(r.ok, tree.current('w#2', pool)));
  t.deepEqual(await sys.ask(r.ok, { op: 'args' }, T), { from: 'ctx' });
  t.like(await sys.ask(caller, { call: 'countChildren', sup: pool, args: [], via: 'ctx' }, T), { ok: { specs: 1, active: 2 } });
  t.like(await sys.ask(caller, { call: 'deleteChild', sup: pool, args: ['w#1'], via: 'ctx' }, T), { code: 'ESIMPLE', class: 'SimpleOneForOneError' });
  t.like(await sys.ask(caller, { call: 'terminateChild', sup: pool, args: [a], via: 'ctx' }, T), { ok: null });
  t.deepEqual((await sys.whichChildren(pool, T)).map((c) => c.id), ['w#2']);
});

test('max_children: startChild past maxChildren is EMAXCHILDREN and starts nothing; a freed slot can be used', async (t) => {
  const { sys, dir, sup } = await simple(t, {}, { maxChildren: 2 });
  const a = await sys.startChild(sup, undefined, T);
  await sys.startChild(sup, undefined, T);
  const before = processesOf(dir).length;
  const err = await rejection(sys.startChild(sup, undefined, T), 'a third instance');
  t.true(err instanceof MaxChildrenError);
  t.is(err.code, 'EMAXCHILDREN');
  t.is(processesOf(dir).length, before, 'no process was started');
  await sys.terminateChild(sup, a, T);
  t.true(isRunning((await sys.startChild(sup, undefined, T)).pid));
});

test('max_children on one_for_one counts kept specs, static ones included', async (t) => {
  const ts = await startSystem(t);
  const sup = await ts.sys.supervise({ maxChildren: 2, children: [{ id: 'a', module: probe }] });
  await ts.sys.startChild(sup, { id: 'b', module: probe, restart: 'transient' }, T);
  t.is((await rejection(ts.sys.startChild(sup, { id: 'c', module: probe }, T), 'third child')).code, 'EMAXCHILDREN');
  await ts.sys.terminateChild(sup, 'b', T);
  t.is((await rejection(ts.sys.startChild(sup, { id: 'c', module: probe }, T), 'b is still kept')).code, 'EMAXCHILDREN');
  await ts.sys.deleteChild(sup, 'b', T);
  t.true(isRunning((await ts.sys.startChild(sup, { id: 'c', module: probe }, T)).pid));
});

test('mult_restart: instances restarted up to the intensity; one more and the supervisor gives up, its instances gone', async (t) => {
  const { sys, dir, tree, sup, downs } = await simple(t, {}, { intensity: 2 });
  await sys.startChild(sup, undefined, T);
  await sys.startChild(sup, undefined, T);
  const m = sys.monitor(sup);
  for (let i = 0; i < 2; i++) {
    const victim = tree.current('w#1', sup)!;
    kill(victim.pid);
    await tree.until(() => tree.settled(['w#1', 'w#2'], [victim.pid], sup), `restart ${i + 1}`);
  }
  kill(tree.current('w#2', sup)!.pid);
  t.like(await downs.of(m), { reason: 'shutdown' });
  t.true(tree.events.some((e) => e.event === 'gave_up'));
  t.deepEqual(processesOf(dir), []);
});

test('a killed simple_one_for_one supervisor takes its instances with it', async (t) => {
  const { sys, sup, downs } = await simple(t);
  const refs = [await sys.startChild(sup, undefined, T), await sys.startChild(sup, undefined, T)];
  const ms = refs.map((r) => sys.monitor(r));
  kill(sup.pid);
  for (const m of ms) await downs.of(m);
  t.true(refs.every((r) => !isRunning(r.pid)));
});

test('simple_one_for_one spec checks: one template, no name; maxChildren a non-negative integer', async (t) => {
  const ts = await startSystem(t);
  const cases: [unknown, string][] = [
    [{ strategy: 'simple_one_for_one', children: [] }, 'spec.children'],
    [{ strategy: 'simple_one_for_one', children: [{ id: 'a', module: probe }, { id: 'b', module: probe }] }, 'spec.children'],
    [{ strategy: 'simple_one_for_one', children: [{ id: 'a', module: probe, name: 'x' }] }, 'spec.children[0].name'],
    [{ maxChildren: -1, children: [] }, 'spec.maxChildren'],
    [{ maxChildren: 1.5, children: [] }, 'spec.maxChildren'],
    [{ maxChildren: 1, children: [{ id: 'a', module: probe }, { id: 'b', module: probe }] }, 'spec.maxChildren'],
  ];
  for (const [spec, path] of cases) {
    const err = await rejection(Promise.resolve().then(() => ts.sys.supervise(spec as SupervisorSpec)), JSON.stringify(spec));
    t.true(err instanceof BadSpecError, path);
    t.is(err.path, path);
  }
});
