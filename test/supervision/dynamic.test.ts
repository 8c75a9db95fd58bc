// Dynamic children (OTP's start_child, terminate_child, restart_child, delete_child,
// count_children) on real supervisor processes. Test names follow OTP's
// supervisor_SUITE where a case applies. Every wait is on a supervisor event or a
// down notice, bounded.
import test, { type ExecutionContext } from 'ava';
import {
  AlreadyStartedError, BadSpecError, ChildPresentError, ChildRunningError, NoChildError, SpawnError,
} from '../../runtime/index.js';
import { fixture, isReaped, isRunning, kill, processesOf, rejection, sameRef, startSystem, within, WAIT } from '../helpers/actors.js';
import { Tree } from '../helpers/supervision.js';

const T = { timeout: 20_000 };
const probe = fixture('probe');

async function started(t: ExecutionContext, strategy: 'one_for_one' | 'one_for_all' | 'rest_for_one' = 'one_for_one', ids = ['a']) {
  const ts = await startSystem(t);
  const tree = new Tree(ts.sys);
  const sup = await ts.sys.supervise({ strategy, intensity: 20, period: 60_000, children: ids.map((id) => ({ id, module: probe })) }, { reportTo: ts.sys.self });
  return { ...ts, tree, sup };
}

test('sup_start_child: startChild starts the child, appends it to which(), and it answers', async (t) => {
  const { sys, tree, sup } = await started(t);
  const ref = await sys.startChild(sup, { id: 'dyn', module: probe, name: 'dyn-1' }, T);
  t.true(isRunning(ref.pid));
  t.true(sameRef(ref, tree.current('dyn', sup)), "a 'started' event reports it");
  t.deepEqual((await sys.which(sup, T)).map((c) => [c.id, c.ref?.pid]), [['a', tree.current('a')!.pid], ['dyn', ref.pid]]);
  t.deepEqual(await sys.ask(ref, { op: 'pid' }, T), { pid: ref.pid, name: 'dyn-1' });
  t.true(sameRef(sys.lookup('dyn-1'), ref));
});

test('startChild validates the child spec before asking: EBADSPEC names the field', async (t) => {
  const { sys, sup } = await started(t);
  const cases: [unknown, string][] = [
    [{ id: '', module: probe }, 'child.id'],
    [{ id: 'x', module: probe, restart: 'sometimes' }, 'child.restart'],
    [{ id: 'x', module: '/nonexistent/m.js' }, 'child.module'],
    [{ id: 'x', module: probe, bogus: 1 }, 'child.bogus'],
    [{ id: 'x', supervisor: { children: [{ id: 'y' }] } }, 'child.supervisor.children[0]'],
  ];
  for (const [spec, path] of cases) {
    const err = await rejection(sys.startChild(sup, spec as never, T), `startChild(${JSON.stringify(spec)})`);
    t.true(err instanceof BadSpecError, path);
    t.is(err.code, 'EBADSPEC');
    t.is(err.path, path);
  }
  t.deepEqual(await sys.countChildren(sup, T), { specs: 1, active: 1, supervisors: 0, workers: 1 }, 'nothing was added');
});

test('already_started: startChild with a running id rejects EALREADY carrying the running ref', async (t) => {
  const { sys, tree, sup } = await started(t);
  const a = tree.current('a', sup)!;
  const err = await rejection(sys.startChild(sup, { id: 'a', module: probe }, T), 'startChild of a running id');
  t.true(err instanceof AlreadyStartedError);
  t.is(err.code, 'EALREADY');
  t.true(sameRef(err.ref, a));
  t.true(isRunning(a.pid), 'the running child is left alone');
  t.deepEqual(processesOf(sys.dir).sort(), [sup.pid, a.pid].sort(), 'no second process');
});

test('already_present: startChild with the id of a terminated child rejects ECHILDPRESENT', async (t) => {
  const { sys, sup } = await started(t);
  await sys.terminateChild(sup, 'a', T);
  const err = await rejection(sys.startChild(sup, { id: 'a', module: probe }, T), 'startChild of a kept id');
  t.true(err instanceof ChildPresentError);
  t.is(err.code, 'ECHILDPRESENT');
});

