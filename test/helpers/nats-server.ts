// nats-server for tests: found (or installed once, as root with apt-get), started in
// a test host's namespace or the root one, and awaited until it really serves
// ("Server is ready" on its stderr, which it prints once its listeners are up).
// Clusters of three wait until every server has routes to the other two (its
// monitoring endpoint's /routez). Every server started here is killed and reaped by
// stop(), by the test network's destroy(), or at the latest when the test process exits.
import type { ExecutionContext } from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Host } from './netns.js';

export const INSTALL_HINT = 'sudo apt-get install -y nats-server';

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export interface NatsOptions {
  /** The test host to run in; undefined: the root namespace. */
  host?: Host;
  /** Address to bind; the host's address, or 127.0.0.1 in the root namespace. */
  address?: string;
  port: number;
  user: string;
  pass: string;
  /** --server_name; by default `<address>:<port>`. */
  name?: string;
  /** -m: the monitoring endpoint's port (needed for routes()). */
  monitorPort?: number;
  cluster?: { name: string; port: number; routes: string[] };
  /** How long to wait for "Server is ready" (15 s). */
  readyMs?: number;
  /** With `t`, stop() is registered as its teardown (the host's destroy() kills it anyway). */
  t?: ExecutionContext;
}

export interface NatsServer {
  /** nats://address:port (no credentials: see user, pass). */
  readonly url: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly pass: string;
  readonly name: string;
  readonly host: Host | undefined;
  /** nats://address:clusterPort, for other servers' --routes. */
  readonly routeUrl: string | undefined;
  /** http://address:monitorPort. */
  readonly monitorUrl: string | undefined;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves once the process has exited and been reaped. */
  readonly exited: Promise<Exit>;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it is still running after `ms` (5 s); resolves once reaped.
   * (nats-server exits with status 1 after a clean shutdown on SIGTERM.) */
  stop(ms?: number): Promise<Exit>;
  /** Its stderr so far (the server's log). */
  log(): string;
  /** The number of routes /routez reports (needs monitorPort). */
  routes(): Promise<number>;
}

const SEARCH = ['/usr/sbin', '/usr/bin', '/usr/local/bin', '/sbin', '/bin'];
let installTried = false;

function which(cmd: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH];
  for (const d of dirs) {
    const p = path.join(d, cmd);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* not here */ }
  }
  return undefined;
}

/** The path of nats-server. If it is missing and we are root with apt-get, installs it
 * (once per process); otherwise throws an Error naming the command to run. */
export function ensureNatsServer(): string {
  const found = which('nats-server');
  if (found) return found;
  const apt = which('apt-get');
  if (!installTried && apt && process.getuid?.() === 0) {
    installTried = true;
    // Parallel test processes may install at once: wait for the dpkg lock, not fail.
    const install = () => spawnSync(apt, ['install', '-y', '-o', 'DPkg::Lock::Timeout=300', 'nats-server'], {
      stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000,
    }).status === 0;
    if (!install()) {
      spawnSync(apt, ['update'], { stdio: 'ignore', timeout: 600_000 });
      install();
    }
    const after = which('nats-server');
    if (after) return after;
  }
  throw new Error(`nats-server is not installed (the cluster tests need it): run '${INSTALL_HINT}'`);
}

const rootServers = new Set<ChildProcess>();
process.on('exit', () => { for (const c of rootServers) c.kill('SIGKILL'); });

/** Start nats-server and resolve once it is ready for clients. */
export async function startNats(opts: NatsOptions): Promise<NatsServer> {
  const bin = ensureNatsServer();
  const address = opts.address ?? opts.host?.address ?? '127.0.0.1';
  const name = opts.name ?? `${address}:${opts.port}`;
  const args = ['-a', address, '-p', String(opts.port), '--user', opts.user, '--pass', opts.pass, '--server_name', name];
  if (opts.monitorPort !== undefined) args.push('-m', String(opts.monitorPort));
  const routeUrl = opts.cluster ? `nats://${address}:${opts.cluster.port}` : undefined;
  if (opts.cluster) {
    args.push('--cluster_name', opts.cluster.name, '--cluster', routeUrl!);
    if (opts.cluster.routes.length) args.push('--routes', opts.cluster.routes.join(','));
  }
  const stdio = ['ignore', 'ignore', 'pipe'] as const;
  const child = opts.host ? opts.host.spawnIn(bin, args, { stdio: [...stdio] }) : spawn(bin, args, { stdio: [...stdio] });
  if (!opts.host) {
    rootServers.add(child);
    child.once('exit', () => rootServers.delete(child));
  }
  let log = '';
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (e) => { log += `\n${e.message}`; resolve({ code: null, signal: null }); });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => { if (running()) child.kill(signal); };
  const stop = async (ms = 5000): Promise<Exit> => {
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), ms);
    try { return await exited; } finally { clearTimeout(timer); }
  };
  const monitorUrl = opts.monitorPort !== undefined ? `http://${address}:${opts.monitorPort}` : undefined;
  const server: NatsServer = {
    url: `nats://${address}:${opts.port}`, address, port: opts.port, user: opts.user, pass: opts.pass, name,
    host: opts.host, routeUrl, monitorUrl, pid: child.pid ?? -1, child, exited, kill, stop,
    log: () => log,
    routes: async () => {
      if (!monitorUrl) throw new Error(`nats-server ${name} has no monitoring port`);
      const body = await (opts.host ? opts.host.httpGet(`${monitorUrl}/routez`) : getHere(`${monitorUrl}/routez`));
      return (JSON.parse(body) as { num_routes: number }).num_routes;
    },
  };
  opts.t?.teardown(() => stop());

  const readyMs = opts.readyMs ?? 15_000;
  await new Promise<void>((resolve, reject) => {
    let late = false;
    const fail = (why: string) => { clearTimeout(timer); reject(new Error(`nats-server ${name} ${why}; its log:\n${log.slice(-3000)}`)); };
    const timer = setTimeout(() => { late = true; kill('SIGKILL'); }, readyMs);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      log += d;
      if (log.includes('Server is ready')) { clearTimeout(timer); resolve(); }
    });
    void exited.then((e) => {
      if (late) fail(`was not ready after ${readyMs} ms (killed)`);
      else if (!log.includes('Server is ready')) fail(`exited before it was ready (code ${e.code}, signal ${e.signal})`);
    });
  });
  return server;
}

