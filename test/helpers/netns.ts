// A private test network for cross-host tests: one network namespace holding a Linux
// bridge and n "host" namespaces, each linked to the bridge by a veth pair. Nothing
// is added to the root namespace, so tests running in parallel cannot collide (each
// call has its own random names and its own bridge). destroy() SIGKILLs every process
// in those namespaces, waits until they are gone and deletes the namespaces (the veth
// pairs go with them). A test process that dies before its teardown leaves a record
// in /run/pidgeon-netns; the next createHosts() in any process sweeps those.
import type { ExecutionContext } from 'ava';
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface ExecResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; timedOut: boolean }
/** What a TCP connect from inside a host found; `line` is the first line the server sent. */
export type TcpCheck = { ok: true; line: string } | { ok: false; why: string };

export interface Host {
  /** The namespace's name (`pdg-<id>-h<i>`). */
  readonly name: string;
  readonly index: number;
  /** The host's IPv4 address on the test network. */
  readonly address: string;
  /** Run `cmd args` in the namespace to completion (SIGKILLed after `timeoutMs`, 30 s). */
  exec(cmd: string, args?: string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** `ip netns exec <ns> cmd args`: the returned process is cmd itself (ip execs it). */
  spawnIn(cmd: string, args?: string[], options?: SpawnOptions): ChildProcess;
  /** Connect from this host to address:port; with `readLine`, wait for the server's first line too. */
  tcpCheck(address: string, port: number, opts?: { timeoutMs?: number; readLine?: boolean }): Promise<TcpCheck>;
  /** GET `url` from inside this host (a node process there); rejects on error or non-2xx. */
  httpGet(url: string, timeoutMs?: number): Promise<string>;
  /** Cut this host off: its veth end on the bridge goes down (the host sees no carrier). */
  linkDown(): Promise<void>;
  linkUp(): Promise<void>;
}

export interface TestNet {
  readonly id: string;
  /** The namespace holding the bridge (`pdg-<id>-br`, bridge br0 at `<subnet>.1`). */
  readonly bridge: string;
  /** e.g. '10.231.17': host i is at `<subnet>.<10+i>`. */
  readonly subnet: string;
  readonly hosts: Host[];
  /** Every namespace of this network, the bridge's first. */
  readonly namespaces: string[];
  /** Kill every process in the namespaces, wait until gone, delete them. Idempotent. */
  destroy(): Promise<void>;
}

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => fs.existsSync(p)) ?? 'ip';
const REGISTRY = '/run/pidgeon-netns';
const live = new Map<string, string[]>(); // id -> namespaces, for the exit handler

/** Whether this process can make network namespaces (root, and `ip netns` works). */
export function netnsAvailable(): { ok: true } | { ok: false; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'cross-host tests need root (network namespaces): run them as root' };
  const probe = `pdg-${randomBytes(4).toString('hex')}-probe`;
  const add = spawnSync(IP, ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.error || add.status !== 0) {
    return { ok: false, why: `\`ip netns add\` does not work here (${add.error?.message ?? add.stderr.trim()}); install iproute2 and run as root with CAP_SYS_ADMIN` };
  }
  spawnSync(IP, ['netns', 'del', probe]);
  return { ok: true };
}

