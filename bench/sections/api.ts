// Section "api": the headline — what an application gets through pidgeon's public API
// only (ActorSystem.start, spawn, send, ask, drained, actors written with defineActor),
// beside Node child_process IPC, worker_threads (in-process: a bound, not a peer),
// comedy's forked actors when installed, and the transport's own round trip, all
// measured in this run. Then spawning: bare node start, cold spawn, warm pool (if this
// build has one), kill → restarted, and sustained spawns/s against the machine's limit.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ActorSystem, type ActorRef } from '../../runtime/index.js';
import { procStat } from '../../runtime/transport/index.js';
import { pidgeonRttSubject } from '../pidgeon-transport.js';
import { PAYLOAD, PER_TICK, askLoop, onewayLoop, type OnewayEnds, type OnewayResult } from '../lib/api-load.js';
import { ComedyPair, loadComedy } from '../lib/comedy.js';
import { forkTracked, nextMessage, reap, withTimeout } from '../lib/proc.js';
import { DASH, fmtInt, fmtRatio, fmtUs, ratio } from '../lib/report.js';
import { summarize, type Summary } from '../lib/stats.js';
import type { Check, RttResult, RttSubject, Section, SectionContext, SectionResult, Table } from '../lib/types.js';
import { measureRoundTrips } from './transport.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const actor = (name: string): string => path.join(here, '..', 'actors', `${name}.js`);

export const TARGETS = {
  onewayMsgsPerS: 1_000_000,
  onewayVsNodeIpc: 5,
  askVsTransport: 1.5,
  actorVsRoot: 1.1,
  spawnVsBare: 1.2,
  poolSpawnMs: 5,
  restartOverSpawnMs: 5,
  sustainedVsLimit: 0.8,
};

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const CLK_TCK = 100;

/** CPU of this process's reaped children so far (cutime + cstime), s; null off Linux. */
function childrenCpuS(): number | null {
  const f = procStat(process.pid);
  // after the comm field: state(0) ... utime(11) stime(12) cutime(13) cstime(14)
  return f ? (Number(f[13]) + Number(f[14])) / CLK_TCK : null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- request/response over a Node channel (IPC or MessagePort) -------------------

class Requests {
  private next = 1;
  private readonly pending = new Map<number, (m: any) => void>();
  constructor(private readonly post: (m: object) => void) {}
  handle = (m: any): void => {
    const r = m && this.pending.get(m.id);
    if (r) {
      this.pending.delete(m.id);
      r(m);
    }
  };
  request(m: object, ms = 30_000, what = 'request'): Promise<any> {
    const id = this.next++;
    return withTimeout(new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.post({ ...m, id });
    }), ms, what);
  }
}

interface NodeChannel {
  req: Requests;
  ends: OnewayEnds;
  close(): Promise<void>;
}

async function openIpcChild(): Promise<NodeChannel> {
  const child: ChildProcess = forkTracked(actor('api-ipc-child'), []);
  const stop = async (): Promise<void> => {
    if (child.connected) child.disconnect();
    await reap(child);
  };
  try {
    await nextMessage(child, (m): m is { ready: true } => (m as { ready?: boolean })?.ready === true, 30_000, 'Node IPC child ready');
  } catch (err) {
    await stop();
    throw err;
  }
  const req = new Requests((m) => child.send(m));
  child.on('message', req.handle);
  // send() false: wait for that message's callback (it has been written), as in the
  // transport section's Node IPC figure.
  let sent = 0;
  let written = 0;
  let waitFor = 0;
  let wake: (() => void) | null = null;
  const onWritten = (): void => {
    written++;
    if (wake && written >= waitFor) {
      const w = wake;
      wake = null;
      w();
    }
  };
  const ends: OnewayEnds = {
    send: (m) => {
      sent++;
      const ok = child.send(m, undefined, undefined, onWritten);
      if (!ok) waitFor = sent;
      return ok;
    },
    drained: () => (written >= waitFor ? Promise.resolve() : new Promise<void>((r) => { wake = r; })),
    count: async () => (await req.request({ type: 'count' }, 60_000, 'Node IPC count')).count,
  };
  return { req, ends, close: stop };
}

async function openWorker(): Promise<NodeChannel> {
  const worker = new Worker(actor('api-worker'));
  const ready = withTimeout(new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  }), 30_000, 'worker ready');
  try {
    await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  const req = new Requests((m) => worker.postMessage(m));
  worker.on('message', req.handle);
  const ends: OnewayEnds = {
    send: (m) => { worker.postMessage(m); return true; }, // no backpressure to honour
    drained: () => Promise.resolve(),
    count: async () => (await req.request({ type: 'count' }, 60_000, 'worker count')).count,
  };
  return { req, ends, close: async () => { await worker.terminate(); } };
}

