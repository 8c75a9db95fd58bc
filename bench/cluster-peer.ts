// One "host" of the cluster benchmark (bench/sections/cluster.ts), started inside a
// network namespace: a pidgeon cluster node (an ActorSystem with `cluster`) and a
// plain NATS client beside it, driven by the bench over stdin/stdout with JSON lines
// (`{ id, op, ...args }` in, `@@bench { id, ok, value | error }` out; any other line
// on stdout is ignored). The same process does the plain NATS floor and pidgeon's
// figures, so both measure from the same place.
// argv: JSON { node, dir, servers, user, pass, downAfter }.
import readline from 'node:readline';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { NatsConnection } from '@nats-io/transport-node';
import { ActorSystem, type ActorRef } from '../runtime/index.js';
import { setParentDeathSignal } from '../runtime/transport/index.js';
import { PAYLOAD, PER_TICK } from './lib/api-load.js';
import { Samples } from './lib/stats.js';

export interface PeerConfig { node: string; dir: string; servers: string[]; user: string; pass: string; downAfter: number }

/** Plain NATS subjects of the floor. */
const SUBJ = { rtt: 'bench.rtt', ow: 'bench.ow', arm: 'bench.ow.arm', done: 'bench.ow.done' };
/** The plain NATS one-way payload: 64 bytes, the sequence number in its first 4. */
const NATS_SIZE = 64;

const here = path.dirname(fileURLToPath(import.meta.url));
const actor = (name: string): string => path.join(here, 'actors', `${name}.js`);

const cfg = JSON.parse(process.argv[2]!) as PeerConfig;
try { setParentDeathSignal(); } catch { /* best effort */ }

let sys: ActorSystem | null = null;
let nc: NatsConnection | null = null;
/** Refs by role: 'echo', 'sink' (local), 'remote-echo', 'remote-sink'. */
const refs = new Map<string, ActorRef>();
const system = (): ActorSystem => { if (!sys) throw new Error('no system: start first'); return sys; };
const conn = (): NatsConnection => { if (!nc) throw new Error('no NATS connection: natsConnect first'); return nc; };
const ref = (role: string): ActorRef => { const r = refs.get(role); if (!r) throw new Error(`no ${role} ref`); return r; };
const deadLetters: string[] = [];

// ---- plain NATS ---------------------------------------------------------------------

