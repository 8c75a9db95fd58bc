// Section "cluster": pidgeon across two hosts over NATS beside plain NATS between the
// same two hosts, and pidgeon on one host for scale. The hosts are network namespaces
// on a private bridge (test/helpers/netns.ts), nats-server (user/pass) runs in host 0
// (test/helpers/nats-server.ts); in each host a bench peer (bench/cluster-peer.ts) is
// both a pidgeon cluster node (A in host 0, B in host 1) and a plain NATS client.
// Measured in one run: request/reply and ask round trips (interleaved rounds), and
// one-way throughput (interleaved rounds, each process's CPU read from /proc around
// each run). Needs root (namespaces) and nats-server; without them it is skipped.
// PIDGEON_BENCH_CLUSTER_PROF=<dir>: every Node process of both hosts (the peers, and
// through their execArgv the proxies and the actors) runs with --cpu-prof into <dir>;
// the pids of the roles are in bench/out/results.json (raw.pids) to tell them apart.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { procStat } from '../../runtime/transport/index.js';
import { createHosts, netnsAvailable, type TestNet } from '../../test/helpers/netns.js';
import { startNats, type NatsServer } from '../../test/helpers/nats-server.js';
import type { PeerConfig } from '../cluster-peer.js';
import { PAYLOAD, PER_TICK } from '../lib/api-load.js';
import { reap, track, withTimeout } from '../lib/proc.js';
import { DASH, fmtInt, fmtRatio, fmtUs, ratio } from '../lib/report.js';
import { median, summarize, type Summary } from '../lib/stats.js';
import type { Check, Section, SectionContext, SectionResult, Table } from '../lib/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PEER = path.join(here, '..', 'cluster-peer.js');

export const TARGETS = {
  /** pidgeon across hosts within this factor of plain NATS between the same hosts. */
  vsNats: 1.3,
};

const AUTH = { user: 'pdgbench', pass: 'bench-s3cret' };
const NATS_PORT = 4222;
const MONITOR_PORT = 8222;
const DOWN_AFTER = 2000;
/** The whole section, set-up and teardown aside. */
const SECTION_MS = 5 * 60_000;
const CLK_TCK = 100;

const SEARCH = ['/usr/sbin', '/usr/bin', '/usr/local/bin', '/sbin', '/bin'];
/** nats-server's path, without installing it (test/helpers/nats-server.ts would). */
function findNatsServer(): string | undefined {
  for (const d of [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH]) {
    const p = path.join(d, 'nats-server');
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* not here */ }
  }
  return undefined;
}

// ---- a bench peer in a host, driven by JSON lines -------------------------------------

class Peer {
  private next = 1;
  private readonly pending = new Map<number, { op: string; resolve: (v: any) => void; reject: (e: Error) => void }>();
  private gone: string | null = null;
  readonly ready: Promise<unknown>;

