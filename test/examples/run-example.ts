// Run an example program as a child process, as a user would: its own system
// directory (PIDGEON_DIR in a fresh temp dir), a deadline, and every process it
// started killed and reaped by teardown even if the test fails half way.
import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ExampleResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout split into lines, without the trailing empty one. */
  lines: string[];
  /** Some process of the example's process group outlived it. */
  leftover: boolean;
}

/** The compiled `dist/examples/<example>/main.js`. */
export function exampleMain(example: string): string {
  return fileURLToPath(new URL(`../../examples/${example}/main.js`, import.meta.url));
}

/** A fresh system directory, removed at teardown. */
export function tempSystemDir(t: ExecutionContext, label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pidgeon-example-${label}-`));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Run the example to its end; rejects (after killing it) if it takes over `timeout` ms. */
export function runExample(t: ExecutionContext, example: string, options: { args?: string[]; timeout?: number } = {}): Promise<ExampleResult> {
  const timeout = options.timeout ?? 30_000;
  const child = spawn(process.execPath, [exampleMain(example), ...(options.args ?? [])], {
    env: { ...process.env, PIDGEON_DIR: tempSystemDir(t, example) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: teardown kills the actors with it
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const killGroup = () => {
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
  };
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) killGroup();
    await exited;
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      killGroup();
      reject(new Error(`example ${example} did not end within ${timeout} ms\n--- stdout\n${stdout}--- stderr\n${stderr}`));
    }, timeout);
  });
  return Promise.race([exited, deadline]).then(({ code, signal }) => {
    // The actors are the example's children: anything left in its group is a leak.
    let leftover = true;
    try { process.kill(-child.pid!, 0); } catch { leftover = false; }
    killGroup();
    const lines = stdout.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return { code, signal, stdout, stderr, lines, leftover };
  }).finally(() => clearTimeout(timer));
}

/** Replace each `pid <number>` by `pid <name>`, the same name for the same pid. */
export function namePids(text: string): string {
  const names = new Map<string, string>();
  return text.replace(/pid (\d+)/g, (_, pid: string) => {
    if (!names.has(pid)) names.set(pid, `P${names.size + 1}`);
    return `pid ${names.get(pid)}`;
  });
}
