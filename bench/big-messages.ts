// Big messages one way (16 MiB, 64 MiB), three ways side by side: raw C splitting
// each message into 256 KiB datagrams received in place (bench/c/dgram_bench.c
// 'bulk', as for 1 MiB), pidgeon's fragments (memfdThreshold set above the size),
// and pidgeon's sealed memfd (runtime/transport/memfd.ts, threshold = the size).
import { runCRaw } from './c-dgram.js';
import { PidgeonPair, oneway, type PairOptions } from './pidgeon-transport.js';
import { fmtInt, fmtRatio, ratio } from './lib/report.js';
import type { Check, MeasureOptions, Table, Throughput } from './lib/types.js';

/** Sizes measured: 1 MiB for the choice of the default threshold, 16 and 64 MiB
 * against the target. */
export const BIG_SIZES = [1 << 20, 16 << 20, 64 << 20];
/** Sizes the target applies to. */
const TARGET_SIZES = new Set([16 << 20, 64 << 20]);
/** Target of the memfd path at every big size, MB/s (10^6 B). */
export const BIG_TARGET_MBPS = 3000;

const MiB = 1 << 20;
/** Room for a 64 MiB message plus its envelope, and a queue of several. */
const LIMITS: PairOptions = { maxMessageSize: 128 * MiB, maxQueueBytes: 512 * MiB };

export interface BigFigures {
  size: number;
  c?: Throughput;
  /** Raw C's memfd floor: create, write, seal, map, unmap per message, no socket. */
  cMemfd?: Throughput;
  fragments?: Throughput;
  memfd?: Throughput;
}

async function pidgeon(size: number, options: PairOptions, opts: MeasureOptions): Promise<Throughput> {
  const pair = await PidgeonPair.open({ ...LIMITS, ...options });
  try {
    return await oneway(pair, size, 1, opts);
  } finally {
    await pair.close();
  }
}

/** Every big size, every way; failures go to `errors`. */
export async function runBigMessages(opts: MeasureOptions, log: (s: string) => void, errors: string[]): Promise<BigFigures[]> {
  const out: BigFigures[] = [];
  for (const size of BIG_SIZES) {
    const f: BigFigures = { size };
    const name = `${size / MiB} MiB`;
    log(`  big messages: ${name}, raw C`);
    try {
      const results = (await runCRaw(opts, ['bulk', 'memfd'], ['--bulk-size', String(size)])).results;
      const r = results.bulk;
      f.c = { messages: r.messages, bytes: r.messages * r.size, elapsedS: r.elapsed_s, msgsPerS: r.msgs_per_s, mbPerS: r.mb_per_s };
      const m = results.memfd;
      if (m) f.cMemfd = { messages: m.messages, bytes: m.messages * m.size, elapsedS: m.elapsed_s, msgsPerS: m.msgs_per_s, mbPerS: m.mb_per_s };
    } catch (err) {
      errors.push(`raw C ${name}: ${(err as Error).message}`);
    }
    log(`  big messages: ${name}, pidgeon fragments`);
    try {
      f.fragments = await pidgeon(size, { memfdThreshold: 2 * size }, opts);
    } catch (err) {
      errors.push(`pidgeon fragments ${name}: ${(err as Error).message}`);
    }
    log(`  big messages: ${name}, pidgeon memfd`);
    try {
      f.memfd = await pidgeon(size, { memfdThreshold: size }, opts);
    } catch (err) {
      errors.push(`pidgeon memfd ${name}: ${(err as Error).message}`);
    }
    out.push(f);
  }
  return out;
}

/** The table: MB/s of each way and the ratios. */
export function bigTable(figs: BigFigures[]): Table {
  return {
    title: 'Big messages one way, MB/s ↑ (raw C vs pidgeon fragments vs pidgeon sealed memfd)',
    headers: ['message size', 'raw C', 'raw C memfd floor', 'pidgeon fragments', 'pidgeon memfd', 'memfd ÷ fragments', 'memfd ÷ C', 'memfd ÷ C memfd floor', 'fragments ÷ C'],
    numeric: [false, true, true, true, true, true, true, true, true],
    rows: figs.map((f) => {
      const c = f.c?.mbPerS, cm = f.cMemfd?.mbPerS, fr = f.fragments?.mbPerS, m = f.memfd?.mbPerS;
      return [`${f.size / MiB} MiB messages, MB/s ↑`, fmtInt(c), fmtInt(cm), fmtInt(fr), fmtInt(m),
        fmtRatio(ratio(m, fr)), fmtRatio(ratio(m, c)), fmtRatio(ratio(m, cm)), fmtRatio(ratio(fr, c))];
    }),
    footnotes: [
      'raw C: each message as 256 KiB datagrams (blocking send), received in place into one buffer (no reassembly copy), as the 1 MiB row.',
      'raw C memfd floor: what the memfd path costs in C with nothing around it, in one process: memfd_create, ftruncate, pwrite, F_ADD_SEALS (the sender), F_GET_SEALS, fstat, mmap(MAP_POPULATE), munmap, close (the receiver). It takes fresh pages for every message, as any one-copy path through a new sealed file must; where the machine is slow to hand out fresh pages (a VM), this is the ceiling of the memfd path.',
      'pidgeon fragments: memfdThreshold set above the size, so the message leaves as ~256 KiB fragments and is reassembled (one copy in each kernel direction, one into the reassembly buffer).',
      'pidgeon memfd: memfdThreshold set to the size; the sender copies the body into a sealed memfd (the one copy), one 48-byte datagram passes the fd, the receiver maps it read-only.',
      'MB = 10^6 bytes; one message per event-loop turn; both mailboxes with maxMessageSize 128 MiB and maxQueueBytes 512 MiB.',
    ],
  };
}

/** The target line, one check per size. */
export function bigChecks(figs: BigFigures[]): Check[] {
  return figs.filter((f) => TARGET_SIZES.has(f.size)).map((f) => {
    const target = `memfd ≥ ${BIG_TARGET_MBPS / 1000} GB/s at ${f.size / MiB} MiB`;
    const m = f.memfd?.mbPerS;
    if (m === undefined) return { target, ok: null, detail: 'not measured' };
    return {
      target,
      ok: m >= BIG_TARGET_MBPS,
      detail: m >= BIG_TARGET_MBPS
        ? `${fmtInt(m)} MB/s (${fmtRatio(m / BIG_TARGET_MBPS)} the target)`
        : `${fmtInt(m)} MB/s: ${fmtInt(BIG_TARGET_MBPS - m)} MB/s (${((1 - m / BIG_TARGET_MBPS) * 100).toFixed(0)}%) short`,
    };
  });
}