test('sup_restart_child: terminateChild stops it without a restart; restartChild starts it again from its spec', async (t) => {
  const { sys, tree, sup } = await started(t);
  const a = tree.current('a', sup)!;
  await sys.terminateChild(sup, 'a', T);
  t.true(isReaped(a.pid), 'terminateChild resolves once the child is gone');
  t.like(tree.last('a', sup), { event: 'stopped', reason: 'shutdown' });
  t.like((await sys.which(sup, T))[0], { id: 'a', ref: null, type: 'worker', restart: 'permanent' });
  t.deepEqual(await sys.countChildren(sup, T), { specs: 1, active: 0, supervisors: 0, workers: 1 });
  t.false(tree.events.some((e) => e.event === 'restarting'), 'a terminated permanent child is not restarted');
  const a2 = await sys.restartChild(sup, 'a', T);
  t.not(a2.pid, a.pid);
  t.true(sameRef(tree.current('a', sup), a2));
  t.deepEqual(await sys.ask(a2, { op: 'pid' }, T), { pid: a2.pid, name: null });
  // OTP: restart_child of a running child is {error, running}.
  const err = await rejection(sys.restartChild(sup, 'a', T), 'restartChild of a running child');
  t.true(err instanceof ChildRunningError);
  t.is(err.code, 'ECHILDRUNNING');
});

test('sup_delete_child: deleteChild of a running child is ECHILDRUNNING; of a terminated one it forgets the spec', async (t) => {
  const { sys, sup } = await started(t);
  const dyn = await sys.startChild(sup, { id: 'dyn', module: probe }, T);
  const running = await rejection(sys.deleteChild(sup, 'dyn', T), 'deleteChild of a running child');
  t.true(running instanceof ChildRunningError);
  t.true(isRunning(dyn.pid));
  await sys.terminateChild(sup, 'dyn', T);
  await sys.deleteChild(sup, 'dyn', T);
  t.deepEqual((await sys.which(sup, T)).map((c) => c.id), ['a']);
  // The id is free again.
  const again = await sys.startChild(sup, { id: 'dyn', module: probe }, T);
  t.true(isRunning(again.pid));
});

test('not_found: terminateChild, restartChild and deleteChild of an unknown id reject ENOCHILD', async (t) => {
  const { sys, sup } = await started(t);
  for (const call of ['terminateChild', 'restartChild', 'deleteChild'] as const) {
    const err = await rejection(sys[call](sup, 'nope', T), `${call} of an unknown id`);
    t.true(err instanceof NoChildError, call);
    t.is(err.code, 'ENOCHILD', call);
  }
});

test('a temporary child: terminateChild drops its spec (OTP), so restartChild is ENOCHILD', async (t) => {
  const { sys, sup } = await started(t);
  await sys.startChild(sup, { id: 'tmp', module: probe, restart: 'temporary' }, T);
  await sys.terminateChild(sup, 'tmp', T);
  t.deepEqual((await sys.which(sup, T)).map((c) => c.id), ['a']);
  t.is((await rejection(sys.restartChild(sup, 'tmp', T), 'restartChild of a dropped temporary')).code, 'ENOCHILD');
});

test('count_children: specs, active, supervisors and workers follow starts and terminations', async (t) => {
  const { sys, sup } = await started(t, 'one_for_one', ['a', 'b']);
  t.deepEqual(await sys.countChildren(sup, T), { specs: 2, active: 2, supervisors: 0, workers: 2 });
  const inner = await sys.startChild(sup, { id: 'inner', supervisor: { children: [{ id: 'w', module: probe }] } }, T);
  t.deepEqual(await sys.countChildren(sup, T), { specs: 3, active: 3, supervisors: 1, workers: 2 });
  t.deepEqual(await sys.countChildren(inner, T), { specs: 1, active: 1, supervisors: 0, workers: 1 });
  await sys.terminateChild(sup, 'b', T);
  t.deepEqual(await sys.countChildren(sup, T), { specs: 3, active: 2, supervisors: 1, workers: 2 });
});

test('startChild of a child that fails to start rejects ESPAWN naming it, and adds nothing', async (t) => {
  const { sys, sup } = await started(t);
  const err = await rejection(sys.startChild(sup, { id: 'bad', module: probe, args: { initExit: 3 } }, T), 'startChild of a failing child');
  t.true(err instanceof SpawnError);
  t.is(err.code, 'ESPAWN');
  t.regex(err.message, /child 'bad' failed to start/);
  t.deepEqual((await sys.which(sup, T)).map((c) => c.id), ['a']);
});

test('a dynamic child is restarted after SIGKILL like a static one', async (t) => {
  const { sys, tree, sup } = await started(t);
  const dyn = await sys.startChild(sup, { id: 'dyn', module: probe }, T);
  const mark = tree.events.length;
  kill(dyn.pid);
  await tree.until(() => tree.settled(['a', 'dyn'], [dyn.pid], sup), 'dyn to be restarted');
  t.deepEqual(tree.trace(mark, sup), ['exited:dyn', 'restarting:dyn', 'started:dyn']);
  t.like(tree.events[mark], { reason: { signal: 'SIGKILL' } });
  const which = await sys.which(sup, T);
  t.true(sameRef(which[1].ref, tree.current('dyn', sup)));
  t.not(which[1].ref!.pid, dyn.pid);
});

