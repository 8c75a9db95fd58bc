// child-main.ts, the inside of an actor process, at the edges of its life: messages
// that arrive before its module has loaded are kept, and nothing is handled after
// ctx.stop(), not even while terminate() runs.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fixture, startSystem, within, WAIT } from '../helpers/actors.js';

test('a message that reaches an actor by name before its module has loaded is handled, not lost', async (t) => {
  const { sys, dir } = await startSystem(t);
  const names = path.join(dir, 'names');
  // The name is registered before the module is imported: wait for it (an fs event).
  const registered = within(new Promise<void>((resolve) => {
    const w = fs.watch(names, () => {
      if (sys.lookup('slow')) {
        w.close();
        resolve();
      }
    });
  }), WAIT, 'the name to be registered');
  const spawned = sys.spawn(fixture('slowload'), { name: 'slow', env: { SLOWLOAD_MS: '1500' } });
  await registered;
  const early = sys.lookup('slow')!;
  sys.send(early, { early: 1 });
  sys.broadcast({ early: 2 });
  const ref = await spawned;
  t.is(ref.pid, early.pid);
  t.deepEqual(await sys.ask(ref, { op: 'log' }), [{ early: 1 }, { early: 2 }]);
  t.is(sys.stats().deadLetters, 0);
});

test('after ctx.stop() no further message is handled, even while an async terminate runs', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const ref = await sys.spawn(fixture('slowload'), { args: { report: sys.self, terminateMs: 800 } });
  sys.monitor(ref);
  const down = new Promise((resolve) => sys.on('down', resolve));
  sys.send(ref, { op: 'stop' });
  sys.send(ref, { n: 2 });
  sys.send(ref, { n: 3 });
  await within(down, WAIT, 'the actor to exit');
  await inbox.take((m) => m?.type === 'handled' && m.msg?.op === 'stop', 'the stop to be handled');
  t.deepEqual(inbox.log.filter((m) => m?.type === 'handled').map((m) => m.msg), [{ op: 'stop' }]);
});

test('init arguments travel in the hand-off on stdin: 2 MiB (many pipe buffers), and several spawns at once, each intact', async (t) => {
  t.timeout(120_000);
  const { sys } = await startSystem(t);
  const big = { blob: Buffer.alloc(2 << 20, 7), text: 'é'.repeat(1000), list: Array.from({ length: 5000 }, (_, i) => i) };
  const ref = await sys.spawn(fixture('probe'), { args: big });
  t.deepEqual(await sys.ask(ref, { op: 'args' }, { timeout: WAIT }), big);
  const refs = await Promise.all([1, 2, 3, 4].map((n) => sys.spawn(fixture('probe'), { args: { n }, name: `p${n}` })));
  for (const [i, r] of refs.entries()) {
    t.deepEqual(await sys.ask(r, { op: 'args' }, { timeout: WAIT }), { n: i + 1 });
    t.deepEqual(await sys.ask(r, { op: 'pid' }, { timeout: WAIT }), { pid: r.pid, name: `p${i + 1}` });
  }
});

test('child-main started by hand, without a hand-off on stdin, says so and exits', async (t) => {
  t.timeout(60_000);
  const { spawnSync } = await import('node:child_process');
  const childMain = new URL('../../runtime/core/child-main.js', import.meta.url);
  const r = spawnSync(process.execPath, [childMain.pathname], {
    input: '', encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, PIDGEON_DIR: '/nonexistent', PIDGEON_SYSTEM: 'x', PIDGEON_MODULE: '/nonexistent.js', PIDGEON_PARENT: `${process.pid}:0123456789abcdef` },
  });
  t.is(r.status, 2);
  t.regex(r.stderr, /no hand-off on stdin/);
});
