// One look at a running system, as `pidgeon ps` and `pidgeon top` show it: every
// live actor's info (asked over its mailbox), each supervisor's children (their ids,
// restart counts, and the ones that are down), CPU and memory from /proc, all in
// tree order (depth-first, children in their supervisor's order).
import fs from 'node:fs';
import path from 'node:path';
import type { ActorSystem } from '../core/index.js';
import type { ChildInfo } from '../supervision/index.js';
import { SUPERVISOR_MODULE } from '../supervision/index.js';
import { procStat, type Address } from '../transport/index.js';
import { livePeers } from './system-dir.js';

/** What `info` answers (core/info.ts). */
export interface ActorInfo {
  pid: number;
  instance: string;
  names: string[];
  parent: Address | null;
  module: string | null;
  uptimeMs: number;
  stats: {
    received: number; sent: number; queued: number; deadLetters: number; queueLength: number;
    user?: { received: number; sent: number }; runtime?: { received: number; sent: number };
    dropped?: Record<string, number>;
  };
  children: { pid: number; state: string }[];
}

/** One row: a live actor, or a supervisor's child that is down. */
export interface ActorRow {
  pid: number | null;
  instance: string | null;
  /** Registered name (null: none). */
  name: string | null;
  /** Child id in its supervisor (null: not supervised, or unknown). */
  id: string | null;
  /** What a human calls it: name, else id, else its kind. */
  label: string;
  kind: 'launcher' | 'supervisor' | 'worker' | 'process';
  depth: number;
  /** Tree drawing before the label ('├─ ', '│  └─ ', ...). */
  branch: string;
  parent: number | null;
  status: string;
  restarts: number | null;
  cpu: number | null;
  rss: number | null;
  uptimeMs: number | null;
  userIn: number | null;
  userOut: number | null;
  runtimeIn: number | null;
  runtimeOut: number | null;
  queued: number | null;
  drops: number | null;
  deadLetters: number | null;
  module: string | null;
}

/** CPU time of a process in clock ticks (utime + stime), or null if it is gone. */
export function cpuTicks(pid: number): number | null {
  const f = procStat(pid);
  return f ? Number(f[11]) + Number(f[12]) : null;
}

/** Resident set size in bytes (VmRSS), or null. */
export function rssBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU samples: ticks per pid at a time; two of them give CPU %. */
export interface CpuSample { at: number; ticks: Map<number, number> }

export function sampleCpu(pids: number[]): CpuSample {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const t = cpuTicks(pid);
    if (t !== null) ticks.set(pid, t);
  }
  return { at: performance.now(), ticks };
}

// USER_HZ is 100 on every Linux ABI Node runs on.
const TICKS_PER_SECOND = 100;

function cpuPercent(pid: number, a: CpuSample, b: CpuSample): number | null {
  const t0 = a.ticks.get(pid);
  const t1 = b.ticks.get(pid);
  const secs = (b.at - a.at) / 1000;
  if (t0 === undefined || t1 === undefined || secs <= 0) return null;
  return ((t1 - t0) / TICKS_PER_SECOND / secs) * 100;
}

interface Node { address: Address; info: ActorInfo | null; kids: Node[]; id?: string; restarts?: number; down?: ChildInfo[] }

/** Ask every live actor (but us) for its info; unanswered ones get `null`. */
export async function collectInfo(sys: ActorSystem, timeout = 2000, peers = livePeers(sys)): Promise<{ address: Address; info: ActorInfo | null }[]> {
  return Promise.all(peers.map(async (address) => {
    try {
      return { address, info: (await sys.info(address, { timeout })) as ActorInfo };
    } catch {
      return { address, info: null };
    }
  }));
}

/** Look at the system: rows in tree order. CPU % is measured between `since` (or the
 * start of this look) and its end, at least `minWindowMs` apart. */
