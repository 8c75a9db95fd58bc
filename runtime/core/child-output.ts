// A child's stdout and stderr, captured line by line into its per-actor log file
// when a launcher chose a log directory ($PIDGEON_LOG_DIR, inherited by the whole
// tree). Each actor's parent writes that actor's log, so actors spawned by
// supervisors are captured by their own parent: no relay up the tree, no hop
// through the launcher, and a parent that dies takes its children with it anyway.
// Lines carry the time, the actor's log name and pid, and the stream; files rotate
// by size. See docs/architecture.md#actor-output.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** The log directory (absolute); unset: children's stdout is inherited and their
 * stderr copied to ours, as without a launcher. */
export const LOG_DIR_ENV = 'PIDGEON_LOG_DIR';
/** Rotate a log file when it would grow past this many bytes (default 10 MiB). */
export const LOG_MAX_BYTES_ENV = 'PIDGEON_LOG_MAX_BYTES';
/** Rotated files kept per actor: NAME.log.1 (newest) .. NAME.log.N (default 3). */
export const LOG_FILES_ENV = 'PIDGEON_LOG_FILES';

const MAX_LINE = 16 * 1024;

/** Where and how this process logs its children, or null (not under a launcher). */
export interface LogSettings { dir: string; maxBytes: number; keep: number }

/** The settings from the environment. */
export function logSettings(env: NodeJS.ProcessEnv = process.env): LogSettings | null {
  const dir = env[LOG_DIR_ENV];
  if (!dir) return null;
  const num = (v: string | undefined, d: number) => (v && /^[0-9]+$/.test(v) && Number(v) > 0 ? Number(v) : d);
  return { dir, maxBytes: num(env[LOG_MAX_BYTES_ENV], 10 * 1024 * 1024), keep: num(env[LOG_FILES_ENV], 3) };
}

/** The file name part for an actor (names and ids may hold characters a file name should not). */
export function logFileName(logName: string): string {
  return `${logName.replace(/[^A-Za-z0-9._:-]/g, '_').replace(/^\.+/, '_').slice(0, 100) || '_'}.log`;
}

/** The name an actor's output is logged under: its registered name, else the
 * `logName` it was spawned with (a supervisor gives its child id), else its module's
 * file name. */
export function logNameOf(file: string, name: string | undefined, logName: string | undefined): string {
  return name ?? logName ?? path.basename(file).replace(/\.[cm]?[jt]s$/, '');
}

/** One log file, appended to with O_APPEND and rotated by size. */
class LogFile {
  private fd = -1;
  private size = 0;
  users = 0;
  constructor(readonly file: string, private readonly s: LogSettings) {}

  /** Append whole lines (each ending in a newline), rotating between two lines when
   * the next would take the file past maxBytes; one write per run of lines. */
  write(lines: string[]): void {
    let run = '';
    let runBytes = 0;
    for (const line of lines) {
      const b = Buffer.byteLength(line);
      if (this.fd < 0) this.open();
      if (this.size + runBytes > 0 && this.size + runBytes + b > this.s.maxBytes) {
        this.append(run, runBytes);
        run = '';
        runBytes = 0;
        if (this.size > 0) this.rotate();
        this.open();
      }
      run += line;
      runBytes += b;
    }
    this.append(run, runBytes);
  }

  private append(text: string, bytes: number): void {
    if (this.fd < 0 || bytes === 0) return;
    try {
      fs.writeSync(this.fd, text);
      this.size += bytes;
    } catch { /* disk full or gone: output is not worth crashing the parent for */ }
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  private open(): void {
    if (this.fd >= 0) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      this.fd = fs.openSync(this.file, 'a', 0o600);
      this.size = fs.fstatSync(this.fd).size;
    } catch {
      this.fd = -1;
    }
  }

  // NAME.log.(k) -> NAME.log.(k+1), NAME.log -> NAME.log.1; the oldest is overwritten.
  private rotate(): void {
    this.close();
    try {
      for (let k = this.s.keep - 1; k >= 1; k--) {
        try { fs.renameSync(`${this.file}.${k}`, `${this.file}.${k + 1}`); } catch { /* not there yet */ }
      }
      fs.renameSync(this.file, `${this.file}.1`);
    } catch { /* another writer rotated it first */ }
  }
}

// One LogFile per path in this process: a restarted actor's output goes on into the
// same file while its predecessor's last lines are still being flushed.
const files = new Map<string, LogFile>();

function acquire(file: string, s: LogSettings): LogFile {
  let f = files.get(file);
  if (!f) files.set(file, (f = new LogFile(file, s)));
  f.users++;
  return f;
}

function release(f: LogFile): void {
  if (--f.users > 0) return;
  f.close();
  files.delete(f.file);
}

/** Copy `proc`'s stdout and stderr into the log file of `logName`, a line at a time,
 * until both streams end. */
export function captureOutput(proc: ChildProcess, logName: string, s: LogSettings): void {
  const log = acquire(path.join(s.dir, logFileName(logName)), s);
  let open = 0;
  for (const [stream, tag] of [[proc.stdout, 'out'], [proc.stderr, 'err']] as const) {
    if (!stream) continue;
    open++;
    const prefix = () => `${new Date().toISOString()} ${logName}[${proc.pid}] ${tag} `;
    let partial = '';
    const utf8 = new StringDecoder('utf8'); // a character split across two chunks stays whole
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + utf8.write(chunk)).split('\n');
      partial = lines.pop()!;
      if (partial.length > MAX_LINE) lines.push(partial), (partial = '');
      if (lines.length === 0) return;
      const p = prefix();
      log.write(lines.map((l) => p + l.slice(0, MAX_LINE) + '\n'));
    });
    stream.once('close', () => {
      if (partial) log.write([`${prefix()}${partial.slice(0, MAX_LINE)}\n`]);
      if (--open === 0) release(log);
    });
  }
}
