// Running the pidgeon command in tests: one-shot commands with a time bound, and
// a launcher in the background whose output lines can be awaited. Every process
// started here is killed and reaped in teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const cli = path.join(root, 'dist/runtime/cli/main.js');
export const fixture = (name: string) => path.join(root, 'dist/test/fixtures', name);

const tempDirs: string[] = [];

/** A fresh directory under the OS temp dir, removed when this test file's worker
 * exits (its launchers are killed and reaped by then). */
export function tempDir(prefix = 'pidgeon-cli-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (tempDirs.push(dir) === 1) {
    process.on('exit', () => {
      for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

export interface RunResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Run `pidgeon ...args` to completion (killed after `timeout` ms). */
export function run(args: string[], timeout = 30_000, env: Record<string, string> = {}, cwd = root): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`pidgeon ${args.join(' ')} ran over ${timeout} ms\n${stdout}\n${stderr}`)); }, timeout);
    p.on('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, stdout, stderr }); });
  });
}

/** A launcher (`pidgeon start`) running in the background. */
export class Launcher {
  readonly proc: ChildProcess;
  output = '';
  private waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.proc = spawn(process.execPath, [cli, 'start', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    const onData = (d: Buffer) => {
      this.output += d.toString();
      this.waiters = this.waiters.filter((w) => {
        const m = this.output.match(w.re);
        if (m) w.resolve(m);
        return !m;
      });
    };
    this.proc.stdout!.on('data', onData);
    this.proc.stderr!.on('data', onData);
    this.exited = new Promise((r) => this.proc.on('close', (code, signal) => r({ code, signal })));
  }

  /** Resolves when the output (so far or later) matches `re`; rejects after `timeout` ms. */
  waitFor(re: RegExp, timeout = 30_000): Promise<RegExpMatchArray> {
    const m = this.output.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output so far:\n${this.output}`)), timeout);
      this.waiters.push({ re, resolve: (mm) => { clearTimeout(t); resolve(mm); } });
    });
  }

  /** Wait for exit (bounded); kills it if it runs over. */
  async exit(timeout = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const t = setTimeout(() => this.proc.kill('SIGKILL'), timeout);
    try {
      return await this.exited;
    } finally {
      clearTimeout(t);
    }
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** Entries left in a system directory's sock/ and lock/. */
export function leftovers(dir: string): string[] {
  const out: string[] = [];
  for (const sub of ['sock', 'lock']) {
    try {
      out.push(...fs.readdirSync(path.join(dir, sub)).map((f) => `${sub}/${f}`));
    } catch { /* no such dir */ }
  }
  return out;
}

/** Is a process with this pid still around (not yet reaped counts as alive)? */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
