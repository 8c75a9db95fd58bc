// The supervisor process: the three strategies under SIGKILLs (at fixed and at
// random points, also in the middle of a restart), the exact order of its stops
// and starts, restart types (transient, temporary, permanent), and its shutdown
// protocol (stop request, SIGKILL after the child's shutdown timeout).
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import type { ActorRef, Strategy } from '../../runtime/index.js';
import { fixture, isReaped, isRunning, kill, processesOf, rejection, rng, sameRef, startSystem, until, within, WAIT } from '../helpers/actors.js';
import { Tree } from '../helpers/supervision.js';

const IDS = ['c0', 'c1', 'c2', 'c3'];
const T = { timeout: 20_000 };

function spec(strategy: Strategy, extra: Record<string, unknown> = {}) {
  return {
    strategy,
    intensity: 50,
    period: 60_000,
    children: IDS.map((id) => ({ id, module: fixture('probe'), shutdown: 3000 })),
    ...extra,
  };
}

/** Which children a strategy restarts when the children at `killed` indexes die. */
function restarted(strategy: Strategy, killed: number[]): Set<number> {
  if (killed.length === 0) return new Set();
  if (strategy === 'one_for_one') return new Set(killed);
  if (strategy === 'one_for_all') return new Set(IDS.map((_, i) => i));
  const first = Math.min(...killed);
  return new Set(IDS.map((_, i) => i).filter((i) => i >= first));
}

// ---- exact sequences for one kill ----

const sequence = test.macro({
  async exec(t, strategy: Strategy, victim: number, expected: string[]) {
    const { sys, dir } = await startSystem(t);
    const tree = new Tree(sys);
    const sup = await sys.supervise(spec(strategy), { reportTo: sys.self });
    t.deepEqual(tree.trace(), IDS.map((id) => `started:${id}`), 'children start in order');
    const before = IDS.map((id) => tree.current(id)!);
    const mark = tree.events.length;
    kill(before[victim].pid);
    await tree.until(() => tree.settled(IDS, [before[victim].pid]), `${strategy} to settle after killing c${victim}`);
    t.deepEqual(tree.trace(mark), expected);
    const exited = tree.events[mark];
    t.is(exited.ref?.pid, before[victim].pid);
    t.deepEqual(exited.reason, { signal: 'SIGKILL' });
    for (const e of tree.events.slice(mark).filter((x) => x.event === 'stopped')) t.is(e.reason, 'shutdown', `${e.id} stopped politely`);
    const which = await sys.which(sup, T);
    t.deepEqual(which.map((c) => c.id), IDS);
    for (const [i, c] of which.entries()) {
      t.true(sameRef(c.ref, tree.current(c.id)), `which() reports ${c.id}'s current incarnation`);
      const kept = !restarted(strategy, [victim]).has(i);
      t.is(c.ref!.pid === before[i].pid, kept, `${c.id} ${kept ? 'keeps' : 'changes'} its pid`);
    }
    t.deepEqual(processesOf(dir).sort(), [sup.pid, ...which.map((c) => c.ref!.pid)].sort(), 'no stray processes');
  },
  title: (_p, strategy: Strategy, victim: number) => `${strategy}: killing c${victim} stops and restarts exactly the right children, in order`,
});

test(sequence, 'one_for_one', 2, ['exited:c2', 'restarting:c2', 'started:c2']);
test(sequence, 'one_for_all', 1, ['exited:c1', 'stopped:c3', 'stopped:c2', 'stopped:c0',
  'restarting:c0', 'started:c0', 'restarting:c1', 'started:c1', 'restarting:c2', 'started:c2', 'restarting:c3', 'started:c3']);
test(sequence, 'rest_for_one', 1, ['exited:c1', 'stopped:c3', 'stopped:c2',
  'restarting:c1', 'started:c1', 'restarting:c2', 'started:c2', 'restarting:c3', 'started:c3']);

// ---- random kills, also during restarts ----

