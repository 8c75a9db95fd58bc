// `pidgeon top`: a live view of a system in the terminal, like `pm2 monit` and OTP's
// observer: the tree with per-actor CPU, memory, message rates and restarts,
// refreshed every --interval ms. ANSI escapes only (works over plain ssh): the
// alternate screen, redrawn in place, fitted to the terminal on every resize; q or
// Ctrl-C quits, and the terminal is restored however it ends.
import { BadArgumentError } from '../errors.js';
import { intOption, parseArgs } from './args.js';
import { bytes, clock, color, duration, table, visible } from './format.js';
import { snapshot, type ActorRow, type CpuSample } from './snapshot.js';
import { existingSystem, join } from './system-dir.js';
import { readLauncherState } from './systems.js';

export const topHelp = `usage: pidgeon top [--interval MS] [--system NAME] [--dir PATH]

A live view of a running system, refreshed every --interval ms (default 1000):
the supervision tree with each actor's status, restarts, CPU %, memory, user
messages per second in and out, queued messages and drops. Keys: q (or Ctrl-C)
quits. Needs a terminal (ANSI; works over ssh); for scripts use 'pidgeon ps --json'.

examples:
  pidgeon top
  pidgeon top --interval 500 --system oplock-demo`;

const ESC = '\x1b[';
const ENTER = `${ESC}?1049h${ESC}?25l`; // alternate screen, hide the cursor
const LEAVE = `${ESC}?25h${ESC}?1049l`; // show the cursor, back to the normal screen

/** Cut a line to `cols` columns on screen (colour dropped when it has to be cut). */
function fit(line: string, cols: number): string {
  if (visible(line) <= cols) return line;
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;]*m/g, '').slice(0, Math.max(0, cols));
}

const rate = (v: number | null) => (v === null ? '-' : v < 10 ? v.toFixed(1) : String(Math.round(v)));

/** One frame: a header and the table, as lines. */
function frame(system: string, rows: ActorRow[], rates: Map<number, [number, number]>, intervalMs: number): string[] {
  const live = rows.filter((r) => r.pid !== null);
  const head = `${color.bold('pidgeon top')}  system ${color.bold(system)}  ${live.length} processes  ${clock()}  ${color.dim(`every ${intervalMs} ms; q quits`)}`;
  const out = [['NAME', 'PID', 'STATUS', '↺', 'CPU', 'MEM', 'IN/S', 'OUT/S', 'QUEUED', 'DROPS', 'UPTIME']];
  for (const r of rows) {
    const rr = r.pid !== null ? rates.get(r.pid) : undefined;
    const status = r.status === 'running' ? color.green(r.status) : color.yellow(r.status);
    out.push([r.branch + (r.kind === 'supervisor' ? color.yellow(r.label) : r.label), r.pid === null ? '-' : String(r.pid), status,
      r.restarts === null ? '-' : String(r.restarts), r.cpu === null ? '-' : `${r.cpu.toFixed(1)}%`, r.rss === null ? '-' : bytes(r.rss),
      rate(rr?.[0] ?? null), rate(rr?.[1] ?? null), r.queued === null ? '-' : String(r.queued), r.drops === null ? '-' : String(r.drops),
      r.uptimeMs === null ? '-' : duration(r.uptimeMs)]);
  }
  return [head, '', ...table(out, new Set([1, 3, 4, 5, 6, 7, 8, 9])).split('\n'), ...(rows.length ? [] : ['', 'no live actors'])];
}

export async function top(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir', 'interval'] });
  if (p.options.help) return console.log(topHelp), 0;
  if (p.positionals.length) throw new BadArgumentError(`top takes no arguments (got ${p.positionals.join(' ')})`);
  const interval = intOption(p, 'interval', 1000);
  const tty = process.stdout;
  if (!tty.isTTY || !process.stdin.isTTY) throw new BadArgumentError("top needs a terminal (for scripts: 'pidgeon ps --json')");
  const t = existingSystem(p);
  const sys = await join(t);
  const system = readLauncherState(t.dir)?.system ?? t.system; // --dir alone does not name it
  let lines: string[] = ['loading...'];
  const draw = () => {
    const rows = tty.rows || 24;
    const cols = tty.columns || 80;
    const shown = lines.slice(0, rows - 1).map((l) => fit(l, cols) + `${ESC}K`);
    tty.write(`${ESC}H${shown.join('\n')}\n${ESC}J`);
  };
  let quit!: () => void;
  const done = new Promise<void>((r) => { quit = r; });
  const onKey = (d: Buffer) => {
    const k = d.toString();
    if (k === 'q' || k === 'Q' || k === '\x03' || k === '\x04') quit();
  };
  const restore = () => {
    try { process.stdin.setRawMode(false); } catch { /* stdin closed */ }
    tty.write(LEAVE);
  };
  process.on('exit', restore); // however it ends, the terminal comes back
  tty.write(ENTER);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  process.stdin.on('data', onKey);
  tty.on('resize', draw);
  process.once('SIGINT', () => quit());
  process.once('SIGTERM', () => quit());
  process.once('SIGHUP', () => quit());
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  try {
    draw();
    let sample: CpuSample | null = null;
    let counts = new Map<number, [number, number]>();
    let at = performance.now();
    const refresh = async () => {
      const snap = await snapshot(sys, sample, sample ? 0 : 200);
      const now = performance.now();
      const dt = (now - at) / 1000;
      const rates = new Map<number, [number, number]>();
      const next = new Map<number, [number, number]>();
      for (const r of snap.rows) {
        if (r.pid === null || r.userIn === null || r.userOut === null) continue;
        next.set(r.pid, [r.userIn, r.userOut]);
        const prev = counts.get(r.pid);
        if (prev && dt > 0) rates.set(r.pid, [(r.userIn - prev[0]) / dt, (r.userOut - prev[1]) / dt]);
      }
      counts = next;
      at = now;
      sample = snap.sample;
      lines = frame(system, snap.rows, rates, interval);
      draw();
    };
    const loop = async () => {
      if (stopped) return;
      try {
        await refresh();
      } catch (err) {
        lines = [`pidgeon top: ${(err as Error).message}`];
        draw();
      }
      if (!stopped) timer = setTimeout(() => void loop(), interval);
    };
    void loop();
    await done;
  } finally {
    stopped = true;
    clearTimeout(timer);
    process.stdin.off('data', onKey);
    process.stdin.pause();
    tty.off('resize', draw);
    restore();
    process.off('exit', restore);
    await sys.shutdown();
  }
  return 0;
}
