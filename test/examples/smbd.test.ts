// examples/smbd: one session process per TCP connection (simple_one_for_one,
// temporary), the accepted socket passed as an fd; 50 concurrent clients; a client
// past maxChildren refused; a SIGKILLed session takes only its own client; every
// session gone after its client quits. Also the tree under the launcher.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '../../examples/fd-listener/client.js';
import { Launcher, run, tempDir } from '../cli/cli-helpers.js';
import { runExample } from './run-example.js';

test('50 clients, each served by its own session process; a kill -9 touches one client only', async (t) => {
  const r = await runExample(t, 'smbd', { args: ['--clients', '50', '--pool', '4'], timeout: 120_000 });
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  t.false(r.leftover, 'no process outlives the example');
  const patterns = [
    /^listener \(pid \d+\) on 127\.0\.0\.1:\d+; sessions supervisor \(pid \d+\): simple_one_for_one, maxChildren 50; warm pool 4$/,
    /^client 1: its own session \(pid \d+\) after [\d.]+ ms \(cold: no pool yet\)$/,
    /^clients 2-4, one at a time, warm pool: connect to greeting p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms \(listener: accept to hand-off p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms\)$/,
    /^46 more clients at once: connect to greeting p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms$/,
    /^50 clients connected, 50 session processes, 50 distinct pids$/,
    /^all 50 clients answered by their own session$/,
    /^client 51: refused: too many clients$/,
    /^kill -9 session (\d+) \(pid \d+\)$/,
    /^client (\d+): connection closed \(its session died\); not restarted \(temporary\): 49 sessions$/,
    /^all 49 other clients answered$/,
    /^every client quit: 0 sessions left$/,
    /^done$/,
  ];
  t.is(r.lines.length, patterns.length, r.stdout);
  patterns.forEach((p, i) => t.regex(r.lines[i] ?? '', p));
  t.is(/^kill -9 session (\d+)/m.exec(r.stdout)?.[1], /^client (\d+): connection closed/m.exec(r.stdout)?.[1], 'the killed session\'s own client lost its connection');
});

test('the smbd tree under the launcher: sessions appear in ps and go when their clients do', async (t) => {
  const env = { XDG_RUNTIME_DIR: tempDir('pidgeon-xdg-'), PIDGEON_DIR: '' };
  const tree = path.join(tempDir(), 'smbd-tree.mjs');
  const example = new URL('../../examples/smbd/tree.js', import.meta.url).href;
  // Port 0: the kernel picks; the test asks the listener which.
  fs.writeFileSync(tree, `import { smbdTree } from ${JSON.stringify(example)};\nexport default { system: 'smbd-t', ...smbdTree({ port: 0, maxChildren: 3 }) };\n`);
  const l = new Launcher([tree], env);
  t.teardown(() => l.kill());
  await l.waitFor(/tree is up/);
  const port = Number((await run(['send', 'smbd.listener', '{"type":"port"}', '--ask'], 30_000, env)).stdout.trim());
  t.true(port > 0);
  const clients = await Promise.all([0, 1, 2].map(() => Client.connect(port)));
  for (const { greeting } of clients) t.regex(greeting, /^hello from session \d+ \(pid \d+, started in [\d.]+ ms\)$/);
  const ps = await run(['ps', '--json'], 30_000, env);
  const rows = JSON.parse(ps.stdout) as { id: string | null; status: string }[];
  t.is(rows.filter((r) => r.id?.startsWith('session#') && r.status === 'running').length, 3, ps.stdout);
  const busy = await Client.connect(port);
  t.regex(busy.greeting, /^refused: too many clients/);
  await busy.client.closed;
  for (const { client } of clients) t.is(await client.request('quit'), 'bye');
  await Promise.all(clients.map(({ client }) => client.closed));
  // Each session exits once its client has quit, and none is restarted (temporary).
  await l.waitFor(/(exited +session#\d+[\s\S]*){3}/);
  t.notRegex(l.output, /restarting +session/);
});