// ---- round-trip subjects (interleaved by measureRoundTrips) ----------------------

function samplesOf(p: Promise<Float64Array>, durationMs: number, warmupMs: number, what: string): Promise<Float64Array> {
  return withTimeout(p, durationMs + warmupMs + 30_000, what);
}

function rootAskSubject(sys: ActorSystem): RttSubject {
  let echo: ActorRef | null = null;
  return {
    id: 'ask-root', label: 'pidgeon ask root→actor',
    describe: 'system.ask(echo, { type, seq, payload: 40 chars }) from the root process; the echo actor (defineActor) does ctx.reply(msg)',
    async open() { echo = await sys.spawn(actor('echo')); },
    measure: (d, w) => samplesOf(askLoop((m) => sys.ask(echo!, m, { timeout: 10_000 }), w, d), d, w, 'root asks'),
    async close() { if (echo) await sys.stop(echo, { timeout: 'brutal_kill' }); },
  };
}

function actorAskSubject(sys: ActorSystem): RttSubject {
  let echo: ActorRef | null = null;
  let driver: ActorRef | null = null;
  return {
    id: 'ask-actor', label: 'pidgeon ask actor→actor',
    describe: 'ctx.ask(echo, same message) from a driver actor to an echo actor (both children of the root); the driver times each ask and answers the root with the samples',
    async open() {
      echo = await sys.spawn(actor('echo'));
      driver = await sys.spawn(actor('api-driver'));
    },
    async measure(d, w) {
      const r = await sys.ask(driver!, { type: 'asks', target: echo!, warmupMs: w, durationMs: d }, { timeout: d + w + 30_000 });
      return Float64Array.from(r as ArrayLike<number>);
    },
    async close() {
      for (const r of [driver, echo]) if (r) await sys.stop(r, { timeout: 'brutal_kill' }).catch(() => undefined);
    },
  };
}

function channelAskSubject(id: string, label: string, describe: string, open: () => Promise<NodeChannel>): RttSubject {
  let ch: NodeChannel | null = null;
  return {
    id, label, describe,
    async open() { ch = await open(); },
    measure: (d, w) => samplesOf(askLoop((m) => ch!.req.request({ body: m }, 10_000, `${label} ask`), w, d), d, w, `${label} asks`),
    async close() { if (ch) await ch.close(); },
  };
}

function comedyAskSubject(): RttSubject {
  let pair: ComedyPair | null = null;
  return {
    id: 'comedy', label: 'comedy',
    describe: "comedy forked actor: actor.sendAndReceive('echo', same message)",
    async open() { pair = await ComedyPair.open(); },
    measure: (d, w) => samplesOf(askLoop((m) => pair!.ask(m), w, d), d, w, 'comedy asks'),
    async close() { if (pair) await pair.close(); },
  };
}

// ---- spawning ---------------------------------------------------------------------

interface BareStarts { ready: Summary; cpuS: number | null; cpuToReadyS: number }

/** fork() of bench/actors/bare.js until its first IPC message, `n` times in a row; the
 * CPU of one whole start (to its exit) from this process's children's times. */
async function bareStarts(n: number): Promise<BareStarts> {
  const ms: number[] = [];
  let cpuToReady = 0;
  const before = childrenCpuS();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const child = forkTracked(actor('bare'), []);
    try {
      const m = await nextMessage(child, (x): x is { up: true; cpu: { user: number; system: number } } => (x as { up?: boolean })?.up === true, 30_000, 'bare node start');
      ms.push(performance.now() - t);
      cpuToReady += (m.cpu.user + m.cpu.system) / 1e6;
    } finally {
      await reap(child, 5000);
    }
  }
  const after = childrenCpuS();
  return {
    ready: summarize(ms.slice(1)), // the first warms the disk cache
    cpuS: before === null || after === null ? null : (after - before) / n,
    cpuToReadyS: cpuToReady / n,
  };
}

/** The runtime bundle's code cache files (code-cache.ts) in this build. */
function codeCaches(): string[] {
  const dir = path.join(here, '..', '..', 'runtime', 'core');
  try {
    return fs.readdirSync(dir).filter((f) => f.endsWith('.v8cache')).map((f) => f.split('.').slice(-2, -1)[0]!);
  } catch {
    return [];
  }
}

/** system.spawn() until ready, `n` times in a row (each stopped before the next). */
async function coldSpawns(sys: ActorSystem, n: number): Promise<{ ready: Summary; cpuS: number | null }> {
  const ms: number[] = [];
  const before = childrenCpuS();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const ref = await withTimeout(sys.spawn(actor('echo')), 30_000, 'spawn');
    ms.push(performance.now() - t);
    await withTimeout(sys.stop(ref, { timeout: 'brutal_kill' }), 10_000, 'stop');
  }
  const after = childrenCpuS();
  return { ready: summarize(ms.slice(1)), cpuS: before === null || after === null ? null : (after - before) / n };
}

