// Section "transport": raw C vs Node IPC vs pidgeon's transport, side by side, with
// the targets checked, plus a round-trip ladder that shows where pidgeon's time goes.
//
// Round trips are measured interleaved: every subject runs `rounds` short rounds in a
// rotating order and the samples are pooled, so that a slow drift of this (virtual)
// machine's speed lands on all subjects alike instead of on whichever ran last.
import { buildC, cRttSubject, runCThroughput } from '../c-dgram.js';
import { nativeRttSubject } from '../native-loop.js';
import { nodeIpcRttSubject, runNodeIpcThroughput } from '../node-ipc.js';
import { nodeNetRttSubject } from '../node-net.js';
import { pidgeonRttSubject, runPidgeonThroughput } from '../pidgeon-transport.js';
import { bigChecks, bigTable, runBigMessages } from '../big-messages.js';
import { DASH, fmtInt, fmtRatio, fmtUs, ratio } from '../lib/report.js';
import { median, summarize } from '../lib/stats.js';
import type {
  Check, MeasureOptions, RttResult, RttSubject, Section, SectionContext, SectionResult, Table, ThroughputFigures,
} from '../lib/types.js';

/** The project's targets for the transport. */
export const TARGETS = {
  rttVsC: 1.25,            // pidgeon's median round trip at most 1.25x raw C's
  onewayMsgsPerS: 1_000_000,
  bulkMBps: 1000,          // 1 GB/s
};

/** Warm-up of every round after the first (the first uses opts.warmupMs). */
const ROUND_WARMUP_MS = 100;

export async function measureRoundTrips(subjects: RttSubject[], opts: MeasureOptions, log: (s: string) => void): Promise<RttResult[]> {
  const results = new Map<RttSubject, { parts: Float64Array[]; perRound: number[]; error?: string }>();
  const open: RttSubject[] = [];
  try {
    for (const s of subjects) {
      results.set(s, { parts: [], perRound: [] });
      try {
        await s.open(opts);
        open.push(s);
      } catch (err) {
        results.get(s)!.error = `open: ${(err as Error).message}`;
      }
    }
    const perRound = Math.max(50, Math.round(opts.durationMs / opts.rounds));
    for (let round = 0; round < opts.rounds; round++) {
      const order = open.map((_, i) => open[(i + round) % open.length]);
      for (const s of order) {
        const r = results.get(s)!;
        if (r.error) continue;
        try {
          const samples = await s.measure(perRound, round === 0 ? opts.warmupMs : ROUND_WARMUP_MS);
          r.parts.push(samples);
          r.perRound.push(median(samples));
        } catch (err) {
          r.error = `round ${round + 1}: ${(err as Error).message}`;
        }
      }
      log(`  round trips: round ${round + 1}/${opts.rounds} done`);
    }
  } finally {
    for (const s of open) await s.close().catch(() => undefined);
  }
  return subjects.map((s) => {
    const r = results.get(s)!;
    const all = new Float64Array(r.parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of r.parts) {
      all.set(p, off);
      off += p.length;
    }
    return {
      id: s.id, label: s.label, describe: s.describe,
      summary: r.error || all.length === 0 ? undefined : summarize(all),
      perRound: r.perRound, error: r.error,
    };
  });
}

