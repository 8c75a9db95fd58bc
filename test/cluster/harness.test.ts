// The cross-host harness itself (test/helpers/netns.ts, nats-server.ts): hosts in
// network namespaces reach each other through the bridge, linkDown() really cuts one
// off and linkUp() brings it back, nats-server serves clients of another host with
// user and password, and a 3-server cluster forms its routes and outlives a SIGKILLed
// member. After each test its namespaces and processes are gone.
import test, { type ExecutionContext } from 'ava';
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createHosts, netnsAvailable, type Host, type TestNet } from '../helpers/netns.js';
import { startNats, startNatsCluster, type NatsServer } from '../helpers/nats-server.js';
import { until, within } from '../helpers/wait.js';

const USER = 'pdg';
const PASS = 's3cret';

async function hosts(t: ExecutionContext, n: number): Promise<TestNet> {
  const ok = netnsAvailable();
  if (!ok.ok) throw new Error(ok.why);
  return createHosts(n, { t });
}

/** The first stdout line of `child` that matches `re`, bounded. */
function lineOf(child: ChildProcess, re: RegExp, ms: number, what: string): Promise<string> {
  let out = '';
  return within(new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => re.test(l));
      if (line !== undefined) resolve(line);
    });
    child.once('exit', (code, signal) => reject(new Error(`${what}: exited (${code ?? signal}) before a line matching ${re}; stdout: ${out}`)));
  }), ms, what);
}

/** A TCP server in `host` that greets every connection with one line. */
async function greeter(host: Host, port: number): Promise<ChildProcess> {
  const src = `require('net').createServer((s) => s.end('hello from ${host.name}\\n')).listen(${port}, '${host.address}', () => console.log('listening'))`;
  const child = host.spawnIn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
  await lineOf(child, /^listening$/, 10_000, `greeter in ${host.name}`);
  return child;
}

// A raw NATS client pair run inside a host: subscribes on one server, publishes on
// another until the message comes round (interest crosses the route asynchronously,
// so the first publications may find no subscriber yet). Prints `got <payload>`.
const RELAY = `
const net = require('net');
const [subUrl, pubUrl, user, pass, ms] = process.argv.slice(1);
const done = (line, code) => { console.log(line); process.exit(code); };
setTimeout(() => done('timeout', 2), +ms);
function client(url, onLine) {
  const u = new URL(url);
  const s = net.connect(+u.port, u.hostname);
  let buf = '';
  s.setEncoding('utf8');
  s.on('data', (d) => {
    buf += d;
    for (let i; (i = buf.indexOf('\\r\\n')) >= 0;) { const line = buf.slice(0, i); buf = buf.slice(i + 2); onLine(line); }
  });
  s.on('error', (e) => done('error ' + e.code, 1));
  s.write('CONNECT ' + JSON.stringify({ verbose: false, pedantic: false, user, pass }) + '\\r\\n');
  return s;
}
let inMsg = false;
const sub = client(subUrl, (line) => {
  if (inMsg) done('got ' + line, 0);
  else if (line.startsWith('MSG ')) inMsg = true;
  else if (line === 'PING') sub.write('PONG\\r\\n');
  else if (line.startsWith('-ERR')) done(line, 1);
  else if (line === 'PONG') {
    const pub = client(pubUrl, (l) => { if (l.startsWith('-ERR')) done(l, 1); else if (l === 'PING') pub.write('PONG\\r\\n'); });
    setInterval(() => pub.write('PUB harness.relay 5\\r\\nhello\\r\\n'), 100);
  }
});
sub.write('SUB harness.relay 1\\r\\nPING\\r\\n');
`;

async function relay(from: Host, sub: NatsServer, pub: NatsServer): Promise<string> {
  const r = await from.exec(process.execPath, ['-e', RELAY, sub.url, pub.url, USER, PASS, '10000'], { timeoutMs: 20_000 });
  return r.stdout.trim() || r.stderr.trim();
}

// Connect from inside `from`, read the INFO line, log in, and say what the server answered.
const HANDSHAKE = `
const [host, port, user, pass] = process.argv.slice(1);
const s = require('net').connect(+port, host);
let buf = '', info;
setTimeout(() => { console.log(JSON.stringify({ info, reply: 'timeout' })); process.exit(2); }, 5000);
s.setEncoding('utf8');
s.on('error', (e) => { console.log(JSON.stringify({ info, reply: 'error ' + e.code })); process.exit(1); });
s.on('data', (d) => {
  buf += d;
  for (let i; (i = buf.indexOf('\\r\\n')) >= 0;) {
    const line = buf.slice(0, i); buf = buf.slice(i + 2);
    if (info === undefined) { info = line; s.write('CONNECT ' + JSON.stringify({ verbose: false, user, pass }) + '\\r\\nPING\\r\\n'); }
    else { console.log(JSON.stringify({ info, reply: line })); process.exit(0); }
  }
});
`;

async function handshake(from: Host, server: NatsServer, pass: string): Promise<{ info: string; reply: string }> {
  const r = await from.exec(process.execPath, ['-e', HANDSHAKE, server.address, String(server.port), USER, pass], { timeoutMs: 15_000 });
  return JSON.parse(r.stdout) as { info: string; reply: string };
}