/** A hand-written Node "supervisor": on exit, fork again and wait for its first message. */
async function nodeRestarts(n: number): Promise<Summary> {
  const start = async (): Promise<ChildProcess> => {
    const c = forkTracked(actor('bare'), []);
    await nextMessage(c, (x): x is object => (x as { up?: boolean })?.up === true, 30_000, 'node restart');
    return c;
  };
  const ms: number[] = [];
  let child = await start();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await withTimeout(gone, 10_000, 'node child exit');
    child = await start();
    ms.push(performance.now() - t);
  }
  await reap(child, 5000);
  return summarize(ms.slice(1));
}

/** SIGKILL of a one_for_one supervisor's child until the supervisor reports it started again. */
/** The pool counts of a system's own process (`ref` undefined) or of an actor's
 * (through `info`, as `pidgeon ps` reads them). */
async function poolCounts(sys: ActorSystem, ref?: ActorRef): Promise<{ size: number; idle: number; starting: number }> {
  if (ref === undefined) return sys.stats().pool;
  const info = (await sys.info(ref)) as { stats: { pool: { size: number; idle: number; starting: number } } };
  return info.stats.pool;
}

/** After the pool is full, this long before a pooled figure is taken: a process that
 * has just said it is ready still has V8's background work of its warm-up to finish
 * (compiler jobs, GC), which would compete with the spawn for the two cores. */
const POOL_SETTLE_MS = 250;

/** Wait (outside any timing) until the pool of `ref`'s process (or the root's) is
 * full, none of it is starting, and it has settled: a warm pool is what a pooled
 * figure measures (a refill under way is a node start, about 100 ms of CPU,
 * competing with the spawn). */
async function poolWarm(sys: ActorSystem, ref?: ActorRef): Promise<void> {
  const until = performance.now() + 30_000;
  for (;;) {
    const p = await poolCounts(sys, ref);
    if (p.size > 0 && p.idle >= p.size && p.starting === 0) return sleep(POOL_SETTLE_MS);
    if (performance.now() > until) throw new Error(`pool not full after 30 s (${p.idle} of ${p.size} ready)`);
    await sleep(20);
  }
}

/** SIGKILL of a supervised worker until its replacement is started, `n` times; with
 * `pooled`, each kill waits until the supervisor's own pool is full again (a
 * supervisor is a process of its own: its restarts come from its pool, which refills
 * in the background after each one). */
async function pidgeonRestarts(sys: ActorSystem, n: number, pooled = false): Promise<Summary> {
  const ms: number[] = [];
  let started: ((ref: ActorRef) => void) | null = null;
  const onMessage = (m: any): void => {
    if (m?.type === 'pidgeon.supervisor' && m.event === 'started' && m.id === 'w' && started) started(m.ref);
  };
  sys.on('message', onMessage);
  const sup = await sys.supervise({ strategy: 'one_for_one', intensity: n + 5, period: 600_000, children: [{ id: 'w', module: actor('echo') }] }, { reportTo: sys.self });
  try {
    let ref = (await sys.which(sup))[0].ref!;
    for (let i = 0; i < n; i++) {
      if (pooled) await poolWarm(sys, sup);
      const next = new Promise<ActorRef>((resolve) => { started = resolve; });
      const t = performance.now();
      process.kill(ref.pid, 'SIGKILL');
      ref = await withTimeout(next, 30_000, 'restart');
      ms.push(performance.now() - t);
    }
  } finally {
    sys.off('message', onMessage);
    await withTimeout(sys.stop(sup, { timeout: 'infinity' }), 20_000, 'supervisor stop');
  }
  return summarize(ms.slice(1));
}

interface PoolFigures { spawn?: Summary; restart?: Summary; na?: string }

