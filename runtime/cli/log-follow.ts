// Reading the per-actor log files (written by each actor's parent: core's
// child-output.ts): parsing their lines, the last N of them, and following a log
// directory as files grow and rotate (inotify through fs.watch, with a slow rescan
// as a safety net), for `pidgeon logs --follow` and the foreground `pidgeon start`.
import fs from 'node:fs';
import path from 'node:path';

/** One line of an actor's log. */
export interface LogLine { time: string; name: string; pid: number; stream: 'out' | 'err'; text: string }

const LINE_RE = /^(\S+) (.+)\[(\d+)\] (out|err) (.*)$/;

/** Parse a log line; a line of another shape is kept whole as `text`. */
export function parseLine(raw: string, fallbackName: string): LogLine {
  const m = LINE_RE.exec(raw);
  if (!m) return { time: '', name: fallbackName, pid: 0, stream: 'out', text: raw };
  return { time: m[1], name: m[2], pid: Number(m[3]), stream: m[4] as 'out' | 'err', text: m[5] };
}

/** The actor log files of a directory: NAME.log (not the rotated NAME.log.N, not
 * the launcher's own launcher.log). */
export function logFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => f.endsWith('.log') && f !== LAUNCHER_LOG).sort();
  } catch {
    return [];
  }
}

/** The daemon launcher's own output, next to the actors' logs. */
export const LAUNCHER_LOG = 'launcher.log';

/** The last `n` lines of a file and its rotated predecessors (oldest first). */
export function lastLines(file: string, n: number, keep = 9): string[] {
  const out: string[] = [];
  for (let k = 0; k <= keep && out.length < n; k++) {
    let text: string;
    try {
      text = fs.readFileSync(k === 0 ? file : `${file}.${k}`, 'utf8');
    } catch {
      if (k === 0) continue;
      break;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    out.unshift(...lines.slice(Math.max(0, lines.length - (n - out.length))));
  }
  return out;
}

interface Tail { ino: number; offset: number; partial: string }

/** Follows every NAME.log of a directory; calls `onLine` for each new complete line. */
export class LogFollower {
  private readonly tails = new Map<string, Tail>();
  private watcher: fs.FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;

  /** `fromEnd`: files there now are followed from their end (only new lines). */
  constructor(private readonly dir: string, private readonly onLine: (file: string, raw: string) => void,
    fromEnd: boolean, private readonly only: ((file: string) => boolean) | null = null) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (fromEnd) {
      for (const f of this.files()) {
        const st = fs.statSync(path.join(dir, f), { throwIfNoEntry: false });
        if (st) this.tails.set(f, { ino: st.ino, offset: st.size, partial: '' });
      }
    }
    this.watcher = fs.watch(dir, () => this.schedule());
    this.watcher.on('error', () => { /* the directory went away: the rescan finds nothing */ });
    this.timer = setInterval(() => this.scan(), 1000);
    this.timer.unref();
    this.scan();
  }

  /** Read what is new now (also called on every change event). */
  scan(): void {
    for (const f of this.files()) this.read(f);
  }

  close(): void {
    this.scan();
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private files(): string[] {
    return logFiles(this.dir).filter((f) => !this.only || this.only(f));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.watcher) this.scan();
    });
  }

  private read(f: string): void {
    const file = path.join(this.dir, f);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st) return;
    let t = this.tails.get(f);
    if (!t) this.tails.set(f, (t = { ino: st.ino, offset: 0, partial: '' }));
    if (t.ino !== st.ino) {
      // Rotated: finish the old file (now NAME.log.1), then start the new one.
      const old = fs.statSync(`${file}.1`, { throwIfNoEntry: false });
      if (old && old.ino === t.ino) this.emit(f, t, `${file}.1`, old.size);
      if (t.partial) this.onLine(f, t.partial);
      Object.assign(t, { ino: st.ino, offset: 0, partial: '' });
    } else if (st.size < t.offset) {
      t.offset = 0; // truncated
    }
    this.emit(f, t, file, st.size);
  }

  private emit(f: string, t: Tail, file: string, size: number): void {
    if (size <= t.offset) return;
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.alloc(size - t.offset);
      const got = fs.readSync(fd, buf, 0, buf.length, t.offset);
      t.offset += got;
      const lines = (t.partial + buf.subarray(0, got).toString('utf8')).split('\n');
      t.partial = lines.pop()!;
      for (const l of lines) this.onLine(f, l);
    } finally {
      fs.closeSync(fd);
    }
  }
}