test('rest_for_one: a dynamic child is last in the order: killing a static child restarts it too, after the others', async (t) => {
  const { sys, tree, sup } = await started(t, 'rest_for_one', ['a', 'b']);
  await sys.startChild(sup, { id: 'dyn', module: probe }, T);
  const b = tree.current('b', sup)!;
  const mark = tree.events.length;
  kill(b.pid);
  await tree.until(() => tree.settled(['a', 'b', 'dyn'], [b.pid], sup), 'rest_for_one to settle');
  t.deepEqual(tree.trace(mark, sup), ['exited:b', 'stopped:dyn', 'restarting:b', 'started:b', 'restarting:dyn', 'started:dyn']);
});

test('one_for_all: killing a dynamic child restarts the static ones too', async (t) => {
  const { sys, tree, sup } = await started(t, 'one_for_all', ['a']);
  const dyn = await sys.startChild(sup, { id: 'dyn', module: probe }, T);
  const mark = tree.events.length;
  kill(dyn.pid);
  await tree.until(() => tree.settled(['a', 'dyn'], [dyn.pid], sup), 'one_for_all to settle');
  t.deepEqual(tree.trace(mark, sup), ['exited:dyn', 'stopped:a', 'restarting:a', 'started:a', 'restarting:dyn', 'started:dyn']);
});

test("the supervisor's shutdown stops its dynamic children, last first", async (t) => {
  const { sys, dir, tree, sup } = await started(t);
  const dyn = await sys.startChild(sup, { id: 'dyn', module: probe }, T);
  const reason = await within(sys.stop(sup, { timeout: 15_000 }), WAIT, 'supervisor stop');
  t.is(reason, 'shutdown');
  t.deepEqual(tree.trace().filter((s) => s.startsWith('stopped')), ['stopped:dyn', 'stopped:a']);
  t.true(isReaped(dyn.pid));
  t.deepEqual(processesOf(dir), []);
});

test('one_for_all: a terminated (not deleted) child is started again with its group', async (t) => {
  const { sys, tree, sup } = await started(t, 'one_for_all', ['a', 'b']);
  await sys.terminateChild(sup, 'b', T);
  const a = tree.current('a', sup)!;
  const mark = tree.events.length;
  kill(a.pid);
  await tree.until(() => tree.settled(['a', 'b'], [a.pid], sup), 'one_for_all to settle');
  t.deepEqual(tree.trace(mark, sup), ['exited:a', 'restarting:a', 'started:a', 'restarting:b', 'started:b']);
});

test('from inside an actor: ctx.system has the same calls, with the same error classes', async (t) => {
  const { sys, tree, sup } = await started(t);
  const caller = await sys.spawn(fixture('sup-caller'));
  const ask = (call: string, ...args: unknown[]): Promise<any> => sys.ask(caller, { call, sup, args }, T);
  const r = await ask('startChild', { id: 'dyn', module: probe });
  t.true(sameRef(r.ok, tree.current('dyn', sup)));
  t.like(await ask('startChild', { id: 'dyn', module: probe }), { code: 'EALREADY', class: 'AlreadyStartedError', ref: r.ok });
  t.like(await ask('countChildren'), { ok: { specs: 2, active: 2, supervisors: 0, workers: 2 } });
  t.deepEqual(await ask('terminateChild', 'dyn'), { ok: null });
  t.like(await ask('deleteChild', 'nope'), { code: 'ENOCHILD', class: 'NoChildError' });
  t.like(await ask('restartChild', 'a'), { code: 'ECHILDRUNNING', class: 'ChildRunningError' });
});

test('getChildSpec: the kept spec with its module resolved and defaults filled in; ENOCHILD for an unknown id', async (t) => {
  const { sys, sup } = await started(t);
  const dyn = await sys.startChild(sup, { id: 'dyn', module: probe, args: { k: 1 }, restart: 'transient', backoff: { min: 10, max: 100 } }, T);
  const expected = {
    id: 'dyn', module: probe.pathname, args: { k: 1 }, restart: 'transient', shutdown: 5000,
    backoff: { min: 10, max: 100, factor: 2, jitter: 0.2, reset: 100 },
  };
  t.deepEqual(await sys.getChildSpec(sup, 'dyn', T), expected);
  t.deepEqual(await sys.getChildSpec(sup, dyn, T), expected, 'by address too');
  await sys.terminateChild(sup, 'dyn', T);
  t.deepEqual(await sys.getChildSpec(sup, 'dyn', T), expected, 'a terminated child keeps its spec');
  const inner = await sys.startChild(sup, { id: 'inner', supervisor: { children: [{ id: 'w', module: probe }] } }, T);
  t.like(await sys.getChildSpec(sup, 'inner', T), { supervisor: { strategy: 'one_for_one', intensity: 3, period: 5000, children: [{ id: 'w', restart: 'permanent' }] }, shutdown: 'infinity' });
  t.true(inner.pid > 0);
  const err = await rejection(sys.getChildSpec(sup, 'nope', T), 'getChildSpec of an unknown id');
  t.true(err instanceof NoChildError);
});

