// Section "overload": Samba's msg_source/msg_sink stress. N sender processes send
// small messages into one receiver as fast as they can, each honouring backpressure
// (send() === false → await drained()). Measured over a window: how fairly the
// receiver serves the senders, what the waiting costs the senders (CPU, wake-ups per
// datagram sent), how long a ping to the receiver takes during the storm, and that
// nothing is lost or reordered. Every N runs twice, with the mailbox option
// sendMode 'poll' (POLLOUT watch per backed-up destination) and 'thread' (a native
// thread doing blocking sendmsg), so that one run compares both.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ActorSystem, type ActorRef } from '../../runtime/index.js';
import { root } from '../lib/paths.js';
import { forkTracked, nextMessage, reap, withTimeout } from '../lib/proc.js';
import { DASH, fmtInt } from '../lib/report.js';
import { summarize, type Summary } from '../lib/stats.js';
import type { Check, Section, SectionContext, SectionResult, Table } from '../lib/types.js';
import { CLK_TCK } from '../actors/overload-proc.js';
import { encodeArgs, type FromChild, type OverloadArgs, type ToChild } from '../actors/overload-protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = (name: string): string => path.join(here, '..', 'actors', `${name}.js`);

export const DEFAULT_SENDERS = [1, 50, 200];
const ALL_MODES = ['poll', 'thread'] as const;
/** PIDGEON_BENCH_OVERLOAD_MODES=thread (or poll) runs one mode only. */
const MODES = ALL_MODES.filter((m) => (process.env.PIDGEON_BENCH_OVERLOAD_MODES ?? 'poll,thread').split(',').includes(m));
type Mode = (typeof MODES)[number];
/** Each sender's high-water mark: 64 datagrams of the 4 KiB batches sealed behind a
 * backlog (the default 4 MiB would let 200 senders queue 800 MiB and take a minute to
 * drain at the end). */
const SENDER_HWM = 256 << 10;
const PING_EVERY_MS = 20;
const PING_TIMEOUT_MS = 5000;
const READY_TIMEOUT_MS = 120_000;
const IPC_TIMEOUT_MS = 15_000;
/** After the stop, how long everything sent may take to arrive. */
const DRAIN_TIMEOUT_MS = 30_000;
/** The section stops starting new runs past this (bench/run.ts's watchdog is 10 min). */
const SECTION_BUDGET_MS = 7 * 60_000;

const TARGET = {
  wakeupsPerDatagram: 2,
  senderCpuRatio: 0.5,
  fairMin: 0.5,
  pingP50Ms: 50,
};

// ---- one run: N senders, one sendMode ---------------------------------------

export interface OverloadRun {
  senders: number;
  mode: Mode;
  spawnS: number;
  /** The sink's counting window (its own clock). */
  windowMs: number;
  /** Messages the sink received from each sender during the window. */
  perSender: number[];
  received: number;
  sentInWindow: number;
  /** Datagram bytes the senders sent per message they sent (headers and batch framing included). */
  bytesPerMessage: number | undefined;
  datagrams: number;
  senderCpuS: number;
  sinkCpuS: number;
  wakeups: number;
  mainThreadWakeups: number;
  sendThreadWakeups: number;
  preemptions: number;
  /** Senders' CPU by thread from schedstat, s: every live thread, the event loops,
   * the sending threads (the rest: other threads). */
  senderThreadsCpuS: number;
  senderMainCpuS: number;
  senderSendCpuS: number;
  /** Of the event loops' CPU, the part inside runs of send() calls, and the part
   * spent waiting on drained() after a send() returned false, s. */
  senderSendRunsCpuS: number;
  senderDrainWaitCpuS: number;
  sinkWakeups: number;
  wakeupsPerDatagram: number | undefined;
  fairMin: number | undefined;
  fairMax: number | undefined;
  ping: Summary | undefined;
  pingsSent: number;
  pingsFailed: number;
  /** Sent (as the senders counted) but not received once every sender's queue was empty. */
  lost: number;
  /** Sent but not yet received when the drain timed out (loss then unchecked). */
  undelivered: number;
  /** Received more than sent (should never happen). */
  extra: number;
  violations: number;
  examples: string[];
  drainS: number;
  /** Latest a sender took its window mark after the window's edge, ms (a sender busy
   * or starved of CPU marks late). */
  markSkewMs: number;
  errors: string[];
}