/** Bursts of `size` spawns from a warm pool (each to ready, from the burst's start). */
async function poolFigures(size: number, bursts: number, restarts: number, errors: string[]): Promise<PoolFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-bench-pool-'));
  let sys: ActorSystem;
  try {
    sys = await ActorSystem.start({ name: 'benchpool', dir, pool: { size } } as any);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { na: `n/a (this build has no pool: ActorSystem.start({ pool }) threw ${(err as Error).message})` };
  }
  try {
    const ms: number[] = [];
    for (let b = 0; b < bursts; b++) {
      await poolWarm(sys);
      const t = performance.now();
      const refs = await withTimeout(Promise.all(Array.from({ length: size }, () =>
        sys.spawn(actor('echo')).then((ref) => { ms.push(performance.now() - t); return ref; }))), 60_000, 'pool burst');
      for (const r of refs) await withTimeout(sys.stop(r, { timeout: 'brutal_kill' }), 10_000, 'stop');
    }
    const out: PoolFigures = { spawn: summarize(ms) };
    try {
      out.restart = await pidgeonRestarts(sys, restarts, true);
    } catch (err) {
      errors.push(`kill → restarted, pooled: ${(err as Error).message}`);
    }
    return out;
  } finally {
    await withTimeout(sys.shutdown(), 20_000, 'pool system shutdown').catch((e) => errors.push(`pool system shutdown: ${(e as Error).message}`));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** spawn → stop (orderly) in `lanes` concurrent loops for `ms`; completed cycles per s. */
async function sustainedSpawns(sys: ActorSystem, lanes: number, ms: number): Promise<{ perS: number; cycles: number; seconds: number }> {
  let cycles = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  const lane = async (): Promise<void> => {
    while (performance.now() < end) {
      const ref = await sys.spawn(actor('echo'));
      await sys.stop(ref);
      cycles++;
    }
  };
  await withTimeout(Promise.all(Array.from({ length: lanes }, lane)), ms + 60_000, 'sustained spawns');
  const seconds = (performance.now() - t0) / 1000;
  return { perS: cycles / seconds, cycles, seconds };
}

// ---- this process's children: none may outlive the section ------------------------

function childPids(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = procStat(Number(d)); // null: gone meanwhile
    if (f && Number(f[1]) === process.pid && f[0] !== 'Z') out.push(Number(d));
  }
  return out;
}

// ---- the section --------------------------------------------------------------------