const randomKills = test.macro({
  async exec(t, strategy: Strategy) {
    const random = rng(t);
    const { sys, dir } = await startSystem(t);
    const tree = new Tree(sys);
    const sup = await sys.supervise(spec(strategy), { reportTo: sys.self });
    const initial = IDS.map((id) => tree.current(id)!);
    const killedIdx: number[] = [];
    const killedPids: number[] = [];
    const killOne = async (when: string): Promise<void> => {
      const live = () => IDS.map((id, i) => ({ i, ref: tree.current(id) })).filter((c) => c.ref && isRunning(c.ref.pid));
      // Mid-restart every child may be down at this instant: take the next one to start.
      if (live().length === 0) await tree.until(() => live().length > 0, `${when}: a live child`);
      const candidates = live();
      const { i, ref } = candidates[Math.floor(random() * candidates.length)];
      if (kill(ref!.pid)) {
        killedIdx.push(i);
        killedPids.push(ref!.pid);
        t.log(`${when}: killed ${IDS[i]} (pid ${ref!.pid}) after event #${tree.events.length}`);
      }
    };
    const settle = (what: string) => tree.until(() => tree.settled(IDS, killedPids), what);

    // Round 1: a random child, the tree at rest.
    await killOne('round 1');
    // Round 2: while round 1's restart is in progress, after a random number of its events.
    const mark = tree.events.length;
    // A restart of k children reports 3k events (exited or stopped, restarting, started).
    const k = restarted(strategy, killedIdx).size;
    const n = 1 + Math.floor(random() * 3 * k);
    await tree.until(() => tree.events.length >= mark + n, `${n} events of the first restart`);
    await killOne(`round 2 (${tree.trace(mark).join(' ')})`);
    await settle('the tree to settle after rounds 1 and 2');
    // Round 3: once it has settled.
    await killOne('round 3');
    await settle('the tree to settle after round 3');

    for (const pid of killedPids) t.true(isReaped(pid), `killed pid ${pid} was reaped`);
    const which = await sys.which(sup, T);
    const expectNew = restarted(strategy, killedIdx);
    for (const [i, c] of which.entries()) {
      t.true(sameRef(c.ref, tree.current(c.id)), `${c.id}: which() agrees with the events`);
      t.true(isRunning(c.ref!.pid), `${c.id} is alive`);
      t.deepEqual(await sys.ask(c.ref!, { op: 'pid' }, T), { pid: c.ref!.pid, name: null }, `${c.id} answers`);
      t.is(c.ref!.pid !== initial[i].pid, expectNew.has(i), `${c.id} ${expectNew.has(i) ? 'has a new pid' : 'keeps its pid'}`);
    }
    t.false(tree.events.some((e) => e.event === 'gave_up' || e.event === 'start_failed'));
    t.deepEqual(processesOf(dir).sort(), [sup.pid, ...which.map((c) => c.ref!.pid)].sort(), 'no stray processes');
  },
  title: (_p, strategy: Strategy) => `${strategy}: SIGKILLs at random children and moments (also mid-restart) end with the right children restarted`,
});

test(randomKills, 'one_for_one');
test(randomKills, 'one_for_all');
test(randomKills, 'rest_for_one');

test('a child killed while it is being restarted: start_failed, the restart is re-queued, the tree settles', async (t) => {
  const { sys, dir } = await startSystem(t);
  const tree = new Tree(sys);
  const counter = path.join(path.dirname(dir), 'starts');
  const sup = await sys.supervise({
    strategy: 'one_for_one', intensity: 10, period: 60_000,
    children: [
      { id: 'flaky', module: fixture('probe'), args: { hangOnStart: { file: counter, n: 2 } } }, // the first restart hangs in init
      { id: 'steady', module: fixture('probe') },
    ],
  }, { reportTo: sys.self });
  const flaky = tree.current('flaky')!;
  const steady = tree.current('steady')!;
  const mark = tree.events.length;
  kill(flaky.pid);
  await tree.next((e) => e.event === 'restarting' && e.id === 'flaky', 'the restart of flaky', mark);
  // The process being started is the one process of the tree we do not know yet.
  // The process being started is the one process of the tree we do not know yet;
  // the start counter says when it has reached its hanging init.
  const unknown = () => processesOf(dir).filter((p) => ![sup.pid, steady.pid, flaky.pid].includes(p));
  await until(() => unknown().length === 1 && fs.existsSync(counter) && fs.readFileSync(counter, 'utf8') === '2', WAIT,
    'the hanging restart to show up');
  const starting = unknown()[0];
  kill(starting);
  await tree.until(() => tree.settled(['flaky', 'steady'], [flaky.pid]) && tree.trace(mark).length >= 5, 'the tree to settle');
  t.deepEqual(tree.trace(mark), ['exited:flaky', 'restarting:flaky', 'start_failed:flaky', 'restarting:flaky', 'started:flaky']);
  const failed = tree.events.find((e) => e.event === 'start_failed')!;
  t.is((failed.reason as any).error.code, 'ESPAWN');
  const which = await sys.which(sup, T);
  t.false([flaky.pid, starting].includes(which[0].ref!.pid));
  t.true(sameRef(which[1].ref, steady));
  t.true(isReaped(starting));
});