test('whichChildren is which, with each child\'s state', async (t) => {
  const { sys, sup } = await started(t, 'one_for_one', ['a', 'b']);
  await sys.terminateChild(sup, 'b', T);
  const w = await sys.whichChildren(sup, T);
  t.deepEqual(w.map((c) => [c.id, c.state]), [['a', 'running'], ['b', 'stopped']]);
  t.deepEqual(await sys.which(sup, T), w);
});

test('startChild on a one_for_one supervisor with something that is not a spec is EBADSPEC from the supervisor', async (t) => {
  const { sys, sup } = await started(t);
  for (const [arg, path] of [[undefined, 'child'], [{ n: 1 }, 'child.n'], [['x'], 'child']] as const) {
    const err = await rejection(sys.startChild(sup, arg, T), `startChild(${JSON.stringify(arg)})`);
    t.true(err instanceof BadSpecError);
    t.is(err.path, path);
  }
});

test('a transient dynamic child that exits with { shutdown: term } is not restarted and keeps its spec', async (t) => {
  const { sys, tree, sup } = await started(t);
  const dyn = await sys.startChild(sup, { id: 'dyn', module: probe, restart: 'transient' }, T);
  sys.send(dyn, { op: 'stop', reason: { shutdown: { why: 'drained' } } });
  const e = await tree.next((x) => x.event === 'exited' && x.id === 'dyn', 'dyn exited');
  t.deepEqual(e.reason, { shutdown: { why: 'drained' } });
  t.like((await sys.whichChildren(sup, T))[1], { id: 'dyn', ref: null, state: 'stopped' });
  t.false(tree.events.some((x) => x.event === 'restarting'));
  t.is((await rejection(sys.startChild(sup, { id: 'dyn', module: probe }, T), 'the id is kept')).code, 'ECHILDPRESENT');
});

test('temporary_bystander: one_for_all stops a temporary dynamic child with its group and does not keep it', async (t) => {
  const { sys, tree, sup } = await started(t, 'one_for_all', ['a']);
  const tmp = await sys.startChild(sup, { id: 'tmp', module: probe, restart: 'temporary' }, T);
  const a = tree.current('a', sup)!;
  const mark = tree.events.length;
  kill(a.pid);
  await tree.until(() => tree.settled(['a'], [a.pid, tmp.pid], sup), 'one_for_all to settle');
  t.deepEqual(tree.trace(mark, sup), ['exited:a', 'stopped:tmp', 'restarting:a', 'started:a']);
  t.deepEqual((await sys.whichChildren(sup, T)).map((c) => c.id), ['a']);
  t.deepEqual(await sys.countChildren(sup, T), { specs: 1, active: 1, supervisors: 0, workers: 1 });
});

test('a supervisor killed with SIGKILL takes its dynamic children with it', async (t) => {
  const { sys, tree, sup, downs } = await started(t);
  const dyn = await sys.startChild(sup, { id: 'dyn', module: probe }, T);
  const inner = await sys.startChild(sup, { id: 'inner', supervisor: { children: [{ id: 'w', module: probe }] } }, T);
  const w = await tree.next((e) => e.event === 'started' && e.id === 'w', 'inner w started');
  const ms = [tree.current('a', sup)!, dyn, inner, w.ref!].map((r) => sys.monitor(r));
  kill(sup.pid);
  for (const m of ms) await downs.of(m);
  t.pass();
});

test('the calls on ctx itself (not only ctx.system): whichChildren, getChildSpec, startChild, terminateChild', async (t) => {
  const { sys, tree, sup } = await started(t);
  const caller = await sys.spawn(fixture('sup-caller'));
  const ask = (call: string, ...args: unknown[]): Promise<any> => sys.ask(caller, { call, sup, args, via: 'ctx' }, T);
  const r = await ask('startChild', { id: 'dyn', module: probe });
  t.true(sameRef(r.ok, tree.current('dyn', sup)));
  t.like(await ask('whichChildren'), { ok: [{ id: 'a', state: 'running' }, { id: 'dyn', state: 'running' }] });
  t.like(await ask('getChildSpec', 'dyn'), { ok: { id: 'dyn', restart: 'permanent' } });
  t.like(await ask('getChildSpec', 'nope'), { code: 'ENOCHILD', class: 'NoChildError' });
  t.deepEqual(await ask('terminateChild', r.ok), { ok: null });
  t.like(await ask('restartChild', 'dyn'), { ok: { pid: tree.current('dyn', sup)!.pid } });
});