function mainTable(rtt: Map<string, RttResult>, c: ThroughputFigures, n: ThroughputFigures, p: ThroughputFigures, opts: MeasureOptions): Table {
  const cR = rtt.get('c')?.summary;
  const nR = rtt.get('node-ipc')?.summary;
  const pR = rtt.get('pidgeon')?.summary;
  const small = `${opts.smallSize} B`;
  const bulk = opts.bulkSize === 1 << 20 ? '1 MiB' : `${opts.bulkSize} B`;
  const row = (label: string, cv: number | undefined, nv: number | undefined, pv: number | undefined, fmt: (v: number | undefined) => string, nodeApplies = true): string[] =>
    [label, fmt(cv), nodeApplies ? fmt(nv) : DASH, fmt(pv), fmtRatio(ratio(pv, cv)), nodeApplies ? fmtRatio(ratio(pv, nv)) : DASH];
  return {
    title: `Transport, side by side (↓ lower is better, ↑ higher is better; ratios are pidgeon ÷ the other)`,
    headers: ['figure', 'raw C', 'Node IPC', 'pidgeon', 'pidgeon ÷ C', 'pidgeon ÷ Node IPC'],
    numeric: [false, true, true, true, true, true],
    rows: [
      row(`round trip ${small}, median µs ↓`, cR?.median, nR?.median, pR?.median, fmtUs),
      row(`round trip ${small}, p99 µs ↓`, cR?.p99, nR?.p99, pR?.p99, fmtUs),
      row(`one-way ${small}, msg/s ↑ (1)`, c.oneway?.msgsPerS, n.oneway?.msgsPerS, p.oneway?.msgsPerS, fmtInt),
      row(`one-way ${small}, msg/s ↑, C with sendmmsg (2)`, c.onewayBatched?.msgsPerS, undefined, p.oneway?.msgsPerS, fmtInt, false),
      row(`one-way ${small}, msg/s ↑, one datagram per message (3)`, c.oneway?.msgsPerS, undefined, p.onewayUnbatched?.msgsPerS, fmtInt, false),
      row(`${bulk} messages, MB/s ↑ (4)`, c.bulk?.mbPerS, n.bulk?.mbPerS, p.bulk?.mbPerS, fmtInt),
    ],
    footnotes: [
      '(1) raw C: one blocking send() per datagram; Node IPC: one send() per message; pidgeon: one Mailbox.send() per message, which the transport coalesces into batch datagrams.',
      '(2) raw C batching its syscalls (sendmmsg/recvmmsg, 64 per call) against the same pidgeon figure as (1).',
      '(3) pidgeon with coalescing defeated (a microtask awaited after each send) against raw C one datagram per message.',
      `(4) MB = 10^6 bytes. Node IPC: ${String(n.bulk?.extra?.encoding ?? 'n/a')}.`,
    ],
  };
}

function ladderTable(results: RttResult[]): Table {
  const rows: string[][] = [];
  let prev: number | undefined;
  for (const r of results) {
    const s = r.summary;
    rows.push([
      r.label,
      fmtUs(s?.median), fmtUs(s?.p99), fmtUs(s?.mean),
      prev !== undefined && s ? `+${fmtUs(s.median - prev)}` : DASH,
      r.perRound.map((v) => fmtUs(v)).join(' / ') || DASH,
      r.describe,
    ]);
    if (s) prev = s.median;
  }
  return {
    title: 'Where a round trip goes (µs per 64 B round trip, two processes; Δ = median minus the row above)',
    headers: ['rung', 'median', 'p99', 'mean', 'Δ median', 'median per round', 'what travels'],
    numeric: [false, true, true, true, true, false, false],
    rows,
    footnotes: [
      'raw C → C event-loop shaped: the cost of epoll + recvmmsg + credentials instead of a blocking recv().',
      'Node net: Node core\'s own round trip over a Unix stream socket (libuv, no N-API): the floor between two Node event loops.',
      'Node + addon only: pidgeon\'s native send/receive with nothing above it; pidgeon: the whole Mailbox.',
    ],
  };
}