// ---- restart types ----

test('restart types: transient restarts only after an abnormal exit, temporary never, permanent always', async (t) => {
  const { sys } = await startSystem(t);
  const tree = new Tree(sys);
  const probe = fixture('probe');
  const sup = await sys.supervise({
    strategy: 'one_for_one', intensity: 10, period: 60_000,
    children: [
      { id: 'tr-normal', module: probe, restart: 'transient' },
      { id: 'tr-crash', module: probe, restart: 'transient' },
      { id: 'tmp', module: probe, restart: 'temporary' },
      { id: 'perm', module: probe, restart: 'permanent' },
    ],
  }, { reportTo: sys.self });
  const first = (id: string) => tree.current(id)!;
  const refs = { trNormal: first('tr-normal'), trCrash: first('tr-crash'), tmp: first('tmp'), perm: first('perm') };

  // transient + ctx.stop() (normal): not restarted
  sys.send(refs.trNormal, { op: 'stop' });
  const e1 = await tree.next((e) => e.event === 'exited' && e.id === 'tr-normal', 'tr-normal exited');
  t.is(e1.reason, 'normal');
  // transient + crash: restarted
  sys.send(refs.trCrash, { op: 'crash' });
  const e2 = await tree.next((e) => e.event === 'exited' && e.id === 'tr-crash', 'tr-crash exited');
  t.is((e2.reason as any).error.message, 'probe crashed on purpose');
  await tree.next((e) => e.event === 'started' && e.id === 'tr-crash' && e.ref!.pid !== refs.trCrash.pid, 'tr-crash restarted');
  // temporary + crash: never restarted, and forgotten
  kill(refs.tmp.pid);
  await tree.next((e) => e.event === 'exited' && e.id === 'tmp', 'tmp exited');
  // permanent + normal exit: restarted
  sys.send(refs.perm, { op: 'stop' });
  await tree.next((e) => e.event === 'exited' && e.id === 'perm', 'perm exited');
  await tree.next((e) => e.event === 'started' && e.id === 'perm' && e.ref!.pid !== refs.perm.pid, 'perm restarted');

  // which() is answered after every event sent before it (FIFO per pair): a restart
  // of tr-normal or tmp would already show.
  const which = await sys.which(sup, T);
  t.deepEqual(which.map((c) => c.id), ['tr-normal', 'tr-crash', 'perm'], 'the temporary child is forgotten');
  t.is(which[0].ref, null, 'tr-normal stays stopped');
  t.not(which[1].ref!.pid, refs.trCrash.pid);
  t.not(which[2].ref!.pid, refs.perm.pid);
  t.deepEqual(tree.trace().filter((s) => /^(restarting|started):(tr-normal|tmp)$/.test(s)), ['started:tr-normal', 'started:tmp'],
    'only their first starts');
});

