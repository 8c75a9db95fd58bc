// Cluster options on one host, no NATS needed: a system that is not in a cluster
// refuses to spawn or look up on another node (ENOCONNECTION, not a local stand-in),
// and bad cluster options are refused with EBADARG before anything starts.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActorSystem } from '../../runtime/index.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pdg-local-'));

test('a system that is not in a cluster: spawn and lookup on another node are ENOCONNECTION', async (t) => {
  const d = dir();
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  const sys = await ActorSystem.start({ name: 'local', dir: d });
  t.teardown(() => sys.shutdown());
  await t.throwsAsync(sys.spawn(new URL('../fixtures/echo.js', import.meta.url), { node: 'B' }), { code: 'ENOCONNECTION' });
  await t.throwsAsync(sys.lookup('echo', { node: 'B' }), { code: 'ENOCONNECTION' });
});

test('bad cluster options are EBADARG before anything starts: no servers, no authentication, no node name', async (t) => {
  const d = dir();
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  await t.throwsAsync(ActorSystem.start({ name: 'c1', dir: d, node: 'A', cluster: { servers: [] } as never }), { code: 'EBADARG', message: /servers/ });
  await t.throwsAsync(ActorSystem.start({ name: 'c2', dir: d, node: 'A', cluster: { servers: ['nats://127.0.0.1:1'] } }), { code: 'EBADARG', message: /authentication/ });
  await t.throwsAsync(ActorSystem.start({ name: 'c3', dir: d, cluster: { servers: ['nats://127.0.0.1:1'], user: 'u', pass: 'p' } }), { code: 'EBADARG', message: /node name/ });
  await t.throwsAsync(ActorSystem.start({ name: 'c4', dir: d, node: 'a.b', cluster: { servers: ['nats://127.0.0.1:1'], user: 'u', pass: 'p' } }), { code: 'EBADARG', message: /node must match/ });
  // Unreachable NATS: a PidgeonError, not the NATS client's own.
  await t.throwsAsync(ActorSystem.start({ name: 'c5', dir: d, node: 'A', cluster: { servers: ['nats://127.0.0.1:1'], user: 'u', pass: 'p' } }), { code: 'ENOCONNECTION' });
});
