// Names: a spawned actor registered under a name is found by lookup; a name held
// by a live actor cannot be taken (ENAMETAKEN); a name frees itself when its owner
// dies, however it dies, and a killed child's entry is removed by its parent.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { checkActorName } from '../../runtime/core/registry.js';
import { fixture, isReaped, kill, processesOf, rejection, sameRef, startSystem } from '../helpers/actors.js';

test('lookup finds a named actor; the ref carries the name', async (t) => {
  const { sys } = await startSystem(t);
  const ref = await sys.spawn(fixture('probe'), { name: 'alpha' });
  t.is(ref.name, 'alpha');
  t.true(sameRef(sys.lookup('alpha'), ref));
  t.is(sys.lookup('alpha')?.name, 'alpha');
  t.deepEqual(await sys.ask(ref, { op: 'pid' }, { timeout: 20_000 }), { pid: ref.pid, name: 'alpha' });
  t.is(sys.lookup('nobody'), undefined);
});

test('spawning a second actor under a live name fails with ENAMETAKEN and leaves no process', async (t) => {
  const { sys, dir } = await startSystem(t);
  const first = await sys.spawn(fixture('probe'), { name: 'unique' });
  const err = await rejection(sys.spawn(fixture('probe'), { name: 'unique' }), 'spawn under a taken name');
  t.is(err.code, 'ESPAWN');
  t.is(err.cause?.code, 'ENAMETAKEN');
  if (err.address) t.true(isReaped(err.address.pid));
  t.true(sameRef(sys.lookup('unique'), first), 'the first owner keeps the name');
  t.deepEqual(processesOf(dir), [first.pid]);
});

test('a name frees itself when its owner is SIGKILLed: a new spawn with it succeeds', async (t) => {
  const { sys, downs } = await startSystem(t);
  const old = await sys.spawn(fixture('probe'), { name: 'phoenix' });
  const mon = sys.monitor(old);
  kill(old.pid);
  await downs.of(mon);
  t.is(sys.lookup('phoenix'), undefined, 'a dead owner is never returned');
  const reborn = await sys.spawn(fixture('probe'), { name: 'phoenix' });
  t.not(reborn.pid, old.pid);
  t.true(sameRef(sys.lookup('phoenix'), reborn));
});

test('a name frees itself on an orderly stop and on a crash', async (t) => {
  const { sys, dir, downs } = await startSystem(t);
  const a = await sys.spawn(fixture('probe'), { name: 'n1' });
  await sys.stop(a);
  t.is(sys.lookup('n1'), undefined);
  t.false(fs.existsSync(path.join(dir, 'names', 'n1')), 'an orderly exit removes its names entry');
  const b = await sys.spawn(fixture('probe'), { name: 'n1' });
  const mon = sys.monitor(b);
  sys.send(b, { op: 'crash' });
  await downs.of(mon);
  t.is(sys.lookup('n1'), undefined);
  t.truthy(await sys.spawn(fixture('probe'), { name: 'n1' }));
});

test('the root process can register a name; a taken one throws ENAMETAKEN; bad names EBADARG', async (t) => {
  const { sys } = await startSystem(t);
  sys.register('root-name');
  t.true(sameRef(sys.lookup('root-name'), sys.self));
  t.is(sys.self.name, 'root-name');
  const child = await sys.spawn(fixture('probe'), { name: 'kid' });
  const err = t.throws(() => sys.register('kid'));
  t.is((err as any).code, 'ENAMETAKEN');
  t.true(sameRef((err as any).address, child));
  for (const bad of ['', 'has space', '../x', 'x'.repeat(65), 42]) {
    const e = t.throws(() => checkActorName(bad), undefined, JSON.stringify(bad));
    t.is((e as any).code, 'EBADARG');
  }
  const e2 = t.throws(() => sys.spawn(fixture('probe'), { name: 'no/slash' }));
  t.is((e2 as any).code, 'EBADARG');
});

test('the entry of a named child killed before it could unregister is removed when its parent reaps it', async (t) => {
  t.timeout(60_000);
  const { sys, dir, downs } = await startSystem(t);
  const entry = path.join(dir, 'names', 'doomed');
  const ref = await sys.spawn(fixture('probe'), { name: 'doomed' });
  t.true(fs.existsSync(entry));
  const mon = sys.monitor(ref);
  kill(ref.pid);
  await downs.of(mon);
  t.false(fs.existsSync(entry), 'no names entry left behind');
  // A name held by a live actor, another or this one, keeps its entry.
  const alive = await sys.spawn(fixture('probe'), { name: 'alive' });
  sys.registry.clearIfDead('alive');
  t.true(sameRef(sys.lookup('alive'), alive));
  sys.register('doomed');
  sys.registry.clearIfDead('doomed');
  t.true(sameRef(sys.lookup('doomed'), sys.self));
});
