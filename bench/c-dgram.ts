// System 1: the raw C AF_UNIX SOCK_DGRAM baseline (bench/c/dgram_bench.c), compiled
// here with `cc -O2` into bench/out/ at bench time and run as two forked processes.
import fs from 'node:fs';
import path from 'node:path';
import { benchOut, benchSrc } from './lib/paths.js';
import { runProgram } from './lib/proc.js';
import { emptyThroughput, type MeasureOptions, type RttSubject, type Throughput, type ThroughputFigures } from './lib/types.js';

export const C_SOURCE = path.join(benchSrc, 'c', 'dgram_bench.c');
export const C_BINARY = path.join(benchOut, 'dgram_bench');
/** Datagram size the C program splits 1 MiB messages into: 256 KiB, the size class of
 * pidgeon's fragments (256 KiB minus its 48-byte header), with SO_SNDBUF raised. */
export const C_CHUNK = 256 * 1024;
/** Messages per sendmmsg call (and recvmmsg slots). */
export const C_BATCH = 64;

/** Compile the C program (always: the bench measures the source in the tree). */
export async function buildC(): Promise<string> {
  fs.mkdirSync(benchOut, { recursive: true });
  const cc = process.env.CC || 'cc';
  const r = await runProgram(cc, ['-O2', '-Wall', '-o', C_BINARY, C_SOURCE], 60_000);
  if (r.code !== 0) throw new Error(`${cc} failed (exit ${r.code}):\n${r.stderr}`);
  return `${cc} -O2 ${path.relative(process.cwd(), C_SOURCE) || C_SOURCE}`;
}

type ModeResult = Record<string, number>;
interface CResult { system: 'c'; results: Record<string, ModeResult> }

/** Run the compiled program with the given modes; `extra` adds options. */
export async function runCRaw(opts: MeasureOptions, modes: string[], extra: string[] = [],
  durationMs = opts.durationMs, warmupMs = opts.warmupMs): Promise<CResult> {
  const args = [
    '--duration-ms', String(durationMs), '--warmup-ms', String(warmupMs),
    '--size', String(opts.smallSize), '--bulk-size', String(opts.bulkSize),
    '--chunk', String(C_CHUNK), '--batch', String(C_BATCH), ...extra, ...modes,
  ];
  // Each mode: warm-up + duration + process set-up; generous, but never unbounded.
  const limit = modes.length * (durationMs + warmupMs + 5000) + 5000;
  const r = await runProgram(C_BINARY, args, limit);
  if (r.code !== 0) throw new Error(`dgram_bench exited ${r.code}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as CResult;
}

/** Round trips of the C program: mode 'pingpong' (blocking) or 'pingpong-epoll'. */
export function cRttSubject(mode: 'pingpong' | 'pingpong-epoll'): RttSubject {
  let opts!: MeasureOptions;
  const file = path.join(benchOut, `rtt-${mode}-${process.pid}.f64`);
  return {
    id: mode === 'pingpong' ? 'c' : 'c-epoll',
    label: mode === 'pingpong' ? 'raw C' : 'C, event-loop shaped',
    describe: mode === 'pingpong'
      ? 'blocking send()/recv(), no credentials'
      : 'non-blocking, SO_PASSCRED, epoll_wait + recvmmsg(16 x 256 KiB), plus the zero-timeout epoll_wait libuv makes per turn',
    async open(o) { opts = o; },
    async measure(durationMs, warmupMs) {
      await runCRaw(opts, [mode], ['--samples-out', file], durationMs, warmupMs);
      const b = fs.readFileSync(file);
      fs.rmSync(file, { force: true });
      return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    },
    async close() { fs.rmSync(file, { force: true }); },
  };
}

function throughput(r: ModeResult | undefined, extra: Record<string, number>): Throughput | undefined {
  if (!r) return undefined;
  return {
    messages: r.messages, bytes: r.messages * r.size, elapsedS: r.elapsed_s,
    msgsPerS: r.msgs_per_s, mbPerS: r.mb_per_s, extra,
  };
}

/** One-way throughput: one datagram per message, sendmmsg batches, and 1 MiB messages. */
export async function runCThroughput(opts: MeasureOptions): Promise<ThroughputFigures> {
  const f = emptyThroughput();
  try {
    const r = (await runCRaw(opts, ['oneway', 'mmsg', 'bulk'])).results;
    f.oneway = throughput(r.oneway, {});
    f.onewayBatched = throughput(r.mmsg, { batch: C_BATCH });
    f.bulk = throughput(r.bulk, { chunk: C_CHUNK, datagramsPerMessage: r.bulk?.datagrams_per_message ?? 0 });
    f.notes.push(
      'raw C: blocking sockets; each side a bound receive socket plus a separate connected send socket, so max_dgram_qlen applies as it does to pidgeon',
      `raw C batched: sendmmsg of ${C_BATCH} messages per call, recvmmsg(MSG_WAITFORONE) of up to ${C_BATCH}`,
      `raw C 1 MiB: ${r.bulk?.datagrams_per_message ?? '?'} datagrams of ${C_CHUNK / 1024} KiB each, SO_SNDBUF 4 MiB requested, received in place (no reassembly copy)`,
    );
  } catch (err) {
    f.errors.push(`raw C throughput: ${(err as Error).message}`);
  }
  return f;
}