const isType = <T extends FromChild['t']>(t: T) => (m: unknown): m is Extract<FromChild, { t: T }> =>
  typeof m === 'object' && m !== null && (m as { t?: unknown }).t === t;

function tell(child: ChildProcess, m: ToChild): void {
  if (child.connected) child.send(m);
}

async function runOne(n: number, mode: Mode, windowMs: number, warmupMs: number, log: (l: string) => void): Promise<OverloadRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-bench-overload-'));
  const name = 'bench-overload';
  const errors: string[] = [];
  const children: ChildProcess[] = [];
  const onChildMessage = (m: unknown): void => {
    if (isType('error')(m) && errors.length < 20) errors.push(m.message);
  };
  const fork = (file: string, index: number, sink?: ActorRef): ChildProcess => {
    const a: OverloadArgs = { dir, name, sendMode: mode, senders: n, index, highWaterMark: SENDER_HWM, sink };
    // PIDGEON_BENCH_OVERLOAD_EXECARGV: node flags for every sender and the sink (to
    // try V8 settings against the figures, e.g. "--single-threaded-gc").
    const execArgv = (process.env.PIDGEON_BENCH_OVERLOAD_EXECARGV ?? '').split(' ').filter(Boolean);
    // PIDGEON_BENCH_OVERLOAD_PROF=<dir>: a CPU profile of sender 0 and the sink only.
    const prof = process.env.PIDGEON_BENCH_OVERLOAD_PROF;
    if (prof && index <= 0) execArgv.push('--cpu-prof', `--cpu-prof-dir=${prof}`);
    const c = forkTracked(script(file), encodeArgs(a), { execArgv });
    c.on('message', onChildMessage);
    children.push(c);
    return c;
  };
  let sys: ActorSystem | undefined;
  try {
    sys = await ActorSystem.start({ name, dir, ...({ sendMode: mode } as object) });
    const sinkProc = fork('overload-sink', -1);
    const sinkReady = await nextMessage(sinkProc, isType('ready'), READY_TIMEOUT_MS, 'overload sink ready');
    const sink: ActorRef = sinkReady.ref;

    const t0 = performance.now();
    const senders = Array.from({ length: n }, (_, i) => fork('overload-sender', i, sink));
    const ready = await Promise.all(senders.map((c, i) => nextMessage(c, isType('ready'), READY_TIMEOUT_MS, `overload sender ${i} ready`)));
    const spawnS = (performance.now() - t0) / 1000;
    log(`    ${n} sender(s) ready in ${spawnS.toFixed(1)} s; storm (${mode})`);

    let tag = 0;
    const sinkStats = async () => {
      const my = ++tag;
      const p = nextMessage(sinkProc, (m): m is Extract<FromChild, { t: 'sinkStats' }> => isType('sinkStats')(m) && m.tag === my, IPC_TIMEOUT_MS, 'sink stats');
      tell(sinkProc, { t: 'stats', tag: my });
      return p;
    };

    // Every process marks the window [wStart, wEnd) by its own clock: no control
    // message has to cross the storm (and wait behind it) at the window's edges.
    const wStart = Date.now() + warmupMs;
    const wEnd = wStart + windowMs;
    tell(sinkProc, { t: 'window', start: wStart, end: wEnd });
    await sleep(50);
    for (const c of senders) tell(c, { t: 'go', sink, start: wStart, end: wEnd });
    await sleep(Math.max(0, wStart - Date.now()));

    let pinging = true;
    const lat: number[] = [];
    let pingsSent = 0;
    let pingsFailed = 0;
    const pinger = (async () => {
      while (pinging) {
        const t = performance.now();
        pingsSent++;
        try {
          await sys!.ask(sink, 'ping', { timeout: PING_TIMEOUT_MS });
          lat.push(performance.now() - t);
        } catch {
          pingsFailed++;
          lat.push(performance.now() - t); // a timeout counts as its (censored) latency
        }
        if (pinging) await sleep(PING_EVERY_MS);
      }
    })();

    await sleep(Math.max(0, wEnd - Date.now()));
    pinging = false;
    await withTimeout(pinger, PING_TIMEOUT_MS + 2000, 'pinger');

    // Stop, let every queue empty, and check that everything sent arrived in order.
    // Bounded: what has not arrived DRAIN_TIMEOUT_MS after the stop is reported as
    // undelivered (still queued at the senders), not as lost.
    const td = performance.now();
    const stopping = senders.map((c, i) => nextMessage(c, isType('stopping'), IPC_TIMEOUT_MS, `sender ${i} stop`));
    const flushedP = senders.map((c) => nextMessage(c, isType('flushed'), DRAIN_TIMEOUT_MS + IPC_TIMEOUT_MS, 'flushed').catch(() => null));
    for (const c of senders) tell(c, { t: 'stop' });
    const fin = await Promise.all(stopping);
    let markSkewMs = 0;
    // A process starved of CPU marks late; if its two marks are much closer or further
    // apart than the window, its CPU and wake-ups cover that span instead.
    let offSpan = 0;
    const spanOff = (m: { start: { at: number } | null; end: { at: number } | null }): boolean =>
      m.start !== null && m.end !== null && Math.abs(m.end.at - m.start.at - windowMs) > 0.2 * windowMs;
    for (const [i, f] of fin.entries()) {
      if (!f.start || !f.end) errors.push(`sender ${i} did not mark the window`);
      else markSkewMs = Math.max(markSkewMs, f.start.at - wStart, f.end.at - wEnd);
      if (spanOff(f)) offSpan++;
    }
    const totalSent = fin.reduce((a, f) => a + f.sent, 0);
    // A receiver still starved by the storm may answer its IPC late: keep asking.
    type SinkStats = Extract<FromChild, { t: 'sinkStats' }>;
    let got: SinkStats | null = null;
    const until = performance.now() + DRAIN_TIMEOUT_MS;
    for (;;) {
      try {
        got = await sinkStats();
      } catch { /* late: ask again */ }
      if ((got && got.counts.reduce((a, b) => a + b, 0) >= totalSent) || performance.now() >= until) break;
      await sleep(250);
    }
    if (got === null) throw new Error(`the sink answered no stats request within ${DRAIN_TIMEOUT_MS / 1000} s of the stop`);
    const last: SinkStats = got;
    const drainS = (performance.now() - td) / 1000;
    const drainedAll = last.counts.reduce((a, b) => a + b, 0) >= totalSent;
    if (drainedAll) {
      for (const [i, f] of (await Promise.all(flushedP)).entries()) {
        if (f === null) errors.push(`sender ${i} did not report an empty queue`);
        else if (f.error) errors.push(`sender ${i} flush: ${f.error}`);
        else if (f.queued !== 0) errors.push(`sender ${i} still had ${f.queued} queued message(s) after flushing`);
      }
    }
    let missing = 0;
    let extra = 0;
    for (let i = 0; i < n; i++) {
      const d = fin[i].sent - last.counts[i];
      if (d > 0) missing += d;
      else extra -= d;
    }
    const lost = drainedAll ? missing : 0;
    const undelivered = drainedAll ? 0 : missing;
    if (!drainedAll) errors.push(`${fmtInt(undelivered)} message(s) sent before the stop had not arrived ${(DRAIN_TIMEOUT_MS / 1000).toFixed(0)} s after it (still queued at the senders): loss not checked`);
    const perSender = last.inWindow;
    if (last.windowToldAt > wStart) errors.push(`the sink learnt of the window ${last.windowToldAt - wStart} ms after it began: its counts miss the start`);
    if (last.other > 0) errors.push(`the sink got ${last.other} message(s) it did not expect`);
    const received = perSender.reduce((a, b) => a + b, 0);
    const meanPer = received / n;
    const delta = (k: 'sent' | 'wireSent' | 'datagramsSent' | 'bytesSent' | 'cpuTicks' | 'wakeups' | 'mainThread' | 'sendThreads' | 'preemptions' | 'allNs' | 'mainNs' | 'sendNs' | 'sendRunsNs' | 'drainWaitNs'): number =>
      fin.reduce((a, f) => a + (f.start && f.end ? f.end[k] - f.start[k] : 0), 0);
    const datagrams = delta('datagramsSent');
    const sentInWindow = delta('sent');
    const bytesInWindow = delta('bytesSent');
    const wireInWindow = delta('wireSent');
    const wk = delta('wakeups');
    if (!last.start || !last.end) errors.push('the sink did not mark the window');
    else markSkewMs = Math.max(markSkewMs, last.start.at - wStart, last.end.at - wEnd);
    if (offSpan > 0) errors.push(`${offSpan} sender(s) marked the window edges more than 20 % off its length (starved of CPU): their CPU, wake-ups and datagrams cover that span`);
    if (spanOff(last)) errors.push(`the receiver marked the window edges ${fmtInt(last.end!.at - last.start!.at)} ms apart instead of ${windowMs} (starved of CPU at an edge): its CPU and wake-ups cover that span`);
    const sinkDelta = (k: 'cpuTicks' | 'wakeups'): number => (last.start && last.end ? last.end[k] - last.start[k] : NaN);
    return {
      senders: n,
      mode,
      spawnS,
      windowMs,
      perSender,
      received,
      sentInWindow,
      bytesPerMessage: wireInWindow > 0 ? bytesInWindow / wireInWindow : undefined,
      datagrams,
      senderCpuS: delta('cpuTicks') / CLK_TCK,
      sinkCpuS: sinkDelta('cpuTicks') / CLK_TCK,
      wakeups: wk,
      mainThreadWakeups: delta('mainThread'),
      sendThreadWakeups: delta('sendThreads'),
      preemptions: delta('preemptions'),
      senderThreadsCpuS: delta('allNs') / 1e9,
      senderMainCpuS: delta('mainNs') / 1e9,
      senderSendCpuS: delta('sendNs') / 1e9,
      senderSendRunsCpuS: delta('sendRunsNs') / 1e9,
      senderDrainWaitCpuS: delta('drainWaitNs') / 1e9,
      sinkWakeups: sinkDelta('wakeups'),
      wakeupsPerDatagram: datagrams > 0 ? wk / datagrams : undefined,
      fairMin: meanPer > 0 ? Math.min(...perSender) / meanPer : undefined,
      fairMax: meanPer > 0 ? Math.max(...perSender) / meanPer : undefined,
      ping: lat.length ? summarize(lat) : undefined,
      pingsSent,
      pingsFailed,
      lost,
      undelivered,
      extra,
      violations: last.violations,
      examples: last.examples,
      drainS,
      markSkewMs,
      errors,
    };
  } finally {
    for (const c of children) tell(c, { t: 'exit' });
    await Promise.all(children.map((c) => reap(c, 5000)));
    await sys?.shutdown({ timeout: 1000 }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the section -------------------------------------------------------------

/** Does this build's runtime know the sendMode option at all? (Until it does, both
 * columns measure the same POLLOUT path.) */
function runtimeKnowsSendMode(): boolean {
  const dirs = [path.join(root, 'dist', 'runtime', 'transport'), path.join(root, 'dist', 'runtime', 'core')];
  for (const d of dirs) {
    let files: string[] = [];
    try { files = fs.readdirSync(d).filter((f) => f.endsWith('.js')); } catch { continue; }
    for (const f of files) if (fs.readFileSync(path.join(d, f), 'utf8').includes('sendMode')) return true;
  }
  return false;
}

const f1 = (v: number | undefined, digits = 1): string => (v === undefined || !Number.isFinite(v) ? DASH : v.toFixed(digits));
const mark = (text: string, ok: boolean | undefined): string => (ok === undefined ? text : `${text} ${ok ? 'OK' : 'MISS'}`);

function senderCpuRatio(r: OverloadRun): number | undefined {
  return r.sinkCpuS > 0 ? r.senderCpuS / r.sinkCpuS : undefined;
}
// The senders' CPU spent waiting, measured directly: the event loops' CPU outside
// their runs of send() calls (drained() waits, and the turns between bursts, where
// backlog callbacks run: the POLLOUT retries of sendMode poll, the sending thread's
// progress reports) plus all of the sending threads' (their blocking sendmsg: its
// copy into the kernel is sending, counted here all the same). An upper bound: the
// turns between bursts also hold what a sender that never waits spends on them. Not
// counted: V8's compiler and GC threads (their work follows the JavaScript run).
function waitingCpuS(r: OverloadRun): number {
  return Math.max(0, r.senderMainCpuS - r.senderSendRunsCpuS) + r.senderSendCpuS;
}
function waitingCpuRatio(r: OverloadRun): number | undefined {
  return r.sinkCpuS > 0 && r.senderThreadsCpuS > 0 ? waitingCpuS(r) / r.sinkCpuS : undefined;
}
const okWaiting = (r: OverloadRun) => { const v = waitingCpuRatio(r); return v === undefined ? undefined : v <= TARGET.senderCpuRatio; };
const okWake = (r: OverloadRun) => (r.wakeupsPerDatagram === undefined ? undefined : r.wakeupsPerDatagram <= TARGET.wakeupsPerDatagram);
const okFair = (r: OverloadRun) => (r.fairMin === undefined ? undefined : r.fairMin >= TARGET.fairMin);
const okPing = (r: OverloadRun) => (r.ping === undefined ? (r.pingsSent > 0 ? false : undefined) : r.ping.median <= TARGET.pingP50Ms);
const okIntact = (r: OverloadRun): boolean | undefined =>
  r.extra > 0 || r.violations > 0 || r.lost > 0 ? false : r.undelivered > 0 ? undefined : true;

function table(runs: OverloadRun[]): Table {
  const col = (f: (r: OverloadRun) => string): string[] => runs.map(f);
  const rows: string[][] = [
    ['sender spawn, s (1)', '', ...col((r) => f1(r.spawnS))],
    ['window, s', '', ...col((r) => f1(r.windowMs / 1000, 2))],
    ['latest window mark after its edge, ms (2)', '', ...col((r) => fmtInt(r.markSkewMs))],
    ['messages received in window', '', ...col((r) => fmtInt(r.received))],
    ['received, msgs/s', '', ...col((r) => fmtInt(r.received / (r.windowMs / 1000)))],
    ['datagrams sent in window (2)', '', ...col((r) => fmtInt(r.datagrams))],
    ['wire bytes per message sent', '', ...col((r) => f1(r.bytesPerMessage))],
    ['sender wake-ups in window (3)', '', ...col((r) => fmtInt(r.wakeups))],
    ['wake-ups per datagram', `≤ ${TARGET.wakeupsPerDatagram}`, ...col((r) => mark(f1(r.wakeupsPerDatagram), okWake(r)))],
    ['  of which event-loop threads', '', ...col((r) => f1(r.datagrams ? r.mainThreadWakeups / r.datagrams : undefined))],
    ['  of which sending threads', '', ...col((r) => f1(r.datagrams ? r.sendThreadWakeups / r.datagrams : undefined))],
    ['  of which other threads (V8 GC, libuv pool)', '', ...col((r) => f1(r.datagrams ? (r.wakeups - r.mainThreadWakeups - r.sendThreadWakeups) / r.datagrams : undefined))],
    ['sender preemptions per datagram (3)', '', ...col((r) => f1(r.datagrams ? r.preemptions / r.datagrams : undefined))],
    ['senders CPU, s (4)', '', ...col((r) => f1(r.senderCpuS, 2))],
    ['senders CPU by thread (schedstat), s (4c)', '', ...col((r) => f1(r.senderThreadsCpuS, 2))],
    ['  of which event-loop threads', '', ...col((r) => f1(r.senderMainCpuS, 2))],
    ['  of which sending threads', '', ...col((r) => f1(r.senderSendCpuS, 2))],
    ['  of which other threads (V8 GC and compiler, libuv pool)', '', ...col((r) => f1(r.senderThreadsCpuS - r.senderMainCpuS - r.senderSendCpuS, 2))],
    ['receiver CPU, s', '', ...col((r) => f1(r.sinkCpuS, 2))],
    ['receiver wake-ups in window', '', ...col((r) => fmtInt(r.sinkWakeups))],
    ['senders CPU ÷ receiver CPU (all of it: producing the messages too)', '', ...col((r) => `${f1(senderCpuRatio(r), 2)}×`)],
    ['senders CPU waiting, s (4b)', '', ...col((r) => f1(r.senderThreadsCpuS > 0 ? waitingCpuS(r) : undefined, 2))],
    ['  of which event loops in drained() waits', '', ...col((r) => f1(r.senderThreadsCpuS > 0 ? r.senderDrainWaitCpuS : undefined, 2))],
    ['  of which event loops between bursts', '', ...col((r) => f1(r.senderThreadsCpuS > 0 ? Math.max(0, r.senderMainCpuS - r.senderSendRunsCpuS - r.senderDrainWaitCpuS) : undefined, 2))],
    ['  of which sending threads', '', ...col((r) => f1(r.senderThreadsCpuS > 0 ? r.senderSendCpuS : undefined, 2))],
    ['waiting senders CPU ÷ receiver CPU', `≤ ${TARGET.senderCpuRatio}×`, ...col((r) => mark(`${f1(waitingCpuRatio(r), 2)}×`, okWaiting(r)))],
    ['senders CPU per message, µs', '', ...col((r) => f1(r.received ? (r.senderCpuS * 1e6) / r.received : undefined))],
    ['receiver CPU per message, µs', '', ...col((r) => f1(r.received ? (r.sinkCpuS * 1e6) / r.received : undefined))],
    ['fairness min ÷ mean (5)', `≥ ${TARGET.fairMin}`, ...col((r) => mark(f1(r.fairMin, 2), okFair(r)))],
    ['fairness max ÷ mean', '', ...col((r) => f1(r.fairMax, 2))],
    ['least / most served sender, msgs', '', ...col((r) => `${fmtInt(Math.min(...r.perSender))} / ${fmtInt(Math.max(...r.perSender))}`)],
    ['ping p50, ms (6)', `≤ ${TARGET.pingP50Ms}`, ...col((r) => mark(f1(r.ping?.median), okPing(r)))],
    ['ping p99, ms', '', ...col((r) => f1(r.ping?.p99))],
    ['pings answered / sent', '', ...col((r) => `${r.pingsSent - r.pingsFailed} / ${r.pingsSent}`)],
    ['lost / reordered (7)', '0 / 0', ...col((r) => mark(r.undelivered ? `? (${fmtInt(r.undelivered)} late) / ${fmtInt(r.violations)}` : `${fmtInt(r.lost + r.extra)} / ${fmtInt(r.violations)}`, okIntact(r)))],
    ['drain after stop, s', '', ...col((r) => f1(r.drainS))],
  ];
  return {
    title: 'Overload: N senders into one receiver, sendMode poll vs thread',
    headers: ['figure', 'target', ...runs.map((r) => `${r.senders} ${r.mode}`)],
    numeric: [false, false, ...runs.map(() => true)],
    rows,
    footnotes: [
      '(1) From forking the first sender until every sender has its mailbox open and said ready over IPC; not part of the window.',
      '(2) Every process marks the window by its own clock (no control message crosses the storm at its edges): when it first runs after each edge (from its send loop or message handler, or a timer) it notes its system.stats() and its own /proc readings; this row is the latest such note after its edge, over all processes (a process starved of CPU marks late). Datagrams = sum over the senders of datagramsSent at the end mark minus the start mark.',
      '(3) Wake-ups: sum over every thread of every sender process of voluntary_ctxt_switches (/proc/self/task/*/status: the thread slept and was woken), end mark minus start mark; split by thread: the event loop\'s (tid = pid), pidgeon\'s sending threads (named pidgeon-send), the others (V8\'s GC workers, libuv\'s pool). Preemptions: nonvoluntary_ctxt_switches (a runnable thread lost its CPU to another process: contention on the machine, not waiting), shown apart.',
      '(4) Sum over the sender processes of utime + stime (/proc/self/stat, all threads), end mark minus start mark; the receiver\'s the same for its one process.',
      '(4b) Measured directly in every sender (schedstat, ns): its event loop\'s CPU outside its runs of send() calls plus all of its sending threads\' CPU, split below. Outside the runs: from each send() that returned false until drained() resolved (the wake-up, backpressure callbacks, the drained() promise), and the event loop\'s turns between bursts, where the backlog\'s callbacks run (the POLLOUT retries of sendMode poll; the sending thread\'s progress reports, on which the loop seals what coalesced meanwhile and copies it to the thread). An upper bound: the sending threads\' blocking sendmsg copies into the kernel (sending, counted here anyway), and a sender that never waits has turns between bursts too (compare the 1-sender columns). Not counted: the runs of send() calls (producing, encoding and sending the messages) and V8\'s compiler and GC threads, whose work follows the JavaScript that runs. A sender\'s own schedstat is read after process.cpuUsage(): getrusage brings the calling thread\'s runtime up to date, where the file alone lags a running thread by up to a scheduler tick (4 ms here; runs of a few ms read without it put a third of their CPU outside them). A window mark reads ~20 /proc files; the event loop\'s CPU is read last at the start mark and first at the end mark, so that the marks\' own cost stays outside the window. The plain ratio above counts everything: 200 young processes each producing a few thousand messages a second cost several µs per message (code not yet optimised, caches cold after every switch), more than the receiver spends taking them.',
      '(4c) The same CPU summed over the live threads of every sender from /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU, exact), split by thread: the event loop (tid = pid), the sending threads (pidgeon-send), the rest (V8\'s GC and compiler workers, libuv\'s pool). The row above it is whole clock ticks per process, as ps shows.',
      '(5) Messages the receiver handled from each sender during the window (counted by the receiver against its own clock): least-served ÷ mean, most-served ÷ mean.',
      `(6) system.ask(receiver, 'ping') from the bench root, one at a time, ${PING_EVERY_MS} ms apart, during the window; the receiver answers at once. A ping unanswered after ${PING_TIMEOUT_MS / 1000} s counts as ${PING_TIMEOUT_MS / 1000} s.`,
      `(7) After the window the senders stop and their queues empty; lost = sent (sender's count) minus received (receiver's count), summed; reordered = messages whose sequence number was not the sender's previous one + 1. If not everything has arrived ${DRAIN_TIMEOUT_MS / 1000} s after the stop, loss is not checked ("? (N late)").`,
    ],
  };
}

function checks(runs: OverloadRun[]): Check[] {
  const maxN = Math.max(...runs.map((r) => r.senders));
  const out: Check[] = [];
  for (const r of runs.filter((x) => x.senders === maxN)) {
    const at = `${r.senders} senders, sendMode ${r.mode}`;
    out.push(
      { target: `wake-ups per datagram ≤ ${TARGET.wakeupsPerDatagram} (${at})`, ok: okWake(r) ?? null, detail: `${f1(r.wakeupsPerDatagram)} (${fmtInt(r.wakeups)} wake-ups for ${fmtInt(r.datagrams)} datagrams)` },
      { target: `waiting senders' CPU ≤ ${TARGET.senderCpuRatio}× the receiver's (${at})`, ok: okWaiting(r) ?? null, detail: waitingCpuRatio(r) === undefined ? 'not measured' : `${f1(waitingCpuS(r), 2)} s waiting (of ${f1(r.senderCpuS, 2)} s in all) vs ${f1(r.sinkCpuS, 2)} s = ${f1(waitingCpuRatio(r), 2)}×` },
      { target: `fairness min/mean ≥ ${TARGET.fairMin} (${at})`, ok: okFair(r) ?? null, detail: `min ${fmtInt(Math.min(...r.perSender))}, mean ${fmtInt(r.received / r.senders)}, max ${fmtInt(Math.max(...r.perSender))} messages in the window` },
      { target: `ping p50 ≤ ${TARGET.pingP50Ms} ms during the storm (${at})`, ok: okPing(r) ?? null, detail: r.ping ? `p50 ${f1(r.ping.median)} ms, p99 ${f1(r.ping.p99)} ms over ${r.ping.count} pings (${r.pingsFailed} failed)` : `no ping answered (${r.pingsFailed} failed)` },
      { target: `nothing lost, order kept (${at})`, ok: okIntact(r) ?? null, detail: `${r.undelivered ? `${fmtInt(r.undelivered)} not yet arrived ${DRAIN_TIMEOUT_MS / 1000} s after the stop (loss unchecked)` : `${fmtInt(r.lost)} lost`}, ${fmtInt(r.extra)} extra, ${fmtInt(r.violations)} out of sequence${r.examples.length ? ` (${r.examples.join('; ')})` : ''}` },
    );
  }
  return out;
}

export function overloadSenders(fromOpts: number[] | undefined): number[] {
  if (fromOpts?.length) return fromOpts;
  const env = process.env.PIDGEON_BENCH_OVERLOAD_SENDERS;
  if (env) {
    const v = env.split(',').map(Number);
    if (v.every((x) => Number.isInteger(x) && x > 0)) return v;
  }
  return DEFAULT_SENDERS;
}

export const overloadSection: Section = {
  id: 'overload',
  title: 'Overload: many senders into one receiver (msg_source/msg_sink stress)',
  async run(ctx: SectionContext): Promise<SectionResult> {
    const { opts, log } = ctx;
    const senderCounts = overloadSenders(opts.overloadSenders);
    // The defaults (2000/500 ms) give the issue's 5 s window after 1 s of warm-up;
    // --quick (600/200 ms) gives 1.5 s after 0.4 s.
    const windowMs = opts.overloadWindowMs ?? Math.round(opts.durationMs * 2.5);
    // Fresh processes start cold (their code not yet optimised) and, with many of
    // them, slowly: the storm runs a while before the window opens.
    // Measured on 2 cores: 200 fresh senders need several seconds before the storm is
    // steady, hence 30 ms per sender on top.
    const warmupFor = (n: number): number => Math.max(1000, opts.warmupMs * 2) + 30 * n;
    const runs: OverloadRun[] = [];
    const errors: string[] = [];
    const t0 = performance.now();
    for (const n of senderCounts) {
      for (const mode of MODES) {
        if (performance.now() - t0 > SECTION_BUDGET_MS) {
          errors.push(`${n} senders, ${mode}: skipped, the section ran past its ${SECTION_BUDGET_MS / 60_000} min budget`);
          continue;
        }
        log(`  ${n} sender(s), sendMode ${mode}`);
        try {
          const r = await runOne(n, mode, windowMs, warmupFor(n), log);
          runs.push(r);
          for (const e of r.errors) errors.push(`${n} senders, ${mode}: ${e}`);
        } catch (err) {
          errors.push(`${n} senders, ${mode}: ${(err as Error).message}`);
        }
      }
    }
    const notes = [
      `Every sender and the receiver is a plain member process (ActorSystem.start in a forked node process, control over the fork IPC channel, not through the mailboxes). Each sender sends { s: index, n: seq, p: 40 × 'x' } (about 64 bytes encoded) with system.send() in bursts of up to 512 per event-loop turn and, when send() returns false, awaits system.drained(receiver). Senders' highWaterMark is ${SENDER_HWM >> 10} KiB. Before saying ready, each sender warms up on the same path: ${process.env.PIDGEON_BENCH_OVERLOAD_WARM ?? '30000'} messages to the receiver (sequence numbers below 0, not counted), so that V8 has compiled the send path for the shapes it will see (measured: without it, 200 young senders were still compiling in the window, and V8's compiler threads took over half of the senders' CPU there).`,
      `Each configuration runs once with sendMode 'poll' and once with 'thread' (passed to ActorSystem.start of every process), fresh processes and a fresh system directory each time; ${senderCounts.map((n) => `${warmupFor(n)} ms`).join(' / ')} of storm (for ${senderCounts.join(' / ')} senders) before a ${windowMs} ms window.`,
      runtimeKnowsSendMode()
        ? 'This build\'s runtime knows the sendMode option.'
        : 'This build\'s runtime does not know the sendMode option yet: it is ignored, and both columns measure the same POLLOUT path.',
      'The bench root and its pings are not counted in the senders\' or the receiver\'s figures; the machine\'s other load is (see the busy warning). Each process reads /proc about itself twice per window (a few hundred µs of its CPU).',
    ];
    return { id: 'overload', title: overloadSection.title, tables: runs.length ? [table(runs)] : [], checks: checks(runs), notes, errors, raw: { windowMs, warmupMs: senderCounts.map(warmupFor), senderHwm: SENDER_HWM, runs } };
  },
};