export const apiSection: Section = {
  id: 'api',
  title: 'Public API: pidgeon actors vs Node IPC, worker_threads and comedy',
  async run(ctx: SectionContext): Promise<SectionResult> {
    const { opts, log } = ctx;
    const quick = opts.durationMs < 1000;
    const errors: string[] = [];
    const notes: string[] = [];
    const raw: Record<string, unknown> = {};
    const cores = os.availableParallelism?.() ?? os.cpus().length;
    const preexisting = new Set(childPids());
    const attempt = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
      log(`  ${what}`);
      try {
        const r = await f();
        raw[what] = r;
        return r;
      } catch (err) {
        errors.push(`${what}: ${(err as Error).message}`);
        return undefined;
      }
    };
    let comedyWhy: string | null = null;
    let comedyVersion = '';
    try {
      comedyVersion = loadComedy().version;
    } catch (err) {
      comedyWhy = `comedy is not installed or does not load (${(err as Error).message.split('\n')[0]}); its column is empty`;
      errors.push(comedyWhy);
    }

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-bench-api-'));
    const sys = await ActorSystem.start({ name: 'benchapi', dir });
    sys.on('deadLetter', (d) => errors.push(`dead letter to ${d.to.pid}: ${d.error.message}`));
    try {
      // Spawning first: the CPU of a start is read from this process's reaped children, so
      // nothing else (comedy's forks, the round-trip peers) may be exiting meanwhile.
      const nStarts = quick ? 6 : 12;
      const bare = await attempt('bare node start', () => bareStarts(nStarts));
      const cachesBefore = codeCaches();
      const cold = await attempt('cold system.spawn to ready', () => coldSpawns(sys, nStarts));
      const cachesAfter = codeCaches();
      const poolSize = Math.max(2, cores);
      const pool = await attempt('warm pool spawns', () => poolFigures(poolSize, quick ? 2 : 4, nStarts, errors));
      const nodeRestart = await attempt('kill → restarted, Node fork loop', () => nodeRestarts(nStarts));
      const restart = await attempt('kill → restarted, one_for_one', () => pidgeonRestarts(sys, nStarts));
      const lanes = Math.max(2, cores);
      const sustainMs = Math.max(2000, opts.durationMs * 2.5);
      const sustained = await attempt('sustained spawns', () => sustainedSpawns(sys, lanes, sustainMs));
      const limit = bare?.cpuS ? cores / bare.cpuS : undefined;

      // One-way.
      const { warmupMs, durationMs } = opts;
      const rootOneway = await attempt('one-way root→actor, pidgeon', async () => {
        const counter = await sys.spawn(actor('api-counter'));
        try {
          return await withTimeout(onewayLoop({
            send: (m) => sys.send(counter, m),
            drained: () => sys.drained(counter),
            count: () => sys.ask(counter, { type: 'count' }, { timeout: 60_000 }) as Promise<number>,
          }, warmupMs, durationMs), warmupMs + durationMs + 90_000, 'one-way root→actor');
        } finally {
          await sys.stop(counter, { timeout: 'brutal_kill' });
        }
      });
      const actorOneway = await attempt('one-way actor→actor, pidgeon', async () => {
        const counter = await sys.spawn(actor('api-counter'));
        const driver = await sys.spawn(actor('api-driver'));
        try {
          return await sys.ask(driver, { type: 'oneway', target: counter, warmupMs, durationMs }, { timeout: warmupMs + durationMs + 90_000 }) as OnewayResult;
        } finally {
          await sys.stop(driver, { timeout: 'brutal_kill' });
          await sys.stop(counter, { timeout: 'brutal_kill' });
        }
      });
      const channelOneway = async (open: () => Promise<NodeChannel>, what: string): Promise<OnewayResult> => {
        const ch = await open();
        try {
          return await withTimeout(onewayLoop(ch.ends, warmupMs, durationMs), warmupMs + durationMs + 90_000, what);
        } finally {
          await ch.close();
        }
      };
      const ipcOneway = await attempt('one-way, Node IPC', () => channelOneway(openIpcChild, 'Node IPC one-way'));
      const workerOneway = await attempt('one-way, worker_threads', () => channelOneway(openWorker, 'worker one-way'));
      const comedyOneway = comedyWhy ? undefined : await attempt('one-way, comedy', async () => {
        const pair = await ComedyPair.open();
        try {
          return await withTimeout(onewayLoop(pair.ends(), warmupMs, durationMs, 256), warmupMs + durationMs + 90_000, 'comedy one-way');
        } finally {
          await pair.close();
        }
      });

      // Round trips, interleaved.
      log(`  round trips: ${opts.rounds} interleaved rounds of ${Math.round(opts.durationMs / opts.rounds)} ms per subject`);
      const subjects: RttSubject[] = [
        rootAskSubject(sys),
        actorAskSubject(sys),
        channelAskSubject('node-ipc', 'Node IPC', 'fork() + process.send({ id, body }) with a \'message\' listener matching ids; the child echoes { id, body }', openIpcChild),
        channelAskSubject('worker', 'worker_threads', 'worker.postMessage({ id, body }), the worker echoes through parentPort; ids matched', openWorker),
        pidgeonRttSubject(),
      ];
      if (!comedyWhy) subjects.push(comedyAskSubject());
      const rttList: RttResult[] = await measureRoundTrips(subjects, opts, log);
      const rtt = new Map(rttList.map((r) => [r.id, r]));
      raw.roundTrips = rttList;
      for (const r of rttList) if (r.error) errors.push(`${r.label} round trips: ${r.error}`);

      // Tables.
      const ipcR = rtt.get('node-ipc')?.summary;
      const wR = rtt.get('worker')?.summary;
      const cR = rtt.get('comedy')?.summary;
      const rootR = rtt.get('ask-root')?.summary;
      const actR = rtt.get('ask-actor')?.summary;
      const trR = rtt.get('pidgeon')?.summary;
      const comedyCell = (v: string): string => (comedyWhy ? 'n/a' : v);
      const row = (label: string, p: number | undefined, n: number | undefined, w: number | undefined, c: number | undefined, fmt: (v: number | undefined) => string): string[] =>
        [label, fmt(p), fmt(n), fmt(w), comedyCell(fmt(c)), fmtRatio(ratio(p, n)), fmtRatio(ratio(p, w))];
      const msgTable: Table = {
        title: 'Messages through the public API (↑ higher is better, ↓ lower is better; ratios are pidgeon ÷ the other)',
        headers: ['figure', 'pidgeon', 'Node IPC', 'worker_threads (bound)', `comedy${comedyVersion ? ` ${comedyVersion}` : ''}`, 'pidgeon ÷ Node IPC', 'pidgeon ÷ worker'],
        numeric: [false, true, true, true, true, true, true],
        rows: [
          row('one-way root→actor, msg/s ↑ (1)', rootOneway?.msgsPerS, ipcOneway?.msgsPerS, workerOneway?.msgsPerS, comedyOneway?.msgsPerS, fmtInt),
          row('one-way actor→actor, msg/s ↑ (2)', actorOneway?.msgsPerS, undefined, undefined, undefined, fmtInt),
          row('send loop alone, µs per message ↓ (3)', rootOneway?.usPerSend, ipcOneway?.usPerSend, workerOneway?.usPerSend, comedyOneway?.usPerSend, (v) => (v === undefined ? DASH : v.toFixed(2))),
          row('ask root→actor, median µs ↓ (4)', rootR?.median, ipcR?.median, wR?.median, cR?.median, fmtUs),
          row('ask root→actor, p99 µs ↓', rootR?.p99, ipcR?.p99, wR?.p99, cR?.p99, fmtUs),
          row('ask actor→actor, median µs ↓ (5)', actR?.median, undefined, undefined, undefined, fmtUs),
          row('ask actor→actor, p99 µs ↓', actR?.p99, undefined, undefined, undefined, fmtUs),
          row('transport round trip (Mailbox, the rung below), median µs (6)', trR?.median, undefined, undefined, undefined, fmtUs),
          row('transport round trip, p99 µs', trR?.p99, undefined, undefined, undefined, fmtUs),
        ],
        footnotes: [
          `(1) { type: 'seq', seq: i, payload: 40 × 'x' } from the root: pidgeon system.send() to a defineActor counter, awaiting system.drained(ref) when send() returns false; Node IPC child.send() of the same object ('json'), waiting for that message's callback when send() returns false; worker_threads postMessage() (no backpressure). ${PER_TICK} sends per event-loop turn (comedy: 256, awaiting the promise of the last). ${warmupMs} ms warm-up, ${durationMs} ms timed; the clock stops when an ask for the receiver's count confirms everything sent.`,
          '(2) The same loop inside a driver actor (ctx.send, ctx.system.drained, ctx.ask for the count) to a counter actor; the driver reports the result to the root. Node IPC has no child-to-child channel: no baseline.',
          '(3) Time spent inside the send calls of (1) only (performance.now() around each run of sends between yields and drained() waits), divided by the messages.',
          `(4) One ask at a time of { type: 'ping', seq, payload: 40 chars }, answered at once. pidgeon: system.ask() to an echo actor (ctx.reply(msg)); Node IPC and worker: a request { id, body } and a listener resolving the promise of that id; comedy: sendAndReceive('echo'). Interleaved with (5) and (6): ${opts.rounds} rounds of ${Math.round(opts.durationMs / opts.rounds)} ms per subject.`,
          '(5) ctx.ask() from a driver actor to an echo actor, timed in the driver.',
          '(6) The transport section\'s pidgeon round trip: Mailbox.send() of a 64 B body and an echo, no actor layer — what ask is checked against.',
        ],
      };
      if (comedyWhy) msgTable.footnotes!.push(`comedy: ${comedyWhy}`);

      const poolNa = pool?.na;
      const ms = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? DASH : v >= 100 ? v.toFixed(0) : v.toFixed(1));
      const srow = (label: string, p: number | undefined, base: number | undefined, baseLabel: string, na?: string): string[] =>
        [label, na ?? ms(p), ms(base), baseLabel, na ? DASH : fmtRatio(ratio(p, base))];
      const spawnTable: Table = {
        title: 'Spawning through the public API (ms unless stated; ratio = pidgeon ÷ baseline)',
        headers: ['figure', 'pidgeon', 'baseline', 'baseline is', 'pidgeon ÷ baseline'],
        numeric: [false, true, true, false, true],
        rows: [
          srow('cold system.spawn to ready, p50 (7)', cold?.ready.median, bare?.ready.median, 'bare node start, p50'),
          srow('cold system.spawn to ready, p99', cold?.ready.p99, bare?.ready.p99, 'bare node start, p99'),
          srow(`warm pool spawn to ready, p50, burst of ${poolSize} (8)`, pool?.spawn?.median, bare?.ready.median, 'bare node start, p50', poolNa),
          srow('warm pool spawn to ready, p99', pool?.spawn?.p99, bare?.ready.p99, 'bare node start, p99', poolNa),
          srow('kill → restarted, one_for_one, p50 (9)', restart?.median, nodeRestart?.median, 'Node fork loop, p50'),
          srow('kill → restarted, one_for_one, p99', restart?.p99, nodeRestart?.p99, 'Node fork loop, p99'),
          srow('kill → restarted, pooled, p50', pool?.restart?.median, nodeRestart?.median, 'Node fork loop, p50', poolNa),
          [
            'CPU per start, ms of CPU (10)',
            cold?.cpuS == null ? DASH : (cold.cpuS * 1000).toFixed(0),
            bare?.cpuS == null ? DASH : (bare.cpuS * 1000).toFixed(0),
            'bare node start',
            fmtRatio(ratio(cold?.cpuS ?? undefined, bare?.cpuS ?? undefined)),
          ],
          [`sustained spawn + stop, spawns/s, ${lanes} at a time (11)`, sustained ? sustained.perS.toFixed(1) : DASH, limit === undefined ? DASH : limit.toFixed(1), `limit: ${cores} cores ÷ CPU of a bare start`, fmtRatio(ratio(sustained?.perS, limit))],
        ],
        footnotes: [
          `(7) pidgeon: system.spawn() of an echo actor until it resolves (ready: mailbox open, handshake, module loaded, init run), then stopped (brutal_kill) before the next; bare node start: fork() of an ES module whose only statement sends its first IPC message, until that message. ${nStarts - 1} timed after one warm-up each.`,
          `(8) ActorSystem.start({ pool: { size: ${poolSize} } }), pool full and settled (${POOL_SETTLE_MS} ms after it was seen full), then ${poolSize} spawns at once, each timed from the burst's start to ready; ${quick ? 2 : 4} bursts.${poolNa ? ' This build has no pool (start ignored or rejected the option), so not measured.' : ''}`,
          `(9) SIGKILL of the supervised worker until the supervisor's 'started' event for its replacement; Node: on 'exit', fork() again until the first IPC message. ${nStarts - 1} timed. Pooled: the system of (8); the supervisor (a process of its own) restarts from its own pool, and each kill waits until that pool is full again. A kill's first ~4 ms are the kernel's: the parent hears of the death (SIGCHLD, pidfd) once the dead process's memory is torn down.`,
          '(10) CPU of the whole child process, start to exit (this process\'s children\'s utime + stime from /proc/self/stat, around the loops of (7), measured before anything else in the section), per start; pidgeon\'s actors are SIGKILLed once ready, so no exit work is counted for them.',
          `(11) ${lanes} loops of system.spawn() → system.stop() (orderly) for ${(sustainMs / 1000).toFixed(1)} s; limit = cores ÷ CPU-seconds of one bare node start (10), what the machine could start if starting node were all it did.`,
        ],
      };

      // Notes.
      notes.push(
        'Everything pidgeon here goes through the public API only: ActorSystem.start, system.spawn/send/ask/drained/stop/supervise in the root, and actors written with defineActor (bench/actors/api-*.ts, echo.ts); no Mailbox, no internals. The transport row is the transport section\'s own subject, for the ask target.',
        'worker_threads runs in this process (a thread, a MessagePort, structured clone): a bound of what in-process messaging costs, not a peer of a process per actor.',
        ...(rootOneway ? [`pidgeon one-way root→actor: ${fmtInt(rootOneway.messages)} messages in ${rootOneway.elapsedS.toFixed(2)} s; send() returned false ${rootOneway.waits} times (awaited drained())`] : []),
        ...(actorOneway ? [`pidgeon one-way actor→actor: ${fmtInt(actorOneway.messages)} messages in ${actorOneway.elapsedS.toFixed(2)} s; send() returned false ${actorOneway.waits} times`] : []),
        ...(ipcOneway ? [`Node IPC one-way: ${fmtInt(ipcOneway.messages)} messages; send() returned false ${ipcOneway.waits} times (waited for its callback)`] : []),
        ...rttList.map((r) => `round trip, ${r.label}: ${r.describe}${r.summary ? ` (${fmtInt(r.summary.count)} samples; medians per round ${r.perRound.map((v) => fmtUs(v)).join(' / ')})` : ''}`),
        ...(bare ? [`bare node start: CPU to its first message ${(bare.cpuToReadyS * 1000).toFixed(0)} ms (the child's process.cpuUsage()), ${bare.cpuS === null ? '?' : (bare.cpuS * 1000).toFixed(0)} ms to its exit (children's times, ${CLK_TCK} ticks/s)`] : []),
        ...(sustained ? [`sustained: ${sustained.cycles} spawn + stop cycles in ${sustained.seconds.toFixed(2)} s`] : []),
        `code cache (dist/runtime/core/*.v8cache, architecture.md "The build bundles the runtime"): ${cachesBefore.length > 0 ? `there before the cold spawns (${cachesBefore.join(', ')})` : cachesAfter.length > 0 ? 'none before the cold spawns; the first of them (the untimed warm-up) wrote it' : 'none, before or after the cold spawns (not writable, or not a bundled build): every start compiled the runtime'}`,
      );

      // Targets.
      const checks: Check[] = [];
      const need = (target: string, ...v: (number | undefined | null)[]): boolean => {
        if (v.some((x) => x === undefined || x === null || !Number.isFinite(x))) {
          checks.push({ target, ok: null, detail: 'a figure is missing' });
          return false;
        }
        return true;
      };
      const ow = rootOneway?.msgsPerS;
      let t = `one-way root→actor ≥ ${fmtInt(TARGETS.onewayMsgsPerS)} msg/s`;
      if (need(t, ow)) checks.push({ target: t, ok: ow! >= TARGETS.onewayMsgsPerS, detail: `${fmtInt(ow)} msg/s (${fmtRatio(ow! / TARGETS.onewayMsgsPerS)} the target)` });
      t = `one-way root→actor ≥ ${TARGETS.onewayVsNodeIpc}× Node IPC`;
      if (need(t, ow, ipcOneway?.msgsPerS)) checks.push({ target: t, ok: ow! >= TARGETS.onewayVsNodeIpc * ipcOneway!.msgsPerS, detail: `${fmtInt(ow)} vs ${fmtInt(ipcOneway!.msgsPerS)} msg/s = ${fmtRatio(ow! / ipcOneway!.msgsPerS)}` });
      t = 'ask root→actor below Node IPC request/response (median)';
      if (need(t, rootR?.median, ipcR?.median)) checks.push({ target: t, ok: rootR!.median < ipcR!.median, detail: `${fmtUs(rootR!.median)} µs vs ${fmtUs(ipcR!.median)} µs (${fmtRatio(rootR!.median / ipcR!.median)})` });
      t = `ask root→actor ≤ ${TARGETS.askVsTransport}× the transport round trip (median)`;
      if (need(t, rootR?.median, trR?.median)) checks.push({ target: t, ok: rootR!.median <= TARGETS.askVsTransport * trR!.median, detail: `${fmtUs(rootR!.median)} µs vs ${fmtUs(trR!.median)} µs = ${fmtRatio(rootR!.median / trR!.median)} (limit ${fmtUs(TARGETS.askVsTransport * trR!.median)} µs)` });
      t = `one-way actor→actor within ${TARGETS.actorVsRoot}× of root→actor`;
      if (need(t, actorOneway?.msgsPerS, ow)) checks.push({ target: t, ok: ow! <= TARGETS.actorVsRoot * actorOneway!.msgsPerS, detail: `${fmtInt(actorOneway!.msgsPerS)} vs ${fmtInt(ow)} msg/s (actor→actor ÷ root→actor ${fmtRatio(actorOneway!.msgsPerS / ow!)})` });
      t = `ask actor→actor within ${TARGETS.actorVsRoot}× of root→actor (median)`;
      if (need(t, actR?.median, rootR?.median)) checks.push({ target: t, ok: actR!.median <= TARGETS.actorVsRoot * rootR!.median, detail: `${fmtUs(actR!.median)} µs vs ${fmtUs(rootR!.median)} µs (${fmtRatio(actR!.median / rootR!.median)})` });
      t = `cold spawn-to-ready ≤ ${TARGETS.spawnVsBare}× bare node start (p50)`;
      if (need(t, cold?.ready.median, bare?.ready.median)) checks.push({ target: t, ok: cold!.ready.median <= TARGETS.spawnVsBare * bare!.ready.median, detail: `${ms(cold!.ready.median)} ms vs ${ms(bare!.ready.median)} ms = ${fmtRatio(cold!.ready.median / bare!.ready.median)}` });
      t = `pool spawn to ready p50 ≤ ${TARGETS.poolSpawnMs} ms`;
      if (poolNa) checks.push({ target: t, ok: null, detail: poolNa });
      else if (need(t, pool?.spawn?.median)) checks.push({ target: t, ok: pool!.spawn!.median <= TARGETS.poolSpawnMs, detail: `${ms(pool!.spawn!.median)} ms (burst of ${poolSize})` });
      t = `kill → restarted ≤ spawn + ${TARGETS.restartOverSpawnMs} ms (p50, cold)`;
      if (need(t, restart?.median, cold?.ready.median)) checks.push({ target: t, ok: restart!.median <= cold!.ready.median + TARGETS.restartOverSpawnMs, detail: `${ms(restart!.median)} ms vs ${ms(cold!.ready.median)} + ${TARGETS.restartOverSpawnMs} ms` });
      if (!poolNa && pool?.restart && pool.spawn) {
        t = `kill → restarted ≤ spawn + ${TARGETS.restartOverSpawnMs} ms (p50, pooled)`;
        checks.push({ target: t, ok: pool.restart.median <= pool.spawn.median + TARGETS.restartOverSpawnMs, detail: `${ms(pool.restart.median)} ms vs ${ms(pool.spawn.median)} + ${TARGETS.restartOverSpawnMs} ms` });
      }
      t = `sustained spawns ≥ ${TARGETS.sustainedVsLimit}× the limit (cores ÷ CPU of a bare node start)`;
      if (need(t, sustained?.perS, limit)) checks.push({ target: t, ok: sustained!.perS >= TARGETS.sustainedVsLimit * limit!, detail: `${sustained!.perS.toFixed(1)} vs ${limit!.toFixed(1)} spawns/s = ${fmtRatio(sustained!.perS / limit!)}` });

      return { id: this.id, title: this.title, tables: [msgTable, spawnTable], checks, notes, errors, raw };
    } finally {
      await withTimeout(sys.shutdown(), 20_000, 'system shutdown').catch((e) => errors.push(`shutdown: ${(e as Error).message}`));
      fs.rmSync(dir, { recursive: true, force: true });
      // Every child reaped: anything of ours still running (comedy's forks are not
      // tracked by bench/lib/proc.ts) is an error, and is killed by its pid.
      let stray = childPids().filter((p) => !preexisting.has(p));
      for (const until = performance.now() + 5000; stray.length && performance.now() < until;) {
        await sleep(100);
        stray = childPids().filter((p) => !preexisting.has(p));
      }
      if (stray.length) {
        errors.push(`${stray.length} child process(es) still running 5 s after the section (pids ${stray.join(', ')}); killed`);
        for (const p of stray) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
      }
    }
  },
};
