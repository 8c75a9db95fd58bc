// Shared shapes of the benchmark: options, the round-trip subjects that the
// transport section interleaves, throughput results, and what a section returns.
import type { Summary } from './stats.js';

export interface MeasureOptions {
  /** Length of each timed throughput measurement, ms; also the total timed round-trip
   * time per subject (split across the interleaved rounds). */
  durationMs: number;
  /** Untimed warm-up before each throughput measurement and before the first round trip round, ms. */
  warmupMs: number;
  /** Interleaved rounds of round-trip measurement (each subject gets durationMs / rounds per round). */
  rounds: number;
  /** Small-message size, bytes. */
  smallSize: number;
  /** Large-message size, bytes. */
  bulkSize: number;
  /** Section "overload": sender counts to run (default 1, 50, 200). */
  overloadSenders?: number[];
  /** Section "overload": length of the measurement window, ms (default 2.5 × durationMs). */
  overloadWindowMs?: number;
}

export const defaultOptions: MeasureOptions = {
  durationMs: 2000,
  warmupMs: 500,
  rounds: 4,
  smallSize: 64,
  bulkSize: 1 << 20,
};

/** Something whose ping-pong latency can be measured repeatedly (samples in µs). */
export interface RttSubject {
  id: string;
  label: string;
  /** What exactly travels and how, for the notes. */
  describe: string;
  open(opts: MeasureOptions): Promise<void>;
  /** Round trips for `durationMs` after `warmupMs` of untimed ones; per-round-trip µs. */
  measure(durationMs: number, warmupMs: number): Promise<Float64Array>;
  close(): Promise<void>;
}

/** One one-way throughput measurement. */
export interface Throughput {
  messages: number;
  bytes: number;
  elapsedS: number;
  msgsPerS: number;
  /** 10^6 bytes per second. */
  mbPerS: number;
  /** Anything system-specific worth keeping (waits, datagrams...). */
  extra?: Record<string, number | string>;
}

/** A system's throughput figures; a missing one was not measured or failed. */
export interface ThroughputFigures {
  /** Small messages one way, each sent on its own (or, for pidgeon, through its API as is). */
  oneway?: Throughput;
  /** Small messages one way with the system's own batching primitive (C: sendmmsg). */
  onewayBatched?: Throughput;
  /** Small messages one way with one message per event-loop turn (pidgeon: no coalescing). */
  onewayUnbatched?: Throughput;
  /** Large messages one way. */
  bulk?: Throughput;
  notes: string[];
  errors: string[];
}

export function emptyThroughput(): ThroughputFigures {
  return { notes: [], errors: [] };
}

/** A latency result for the tables. */
export interface RttResult {
  id: string;
  label: string;
  describe: string;
  summary?: Summary;
  perRound: number[];
  error?: string;
}

/** A table: header row, body rows (already formatted), footnotes. */
export interface Table {
  title: string;
  headers: string[];
  rows: string[][];
  /** Columns to right-align (numbers). */
  numeric?: boolean[];
  footnotes?: string[];
}

/** A target the project set itself, checked against the figures. */
export interface Check {
  target: string;
  ok: boolean | null; // null: could not be checked (figure missing)
  detail: string;
}

/** What a section hands back to bench/run.ts for printing and docs/performance.md. */
export interface SectionResult {
  id: string;
  title: string;
  tables: Table[];
  checks: Check[];
  notes: string[];
  errors: string[];
  /** Everything measured, for bench/out/results.json. */
  raw: unknown;
}

export interface SectionContext {
  opts: MeasureOptions;
  /** Progress lines (stderr), so stdout stays the report. */
  log(line: string): void;
}

/** A benchmark section: one `npm run bench` runs every section in order. */
export interface Section {
  id: string;
  title: string;
  run(ctx: SectionContext): Promise<SectionResult>;
}
