// Child processes of the benchmark: every one is tracked and reaped (killed by its
// own pid if still running when the bench ends, fails or is interrupted), and every
// wait is bounded in time.
import { type ChildProcess, fork, spawn, type ForkOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** SIGKILL every tracked child still running (each by its own pid). */
export function killAll(): void {
  for (const c of live) {
    if (c.exitCode === null && c.signalCode === null) {
      try { c.kill('SIGKILL'); } catch { /* already gone */ }
    }
  }
}

export function track<T extends ChildProcess>(child: T): T {
  hookExit();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Children not yet reaped (for a final check). */
export function liveChildren(): number {
  return live.size;
}

export class TimeoutError extends Error {}

/** Rejects with TimeoutError if `p` has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Wait up to `ms` for the child to exit by itself, then SIGKILL it and reap it. */
export async function reap(child: ChildProcess, ms = 2000): Promise<void> {
  try {
    await withTimeout(exited(child), ms, `child ${child.pid}`);
  } catch {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
    await withTimeout(exited(child), 5000, `child ${child.pid} after SIGKILL`).catch(() => undefined);
  }
}

/** Fork a Node module as a tracked child with an IPC channel. */
export function forkTracked(modulePath: string, args: string[], options: ForkOptions = {}): ChildProcess {
  return track(fork(modulePath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...options }));
}

/** Wait for the first IPC message from `child` that satisfies `pred`. */
export function nextMessage<T>(child: ChildProcess, pred: (m: unknown) => m is T, ms: number, what: string): Promise<T> {
  return withTimeout(new Promise<T>((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      if (pred(m)) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      reject(new Error(`${what}: child exited (code ${code}, signal ${signal}) before answering`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  }), ms, what);
}

/** Run a program to completion with a time limit; collects stdout and stderr. */
export function runProgram(file: string, args: string[], ms: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = track(spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const done = new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, code }));
  });
  return withTimeout(done, ms, `${file} ${args.join(' ')}`).catch(async (err) => {
    await reap(child, 0);
    throw err;
  });
}
