// Drive a test cluster node (test/fixtures/cluster-node.ts) inside a namespace host:
// `run(js)` evaluates an async function body of (sys, env, fixture) there and
// resolves with its value, or rejects with an error carrying the remote `code`.
import type { ExecutionContext } from 'ava';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createHosts, netnsAvailable, type Host, type TestNet } from './netns.js';
import { ensureNatsServer } from './nats-server.js';
import { within } from './wait.js';

export interface ClusterNode {
  node: string;
  dir: string;
  proc: ChildProcess;
  self: { pid: number; instance: string; node: string };
  run<T = any>(js: string, ms?: number): Promise<T>;
}

/** `n` test hosts (nats-server at hand) and a system directory for each, all
 * removed at teardown. */
export async function clusterHosts(t: ExecutionContext, n: number): Promise<{ net: TestNet; dirs: string[] }> {
  const ok = netnsAvailable();
  if (!ok.ok) throw new Error(ok.why);
  ensureNatsServer();
  const net = await createHosts(n, { t });
  const dirs = Array.from({ length: n }, () => fs.mkdtempSync(path.join(os.tmpdir(), 'pdg-cluster-')));
  t.teardown(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
  return { net, dirs };
}

export class RemoteError extends Error {
  constructor(readonly code: string | undefined, message: string) { super(message); }
}

export async function startNode(t: ExecutionContext, host: Host, node: string, dir: string, urls: string[], auth: { user: string; pass: string }, downAfter = 1000, members?: string[]): Promise<ClusterNode> {
  const main = fileURLToPath(new URL('../fixtures/cluster-node.js', import.meta.url));
  const proc = host.spawnIn(process.execPath, [main, node, dir, urls.join(','), auth.user, auth.pass, String(downAfter), ...(members ? [members.join(',')] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => { proc.stdin?.end(); });
  const waiting = new Map<number, (m: any) => void>();
  let ready!: (m: any) => void;
  const started = new Promise<any>((resolve, reject) => {
    ready = resolve;
    proc.once('exit', (code, signal) => reject(new Error(`node ${node} exited (${code ?? signal}) before it was ready`)));
  });
  readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
    let m: any;
    try { m = JSON.parse(line); } catch { return; }
    if (m.ready) return ready(m);
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  const { self } = await within(started, 30_000, `node ${node} to start`);
  let nextId = 1;
  return {
    node, dir, proc, self,
    run: (js, ms = 30_000) => {
      const id = nextId++;
      const p = new Promise<any>((resolve, reject) => waiting.set(id, (m) => (m.ok ? resolve(m.value) : reject(new RemoteError(m.code, m.message)))));
      proc.stdin!.write(JSON.stringify({ id, js }) + '\n');
      return within(p, ms, `node ${node} to run ${js.slice(0, 60)}`);
    },
  };
}
