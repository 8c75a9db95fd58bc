// smbd: Samba's own process model. A listener under a supervisor accepts TCP
// connections and, for each, starts a new session process (a simple_one_for_one
// child, from the warm spawn pool when one is ready) and passes it the accepted
// socket; the session serves that client alone and exits when it disconnects.
// We show: how long a connection waits for its own process (warm and in a burst),
// every one of N concurrent clients served, a client past maxChildren refused, a
// `kill -9` of one client's session affecting no other client, and every session
// gone once its client has left.
//
// Run: npm run example:smbd [-- --clients 200 --pool 4]
import { parseArgs } from 'node:util';
import { ActorSystem, type ActorRef, type SupervisorEvent } from 'pidgeon';
import { Client } from '../fd-listener/client.js';
import type { ListenerMsg } from './listener.js';
import { smbdTree } from './tree.js';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '50' }, pool: { type: 'string', default: '4' } } });
const clientCount = Number(values.clients);
const poolSize = Number(values.pool);
if (!Number.isInteger(clientCount) || clientCount < 2) throw new Error(`--clients must be a whole number of at least 2 (got ${values.clients})`);
if (!Number.isInteger(poolSize) || poolSize < 0 || poolSize > 64) throw new Error(`--pool must be a whole number from 0 to 64 (got ${values.pool})`);

const system = await ActorSystem.start({ name: 'smbd', pool: { size: poolSize } });

// Supervisor events arrive as messages: count the sessions' exits.
let exits = 0;
let onExit: (() => void) | null = null;
system.on('message', (msg) => {
  const e = msg as SupervisorEvent;
  if (e?.type !== 'pidgeon.supervisor' || e.event !== 'exited' || !e.id.startsWith('session#')) return;
  exits++;
  onExit?.();
});
async function sessionExits(n: number): Promise<void> {
  while (exits < n) await new Promise<void>((resolve) => { onExit = resolve; });
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
function percentiles(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `p50 ${ms(at(0.5))}, p95 ${ms(at(0.95))}, max ${ms(s[s.length - 1])}`;
}

interface Connected { client: Client; n: number; pid: number; waitedMs: number; startMs: number }
const clients: Connected[] = [];
const GREETING = /^hello from session (\d+) \(pid (\d+), started in ([\d.]+) ms\)$/;

/** Connect one client; how long it waited from connect to its session's greeting. */
async function connect(): Promise<Connected> {
  const t0 = performance.now();
  const { client, greeting } = await Client.connect(port);
  const waitedMs = performance.now() - t0;
  const m = GREETING.exec(greeting);
  if (!m) throw new Error(`unexpected greeting: ${greeting}`);
  const c = { client, n: Number(m[1]), pid: Number(m[2]), waitedMs, startMs: Number(m[3]) };
  clients.push(c);
  return c;
}

/** Every client still connected sends a line and gets its own session's answer. */
async function everyoneAnswers(line: string): Promise<number> {
  const live = clients.filter((c) => !c.client.isClosed);
  const answers = await Promise.all(live.map((c) => c.client.request(`${line} ${c.n}`)));
  answers.forEach((a, i) => {
    if (a !== `${live[i].n}: ${line.toUpperCase()} ${live[i].n}`) throw new Error(`client ${live[i].n} got ${a}`);
  });
  return live.length;
}

let port = 0;
try {
  await system.supervise(smbdTree({ maxChildren: clientCount }), { reportTo: system.self });
  const listener = system.lookup('smbd.listener') as ActorRef<ListenerMsg>;
  const sessions = system.lookup('smbd.sessions')!;
  port = await system.ask(listener, { type: 'port' });
  console.log(`listener (pid ${listener.pid}) on 127.0.0.1:${port}; sessions supervisor (pid ${sessions.pid}): simple_one_for_one, maxChildren ${clientCount}; warm pool ${poolSize}`);

  // One at a time: the first starts the supervisor's pool; later ones find it ready.
  const poolReady = async () => {
    for (;;) {
      const info = (await system.info(sessions)) as { stats: { pool: { idle: number } | null } };
      if ((info.stats.pool?.idle ?? 0) >= poolSize) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const one = [await connect()];
  console.log(`client 1: its own session (pid ${one[0].pid}) after ${ms(one[0].waitedMs)} (cold: no pool yet)`);
  const warm: Connected[] = [];
  for (let i = 0; i < Math.min(3, clientCount - 2) && poolSize > 0; i++) {
    await poolReady();
    warm.push(await connect());
  }
  if (warm.length) console.log(`clients 2-${warm.length + 1}, one at a time, warm pool: connect to greeting ${percentiles(warm.map((c) => c.waitedMs))} (listener: accept to hand-off ${percentiles(warm.map((c) => c.startMs))})`);

  const burst = clientCount - clients.length;
  const many = await Promise.all(Array.from({ length: burst }, () => connect()));
  console.log(`${burst} more clients at once: connect to greeting ${percentiles(many.map((c) => c.waitedMs))}`);
  const count = await system.countChildren(sessions);
  console.log(`${clientCount} clients connected, ${count.active} session processes, ${new Set(clients.map((c) => c.pid)).size} distinct pids`);
  console.log(`all ${await everyoneAnswers('hello')} clients answered by their own session`);

  const refused = await Client.connect(port).then(({ greeting, client }) => client.closed.then(() => greeting));
  console.log(`client ${clientCount + 1}: ${refused.replace(/ \(.*\)$/, '')}`);

  const victim = clients[Math.floor(clients.length / 2)];
  console.log(`kill -9 session ${victim.n} (pid ${victim.pid})`);
  process.kill(victim.pid, 'SIGKILL');
  await victim.client.closed;
  await sessionExits(1);
  console.log(`client ${victim.n}: connection closed (its session died); not restarted (temporary): ${(await system.countChildren(sessions)).active} sessions`);
  console.log(`all ${await everyoneAnswers('still here?')} other clients answered`);

  for (const c of clients) if (!c.client.isClosed) await c.client.request('quit');
  await Promise.all(clients.map((c) => c.client.closed));
  await sessionExits(clientCount);
  console.log(`every client quit: ${(await system.countChildren(sessions)).active} sessions left`);
} finally {
  for (const c of clients) await c.client.close();
  await system.shutdown();
}
console.log('done');