async function ip(args: string[]): Promise<void> {
  const r = await run(IP, args, 10_000);
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${r.stderr.trim()}`);
}

type Start = (cmd: string, args: string[], options: SpawnOptions) => ChildProcess;

function run(cmd: string, args: string[], timeoutMs: number, input?: string, start: Start = spawn): Promise<ExecResult> {
  return new Promise((resolve) => {
    const p = start(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    p.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.stdin!.on('error', () => {}); // the command may exit without reading its input
    p.stdin!.end(input ?? '');
    const timer = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, timeoutMs);
    p.on('error', (e) => { stderr += String(e); });
    p.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr, timedOut }); });
  });
}

/** Create `n` hosts on a private bridge. With `t`, destroy() is registered as its teardown. */
export async function createHosts(n: number, opts: { t?: ExecutionContext } = {}): Promise<TestNet> {
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new Error(`createHosts: n must be 1..200, not ${n}`);
  sweepStale();
  const id = randomBytes(4).toString('hex');
  const subnet = `10.231.${randomBytes(1)[0]}`;
  const bridge = `pdg-${id}-br`;
  const names = Array.from({ length: n }, (_, i) => `pdg-${id}-h${i}`);
  const namespaces = [bridge, ...names];
  const children = new Set<ChildProcess>();
  let destroying: Promise<void> | undefined;

  // The record goes first: a namespace never exists without one that can sweep it.
  writeRecord(id);
  live.set(id, namespaces);
  const destroy = () => (destroying ??= teardown(id, namespaces, children));
  opts.t?.teardown(destroy);

  const spawnIn = (ns: string) => (cmd: string, args: string[] = [], options: SpawnOptions = {}): ChildProcess => {
    if (destroying) throw new Error(`spawnIn(${ns}): the test network is destroyed`);
    const child = spawn(IP, ['netns', 'exec', ns, cmd, ...args], options);
    children.add(child);
    child.once('exit', () => children.delete(child));
    child.once('error', () => children.delete(child)); // never started: no exit event comes
    return child;
  };
  try {
    await ip(['netns', 'add', bridge]);
    await ip(['-n', bridge, 'link', 'set', 'lo', 'up']);
    // No STP and no forwarding delay: a port that comes up forwards at once.
    await ip(['-n', bridge, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    await ip(['-n', bridge, 'addr', 'add', `${subnet}.1/24`, 'dev', 'br0']);
    await ip(['-n', bridge, 'link', 'set', 'br0', 'up']);
    const hosts = await Promise.all(names.map(async (ns, i): Promise<Host> => {
      const address = `${subnet}.${10 + i}`;
      const port = `h${i}`; // the bridge's end; the host's end is eth0 in its namespace
      await ip(['netns', 'add', ns]);
      await ip(['-n', bridge, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await ip(['-n', bridge, 'link', 'set', port, 'master', 'br0', 'up']);
      await ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      const inNs = spawnIn(ns);
      const exec: Host['exec'] = (cmd, args = [], o = {}) =>
        run(cmd, args, o.timeoutMs ?? 30_000, o.input, inNs);
      return {
        name: ns, index: i, address, exec, spawnIn: inNs,
        tcpCheck: (addr, p, o = {}) => tcpCheck(exec, addr, p, o.timeoutMs ?? 2000, o.readLine ?? false),
        httpGet: (url, ms = 5000) => httpGet(exec, url, ms),
        linkDown: () => ip(['-n', bridge, 'link', 'set', port, 'down']),
        linkUp: () => ip(['-n', bridge, 'link', 'set', port, 'up']),
      };
    }));
    return { id, bridge, subnet, hosts, namespaces, destroy };
  } catch (e) {
    await destroy().catch(() => {});
    throw e;
  }
}

// A node process inside the host does the connect: the test process itself stays in
// the root namespace, which cannot reach the test network.
const TCP_CHECK = `
const [addr, port, ms, readLine] = process.argv.slice(1);
const s = require('net').connect({ host: addr, port: +port });
const out = (r) => { process.stdout.write(JSON.stringify(r)); s.destroy(); process.exit(0); };
const timer = setTimeout(() => out({ ok: false, why: 'timed out after ' + ms + ' ms' }), +ms);
let buf = '';
s.on('connect', () => { if (readLine !== '1') out({ ok: true, line: '' }); });
s.on('data', (d) => { buf += d; const i = buf.indexOf('\\n'); if (i >= 0) out({ ok: true, line: buf.slice(0, i).replace(/\\r$/, '') }); });
s.on('error', (e) => out({ ok: false, why: e.code || e.message }));
s.on('close', () => out({ ok: false, why: 'closed before a line' }));
`;

async function tcpCheck(exec: Host['exec'], addr: string, port: number, ms: number, readLine: boolean): Promise<TcpCheck> {
  const r = await exec(process.execPath, ['-e', TCP_CHECK, addr, String(port), String(ms), readLine ? '1' : '0'], { timeoutMs: ms + 10_000 });
  if (r.code !== 0 || !r.stdout) throw new Error(`tcpCheck ${addr}:${port}: the probe failed (exit ${r.code}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as TcpCheck;
}

const HTTP_GET = `
const [url, ms] = process.argv.slice(1);
const req = require('http').get(url, { timeout: +ms }, (res) => {
  let body = ''; res.setEncoding('utf8');
  res.on('data', (d) => { body += d; });
  res.on('end', () => { if (res.statusCode >= 300) { console.error('HTTP ' + res.statusCode); process.exit(2); } process.stdout.write(body); });
});
req.on('timeout', () => { console.error('timed out'); process.exit(3); });
req.on('error', (e) => { console.error(e.code || e.message); process.exit(4); });
`;

async function httpGet(exec: Host['exec'], url: string, ms: number): Promise<string> {
  const r = await exec(process.execPath, ['-e', HTTP_GET, url, String(ms)], { timeoutMs: ms + 10_000 });
  if (r.code !== 0) throw new Error(`GET ${url}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

function nsPids(ns: string): number[] {
  const r = spawnSync(IP, ['netns', 'pids', ns], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
}

/** Gone, or a zombie only its own parent can reap (it holds no namespace any more). */
function gone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
}

async function teardown(id: string, namespaces: string[], children: Set<ChildProcess>): Promise<void> {
  const end = Date.now() + 10_000;
  // Processes may fork while being killed: scan again until the namespaces are empty.
  for (;;) {
    const pids = namespaces.flatMap(nsPids);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ } }
    // Our own children are reaped by node: wait for their exit events.
    await Promise.all([...children].map((c) => c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r))));
    if (pids.every(gone) && namespaces.every((ns) => nsPids(ns).length === 0)) break;
    if (Date.now() > end) throw new Error(`test network ${id}: processes still running after SIGKILL: ${pids.filter((p) => !gone(p)).join(' ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const failed: string[] = [];
  for (const ns of namespaces) {
    const r = spawnSync(IP, ['netns', 'del', ns], { encoding: 'utf8' });
    if (r.status !== 0 && fs.existsSync(`/run/netns/${ns}`)) failed.push(`${ns}: ${r.stderr.trim()}`);
  }
  live.delete(id);
  fs.rmSync(path.join(REGISTRY, id), { force: true });
  if (failed.length) throw new Error(`test network ${id}: could not delete ${failed.join('; ')}`);
}

// Records: /run/pidgeon-netns/<id> holds the owner's pid and start time (so a reused pid
// does not look like the owner).
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function writeRecord(id: string): void {
  fs.mkdirSync(REGISTRY, { recursive: true });
  fs.writeFileSync(path.join(REGISTRY, id), `${process.pid} ${startTime(process.pid)}\n`);
}

/** Synchronously kill and delete the namespaces of `id` (exit handler, stale sweep). */
function removeNow(id: string, namespaces: string[]): void {
  for (const ns of namespaces) for (const pid of nsPids(ns)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  for (const ns of namespaces) spawnSync(IP, ['netns', 'del', ns]);
  fs.rmSync(path.join(REGISTRY, id), { force: true });
}

function sweepStale(): void {
  let ids: string[];
  try { ids = fs.readdirSync(REGISTRY); } catch { return; }
  for (const id of ids) {
    let owner: string[];
    try { owner = fs.readFileSync(path.join(REGISTRY, id), 'utf8').trim().split(' '); } catch { continue; }
    if (startTime(Number(owner[0])) === owner[1]) continue; // its owner still runs
    const nss = fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns').filter((ns) => ns.startsWith(`pdg-${id}-`)) : [];
    removeNow(id, nss);
  }
}

// A test process that exits without its teardown (a crash, process.exit) still
// leaves no namespace behind; one killed by a signal is swept by the next run.
process.on('exit', () => { for (const [id, nss] of live) removeNow(id, nss); });