function getHere(url: string, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; });
      res.on('end', () => (res.statusCode ?? 500) < 300 ? resolve(body) : reject(new Error(`GET ${url}: HTTP ${res.statusCode}`)));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out after ${ms} ms`)));
    req.on('error', reject);
  });
}

export interface ClusterOptions {
  user: string;
  pass: string;
  /** Client, route and monitoring ports (4222, 6222, 8222); servers sharing a namespace get +1, +2. */
  port?: number;
  clusterPort?: number;
  monitorPort?: number;
  /** The cluster's name ('pdg'). */
  name?: string;
  /** The address in the root namespace (for hosts left undefined): 127.0.0.1. */
  address?: string;
  readyMs?: number;
  /** How long to wait until the routes are up (15 s). */
  routesMs?: number;
  t?: ExecutionContext;
}

export interface NatsCluster {
  readonly servers: NatsServer[];
  /** The servers' client URLs, in order. */
  readonly urls: string[];
  /** Resolve once each of `servers` (all running ones by default) has `expected` routes. */
  waitRoutes(expected: number, ms?: number, servers?: NatsServer[]): Promise<void>;
  /** Stop every server (SIGTERM, then SIGKILL) and wait until all are reaped. */
  stop(): Promise<void>;
}

/** Three nats-servers clustered together, one per entry of `hosts` (an entry may repeat
 * a host, or be undefined for the root namespace); resolves once all routes are up. */
export async function startNatsCluster(hosts: (Host | undefined)[], opts: ClusterOptions): Promise<NatsCluster> {
  if (hosts.length !== 3) throw new Error(`startNatsCluster: needs 3 hosts, got ${hosts.length}`);
  const base = { port: opts.port ?? 4222, cluster: opts.clusterPort ?? 6222, monitor: opts.monitorPort ?? 8222 };
  const plan = hosts.map((host, i) => {
    const offset = hosts.slice(0, i).filter((h) => h === host).length; // earlier servers in this namespace
    const address = host?.address ?? opts.address ?? '127.0.0.1';
    return { host, address, port: base.port + offset, clusterPort: base.cluster + offset, monitorPort: base.monitor + offset };
  });
  const name = opts.name ?? 'pdg';
  const started = await Promise.allSettled(plan.map((p, i) => startNats({
    host: p.host, address: p.address, port: p.port, user: opts.user, pass: opts.pass, name: `${name}-${i}`,
    monitorPort: p.monitorPort, readyMs: opts.readyMs,
    cluster: { name, port: p.clusterPort, routes: plan.filter((_, j) => j !== i).map((q) => `nats://${q.address}:${q.clusterPort}`) },
  })));
  const servers = started.flatMap((s) => s.status === 'fulfilled' ? [s.value] : []);
  const stop = async () => { await Promise.all(servers.map((s) => s.stop())); };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const cluster: NatsCluster = {
    servers, urls: servers.map((s) => s.url), stop,
    waitRoutes: async (expected, ms = 15_000, which = servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null)) => {
      const end = Date.now() + ms;
      let last: (number | string)[] = [];
      for (;;) {
        last = await Promise.all(which.map((s) => s.routes().catch((e: Error) => e.message)));
        if (last.every((n) => n === expected)) return;
        if (Date.now() > end) throw new Error(`nats cluster: routes per server ${JSON.stringify(last)} after ${ms} ms, wanted ${expected} each`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  opts.t?.teardown(stop);
  try {
    await cluster.waitRoutes(2, opts.routesMs ?? 15_000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}; logs:\n${servers.map((s) => `--- ${s.name}\n${s.log().slice(-1500)}`).join('\n')}`);
  }
  return cluster;
}
