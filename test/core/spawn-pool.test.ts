// The warm spawn pool (SystemOptions.pool, core/spawn-pool.ts) with real processes:
// a pooled spawn is an actor like a cold one (ask, name, monitor, death watch,
// SIGKILL, module load errors); idle processes are nobody's actor (no lockfile, not
// in children, not reached by broadcast), are replaced when killed, never handed
// out twice, and are reaped at shutdown; a burst larger than the pool starts the rest
// cold; supervisors restart from their own pool; bad options are refused.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildHandle } from '../../runtime/core/children.js';
import type { ActorSystem } from '../../runtime/index.js';
import { fixture, isReaped, kill, processesOf, sameRef, startSystem, until, within, WAIT } from '../helpers/actors.js';
import { Tree } from '../helpers/supervision.js';

const probe = fixture('probe');

/** The pool's idle processes (internal, for the test's eyes only). */
function idleOf(sys: ActorSystem): ChildHandle[] {
  return [...((sys.children as unknown as { byPid: Map<number, ChildHandle> }).byPid.values())].filter((c) => c.idle && c.state !== 'exited');
}

async function warm(sys: ActorSystem, size: number): Promise<void> {
  await until(() => sys.stats().pool.idle >= size, WAIT, `the pool to hold ${size} ready processes`);
}

test('a pooled spawn is an actor like a cold one: ask, name, info, monitor, SIGKILL', async (t) => {
  const { sys, downs } = await startSystem(t, { pool: { size: 2 } });
  await warm(sys, 2);
  const idlePids = idleOf(sys).map((c) => c.pid);
  const ref = await sys.spawn(probe, { name: 'pooled-one' });
  t.true(idlePids.includes(ref.pid), 'the actor is one of the idle processes');
  t.deepEqual(await sys.ask(ref, { op: 'pid' }), { pid: ref.pid, name: 'pooled-one' });
  t.true(sameRef(sys.lookup('pooled-one'), ref));
  const info = await sys.info(ref) as { module: string; uptimeMs: number; parent: { pid: number } };
  t.is(info.module, new URL(probe).pathname);
  t.is(info.parent.pid, process.pid);
  t.deepEqual(sys.stats().children, 1);
  const m = sys.monitor(ref);
  kill(ref.pid);
  const down = await downs.of(m, 'DOWN of the killed pooled actor');
  t.deepEqual(down.reason, { signal: 'SIGKILL' });
  await until(() => sys.lookup('pooled-one') === undefined, WAIT, 'its name to free');
});

test('idle processes are nobody\'s actor: no lockfile, not children, not reached by broadcast; reaped at shutdown', async (t) => {
  const { sys, dir } = await startSystem(t, { pool: { size: 2 } });
  await warm(sys, 2);
  const idle = idleOf(sys).map((c) => c.pid);
  t.is(idle.length, 2);
  const others = (sub: string) => fs.readdirSync(path.join(dir, sub)).filter((f) => !f.startsWith(String(process.pid)));
  t.deepEqual(others('lock'), [], 'no lockfile but ours');
  t.deepEqual(others('sock'), [], 'no socket but ours');
  t.deepEqual(sys.stats().children, 0);
  const a = await sys.spawn(probe);
  t.is(sys.broadcast({ type: 'bcast', nonce: 'n1' }), 1, 'broadcast reaches the one actor only');
  await until(() => sys.stats().pool.idle === 2, WAIT, 'the pool to refill');
  const all = [...idleOf(sys).map((c) => c.pid), a.pid];
  await within(sys.shutdown({ timeout: 2000 }), WAIT, 'shutdown');
  for (const pid of [...all, ...idle.filter((p) => p !== a.pid)]) t.true(isReaped(pid), `${pid} reaped`);
  t.deepEqual(processesOf(dir), []);
});

test('a killed idle process is replaced and never handed out', async (t) => {
  const { sys } = await startSystem(t, { pool: { size: 1 } });
  await warm(sys, 1);
  const [victim] = idleOf(sys);
  kill(victim.pid);
  await until(() => isReaped(victim.pid) && sys.stats().pool.idle === 1, WAIT, 'a replacement to be ready');
  const ref = await sys.spawn(probe);
  t.not(ref.pid, victim.pid);
  t.deepEqual(await sys.ask(ref, { op: 'pid' }), { pid: ref.pid, name: null });
});

