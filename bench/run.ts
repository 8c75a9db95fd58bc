// `npm run bench`: run every benchmark section, print the report, write the figures
// into docs/performance.md (between its markers) and the raw results into
// bench/out/results.json. A benchmark, not a test: a missed target is reported, not
// a failure; the exit code is non-zero only if the bench itself broke.
//
// Options: --quick (short measurements), --duration-ms N, --warmup-ms N, --rounds N,
//          --section ID (repeatable; the other sections' figures in docs/performance.md
//          are kept), --no-doc,
//          --overload-senders N,N,... (section overload; or PIDGEON_BENCH_OVERLOAD_SENDERS),
//          --overload-window-ms N.
// Sections, in order: api (the headline: the public API beside Node IPC, worker_threads
// and comedy; spawning), transport (the rung below), overload, cluster (two hosts over
// NATS beside plain NATS; needs root and nats-server, else skipped). To add one, write
// bench/sections/<name>.ts exporting a `Section` and list it below.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { machineInfo, machineRows } from './lib/machine.js';
import { benchOut, root } from './lib/paths.js';
import { killAll, liveChildren } from './lib/proc.js';
import { markdownSection, readGenerated, splitSections, textSection, writeGenerated } from './lib/report.js';
import { defaultOptions, type MeasureOptions, type Section, type SectionResult } from './lib/types.js';
import { transportSection } from './sections/transport.js';
import { overloadSection } from './sections/overload.js';
import { apiSection } from './sections/api.js';
import { clusterSection } from './sections/cluster.js';

const SECTIONS: Section[] = [apiSection, transportSection, overloadSection, clusterSection];

/** The whole run is bounded: past this, children are killed and the bench fails
 * (the overload section alone takes up to ~2.5 min, most of it spawning senders;
 * the cluster section is bounded at 5 min, about 30 s when all goes well). */
const WATCHDOG_MS = 15 * 60_000;

const DOC = path.join(root, 'docs', 'performance.md');
const DOC_SKELETON = `# Performance

Figures from \`npm run bench\`. The section between the markers below is regenerated
by every run; the prose around it is written by hand.
`;

function parseArgs(argv: string[]): { opts: MeasureOptions; only: string[]; doc: boolean } {
  const opts = { ...defaultOptions };
  const only: string[] = [];
  let doc = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
      return v;
    };
    if (a === '--quick') Object.assign(opts, { durationMs: 600, warmupMs: 200, rounds: 2 });
    else if (a === '--duration-ms') opts.durationMs = num();
    else if (a === '--warmup-ms') opts.warmupMs = num();
    else if (a === '--rounds') opts.rounds = Math.round(num());
    else if (a === '--section') only.push(argv[++i]);
    else if (a === '--no-doc') doc = false;
    else if (a === '--overload-senders') {
      const v = String(argv[++i]).split(',').map(Number);
      if (!v.every((x) => Number.isInteger(x) && x > 0)) throw new Error(`${a} needs a comma-separated list of positive integers`);
      opts.overloadSenders = v;
    } else if (a === '--overload-window-ms') opts.overloadWindowMs = num();
    else throw new Error(`unknown option ${a} (see bench/run.ts)`);
  }
  return { opts, only, doc };
}

/** A run on a machine already busy with other work measures that work too. */
function busyWarning(load1: number, cores: number): string | null {
  return load1 > cores * 0.75
    ? `the machine was busy when this run started (1-minute load average ${load1} on ${cores} cores): other processes compete for the CPUs, so latencies are inflated and throughputs deflated; compare the ratios, or rerun when idle`
    : null;
}

async function main(): Promise<number> {
  const { opts, only, doc } = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  const sections = SECTIONS.filter((s) => only.length === 0 || only.includes(s.id));
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };
  const t0 = performance.now();

  console.log('pidgeon benchmark');
  for (const [k, v] of machineRows(machine)) console.log(`  ${k.padEnd(34)} ${v}`);
  console.log(`  ${'measurement'.padEnd(34)} ${opts.durationMs} ms timed after ${opts.warmupMs} ms warm-up; ${opts.rounds} interleaved rounds for round trips`);
  const busy = busyWarning(machine.loadAvg[0], machine.cores);
  if (busy) console.log(`\n! ${busy}`);
  console.log('');

  const results: SectionResult[] = [];
  let broken = false;
  for (const s of sections) {
    log(`[${s.id}] ${s.title}`);
    try {
      const r = await s.run({ opts, log });
      results.push(r);
      console.log(textSection(r));
      if (r.errors.length) broken = true;
    } catch (err) {
      broken = true;
      console.log(`== ${s.title} ==\n  ! section failed: ${(err as Error).stack ?? err}\n`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`bench took ${seconds.toFixed(1)} s`);

  fs.mkdirSync(benchOut, { recursive: true });
  const rawFile = path.join(benchOut, 'results.json');
  fs.writeFileSync(rawFile, JSON.stringify({ machine, opts, seconds, sections: results }, null, 2));
  console.log(`raw results: ${path.relative(process.cwd(), rawFile)}`);

  if (doc && results.length) {
    const full = (): string => [
      `Generated by \`npm run bench\` on ${machine.date} in ${seconds.toFixed(0)} s` +
        ` (${opts.durationMs} ms timed per measurement after ${opts.warmupMs} ms warm-up).`,
      '',
      '| machine | |',
      '| --- | --- |',
      ...machineRows(machine).map(([k, v]) => `| ${k} | ${v} |`),
      '',
      ...(busy ? [`> **Warning:** ${busy}`, ''] : []),
      ...results.map(markdownSection),
    ].join('\n');
    // A run of some sections only (--section) replaces those in the file and keeps the
    // others' figures (and the header of the run that measured them); each section it
    // replaces says when and how it was measured.
    const old = only.length ? readGenerated(DOC) : null;
    let md: string;
    if (old) {
      const { head, sections: kept } = splitSections(old);
      const stamp = `_Measured alone by \`--section ${only.join(' --section ')}\` on ${machine.date}` +
        ` (${opts.durationMs} ms timed per measurement after ${opts.warmupMs} ms warm-up; load average at start` +
        ` ${machine.loadAvg.join(', ')} on ${machine.cores} cores), not in the run described above._\n\n`;
      const fresh = new Map(results.map((r) => {
        const text = markdownSection(r);
        const nl = text.indexOf('\n\n');
        return [r.title, `${text.slice(0, nl + 2)}${stamp}${text.slice(nl + 2)}`.trim()];
      }));
      const before = new Map(kept.map((k) => [k.title, k.text]));
      md = [head, ...SECTIONS.flatMap((s) => fresh.get(s.title) ?? before.get(s.title) ?? [])].join('\n\n');
    } else {
      md = full();
    }
    writeGenerated(DOC, md, DOC_SKELETON);
    console.log(`figures written to ${path.relative(process.cwd(), DOC)}`);
  }
  if (liveChildren() > 0) {
    console.log(`! ${liveChildren()} child process(es) still running at the end; killing them`);
    killAll();
    broken = true;
  }
  return broken ? 1 : 0;
}

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s; killing children and giving up`);
  killAll();
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    killAll();
    process.exitCode = 1;
  },
);
