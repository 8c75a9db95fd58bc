// The slot through which the supervision layer provides supervise and which
// (core/supervision.ts), without processes. Each test file runs in its own process,
// so this one starts with nothing provided.
import test from 'ava';
import { supervision } from '../../runtime/core/supervision.js';

test.serial('without the supervision layer the calls say so with EBADARG', (t) => {
  const err = t.throws(() => supervision());
  t.is((err as { code?: string }).code, 'EBADARG');
});

test.serial('loading the layer provides both calls; supervise validates before it spawns', async (t) => {
  await import('../../runtime/supervision/index.js');
  const s = supervision();
  let spawned = 0;
  const host = {
    spawn: async () => { spawned++; return { pid: 1, instance: '1' }; },
    askSystem: async (_to: unknown, op: string) => (op === 'which' ? [{ id: 'w' }] : null),
  };
  const err = t.throws(() => s.supervise(host, { children: 'none' } as never, {}));
  t.is((err as { code?: string }).code, 'EBADSPEC');
  t.is(spawned, 0);
  t.deepEqual(await s.which(host, { pid: 1, instance: '1' }, {}), [{ id: 'w' }] as never);
});