test('transient: an exit with reason shutdown is normal (no restart); one with { code } is not', async (t) => {
  const { sys } = await startSystem(t);
  const tree = new Tree(sys);
  const sup = await sys.supervise({
    children: [
      { id: 'a', module: fixture('probe'), restart: 'transient' },
      { id: 'b', module: fixture('probe'), restart: 'transient' },
    ],
  }, { reportTo: sys.self });
  const a = tree.current('a')!;
  const b = tree.current('b')!;
  sys.send(a, { op: 'stop', reason: 'shutdown' });
  sys.send(b, { op: 'exit', code: 4 });
  t.is((await tree.next((e) => e.event === 'exited' && e.id === 'a', 'a exited')).reason, 'shutdown');
  t.like((await tree.next((e) => e.event === 'exited' && e.id === 'b', 'b exited')).reason, { code: 4 });
  await tree.next((e) => e.event === 'started' && e.id === 'b' && e.ref!.pid !== b.pid, 'b restarted');
  const which = await sys.which(sup, T);
  t.is(which.find((c) => c.id === 'a')!.ref, null);
});

test('one_for_all: temporary siblings in the restart group are stopped and not restarted (OTP)', async (t) => {
  const { sys } = await startSystem(t);
  const tree = new Tree(sys);
  const probe = fixture('probe');
  const sup = await sys.supervise({
    strategy: 'one_for_all',
    children: [
      { id: 'tmp0', module: probe, restart: 'temporary' },
      { id: 'a', module: probe },
      { id: 'tmp2', module: probe, restart: 'temporary' },
      { id: 'c', module: probe },
    ],
  }, { reportTo: sys.self });
  const c = tree.current('c')!;
  const mark = tree.events.length;
  kill(c.pid);
  await tree.until(() => tree.settled(['a', 'c'], [c.pid]), 'the restart to finish');
  t.deepEqual(tree.trace(mark), ['exited:c', 'stopped:tmp2', 'stopped:a', 'stopped:tmp0', 'restarting:a', 'started:a', 'restarting:c', 'started:c']);
  const which = await sys.which(sup, T);
  t.deepEqual(which.map((x) => x.id), ['a', 'c']);
  for (const x of which) t.true(sameRef(x.ref, tree.current(x.id)));
});

test('supervise rejects with ESPAWN when a child fails to start, stopping the ones already started', async (t) => {
  const { sys, dir } = await startSystem(t);
  const tree = new Tree(sys);
  const err = await rejection(sys.supervise({
    children: [{ id: 'ok', module: fixture('probe') }, { id: 'bad', module: fixture('echo'), args: { failInit: true } }],
  }, { reportTo: sys.self }), 'supervise with a failing child');
  t.is(err.code, 'ESPAWN');
  t.is(err.cause?.code, 'ESPAWN', 'the supervisor failed because its child did');
  t.is(err.cause?.cause?.code, 'ESPAWN', 'the child\'s own spawn error');
  t.is(err.cause?.cause?.cause?.name, 'RangeError');
  t.is(err.cause?.cause?.cause?.message, 'init failed on purpose');
  // One line that says which child, which module and why, with no prefix doubled.
  t.regex(err.message, /^child 'bad' failed to start: actor \S+echo\.js failed in init: RangeError: init failed on purpose at \S+echo\.[jt]s:\d+:\d+$/);
  t.regex(err.location?.file ?? '', /test\/fixtures\/echo\.[jt]s$/, 'the fixture (or, with source maps, its source)');
  await tree.until(() => tree.events.length >= 3, 'the supervisor\'s events');
  t.deepEqual(tree.trace(), ['started:ok', 'start_failed:bad', 'stopped:ok']);
  t.deepEqual(processesOf(dir), []);
});

test('stopping a supervisor in the middle of a restart leaves no process behind', async (t) => {
  const { sys, dir } = await startSystem(t);
  const tree = new Tree(sys);
  const sup = await sys.supervise(spec('one_for_all'), { reportTo: sys.self });
  const before = IDS.map((id) => tree.current(id)!);
  const mark = tree.events.length;
  kill(before[0].pid);
  await tree.next((e) => e.event === 'restarting', 'the restart to begin', mark);
  const reason = await within(sys.stop(sup, { timeout: 10_000 }), WAIT, 'supervisor stop');
  t.is(reason, 'shutdown');
  t.deepEqual(processesOf(dir), []);
  for (const r of before) t.true(isReaped(r.pid));
});

// ---- shutdown protocol ----