  constructor(readonly label: string, readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => this.pending.set(0, { op: 'start-up', resolve, reject }));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('@@bench ')) return;
      let m: { id: number; ok: boolean; value?: unknown; error?: string };
      try { m = JSON.parse(line.slice(8)); } catch { return; }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`${label} ${p.op}: ${m.error}`));
    });
    const fail = (why: string): void => {
      this.gone = why;
      for (const p of this.pending.values()) p.reject(new Error(`${label} ${why}`));
      this.pending.clear();
    };
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal})`));
    child.once('error', (e) => fail(`did not start: ${e.message}`));
  }

  call<T = any>(op: string, args: Record<string, unknown> = {}, ms = 30_000): Promise<T> {
    if (this.gone) return Promise.reject(new Error(`${this.label} ${this.gone}`));
    const id = this.next++;
    const p = new Promise<T>((resolve, reject) => this.pending.set(id, { op, resolve, reject }));
    this.child.stdin!.write(`${JSON.stringify({ ...args, id, op })}\n`);
    return withTimeout(p, ms, `${this.label} ${op}`).finally(() => this.pending.delete(id));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }
}

// ---- CPU of the processes taking part --------------------------------------------------

/** utime + stime of `pid` (all its threads), s; undefined once it is gone. */
function cpuS(pid: number | null | undefined): number | undefined {
  if (!pid || pid < 0) return undefined;
  const f = procStat(pid);
  return f ? (Number(f[11]) + Number(f[12])) / CLK_TCK : undefined;
}

type Roles = Record<string, number | null | undefined>;

/** CPU-seconds of each role's process during `run`. */
async function withCpu<T>(roles: Roles, run: () => Promise<T>): Promise<{ result: T; cpu: Record<string, number | undefined> }> {
  const before = Object.fromEntries(Object.entries(roles).map(([k, pid]) => [k, cpuS(pid)]));
  const result = await run();
  const cpu = Object.fromEntries(Object.entries(roles).map(([k, pid]) => {
    const a = before[k];
    const b = cpuS(pid);
    return [k, a === undefined || b === undefined ? undefined : b - a];
  }));
  return { result, cpu };
}

// ---- the section --------------------------------------------------------------------

interface Oneway {
  messages: number;
  elapsedS: number;
  msgsPerS: number;
  waits?: number;
  outOfOrder: number;
  cpu: Record<string, number | undefined>;
  /** Into nats-server during the run (its /varz before and after; heartbeats and pings included). */
  traffic?: { inMsgs: number; inBytes: number };
}

/** The counters of nats-server's /varz that the section reads. */
interface Varz { in_msgs: number; in_bytes: number; out_msgs: number; out_bytes: number }

/** The processes of each one-way subject, in the order of the CPU table. */
const CPU_ROWS: { key: string; label: string }[] = [
  { key: 'sender', label: 'sender (host 0: plain client / node A root)' },
  { key: 'proxyA', label: "node A's proxy for B (host 0)" },
  { key: 'nats', label: 'nats-server (host 0)' },
  { key: 'proxyB', label: "node B's proxy for A (host 1)" },
  { key: 'receiver', label: 'receiver (host 1: plain client / B sink actor; local: A sink)' },
  { key: 'otherRoot', label: 'node B root (agent; host 1)' },
];

function skipped(id: string, title: string, why: string, log: (l: string) => void): SectionResult {
  log(`  skipped: ${why}`);
  return {
    id, title, tables: [], errors: [], raw: { skipped: why },
    checks: [{ target: `pidgeon across hosts within ${TARGETS.vsNats}× of plain NATS`, ok: null, detail: `section skipped: ${why}` }],
    notes: [`SKIPPED: ${why}. This section needs root (it makes network namespaces) and nats-server (\`apt-get install nats-server\`).`],
  };
}