/** The responder and the counting subscriber (host 1). */
function natsServe(): void {
  const c = conn();
  c.subscribe(SUBJ.rtt, { callback: (err, m) => { if (!err) m.respond(m.data); } });
  let expect = 0;
  let count = 0;
  let outOfOrder = 0;
  let next = 0;
  c.subscribe(SUBJ.arm, { callback: (err, m) => {
    if (err) return;
    expect = Number(new TextDecoder().decode(m.data));
    count = 0;
    outOfOrder = 0;
    next = 0;
    m.respond(new Uint8Array(0));
  } });
  c.subscribe(SUBJ.ow, { callback: (err, m) => {
    if (err) return;
    const d = m.data;
    const seq = d.length >= 4 ? (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0 : -1;
    if (seq !== next) outOfOrder++;
    next = seq + 1;
    if (++count === expect) c.publish(SUBJ.done, JSON.stringify({ count, outOfOrder }));
  } });
}

async function natsRtt(n: number): Promise<number[]> {
  const c = conn();
  const body = new Uint8Array(NATS_SIZE).fill(120);
  const s = new Samples(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await c.request(SUBJ.rtt, body, { timeout: 10_000 });
    s.push((performance.now() - t) * 1000);
  }
  return Array.from(s.values());
}

/** Publish `n` messages of 64 B (PER_TICK per event-loop turn, flush at the end);
 * the clock stops when the subscriber says it has received all `n`. */
async function natsOneway(n: number): Promise<{ messages: number; elapsedS: number; msgsPerS: number; outOfOrder: number }> {
  const c = conn();
  await c.request(SUBJ.arm, String(n), { timeout: 10_000 });
  const done = new Promise<{ count: number; outOfOrder: number }>((resolve) => {
    const sub = c.subscribe(SUBJ.done, { max: 1, callback: (err, m) => { if (!err) resolve(JSON.parse(m.string())); sub.unsubscribe(); } });
  });
  await c.flush(); // the subscription is known to the server before the first message
  const body = new Uint8Array(NATS_SIZE).fill(120);
  const t0 = performance.now();
  for (let i = 0; i < n;) {
    for (let k = 0; k < PER_TICK && i < n; k++, i++) {
      body[0] = i & 0xff; body[1] = (i >>> 8) & 0xff; body[2] = (i >>> 16) & 0xff; body[3] = (i >>> 24) & 0xff;
      c.publish(SUBJ.ow, body);
    }
    await new Promise((r) => setImmediate(r));
  }
  await c.flush();
  const r = await done;
  const elapsedS = (performance.now() - t0) / 1000;
  if (r.count !== n) throw new Error(`plain NATS: published ${n}, the subscriber counted ${r.count}`);
  return { messages: n, elapsedS, msgsPerS: n / elapsedS, outOfOrder: r.outOfOrder };
}

// ---- pidgeon ------------------------------------------------------------------------

async function askRtt(role: string, n: number): Promise<number[]> {
  const s = system();
  const to = ref(role);
  const out = new Samples(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await s.ask(to, { type: 'ping', seq: i, payload: PAYLOAD }, { timeout: 10_000 });
    out.push((performance.now() - t) * 1000);
  }
  return Array.from(out.values());
}

/** `n` messages { type: 'seq', seq, payload } to the sink (PER_TICK per event-loop
 * turn, awaiting drained() when send() says so); the clock stops when an ask for the
 * sink's count (answered after everything sent before it) has come back. */
async function pidgeonOneway(role: string, n: number): Promise<{ messages: number; elapsedS: number; msgsPerS: number; waits: number; outOfOrder: number }> {
  const s = system();
  const to = ref(role);
  await s.ask(to, { type: 'reset' }, { timeout: 10_000 });
  let waits = 0;
  const t0 = performance.now();
  for (let i = 0; i < n;) {
    for (let k = 0; k < PER_TICK && i < n; k++, i++) {
      if (!s.send(to, { type: 'seq', seq: i, payload: PAYLOAD })) {
        waits++;
        await s.drained(to);
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  const r = await s.ask(to, { type: 'count' }, { timeout: 120_000 }) as { count: number; outOfOrder: number; next: number };
  const elapsedS = (performance.now() - t0) / 1000;
  if (r.count !== n) throw new Error(`sent ${n}, the sink counted ${r.count}${deadLetters.length ? ` (dead letters: ${deadLetters.slice(0, 3).join('; ')})` : ''}`);
  if (r.outOfOrder !== 0) throw new Error(`the sink saw ${r.outOfOrder} message(s) out of order`);
  return { messages: n, elapsedS, msgsPerS: n / elapsedS, waits, outOfOrder: r.outOfOrder };
}

// ---- commands -----------------------------------------------------------------------

type Args = Record<string, any>;
const ops: Record<string, (a: Args) => Promise<unknown> | unknown> = {
  async start() {
    sys = await ActorSystem.start({
      name: 'benchcluster', dir: cfg.dir, node: cfg.node,
      cluster: { servers: cfg.servers, user: cfg.user, pass: cfg.pass, downAfter: cfg.downAfter },
    });
    sys.on('deadLetter', (d) => { if (deadLetters.length < 100) deadLetters.push(`${d.error.code}: ${d.error.message}`); });
    return { pid: process.pid, self: sys.self };
  },
  /** Spawn the echo and the sink here, registered by name. */
  async spawnTargets() {
    const s = system();
    refs.set('echo', await s.spawn(actor('echo'), { name: 'bench-echo' }));
    refs.set('sink', await s.spawn(actor('cluster-sink'), { name: 'bench-sink' }));
    return { echo: refs.get('echo')!.pid, sink: refs.get('sink')!.pid };
  },
  /** Look up the echo and the sink of `node`; one ask each (the proxies start). */
  async lookupRemote(a) {
    const s = system();
    for (const role of ['echo', 'sink']) {
      const r = await s.lookup(`bench-${role}`, { node: a.node as string });
      if (!r) throw new Error(`no bench-${role} on node ${a.node}`);
      refs.set(`remote-${role}`, r);
      await s.ask(r, role === 'echo' ? { type: 'ping', seq: -1, payload: PAYLOAD } : { type: 'count' }, { timeout: 30_000 });
    }
    return { echo: refs.get('remote-echo')!.pid, sink: refs.get('remote-sink')!.pid };
  },
  /** The pid of this node's proxy for `node` (running once a message went there). */
  proxyPid(a) {
    return system().lookup(`pidgeon:proxy:${a.node}`)?.pid ?? null;
  },
  async natsConnect() {
    const nats = await import('@nats-io/transport-node');
    nc = await nats.connect({ servers: cfg.servers, user: cfg.user, pass: cfg.pass, name: `bench ${cfg.node} plain` });
    return true;
  },
  natsServe() { natsServe(); return conn().flush().then(() => true); },
  natsRtt: (a) => natsRtt(a.n as number),
  natsOneway: (a) => natsOneway(a.n as number),
  askRtt: (a) => askRtt(a.role as string, a.n as number),
  oneway: (a) => pidgeonOneway(a.role as string, a.n as number),
  deadLetters: () => deadLetters.slice(),
  async exit() {
    const errs: string[] = [];
    if (nc) await nc.close().catch((e: Error) => errs.push(`nats close: ${e.message}`));
    if (sys) await sys.shutdown().catch((e: Error) => errs.push(`shutdown: ${e.message}`));
    setImmediate(() => process.exit(0));
    return errs;
  },
};

const reply = (v: object): void => { process.stdout.write(`@@bench ${JSON.stringify(v)}\n`); };
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let cmd: Args;
  try { cmd = JSON.parse(line) as Args; } catch { return; }
  const id = cmd.id as number;
  const f = ops[cmd.op as string];
  if (!f) return reply({ id, ok: false, error: `unknown op ${String(cmd.op)}` });
  Promise.resolve().then(() => f(cmd)).then(
    (value) => reply({ id, ok: true, value }),
    (err: Error & { code?: string }) => reply({ id, ok: false, error: `${err?.code ? `${err.code}: ` : ''}${err?.message ?? String(err)}` }),
  );
}).on('close', () => {
  // The bench went away: leave at once (the namespace's teardown kills the rest).
  void Promise.race([sys?.shutdown({ timeout: 'brutal_kill' }), new Promise((r) => setTimeout(r, 2000))]).finally(() => process.exit(0));
});
reply({ id: 0, ok: true, value: 'ready' });