export async function snapshot(sys: ActorSystem, since: CpuSample | null, minWindowMs = 0, peers?: Address[]): Promise<{ rows: ActorRow[]; sample: CpuSample }> {
  // Another node's /proc is not ours: its CPU and memory show as unknown.
  const remote = peers !== undefined && peers.some((a) => a.node !== undefined && a.node !== sys.node);
  const first = since ?? sampleCpu(remote ? [] : (peers ?? livePeers(sys)).map((a) => a.pid));
  const all = await collectInfo(sys, 2000, peers ?? livePeers(sys));
  const nodes = new Map<number, Node>(all.map(({ address, info }) => [address.pid, { address, info, kids: [] }]));
  const order = new Map<number, number>(); // pid -> place among its supervisor's children
  await Promise.all(all.filter(({ info }) => info?.module === SUPERVISOR_MODULE).map(async ({ address }) => {
    try {
      const which = await sys.which(address, { timeout: 2000 });
      which.forEach((c, i) => {
        const n = c.ref ? nodes.get(c.ref.pid) : undefined;
        if (n) Object.assign(n, { id: c.id, restarts: c.restarts ?? null }), order.set(n.address.pid, i);
      });
      const sup = nodes.get(address.pid)!;
      sup.down = which.filter((c) => !c.ref || !nodes.has(c.ref.pid));
    } catch { /* a supervisor busy restarting: ids stay unknown */ }
  }));
  const wait = minWindowMs - (performance.now() - first.at);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const last = sampleCpu(remote ? [] : [...nodes.keys()]);
  const roots: Node[] = [];
  for (const n of [...nodes.values()].sort((a, b) => a.address.pid - b.address.pid)) {
    const parent = n.info?.parent ? nodes.get(n.info.parent.pid) : undefined;
    if (parent) parent.kids.push(n);
    else roots.push(n);
  }
  const rows: ActorRow[] = [];
  const visit = (n: Node, depth: number, prefix: string, last_: boolean, parent: Node | null) => {
    const branch = depth === 0 ? '' : prefix + (last_ ? '└─ ' : '├─ ');
    rows.push(liveRow(n, depth, branch, parent, remote ? null : cpuPercent(n.address.pid, first, last), remote));
    const kidPrefix = depth === 0 ? '' : prefix + (last_ ? '   ' : '│  ');
    n.kids.sort((a, b) => (order.get(a.address.pid) ?? 1e9) - (order.get(b.address.pid) ?? 1e9) || a.address.pid - b.address.pid);
    const down = n.down ?? [];
    n.kids.forEach((k, i) => visit(k, depth + 1, kidPrefix, i === n.kids.length - 1 && down.length === 0, n));
    down.forEach((c, i) => rows.push(downRow(c, depth + 1, kidPrefix + (i === down.length - 1 ? '└─ ' : '├─ '), n.address.pid)));
  };
  roots.forEach((r, i) => visit(r, 0, '', i === roots.length - 1, null));
  return { rows, sample: last };
}

function liveRow(n: Node, depth: number, branch: string, parent: Node | null, cpu: number | null, remote: boolean): ActorRow {
  const i = n.info;
  const pid = n.address.pid;
  const kind = !i ? 'process' : i.module === SUPERVISOR_MODULE ? 'supervisor' : i.module ? 'worker' : i.names.includes('pidgeon.launcher') ? 'launcher' : 'process';
  const name = i?.names[0] ?? null;
  const id = n.id ?? null;
  const state = parent?.info?.children.find((c) => c.pid === pid)?.state;
  const s = i?.stats;
  const drops = s?.dropped ? Object.values(s.dropped).reduce((a, b) => a + b, 0) : null;
  return {
    pid, instance: n.address.instance, name, id,
    label: name ?? id ?? (kind === 'supervisor' && depth <= 1 ? 'supervisor (top)' : kind === 'worker' && i?.module ? path.basename(i.module) : kind),
    kind, depth, branch, parent: i?.parent?.pid ?? null,
    status: !i ? 'unresponsive' : state && state !== 'running' ? state : 'running',
    restarts: n.restarts ?? null, cpu, rss: remote ? null : rssBytes(pid), uptimeMs: i?.uptimeMs ?? null,
    userIn: s ? s.user?.received ?? s.received : null, userOut: s ? s.user?.sent ?? s.sent : null,
    runtimeIn: s?.runtime?.received ?? null, runtimeOut: s?.runtime?.sent ?? null,
    queued: s ? s.queued + s.queueLength : null, drops, deadLetters: s?.deadLetters ?? null, module: i?.module ?? null,
  };
}

function downRow(c: ChildInfo, depth: number, branch: string, parent: number): ActorRow {
  return {
    pid: null, instance: null, name: null, id: c.id, label: c.id, kind: c.type, depth, branch, parent,
    status: c.restart === 'permanent' ? 'restarting' : 'stopped', restarts: c.restarts ?? null,
    cpu: null, rss: null, uptimeMs: null, userIn: null, userOut: null, runtimeIn: null, runtimeOut: null,
    queued: null, drops: null, deadLetters: null, module: c.module,
  };
}