export const clusterSection: Section = {
  id: 'cluster',
  title: 'Cluster: pidgeon across two hosts over NATS vs plain NATS',
  async run(ctx: SectionContext): Promise<SectionResult> {
    const { opts, log } = ctx;
    const quick = opts.durationMs < 1000;
    if (process.getuid?.() !== 0) return skipped(this.id, this.title, 'not running as root (the hosts are network namespaces): run the bench as root to include it', log);
    const ns = netnsAvailable();
    if (!ns.ok) return skipped(this.id, this.title, ns.why, log);
    if (!findNatsServer()) return skipped(this.id, this.title, 'nats-server is not installed (apt-get install nats-server)', log);

    const errors: string[] = [];
    const notes: string[] = [];
    const raw: Record<string, unknown> = {};
    const rttN = quick ? 600 : 4000;
    const rttWarm = quick ? 100 : 300;
    const rounds = Math.max(1, opts.rounds);
    const owN = quick ? 50_000 : 200_000;
    const owWarm = quick ? 10_000 : 20_000;
    const owRounds = quick ? 1 : 5;

    let net: TestNet | null = null;
    let nats: NatsServer | null = null;
    const peers: Peer[] = [];
    const dirs: string[] = [];
    try {
      return await withTimeout((async (): Promise<SectionResult> => {
        log('  two hosts (network namespaces), nats-server in host 0');
        net = await createHosts(2);
        const [h0, h1] = net.hosts as [TestNet['hosts'][0], TestNet['hosts'][0]];
        nats = await startNats({ host: h0, address: h0.address, port: NATS_PORT, monitorPort: MONITOR_PORT, ...AUTH, name: 'bench' });
        const monitor = `${nats.monitorUrl}/varz`;
        const varz = async (): Promise<Varz | undefined> => {
          try {
            const v = JSON.parse(await h0.httpGet(monitor)) as Varz;
            return { in_msgs: v.in_msgs, in_bytes: v.in_bytes, out_msgs: v.out_msgs, out_bytes: v.out_bytes };
          } catch (err) {
            errors.push(`nats-server /varz: ${(err as Error).message}`);
            return undefined;
          }
        };
        const servers = [nats.url];
        const startPeer = (host: typeof h0, node: string): Peer => {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pidgeon-bench-cluster-${node}-`));
          dirs.push(dir);
          const cfg: PeerConfig = { node, dir, servers, ...AUTH, downAfter: DOWN_AFTER };
          const prof = process.env.PIDGEON_BENCH_CLUSTER_PROF;
          // (pidgeon starts its processes with this one's execArgv; NODE_OPTIONS may not hold --cpu-prof)
          const execArgv = prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`] : [];
          const child = track(host.spawnIn(process.execPath, [...execArgv, PEER, JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'inherit'] }));
          const p = new Peer(`node ${node} (host ${host.index})`, child);
          peers.push(p);
          return p;
        };
        const a = startPeer(h0, 'A');
        const b = startPeer(h1, 'B');
        await withTimeout(Promise.all([a.ready, b.ready]), 30_000, 'bench peers to start');
        log('  nodes A and B, echo and sink actors on each, plain NATS clients');
        await Promise.all([a.call('start'), b.call('start')]);
        const [local] = await Promise.all([a.call<{ echo: number; sink: number }>('spawnTargets'), b.call('spawnTargets')]);
        await Promise.all([a.call('natsConnect'), b.call('natsConnect')]);
        await b.call('natsServe');
        const remote = await a.call<{ echo: number; sink: number }>('lookupRemote', { node: 'B' }, 60_000);
        const pids = {
          a: a.pid, b: b.pid, nats: nats.pid, local, remote,
          proxyA: await a.call<number | null>('proxyPid', { node: 'B' }),
          proxyB: await b.call<number | null>('proxyPid', { node: 'A' }),
        };
        raw.pids = pids;
        if (!pids.proxyA || !pids.proxyB) errors.push(`a proxy was not found running (A's for B: ${pids.proxyA}, B's for A: ${pids.proxyB}); its CPU is missing`);

        // Round trips: warm-up, then interleaved rounds.
        const rttSubjects = [
          { id: 'nats', run: (n: number) => a.call<number[]>('natsRtt', { n }, 120_000) },
          { id: 'remote', run: (n: number) => a.call<number[]>('askRtt', { role: 'remote-echo', n }, 120_000) },
          { id: 'local', run: (n: number) => a.call<number[]>('askRtt', { role: 'echo', n }, 120_000) },
        ];
        log(`  round trips: ${rttWarm} warm-up each, then ${rounds} interleaved rounds, ${rttN} timed per subject`);
        const rtt: Record<string, number[]> = { nats: [], remote: [], local: [] };
        const rttRounds: Record<string, number[]> = { nats: [], remote: [], local: [] };
        for (const s of rttSubjects) await s.run(rttWarm);
        const perRound = Math.ceil(rttN / rounds);
        for (let r = 0; r < rounds; r++) {
          for (const s of rttSubjects) {
            const samples = await s.run(perRound);
            rtt[s.id]!.push(...samples);
            rttRounds[s.id]!.push(median(samples));
          }
        }
        const rttSum: Record<string, Summary> = Object.fromEntries(Object.entries(rtt).map(([k, v]) => [k, summarize(v)]));
        raw.roundTrips = { summary: rttSum, perRoundMedians: rttRounds };

        // One-way: warm-up, then interleaved rounds with each process's CPU.
        const owSubjects = [
          { id: 'nats', roles: { sender: a.pid, nats: nats.pid, receiver: b.pid }, run: (n: number) => a.call<Oneway>('natsOneway', { n }, 180_000) },
          { id: 'remote', roles: { sender: a.pid, proxyA: pids.proxyA, nats: nats.pid, proxyB: pids.proxyB, receiver: remote.sink, otherRoot: b.pid }, run: (n: number) => a.call<Oneway>('oneway', { role: 'remote-sink', n }, 180_000) },
          { id: 'local', roles: { sender: a.pid, receiver: local.sink }, run: (n: number) => a.call<Oneway>('oneway', { role: 'sink', n }, 180_000) },
        ];
        log(`  one-way: ${fmtInt(owWarm)} warm-up each, then ${owRounds} interleaved round(s) of ${fmtInt(owN)} messages per subject`);
        for (const s of owSubjects) await s.run(owWarm);
        const ow: Record<string, Oneway[]> = { nats: [], remote: [], local: [] };
        for (let r = 0; r < owRounds; r++) {
          for (const s of owSubjects) {
            const v0 = s.id === 'local' ? undefined : await varz();
            const { result, cpu } = await withCpu(s.roles, () => s.run(owN));
            const v1 = v0 && await varz();
            const traffic = v0 && v1 ? { inMsgs: v1.in_msgs - v0.in_msgs, inBytes: v1.in_bytes - v0.in_bytes } : undefined;
            ow[s.id]!.push({ ...result, cpu, traffic });
          }
        }
        raw.oneway = ow;
        const dead = await a.call<string[]>('deadLetters');
        if (dead.length) errors.push(`node A had ${dead.length} dead letter(s): ${dead.slice(0, 3).join('; ')}`);

        return report({ rttSum, rttRounds, ow, perRound, rounds, rttN, rttWarm, owN, owWarm, owRounds, errors, notes, raw, id: this.id, title: this.title });
      })(), SECTION_MS, 'section cluster');
    } catch (err) {
      errors.push((err as Error).message);
      return { id: this.id, title: this.title, tables: [], checks: [], notes, errors, raw };
    } finally {
      log('  teardown: peers, nats-server, namespaces');
      await Promise.all(peers.map(async (p) => {
        const errs = await p.call<string[]>('exit', {}, 15_000).catch((e: Error) => [e.message]);
        for (const e of errs) if (!/exited \(0\)/.test(e)) errors.push(`${p.label} exit: ${e}`);
        p.child.stdin?.end();
        await reap(p.child, 5000);
      }));
      if (nats) await (nats as NatsServer).stop().catch(() => undefined);
      if (net) await (net as TestNet).destroy().catch((e: Error) => errors.push(`destroying the test network: ${e.message}`));
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    }
  },
};

