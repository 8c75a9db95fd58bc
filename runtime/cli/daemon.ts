// `pidgeon start --daemon`: run the launcher detached (its own session, no
// terminal, its output appended to launcher.log in the log directory) and return
// once its tree is up, with its exit code and last lines if it fails first. The
// launcher says "up" on a pipe at fd 3 (launch-ops.ts), so nothing polls.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAUNCHER_LOG } from './log-follow.js';
import type { Target } from './system-dir.js';

// From cli/ and from the bundle in core/ alike.
const mainJs = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** Start `pidgeon start ARGV` detached; resolves with the exit code for the caller. */
export async function startDaemon(argv: string[], t: Target, logDir: string): Promise<number> {
  fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const logFile = path.join(logDir, LAUNCHER_LOG);
  const out = fs.openSync(logFile, 'a', 0o600);
  const from = fs.fstatSync(out).size;
  const args = [...process.execArgv, mainJs, 'start', ...argv.filter((a) => a !== '--daemon'), '--daemon-child', '--log-dir', logDir];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out, 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  fs.closeSync(out);
  const ready = child.stdio[3] as NodeJS.ReadableStream;
  const outcome = await new Promise<{ up: true } | { up: false; code: number }>((resolve) => {
    let said = '';
    ready.on('data', (d) => {
      said += d;
      if (said.includes('up\n')) resolve({ up: true });
    });
    ready.on('error', () => { /* the exit below tells */ });
    child.on('exit', (code, signal) => resolve({ up: false, code: code ?? (signal ? 1 : 0) }));
  });
  if (outcome.up) {
    child.unref();
    (ready as unknown as { destroy(): void }).destroy();
    console.log(`system '${t.system}' started as a daemon (launcher pid ${child.pid}); logs in ${logDir}`);
    console.log(`'pidgeon ps --system ${t.system}' shows it, 'pidgeon stop --system ${t.system}' stops it`);
    return 0;
  }
  // It failed before the tree was up: show what it said (its errors are one line each).
  const said = fs.readFileSync(logFile, 'utf8').slice(from).trimEnd();
  if (said) console.error(said);
  return outcome.code;
}