/** Destroy the network and check that nothing of it is left. */
async function destroyed(t: ExecutionContext, net: TestNet, pids: number[]): Promise<void> {
  await within(net.destroy(), 20_000, 'destroy()');
  const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]);
  for (const ns of net.namespaces) t.false(listed.includes(ns), `namespace ${ns} is deleted`);
  for (const pid of pids) t.false(fs.existsSync(`/proc/${pid}`), `process ${pid} is gone`);
  await t.notThrowsAsync(net.destroy(), 'destroy() again is a no-op');
}

test('hosts reach each other through the bridge; linkDown cuts one off, linkUp brings it back', async (t) => {
  t.timeout(60_000);
  const net = await hosts(t, 2);
  const [h0, h1] = net.hosts;
  t.regex(h0.address, /^10\.231\.\d+\.10$/);
  t.is(h1.address, `${net.subnet}.11`);
  const servers = [await greeter(h0, 7000), await greeter(h1, 7000)];

  t.deepEqual(await h1.tcpCheck(h0.address, 7000, { readLine: true }), { ok: true, line: `hello from ${h0.name}` });
  t.deepEqual(await h0.tcpCheck(h1.address, 7000, { readLine: true }), { ok: true, line: `hello from ${h1.name}` });

  await h1.linkDown();
  const cut = await h1.tcpCheck(h0.address, 7000, { timeoutMs: 1500 });
  t.false(cut.ok, `host 1 cannot reach host 0 with its link down: ${JSON.stringify(cut)}`);
  t.false((await h0.tcpCheck(h1.address, 7000, { timeoutMs: 1500 })).ok, 'nor host 0 host 1');

  await h1.linkUp();
  // The port forwards at once (no STP), but a neighbour entry may need a retry.
  const end = Date.now() + 10_000;
  let back = await h1.tcpCheck(h0.address, 7000, { timeoutMs: 1000, readLine: true });
  while (!back.ok && Date.now() < end) back = await h1.tcpCheck(h0.address, 7000, { timeoutMs: 1000, readLine: true });
  t.deepEqual(back, { ok: true, line: `hello from ${h0.name}` }, 'reachable again after linkUp');

  await destroyed(t, net, servers.map((s) => s.pid!));
});

test('a nats-server in host 0 with user and password serves a client in host 1', async (t) => {
  t.timeout(60_000);
  const net = await hosts(t, 2);
  const [h0, h1] = net.hosts;
  const nats = await startNats({ host: h0, port: 4222, user: USER, pass: PASS });
  t.is(nats.url, `nats://${h0.address}:4222`);
  t.true(fs.readFileSync(`/proc/${nats.pid}/cmdline`, 'utf8').startsWith('/usr/'), 'pid is nats-server itself, not ip');

  const good = await handshake(h1, nats, PASS);
  t.regex(good.info, /^INFO \{/);
  t.true((JSON.parse(good.info.slice(5)) as { auth_required?: boolean }).auth_required, 'the server asks for credentials');
  t.is(good.reply, 'PONG', 'the right password logs in');
  t.regex((await handshake(h1, nats, 'wrong')).reply, /^-ERR 'Authorization Violation'/);

  const exit = await within(nats.stop(), 10_000, 'nats-server to stop on SIGTERM');
  // nats-server shuts down cleanly on SIGTERM and then exits with status 1.
  t.deepEqual(exit, { code: 1, signal: null });
  t.regex(nats.log(), /Server Exiting/, 'a clean shutdown, not the SIGKILL fallback');
  await destroyed(t, net, [nats.pid]);
});

test('a 3-server cluster across hosts forms its routes and survives SIGKILL of one server', async (t) => {
  t.timeout(90_000);
  const net = await hosts(t, 3);
  const cluster = await startNatsCluster(net.hosts, { user: USER, pass: PASS, name: 'harness' });
  const [s0, s1, s2] = cluster.servers;
  t.deepEqual(await Promise.all(cluster.servers.map((s) => s.routes())), [2, 2, 2]);
  t.is(await relay(net.hosts[1], s2, s0), 'got hello', 'a message published on server 0 reaches a subscriber on server 2');

  s1.kill('SIGKILL');
  t.deepEqual(await within(s1.exited, 5000, 'server 1 to die'), { code: null, signal: 'SIGKILL' });
  await cluster.waitRoutes(1, 15_000);
  t.is(await relay(net.hosts[0], s2, s0), 'got hello', 'the other two still relay');

  await destroyed(t, net, cluster.servers.map((s) => s.pid));
});

test('a 3-server cluster in one namespace uses three ports and forms its routes', async (t) => {
  t.timeout(60_000);
  const net = await hosts(t, 1);
  const h = net.hosts[0];
  const cluster = await startNatsCluster([h, h, h], { user: USER, pass: PASS, port: 5222 });
  t.deepEqual(cluster.urls, [5222, 5223, 5224].map((p) => `nats://${h.address}:${p}`));
  t.is(await relay(h, cluster.servers[0], cluster.servers[2]), 'got hello');
  await within(cluster.stop(), 15_000, 'the cluster to stop');
  await until(() => cluster.servers.every((s) => !fs.existsSync(`/proc/${s.pid}`)), 5000, 'the servers to be reaped');
  await destroyed(t, net, cluster.servers.map((s) => s.pid));
});
