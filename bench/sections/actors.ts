// Section "actors": what an actor program feels — spawn-to-ready, kill-to-restarted
// under a one_for_one supervisor, and ask round trips (root→actor, actor→actor) —
// each beside the closest Node child_process equivalent measured in the same run.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActorSystem, type ActorRef } from '../../runtime/index.js';
import { fmtRatio, fmtUs, ratio } from '../lib/report.js';
import { summarize, type Summary } from '../lib/stats.js';
import { reap, track, withTimeout } from '../lib/proc.js';
import type { Section, SectionContext, SectionResult, Table } from '../lib/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const actor = (name: string) => path.join(here, '..', 'actors', `${name}.js`);

const SPAWNS = 12;
const RESTARTS = 12;
const ASKS = 5000;

function forkReady(): Promise<{ child: ChildProcess; ms: number }> {
  const t = performance.now();
  const child = track(fork(actor('node-child'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  return withTimeout(new Promise((resolve, reject) => {
    child.once('message', () => resolve({ child, ms: performance.now() - t }));
    child.once('exit', (code) => reject(new Error(`node child exited (${code}) before ready`)));
  }), 30_000, 'node child ready');
}

async function nodeSpawn(): Promise<Summary> {
  const ms: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    const { child, ms: t } = await forkReady();
    ms.push(t);
    child.kill('SIGKILL');
    await reap(child);
  }
  return summarize(ms.slice(2)); // first two warm the disk cache
}

async function pidgeonSpawn(sys: ActorSystem): Promise<Summary> {
  const ms: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    const t = performance.now();
    const ref = await sys.spawn(actor('echo'));
    ms.push(performance.now() - t);
    await sys.stop(ref, { timeout: 'brutal_kill' });
  }
  return summarize(ms.slice(2));
}

// A hand-written Node "supervisor": on exit, fork again and wait for 'ready'.
async function nodeRestart(): Promise<Summary> {
  const ms: number[] = [];
  let { child } = await forkReady();
  for (let i = 0; i < RESTARTS; i++) {
    const t = performance.now();
    const next = new Promise<ChildProcess>((resolve, reject) => {
      child.once('exit', () => forkReady().then((r) => resolve(r.child), reject));
    });
    child.kill('SIGKILL');
    child = await withTimeout(next, 30_000, 'node restart');
    ms.push(performance.now() - t);
  }
  child.kill('SIGKILL');
  await reap(child);
  return summarize(ms.slice(2));
}

async function pidgeonRestart(sys: ActorSystem): Promise<Summary> {
  const ms: number[] = [];
  let started: ((ref: ActorRef) => void) | null = null;
  sys.on('message', (m: any) => {
    if (m?.type === 'pidgeon.supervisor' && m.event === 'started' && m.id === 'w' && started) started(m.ref);
  });
  const sup = await sys.supervise({ strategy: 'one_for_one', intensity: RESTARTS + 5, period: 600_000, children: [{ id: 'w', module: actor('echo') }] }, { reportTo: sys.self });
  let ref = (await sys.which(sup))[0].ref!;
  for (let i = 0; i < RESTARTS; i++) {
    const next = new Promise<ActorRef>((resolve) => { started = resolve; });
    const t = performance.now();
    process.kill(ref.pid, 'SIGKILL');
    ref = await withTimeout(next, 30_000, 'pidgeon restart');
    ms.push(performance.now() - t);
  }
  await sys.stop(sup, { timeout: 'infinity' });
  return summarize(ms.slice(2));
}

async function nodeAsk(): Promise<Summary> {
  const { child } = await forkReady();
  const lat = new Float64Array(ASKS);
  let id = 0;
  const ask = () => new Promise<void>((resolve) => {
    const my = ++id;
    const on = (m: { id?: number }) => { if (m.id === my) { child.off('message', on); resolve(); } };
    child.on('message', on);
    child.send({ id: my, body: 'x'.repeat(48) });
  });
  for (let i = 0; i < 500; i++) await ask();
  for (let i = 0; i < ASKS; i++) {
    const t = performance.now();
    await ask();
    lat[i] = (performance.now() - t) * 1000;
  }
  child.kill('SIGKILL');
  await reap(child);
  return summarize(lat);
}

async function pidgeonAsk(sys: ActorSystem): Promise<{ root: Summary; actors: Summary }> {
  const echo = await sys.spawn(actor('echo'));
  const asker = await sys.spawn(actor('asker'));
  const payload = 'x'.repeat(48);
  for (let i = 0; i < 500; i++) await sys.ask(echo, payload);
  const lat = new Float64Array(ASKS);
  for (let i = 0; i < ASKS; i++) {
    const t = performance.now();
    await sys.ask(echo, payload);
    lat[i] = (performance.now() - t) * 1000;
  }
  const between = (await sys.ask(asker, { type: 'run', target: echo, count: ASKS, warmup: 500 }, { timeout: 120_000 })) as Float64Array;
  await sys.stop(asker);
  await sys.stop(echo);
  return { root: summarize(lat), actors: summarize(between) };
}

export const actorsSection: Section = {
  id: 'actors',
  title: 'Actors: spawn, restart and ask vs Node child_process',
  async run(ctx: SectionContext): Promise<SectionResult> {
    const { log } = ctx;
    const errors: string[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-bench-actors-'));
    const sys = await ActorSystem.start({ name: 'bench', dir });
    const raw: Record<string, unknown> = {};
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
    try {
      const nSpawn = await attempt('spawn-to-ready, Node fork', nodeSpawn);
      const pSpawn = await attempt('spawn-to-ready, pidgeon', () => pidgeonSpawn(sys));
      const nRestart = await attempt('kill-to-restarted, Node fork loop', nodeRestart);
      const pRestart = await attempt('kill-to-restarted, pidgeon one_for_one', () => pidgeonRestart(sys));
      const nAsk = await attempt('ask round trip, Node IPC', nodeAsk);
      const pAsk = await attempt('ask round trip, pidgeon', () => pidgeonAsk(sys));
      const row = (label: string, unit: 'ms' | 'µs', n: Summary | undefined, p: Summary | undefined): string[] => [
        label, fmtUs(n?.median), fmtUs(n?.p99), fmtUs(p?.median), fmtUs(p?.p99), fmtRatio(ratio(p?.median, n?.median)),
      ];
      const table: Table = {
        title: 'Actor operations (median and p99; ratio = pidgeon median ÷ Node median)',
        headers: ['figure', 'Node median', 'Node p99', 'pidgeon median', 'pidgeon p99', 'pidgeon ÷ Node'],
        numeric: [false, true, true, true, true, true],
        rows: [
          row('spawn-to-ready, ms (1)', 'ms', nSpawn, pSpawn),
          row('kill-to-restarted, ms (2)', 'ms', nRestart, pRestart),
          row('ask round trip root→actor, µs (3)', 'µs', nAsk, pAsk?.root),
          row('ask round trip actor→actor, µs (4)', 'µs', nAsk, pAsk?.actors),
        ],
        footnotes: [
          `(1) Node: fork() until the child's first IPC message; pidgeon: spawn() until the actor is ready (mailbox open, hello/init/ready handshake, module loaded, init run). ${SPAWNS - 2} timed after 2 warm-ups.`,
          `(2) SIGKILL of the worker until its replacement is ready. Node: a hand-written loop (on 'exit', fork again, wait for its first message); pidgeon: a one_for_one supervisor process (pidfd death notice, restart, 'started' event). ${RESTARTS - 2} timed.`,
          `(3) ${ASKS} sequential request/response pairs with a 48-character string. Node: process.send() with an id and a 'message' listener; pidgeon: system.ask() from the root process (promise, timeout timer, death watch, msgpackr envelope).`,
          `(4) pidgeon: ctx.ask() from one actor process to another; Node IPC has no child-to-child channel, so the Node column repeats (3).`,
        ],
      };
      return { id: 'actors', title: actorsSection.title, tables: [table], checks: [], notes: [], errors, raw };
    } finally {
      await sys.shutdown().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