function checks(rtt: Map<string, RttResult>, p: ThroughputFigures): Check[] {
  const out: Check[] = [];
  const c = rtt.get('c')?.summary?.median;
  const n = rtt.get('node-ipc')?.summary?.median;
  const pg = rtt.get('pidgeon')?.summary?.median;
  if (pg === undefined || c === undefined) {
    out.push({ target: `round trip ≤ ${TARGETS.rttVsC}× raw C`, ok: null, detail: 'a figure is missing' });
  } else {
    const limit = TARGETS.rttVsC * c;
    out.push({
      target: `round trip ≤ ${TARGETS.rttVsC}× raw C (median)`,
      ok: pg <= limit,
      detail: pg <= limit
        ? `pidgeon ${fmtUs(pg)} µs ≤ ${fmtUs(limit)} µs (${fmtRatio(pg / c)} raw C)`
        : `pidgeon ${fmtUs(pg)} µs vs limit ${fmtUs(limit)} µs (${TARGETS.rttVsC} × ${fmtUs(c)}): ${fmtRatio(pg / c)} raw C, ${fmtUs(pg - limit)} µs over the limit (${fmtRatio(pg / limit)} of it)`,
    });
  }
  if (pg === undefined || n === undefined) {
    out.push({ target: 'round trip below Node IPC', ok: null, detail: 'a figure is missing' });
  } else {
    out.push({
      target: 'round trip below Node IPC (median)',
      ok: pg < n,
      detail: pg < n
        ? `pidgeon ${fmtUs(pg)} µs < Node IPC ${fmtUs(n)} µs (${fmtUs(n - pg)} µs, ${((1 - pg / n) * 100).toFixed(0)}% faster)`
        : `pidgeon ${fmtUs(pg)} µs ≥ Node IPC ${fmtUs(n)} µs: ${fmtUs(pg - n)} µs (${((pg / n - 1) * 100).toFixed(0)}%) slower`,
    });
  }
  const ow = p.oneway?.msgsPerS;
  out.push(ow === undefined
    ? { target: `one-way 64 B ≥ ${fmtInt(TARGETS.onewayMsgsPerS)} msg/s`, ok: null, detail: 'not measured' }
    : {
      target: `one-way 64 B ≥ ${fmtInt(TARGETS.onewayMsgsPerS)} msg/s`,
      ok: ow >= TARGETS.onewayMsgsPerS,
      detail: ow >= TARGETS.onewayMsgsPerS
        ? `${fmtInt(ow)} msg/s (${fmtRatio(ow / TARGETS.onewayMsgsPerS)} the target)`
        : `${fmtInt(ow)} msg/s: ${fmtInt(TARGETS.onewayMsgsPerS - ow)} msg/s (${((1 - ow / TARGETS.onewayMsgsPerS) * 100).toFixed(0)}%) short`,
    });
  const bk = p.bulk?.mbPerS;
  out.push(bk === undefined
    ? { target: `1 MiB messages ≥ ${fmtInt(TARGETS.bulkMBps)} MB/s`, ok: null, detail: 'not measured' }
    : {
      target: `1 MiB messages ≥ ${fmtInt(TARGETS.bulkMBps)} MB/s`,
      ok: bk >= TARGETS.bulkMBps,
      detail: bk >= TARGETS.bulkMBps
        ? `${fmtInt(bk)} MB/s (${fmtRatio(bk / TARGETS.bulkMBps)} the target)`
        : `${fmtInt(bk)} MB/s: ${fmtInt(TARGETS.bulkMBps - bk)} MB/s (${((1 - bk / TARGETS.bulkMBps) * 100).toFixed(0)}%) short`,
    });
  return out;
}

export const transportSection: Section = {
  id: 'transport',
  title: 'Transport: raw C vs Node IPC vs pidgeon',
  async run(ctx: SectionContext): Promise<SectionResult> {
    const { opts, log } = ctx;
    const errors: string[] = [];
    const notes: string[] = [];
    log(`  compiling bench/c/dgram_bench.c`);
    notes.push(`raw C compiled at bench time: ${await buildC()}`);

    log(`  round trips: ${opts.rounds} interleaved rounds of ${Math.round(opts.durationMs / opts.rounds)} ms per subject`);
    const subjects = [
      cRttSubject('pingpong'), cRttSubject('pingpong-epoll'), nodeNetRttSubject(), nativeRttSubject(), pidgeonRttSubject(), nodeIpcRttSubject(),
    ];
    const rttList = await measureRoundTrips(subjects, opts, log);
    const rtt = new Map(rttList.map((r) => [r.id, r]));
    for (const r of rttList) if (r.error) errors.push(`${r.label} round trips: ${r.error}`);
    notes.push(
      `round trips: per-round-trip timings (performance.now() in Node, CLOCK_MONOTONIC in C), ${opts.rounds} rounds of ${Math.round(opts.durationMs / opts.rounds)} ms per subject in rotating order, pooled; warm-up ${opts.warmupMs} ms before the first round and ${ROUND_WARMUP_MS} ms before each later one`,
      ...rttList.map((r) => `round trip, ${r.label}: ${r.describe}${r.summary ? ` (${fmtInt(r.summary.count)} samples)` : ''}`),
    );

    log('  one-way: raw C');
    const c = await runCThroughput(opts);
    log('  one-way: Node IPC');
    const n = await runNodeIpcThroughput(opts);
    log('  one-way: pidgeon');
    const p = await runPidgeonThroughput(opts);
    for (const f of [c, n, p]) {
      notes.push(...f.notes);
      errors.push(...f.errors);
    }
    notes.push(`one-way: ${opts.warmupMs} ms warm-up, then ${opts.durationMs} ms timed; the clock stops when the receiver has confirmed the count of what was sent (so everything counted was delivered)`);

    const big = await runBigMessages(opts, log, errors);

    const ladder = ['c', 'c-epoll', 'node-net', 'addon', 'pidgeon'].map((id) => rtt.get(id)!).filter(Boolean);
    return {
      id: this.id,
      title: this.title,
      tables: [mainTable(rtt, c, n, p, opts), bigTable(big), ladderTable(ladder)],
      checks: [...checks(rtt, p), ...bigChecks(big)],
      notes,
      errors,
      raw: { roundTrips: rttList, throughput: { c, nodeIpc: n, pidgeon: p }, big },
    };
  },
};