test('stopping a supervisor stops its children last-first; a child that ignores the stop is SIGKILLed after its shutdown timeout', async (t) => {
  const { sys, dir, downs } = await startSystem(t);
  const tree = new Tree(sys);
  const sup = await sys.supervise({
    children: [
      { id: 'polite', module: fixture('probe'), shutdown: 5000 },
      { id: 'stubborn', module: fixture('stubborn'), shutdown: 1000 },
      { id: 'brutal', module: fixture('stubborn'), shutdown: 'brutal_kill' },
    ],
  }, { reportTo: sys.self });
  const mon = sys.monitor(sup);
  const started = Date.now();
  const reason = await within(sys.stop(sup, { timeout: 15_000 }), WAIT, 'supervisor stop');
  const elapsed = Date.now() - started;
  t.is(reason, 'shutdown');
  t.is((await downs.of(mon)).reason, 'shutdown');
  t.deepEqual(tree.trace().filter((s) => s.startsWith('stopped')), ['stopped:brutal', 'stopped:stubborn', 'stopped:polite']);
  const stopped = (id: string) => tree.events.find((e) => e.event === 'stopped' && e.id === id)!;
  t.like(stopped('brutal').reason, { signal: 'SIGKILL' });
  t.like(stopped('stubborn').reason, { signal: 'SIGKILL' });
  t.is(stopped('polite').reason, 'shutdown');
  t.true(elapsed >= 950, `took ${elapsed} ms: the stubborn child had its 1000 ms`);
  t.true(elapsed < 6000, `took ${elapsed} ms: SIGKILL came soon after the 1000 ms timeout`);
  t.deepEqual(processesOf(dir), []);
});

test('a restart that must stop a stubborn sibling (one_for_all) waits its shutdown timeout, then SIGKILLs it', async (t) => {
  const { sys } = await startSystem(t);
  const tree = new Tree(sys);
  await sys.supervise({
    strategy: 'one_for_all',
    children: [
      { id: 'stubborn', module: fixture('stubborn'), shutdown: 800 },
      { id: 'victim', module: fixture('probe') },
    ],
  }, { reportTo: sys.self });
  const stubborn = tree.current('stubborn')!;
  const victim = tree.current('victim')!;
  kill(victim.pid);
  await tree.until(() => tree.settled(['stubborn', 'victim'], [victim.pid]), 'the restart to finish');
  const stopped = tree.events.find((e) => e.event === 'stopped' && e.id === 'stubborn')!;
  t.like(stopped.reason, { signal: 'SIGKILL' });
  t.true(isReaped(stubborn.pid));
  t.not(tree.current('stubborn')!.pid, stubborn.pid);
});

test('a supervisor registers its name; which() on it works by name lookup', async (t) => {
  const { sys } = await startSystem(t);
  const sup = await sys.supervise({ name: 'the-sup', children: [{ id: 'only', module: fixture('echo') }] });
  t.true(sameRef(sys.lookup('the-sup'), sup));
  const which = await sys.which(sys.lookup('the-sup')!, T);
  t.is(which.length, 1);
  t.is(which[0].type, 'worker');
  t.is(which[0].restart, 'permanent');
  t.deepEqual(await sys.ask(which[0].ref as ActorRef, { hi: 1 }, T), { hi: 1 });
});

test('one_for_all: temporary children on both sides of the failed one stay stopped', async (t) => {
  const { sys } = await startSystem(t);
  const tree = new Tree(sys);
  const sup = await sys.supervise({
    strategy: 'one_for_all',
    intensity: 5,
    children: [
      { id: 't1', module: fixture('probe'), restart: 'temporary' },
      { id: 'a', module: fixture('probe') },
      { id: 't2', module: fixture('probe'), restart: 'temporary' },
    ],
  }, { reportTo: sys.self });
  const before = await sys.which(sup);
  const a = before.find((c) => c.id === 'a')!.ref!;
  const from = tree.events.length;
  process.kill(a.pid, 'SIGKILL');
  await tree.next((e) => e.event === 'started' && e.id === 'a', 'a to be restarted', from);
  const after = await sys.which(sup);
  t.deepEqual(after.map((c) => c.id), ['a']);
  t.not(after[0].ref!.pid, a.pid);
  t.false(tree.events.slice(from).some((e) => e.event === 'started' && e.id !== 'a'));
});