interface ReportInput {
  id: string;
  title: string;
  rttSum: Record<string, Summary>;
  rttRounds: Record<string, number[]>;
  ow: Record<string, Oneway[]>;
  perRound: number;
  rounds: number;
  rttN: number;
  rttWarm: number;
  owN: number;
  owWarm: number;
  owRounds: number;
  errors: string[];
  notes: string[];
  raw: Record<string, unknown>;
}

/** The one-way figure of a subject: the median round's msg/s; CPU per message over all rounds. */
interface OnewayFigure { msgsPerS?: number; cpuUs: Record<string, number | undefined>; coresBusy?: number; natsMsgsPerMsg?: number; natsBytesPerMsg?: number }

function onewayFigure(runs: Oneway[] | undefined): OnewayFigure {
  if (!runs || runs.length === 0) return { cpuUs: {} };
  const msgs = runs.reduce((s, r) => s + r.messages, 0);
  const secs = runs.reduce((s, r) => s + r.elapsedS, 0);
  const keys = new Set(runs.flatMap((r) => Object.keys(r.cpu)));
  const cpuUs: Record<string, number | undefined> = {};
  let total = 0;
  for (const k of keys) {
    const v = runs.map((r) => r.cpu[k]);
    if (v.some((x) => x === undefined)) { cpuUs[k] = undefined; continue; }
    const s = (v as number[]).reduce((x, y) => x + y, 0);
    cpuUs[k] = (s * 1e6) / msgs;
    total += s;
  }
  cpuUs.total = (total * 1e6) / msgs;
  const t = runs.every((r) => r.traffic) ? runs.reduce((a, r) => ({ inMsgs: a.inMsgs + r.traffic!.inMsgs, inBytes: a.inBytes + r.traffic!.inBytes }), { inMsgs: 0, inBytes: 0 }) : undefined;
  return {
    msgsPerS: median(runs.map((r) => r.msgsPerS)), cpuUs, coresBusy: total / secs,
    natsMsgsPerMsg: t ? t.inMsgs / msgs : undefined, natsBytesPerMsg: t ? t.inBytes / msgs : undefined,
  };
}

