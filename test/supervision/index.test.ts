// system.supervise / system.which on whole trees: restart intensity exceeded
// escalates (the supervisor stops its children and exits 'shutdown'; its parent
// supervisor restarts it, or gives up in turn), and registered names follow
// supervised restarts.
import test from 'ava';
import type { ActorRef } from '../../runtime/index.js';
import { fixture, isReaped, isRunning, kill, processesOf, sameRef, startSystem } from '../helpers/actors.js';
import { Tree } from '../helpers/supervision.js';

const T = { timeout: 20_000 };
const probe = fixture('probe');

function nested(topIntensity: number) {
  return {
    strategy: 'one_for_one' as const, intensity: topIntensity, period: 60_000,
    children: [
      {
        id: 'inner',
        supervisor: {
          name: 'inner-sup', strategy: 'one_for_one' as const, intensity: 1, period: 60_000,
          children: [{ id: 'w1', module: probe }, { id: 'w2', module: probe }],
        },
      },
      { id: 'peer', module: probe },
    ],
  };
}

test('intensity exceeded: the nested supervisor stops its children and exits shutdown; its parent restarts it', async (t) => {
  const { sys, dir, downs } = await startSystem(t);
  const tree = new Tree(sys);
  const top = await sys.supervise(nested(5), { reportTo: sys.self });
  const inner = tree.current('inner', top)!;
  const peer = tree.current('peer', top)!;
  const w2 = tree.current('w2', inner)!;
  t.true(sameRef(sys.lookup('inner-sup'), inner));
  const watchInner = sys.monitor(inner);

  // First crash: within intensity 1, restarted.
  const w1 = tree.current('w1', inner)!;
  kill(w1.pid);
  await tree.until(() => tree.settled(['w1', 'w2'], [w1.pid], inner), 'inner to restart w1 once');
  const w1b = tree.current('w1', inner)!;
  t.not(w1b.pid, w1.pid);

  // Second crash: over intensity 1 within the period: inner gives up.
  const mark = tree.events.length;
  kill(w1b.pid);
  const down = await downs.of(watchInner, 'the top-level monitor to see inner go down');
  t.is(down.reason, 'shutdown');
  // By the time inner is down it has stopped w2 (and told us), and w2 is reaped.
  t.deepEqual(tree.trace(mark, inner), ['exited:w1', 'gave_up:', 'stopped:w2']);
  t.true(isReaped(w2.pid), 'w2 is gone before inner exits');
  t.true(isReaped(w1b.pid));

  // The top supervisor restarts inner (and, one_for_one, leaves peer alone).
  const restarted = await tree.next((e) => e.event === 'started' && e.id === 'inner' && e.ref!.pid !== inner.pid, 'inner restarted', mark);
  const inner2 = restarted.ref!;
  await tree.until(() => tree.settled(['w1', 'w2'], [], inner2), 'the new inner to start its children');
  const topTrace = tree.trace(mark, top);
  t.deepEqual(topTrace, ['exited:inner', 'restarting:inner', 'started:inner']);
  t.is(tree.events.find((e) => e.event === 'exited' && e.id === 'inner')!.reason, 'shutdown');
  const whichTop = await sys.which(top, T);
  t.deepEqual(whichTop.map((c) => [c.id, c.type]), [['inner', 'supervisor'], ['peer', 'worker']]);
  t.true(sameRef(whichTop[0].ref, inner2));
  t.true(sameRef(whichTop[1].ref, peer), 'peer keeps its pid');
  const whichInner = await sys.which(inner2, T);
  for (const c of whichInner) {
    t.true(isRunning(c.ref!.pid));
    t.false([w1.pid, w1b.pid, w2.pid].includes(c.ref!.pid), `${c.id} is a new incarnation`);
  }
  t.true(sameRef(sys.lookup('inner-sup'), inner2), 'the name follows the restart');
  t.deepEqual(processesOf(dir).sort(), [top.pid, inner2.pid, peer.pid, ...whichInner.map((c) => c.ref!.pid)].sort());
});

test('intensity exceeded all the way up: every supervisor gives up and a top-level monitor sees shutdown', async (t) => {
  const { sys, dir, downs } = await startSystem(t);
  const tree = new Tree(sys);
  const top = await sys.supervise(nested(0), { reportTo: sys.self });
  const watchTop = sys.monitor(top);
  const inner = tree.current('inner', top)!;
  const peer = tree.current('peer', top)!;
  const w1 = tree.current('w1', inner)!;
  kill(w1.pid);
  await tree.until(() => tree.settled(['w1'], [w1.pid], inner), 'inner to restart w1 once');
  kill(tree.current('w1', inner)!.pid);
  const down = await downs.of(watchTop, 'the top-level monitor to see the top supervisor go down');
  t.is(down.reason, 'shutdown');
  t.truthy(tree.events.find((e) => e.event === 'gave_up' && e.supervisor.pid === inner.pid));
  t.truthy(tree.events.find((e) => e.event === 'gave_up' && e.supervisor.pid === top.pid));
  t.like(tree.events.find((e) => e.event === 'stopped' && e.id === 'peer'), { reason: 'shutdown' });
  for (const pid of [inner.pid, peer.pid, w1.pid]) t.true(isReaped(pid) || !isRunning(pid));
  t.deepEqual(processesOf(dir), [], 'the whole tree is gone');
  t.is(sys.lookup('inner-sup'), undefined);
});

test('a top-level supervisor with intensity 0 gives up at the first crash, stopping its other children first', async (t) => {
  const { sys, dir, downs } = await startSystem(t);
  const tree = new Tree(sys);
  const sup = await sys.supervise({ intensity: 0, children: [{ id: 'a', module: probe }, { id: 'b', module: probe }, { id: 'c', module: probe }] }, { reportTo: sys.self });
  const mon = sys.monitor(sup);
  const [a, b, c] = ['a', 'b', 'c'].map((id) => tree.current(id)!);
  sys.send(b, { op: 'crash' });
  const down = await downs.of(mon);
  t.is(down.reason, 'shutdown');
  t.deepEqual(tree.trace(3), ['exited:b', 'gave_up:', 'stopped:c', 'stopped:a']);
  for (const r of [a, b, c]) t.true(isReaped(r.pid), `${r.pid} reaped`);
  t.deepEqual(processesOf(dir), []);
});

test('a supervised named child: lookup gives the new address after each restart', async (t) => {
  const { sys } = await startSystem(t);
  const tree = new Tree(sys);
  await sys.supervise({ strategy: 'one_for_all', children: [{ id: 'svc', module: probe, name: 'service' }, { id: 'other', module: probe }] }, { reportTo: sys.self });
  let current = tree.current('svc')!;
  t.true(sameRef(sys.lookup('service'), current));
  const seen = new Set([current.pid]);
  for (const how of ['SIGKILL', 'sibling crash', 'crash'] as const) {
    const gone = how === 'sibling crash' ? tree.current('other')! : current;
    if (how === 'SIGKILL') kill(current.pid);
    else sys.send(gone, { op: 'crash' });
    await tree.until(() => tree.settled(['svc', 'other'], [gone.pid, current.pid]), `restart after ${how}`);
    const next = tree.current('svc')!;
    t.false(seen.has(next.pid), `${how}: a new incarnation`);
    seen.add(next.pid);
    const found = sys.lookup('service');
    t.true(sameRef(found, next), `${how}: lookup gives the new address`);
    t.deepEqual(await sys.ask(found as ActorRef, { op: 'pid' }, T), { pid: next.pid, name: 'service' });
    current = next;
  }
});
