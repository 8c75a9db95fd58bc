// examples/fd-listener: accepted sockets travel to supervised workers as fds; a
// killed worker takes only its own client with it and is replaced; the listener
// and workers also driven directly with many concurrent clients.
import test from 'ava';
import { ActorSystem } from '../../runtime/index.js';
import { Client } from '../../examples/fd-listener/client.js';
import { runExample, tempSystemDir } from './run-example.js';

test('the example serves clients, survives a killed worker and uses its replacement', async (t) => {
  const r = await runExample(t, 'fd-listener');
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  t.false(r.leftover, 'no process outlives the example');
  const out = r.stdout;
  const head = /^listener \(pid \d+\) on 127\.0\.0\.1:(\d+); workers w1=(\d+) w2=(\d+) w3=(\d+)$/m.exec(out);
  t.truthy(head, out);
  const [, port, p1, p2, p3] = head!;
  t.true(Number(port) > 0);
  const restarted = /^supervisor: w2 restarted as pid (\d+)$/m.exec(out);
  t.truthy(restarted, out);
  const p2b = restarted![1];
  t.not(p2b, p2, 'the replacement is a new process');
  t.deepEqual(r.lines.slice(1), [
    `client 1 connected: hello from w1 (pid ${p1})`,
    `client 2 connected: hello from w2 (pid ${p2})`,
    `client 3 connected: hello from w3 (pid ${p3})`,
    'client 1: hello -> w1: HELLO',
    'client 2: hello -> w2: HELLO',
    'client 3: hello -> w3: HELLO',
    `killing w2 (pid ${p2}) with SIGKILL`,
    'client 2: connection closed (its worker died)',
    'supervisor: w2 exited (killed by SIGKILL)',
    `supervisor: w2 restarted as pid ${p2b}`,
    'client 1: still here? -> w1: STILL HERE?',
    'client 3: still here? -> w3: STILL HERE?',
    `client 4 connected: hello from w1 (pid ${p1})`,
    `client 5 connected: hello from w2 (pid ${p2b})`,
    `client 6 connected: hello from w3 (pid ${p3})`,
    'client 4: hello -> w1: HELLO',
    'client 5: hello -> w2: HELLO',
    'client 6: hello -> w3: HELLO',
    'done',
  ]);
});

test('many concurrent connections are spread round-robin and each is served whole', async (t) => {
  const system = await ActorSystem.start({ name: 'fd-listener-test', dir: tempSystemDir(t, 'fd-listener') });
  t.teardown(() => system.shutdown({ timeout: 'brutal_kill' }));
  const supervisor = await system.supervise({
    children: ['a', 'b'].map((id) => ({ id, module: new URL('../../examples/fd-listener/worker.js', import.meta.url), args: { id } })),
  });
  const listener = await system.spawn(new URL('../../examples/fd-listener/listener.js', import.meta.url), { args: { supervisor } });
  const port = (await system.ask(listener, { type: 'port' })) as number;

  const sessions = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
    const { client, greeting } = await Client.connect(port);
    const id = /^hello from (\w+) \(pid \d+\)$/.exec(greeting)?.[1];
    const lines = [await client.request(`line ${i}`), await client.request('x'.repeat(10_000)), await client.request('quit')];
    await client.closed; // `quit`: the worker ends the session
    return { id, lines };
  }));
  const served = { a: 0, b: 0 } as Record<string, number>;
  for (const [i, s] of sessions.entries()) {
    t.true(s.id === 'a' || s.id === 'b', `session ${i} greeted by ${s.id}`);
    served[s.id!]++;
    t.deepEqual(s.lines, [`${s.id}: LINE ${i}`, `${s.id}: ${'X'.repeat(10_000)}`, 'bye']);
  }
  t.deepEqual(served, { a: 6, b: 6 });
});