function report(x: ReportInput): SectionResult {
  const { rttSum, ow, errors, notes, raw } = x;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const n = rttSum.nats;
  const rm = rttSum.remote;
  const lo = rttSum.local;
  const on = onewayFigure(ow.nats);
  const orm = onewayFigure(ow.remote);
  const olo = onewayFigure(ow.local);
  const row = (label: string, a: number | undefined, b: number | undefined, c: number | undefined, fmt: (v: number | undefined) => string): string[] =>
    [label, fmt(a), fmt(b), fmt(c), fmtRatio(ratio(b, a)), fmtRatio(ratio(b, c))];
  const main: Table = {
    title: 'Two hosts over NATS (↑ higher is better, ↓ lower is better; ratios are pidgeon cross-host ÷ the other)',
    headers: ['figure', 'plain NATS', 'pidgeon cross-host', 'pidgeon local (one host)', 'cross-host ÷ NATS', 'cross-host ÷ local'],
    numeric: [false, true, true, true, true, true],
    rows: [
      row('one-way host 0 → host 1, msg/s ↑ (1)', on.msgsPerS, orm.msgsPerS, olo.msgsPerS, fmtInt),
      row('round trip, median µs ↓ (2)', n?.median, rm?.median, lo?.median, fmtUs),
      row('round trip, p99 µs ↓', n?.p99, rm?.p99, lo?.p99, fmtUs),
    ],
    footnotes: [
      `(1) ${fmtInt(x.owN)} messages per run, ${x.owRounds} run(s) per subject interleaved after ${fmtInt(x.owWarm)} untimed; the median run. Plain NATS: publish() of a 64 B payload (a sequence number in its first 4 bytes) on one subject from a client in host 0 to a subscriber in host 1, ${PER_TICK} per event-loop turn, flush() at the end; the clock stops when the subscriber has counted all of them and said so. pidgeon: system.send() of { type: 'seq', seq: i, payload: ${PAYLOAD.length} × 'x' } from node A's root (host 0) to a sink actor on node B (host 1) — root → A's proxy → NATS → B's proxy → actor — ${PER_TICK} per turn, awaiting system.drained(ref) when send() returns false; the clock stops when an ask for the sink's count comes back; the sink checks every message arrived, in order. Local: the same to a sink actor on node A.`,
      `(2) One at a time, ${x.rttN} timed per subject in ${x.rounds} interleaved rounds after ${x.rttWarm} untimed. Plain NATS: request() of 64 B from host 0 to a responder in host 1 that respond()s with the same bytes. pidgeon: system.ask(ref, { type: 'ping', seq, payload: ${PAYLOAD.length} chars }) from node A's root to an echo actor (ctx.reply(msg)) on node B (cross-host) or on node A (local).`,
    ],
  };
  const cpuCell = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? DASH : v.toFixed(2));
  const used = (k: string): boolean => [on, orm, olo].some((f) => f.cpuUs[k] !== undefined);
  const cpu: Table = {
    title: 'CPU per one-way message, by process (µs of CPU, user + system, all runs of (1); — = not part of that path)',
    headers: ['process', 'plain NATS', 'pidgeon cross-host', 'pidgeon local'],
    numeric: [false, true, true, true],
    rows: [
      ...CPU_ROWS.filter((r) => used(r.key)).map((r) => [r.label, cpuCell(on.cpuUs[r.key]), cpuCell(orm.cpuUs[r.key]), cpuCell(olo.cpuUs[r.key])]),
      ['total', cpuCell(on.cpuUs.total), cpuCell(orm.cpuUs.total), cpuCell(olo.cpuUs.total)],
      [`cores busy (CPU-s per s of run; this machine has ${cores})`, on.coresBusy?.toFixed(2) ?? DASH, orm.coresBusy?.toFixed(2) ?? DASH, olo.coresBusy?.toFixed(2) ?? DASH],
      ['NATS messages published per message (nats-server in_msgs)', on.natsMsgsPerMsg?.toFixed(4) ?? DASH, orm.natsMsgsPerMsg?.toFixed(4) ?? DASH, DASH],
      ['bytes into nats-server per message (in_bytes: payloads)', on.natsBytesPerMsg?.toFixed(1) ?? DASH, orm.natsBytesPerMsg?.toFixed(1) ?? DASH, DASH],
    ],
    footnotes: [
      `utime + stime of each process (every thread) from /proc/<pid>/stat before and after each run (${CLK_TCK} ticks/s), over the messages of all runs; NATS messages and bytes from nats-server's /varz before and after each run (the nodes' heartbeats and the proxies' pings included). The hosts are network namespaces of one machine: every process of both shares its ${cores} cores, so a path that keeps more than ${cores} busy is bounded by the CPU, not the network.`,
    ],
  };

  const checks: Check[] = [];
  let t = `cross-host ask within ${TARGETS.vsNats}× of plain NATS request/reply (median)`;
  if (rm && n && Number.isFinite(rm.median) && Number.isFinite(n.median)) {
    checks.push({ target: t, ok: rm.median <= TARGETS.vsNats * n.median, detail: `${fmtUs(rm.median)} µs vs ${fmtUs(n.median)} µs = ${fmtRatio(rm.median / n.median)} (limit ${fmtUs(TARGETS.vsNats * n.median)} µs)` });
  } else checks.push({ target: t, ok: null, detail: 'a figure is missing' });
  t = `cross-host one-way within ${TARGETS.vsNats}× of plain NATS publish (msg/s)`;
  if (orm.msgsPerS !== undefined && on.msgsPerS !== undefined) {
    checks.push({ target: t, ok: orm.msgsPerS * TARGETS.vsNats >= on.msgsPerS, detail: `${fmtInt(orm.msgsPerS)} vs ${fmtInt(on.msgsPerS)} msg/s = ${fmtRatio(orm.msgsPerS / on.msgsPerS)} (at least ${fmtInt(on.msgsPerS / TARGETS.vsNats)} msg/s)` });
  } else checks.push({ target: t, ok: null, detail: 'a figure is missing' });

  const perRun = (runs: Oneway[] | undefined): string => (runs ?? []).map((r) => `${fmtInt(r.msgsPerS)}${r.waits ? ` (${r.waits} drained waits)` : ''}`).join(' / ');
  notes.push(
    `Two network namespaces ("hosts") on a private bridge (veth pairs; test/helpers/netns.ts), nats-server ${'(user/pass auth)'} in host 0 on its address there; in each host one bench peer (bench/cluster-peer.ts): a pidgeon node (ActorSystem.start({ node, cluster: { servers, user, pass, downAfter: ${DOWN_AFTER} } })) and a plain NATS client (@nats-io/transport-node) in the same process, so both sides of every figure start from the same place. Node A's root is the sender and asker; its proxy for B, B's proxy for A, B's echo and sink actors are ordinary processes started by pidgeon. Remote refs come from sys.lookup(name, { node: 'B' }).`,
    `round trip medians per round, µs — plain NATS ${x.rttRounds.nats?.map((v) => fmtUs(v)).join(' / ')}; pidgeon cross-host ${x.rttRounds.remote?.map((v) => fmtUs(v)).join(' / ')}; local ${x.rttRounds.local?.map((v) => fmtUs(v)).join(' / ')}`,
    `one-way msg/s per run — plain NATS ${perRun(ow.nats)}; pidgeon cross-host ${perRun(ow.remote)}; local ${perRun(ow.local)}`,
    'Every message of every one-way run arrived, in order (checked by the receivers; a miss is an error of this section).',
  );
  raw.figures = { nats: { rtt: n, oneway: on }, remote: { rtt: rm, oneway: orm }, local: { rtt: lo, oneway: olo } };
  return { id: x.id, title: x.title, tables: [main, cpu], checks, notes, errors, raw };
}
