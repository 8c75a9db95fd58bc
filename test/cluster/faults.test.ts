// Faults across hosts: a proxy SIGKILLed (the agent restarts it; what was pending
// fails with ENOCONNECTION at once, then the link comes back by itself), and one
// NATS server of three SIGKILLed under a stream of asks (the proxies reconnect by
// themselves; every acknowledged ask was answered by the right reply).
import test, { type ExecutionContext } from 'ava';
import type { Host } from '../helpers/netns.js';
import { startNats, startNatsCluster } from '../helpers/nats-server.js';
import { clusterHosts, startNode, type ClusterNode } from '../helpers/cluster-node.js';

const AUTH = { user: 'pdg', pass: 's3cret' };

async function nodes(t: ExecutionContext, urlsOf: (hosts: Host[]) => Promise<string[]>): Promise<[ClusterNode, ClusterNode]> {
  const { net, dirs } = await clusterHosts(t, 2);
  const urls = await urlsOf(net.hosts);
  // A wide bound: on a loaded machine a 1 s one can expire while nothing failed.
  const a = await startNode(t, net.hosts[0]!, 'A', dirs[0]!, urls, AUTH, 3000);
  const b = await startNode(t, net.hosts[1]!, 'B', dirs[1]!, urls, AUTH, 3000);
  await b.run(`env.echo = await sys.spawn(fixture('echo'), { name: 'echo' }); await sys.spawn(fixture('echo'), { name: 'slow' })`);
  await a.run(`env.echo = await sys.lookup('echo', { node: 'B' }); await sys.ask(env.echo, 0)`);
  return [a, b];
}

/** Ask until one succeeds (the link is healing), bounded. */
const ASK_UNTIL = (msg: string, ms: number) => `
  const t0 = Date.now();
  for (;;) {
    try { return await sys.ask(env.echo, ${msg}, { timeout: 2000 }); } catch (e) { if (Date.now() - t0 > ${ms}) throw e; await new Promise((r) => setTimeout(r, 50)); }
  }`;

test('a SIGKILLed proxy: pending asks fail with ENOCONNECTION at once, monitors get DOWN noconnection, the agent restarts it and new asks flow', async (t) => {
  t.timeout(120_000);
  const [a] = await nodes(t, async (hosts) => [(await startNats({ host: hosts[0], address: hosts[0]!.address, port: 4222, ...AUTH, t })).url]);
  const proxy = await a.run(`
    env.m = sys.monitor(env.echo);
    const slow = await sys.lookup('slow', { node: 'B' });
    env.slow = sys.ask(slow, { sleep: 60000 }, { timeout: 120000 }).then(() => 'replied', (e) => e.code);
    return sys.lookup('pidgeon:proxy:B');`);
  t.truthy(proxy);
  const killedAt = Date.now();
  process.kill(proxy.pid, 'SIGKILL');
  t.is(await a.run(`return await env.slow`), 'ENOCONNECTION');
  t.true(Date.now() - killedAt < 5000);
  t.is(await a.run(`return env.downs.find((d) => d.monitor === env.m)?.reason`), 'noconnection');
  t.deepEqual(await a.run(ASK_UNTIL('{ back: 1 }', 20_000), 40_000), { back: 1 });
  const again = await a.run(`return sys.lookup('pidgeon:proxy:B')`);
  t.not(again.pid, proxy.pid);
});

test('one NATS server of three SIGKILLed under a stream of asks: the proxies reconnect by themselves and every acknowledged ask got its own reply', async (t) => {
  t.timeout(150_000);
  let cluster!: Awaited<ReturnType<typeof startNatsCluster>>;
  const [a] = await nodes(t, async (hosts) => {
    // All three servers on host 0's address (ports 4222-4224); both nodes know all three.
    cluster = await startNatsCluster([hosts[0], hosts[0], hosts[0]], { ...AUTH, t });
    return cluster.urls;
  });
  await a.run(`
    env.acked = []; env.failed = []; env.stop = false;
    env.loop = (async () => {
      for (let i = 1; !env.stop; i++) {
        try { const r = await sys.ask(env.echo, { i }, { timeout: 3000 }); if (r.i !== i) throw new Error('wrong reply ' + r.i + ' for ' + i); env.acked.push(i); }
        catch (e) { if (e.message.startsWith('wrong')) throw e; env.failed.push(e.code); await new Promise((r) => setTimeout(r, 20)); }
      }
    })();
    return true`);
  await a.run(`const t0 = Date.now(); while (env.acked.length < 50) { if (Date.now() - t0 > 20000) throw new Error('no asks'); await new Promise((r) => setTimeout(r, 20)); }`);
  // Kill the server the nodes use most: each, in turn, would do; the first is one of them.
  for (const s of cluster.servers.slice(0, 1)) s.kill('SIGKILL');
  const before = await a.run(`return env.acked.length`);
  await a.run(`const n = env.acked.length; const t0 = Date.now(); while (env.acked.length < n + 200) { if (Date.now() - t0 > 60000) throw new Error('asks did not resume: ' + JSON.stringify(env.failed.slice(-5))); await new Promise((r) => setTimeout(r, 20)); }`, 70_000);
  const result = await a.run(`env.stop = true; await env.loop; return { acked: env.acked.length, failed: env.failed }`);
  t.true(result.acked >= before + 200);
  // Asks that failed did so with a reason, never a wrong or duplicated reply.
  for (const code of result.failed) t.true(['ENOCONNECTION', 'ETIMEDOUT'].includes(code), code);
});