test('a burst larger than the pool starts the rest cold; all of them work, and the pool refills', async (t) => {
  const { sys } = await startSystem(t, { pool: { size: 2 } });
  await warm(sys, 2);
  const refs = await within(Promise.all(Array.from({ length: 5 }, () => sys.spawn(probe))), WAIT, 'five spawns');
  t.is(new Set(refs.map((r) => r.pid)).size, 5);
  for (const r of refs) t.is(((await sys.ask(r, { op: 'pid' })) as { pid: number }).pid, r.pid);
  t.is(sys.stats().children, 5);
  await warm(sys, 2);
});

test('a module that fails to load in a pooled process fails the spawn as a cold one does; the process is not reused', async (t) => {
  const { sys } = await startSystem(t, { pool: { size: 1 } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-pool-bad-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bad = path.join(dir, 'bad.mjs');
  const runtime = new URL('../../runtime/index.js', import.meta.url).href;
  fs.writeFileSync(bad, `import { defineActor } from '${runtime}';\nthrow new RangeError('no luck');\nexport default defineActor({ receive() {} });\n`);
  await warm(sys, 1);
  const [taken] = idleOf(sys);
  const err = await within(sys.spawn(bad).then(() => null, (e) => e), WAIT, 'the spawn to fail') as any;
  t.is(err?.code, 'ESPAWN');
  t.regex(err.message, /RangeError: no luck/);
  t.is(err.location?.file, bad);
  t.is(err.location?.line, 2);
  await until(() => isReaped(taken.pid), WAIT, 'the failed process to exit');
  await warm(sys, 1);
  t.false(idleOf(sys).some((c) => c.pid === taken.pid));
  const ok = await sys.spawn(probe);
  t.truthy(await sys.ask(ok, { op: 'pid' }));
});

test('what a warm process cannot take starts cold: spawn env; unencodable args are refused before any process is used', async (t) => {
  const { sys } = await startSystem(t, { pool: { size: 1 } });
  await warm(sys, 1);
  const [idle] = idleOf(sys);
  const withEnv = await sys.spawn(probe, { env: { POOL_TEST: '1' } });
  t.not(withEnv.pid, idle.pid, 'env of its own: a cold start');
  const err = t.throws(() => sys.spawn(probe, { args: { f: () => 1 } }));
  t.is((err as any).code, 'EBADARG');
  t.regex((err as Error).message, /spawn args: msg\.f is a function/);
  t.true(idleOf(sys).some((c) => c.pid === idle.pid), 'the idle process is still there');
});

test('a supervisor restarts its child from its own pool', async (t) => {
  const { sys } = await startSystem(t, { pool: { size: 1 } });
  const tree = new Tree(sys);
  const top = await sys.supervise({ strategy: 'one_for_one', intensity: 5, period: 60_000, children: [{ id: 'w', module: probe }] }, { reportTo: sys.self });
  const info = await sys.info(top) as { stats: { pool: { size: number } } };
  t.is(info.stats.pool.size, 1, 'the supervisor keeps a pool of the same size');
  const w = tree.current('w', top)!;
  // Wait for the supervisor's pool to be ready, then kill the worker.
  await until2(async () => ((await sys.info(top)) as { stats: { pool: { idle: number } } }).stats.pool.idle === 1, 'the supervisor\'s pool to warm');
  kill(w.pid);
  await tree.until(() => { const c = tree.current('w', top); return !!c && c.pid !== w.pid; }, 'w restarted');
  const w2 = tree.current('w', top)!;
  t.truthy(await sys.ask(w2, { op: 'pid' }));
});

test('bad pool options are refused with EBADARG before anything opens', async (t) => {
  const { ActorSystem } = await import('../../runtime/index.js');
  for (const pool of [{ size: -1 }, { size: 1.5 }, { size: 1000 }, { sizes: 1 }, 'two', { size: '2' }]) {
    const err = await ActorSystem.start({ name: `badpool${process.pid}`, pool: pool as any }).then(() => null, (e) => e);
    t.is(err?.code, 'EBADARG', JSON.stringify(pool));
  }
});

async function until2(cond: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + WAIT;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
