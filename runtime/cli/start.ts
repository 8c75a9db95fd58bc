// `pidgeon start <tree>`: start a supervised tree from a JSON file or a JS module,
// stay in the foreground with a live log of starts, exits and restarts, and shut
// the tree down in order on Ctrl-C, SIGTERM or `pidgeon stop`. Exit code 0 for an
// orderly stop, 1 when the top supervisor gave up, 2 for a bad tree.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ActorSystem, formatReason, type ActorRef, type ExitReason } from '../core/index.js';
import type { ClusterOptions } from '../core/options.js';
import '../cluster/index.js'; // a tree with cluster options joins a cluster
import { normalizeSpec, type SupervisorEvent, type SupervisorSpec } from '../supervision/index.js';
import { reapOrphans, setChildSubreaper } from '../transport/index.js';
import { AlreadyRunningError, BadArgumentError, BadSpecError, NameTakenError, PidgeonError } from '../errors.js';
import { atLocation, formatLocation, locateError } from '../core/load-error.js';
import { defaultExport, enableTypeScriptFor } from '../core/typescript.js';
import { importModule } from '../core/bundle-hooks.js';
import { parseArgs } from './args.js';
import { clock, color, reasonText } from './format.js';
import { LAUNCHER_NAME, liveSystems, targetSystem } from './system-dir.js';
import { beginLaunch, launchOptions, logDirOf, logEnvironment } from './launch-ops.js';
import { startDaemon } from './daemon.js';
import { withTreeLine } from './tree-lines.js';

export const startHelp = `usage: pidgeon start <tree.json|tree.js|tree.ts> [--system NAME] [--dir PATH] [--quiet]
                     [--daemon] [--log-dir PATH] [--log-max-bytes N] [--log-files N]

Start a supervised actor tree and stay in the foreground. The tree is a JSON file
or a JS or TS module whose default export is the same object:

  { "system": "demo", "strategy": "one_for_one", "intensity": 3, "period": 5000,
    "children": [ { "id": "w1", "module": "./worker.js", "restart": "permanent" },
                  { "id": "sub", "supervisor": { "strategy": "one_for_all", "children": [] } } ] }

The system is --system, else the tree's "system", else the tree file's name.
A tree with "node" and "cluster" (ActorSystem.start's options, docs/cluster.md)
joins a cluster over NATS: { "node": "host-a", "cluster": { "servers":
["nats://10.0.0.1:4222"], "user": "u", "pass": "p" }, ... }; --node overrides.
Each supervisor keeps --pool N pre-started processes (default 2; 0: none), so a
restart takes milliseconds instead of a Node start.
Relative module paths are relative to the tree file. Ctrl-C, SIGTERM or
'pidgeon stop' shut the tree down in order (exit code 0); if the top supervisor
gives up (restart intensity exceeded) the exit code is 1; a bad tree is refused
before anything starts (exit code 2).

Every actor's stdout and stderr go, line by line with time and name, to its own
log file NAME.log in --log-dir (default: the system directory's logs/), rotated
past --log-max-bytes (default 10 MiB) keeping --log-files old ones (default 3);
'pidgeon logs' reads them. In the foreground they are also shown, each line
prefixed with the actor's name (--quiet hides only the launcher's own lines).
--daemon starts the tree in the background and returns once it is up (exit code
0; the launcher's own output goes to launcher.log in the log directory);
'pidgeon stop' stops it and 'pidgeon ls' shows how it ended.

examples:
  pidgeon start ./tree.json
  pidgeon start ./tree.json --daemon && pidgeon ps
  pidgeon start ./tree.js --system staging
  pidgeon start ./tree.json --pool 0`;

// A failed start in one line: the error's own message (it names the module, the
// file and line), without "error: SpawnError:" before it.
function startFailure(r: ExitReason): string {
  return typeof r === 'object' && 'error' in r ? r.error.message : formatReason(r);
}

/** Load a tree file: JSON, or a module's default export. */
export async function loadTree(file: string): Promise<{ system?: string } & SupervisorSpec> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new BadSpecError('tree', `file not found: ${abs}`);
  let tree: unknown;
  if (abs.endsWith('.json')) {
    try {
      tree = JSON.parse(fs.readFileSync(abs, 'utf8'));
    } catch (err) {
      throw new BadSpecError('tree', `not valid JSON: ${(err as Error).message}`);
    }
  } else {
    await enableTypeScriptFor(abs); // ETYPESCRIPT: one line saying what to install
    let mod: { default?: unknown; tree?: unknown };
    try {
      mod = await importModule(pathToFileURL(abs).href);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const location = locateError(e, abs);
      throw new BadSpecError('tree', `cannot load ${abs}: ${e.name}: ${e.message}${atLocation(location)}`, { cause: e, ...(location ? { location } : {}) });
    }
    tree = defaultExport(mod) ?? mod.tree;
  }
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) throw new BadSpecError('tree', 'must be an object');
  return anchorModules(tree as { system?: string } & SupervisorSpec, path.dirname(abs));
}

// Module paths in a tree file are relative to the file, not to the cwd.
function anchorModules<T extends SupervisorSpec>(spec: T, base: string): T {
  if (!Array.isArray(spec.children)) return spec;
  const children = spec.children.map((c) => {
    if (!c || typeof c !== 'object') return c;
    const out = { ...c };
    if (typeof out.module === 'string' && !out.module.startsWith('file:') && !path.isAbsolute(out.module)) {
      out.module = path.resolve(base, out.module);
    }
    if (out.supervisor && typeof out.supervisor === 'object') out.supervisor = anchorModules(out.supervisor, base);
    return out;
  });
  return { ...spec, children };
}

/** Warm processes per supervisor (and the launcher): `--pool N`, 2 by default. */
export const DEFAULT_POOL = 2;
function poolSize(v: unknown): number {
  if (v === undefined) return DEFAULT_POOL;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isInteger(n)) throw new BadArgumentError(`--pool must be a whole number of processes (got ${String(v)})`);
  return n;
}

export async function start(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir', 'pool', 'node', ...launchOptions.values], flags: ['quiet', ...launchOptions.flags] });
  if (p.options.help) return console.log(startHelp), 0;
  if (p.positionals.length !== 1) throw new BadArgumentError('start needs exactly one tree file');
  const file = p.positionals[0];
  const pool = poolSize(p.options.pool);
  const tree = await loadTree(file);
  const { system: treeSystem, node: treeNode, cluster, ...spec } = tree as typeof tree & { node?: unknown; cluster?: ClusterOptions };
  if (treeSystem !== undefined && typeof treeSystem !== 'string') throw new BadSpecError('tree.system', 'must be a string');
  const node = typeof p.options.node === 'string' ? p.options.node : treeNode;
  if (node !== undefined && typeof node !== 'string') throw new BadSpecError('tree.node', 'must be a string');
  try {
    normalizeSpec(spec, 'tree'); // refuse a bad tree before anything starts
  } catch (err) {
    throw withTreeLine(err, file); // a JSON tree: the field's file and line too
  }
  const name = typeof p.options.system === 'string' ? p.options.system : treeSystem ?? path.basename(file).replace(/\.[^.]*$/, '');
  const t = targetSystem({ positionals: [], options: { ...p.options, system: name } });
  if (p.options.daemon) return startDaemon(argv, t, logDirOf(p, t)); // detached: runs this again with --daemon-child
  liveSystems(); // SIGKILLed systems leave their directories behind: remove the dead ones
  const quiet = p.options.quiet === true;
  const log = (line: string) => { if (!quiet) console.log(`${color.dim(clock())}  ${line}`); };

  // Ctrl-C while the tree is starting: remember it, stop in order once it is up.
  let earlyStop: string | null = null;
  const early = (sig: string) => () => { earlyStop = sig; };
  const earlyInt = early('SIGINT');
  const earlyTerm = early('SIGTERM');
  process.on('SIGINT', earlyInt);
  process.on('SIGTERM', earlyTerm);
  // Orphans of the tree are re-parented to us; Node reaps only what it spawned.
  setChildSubreaper();
  logEnvironment(p, t); // before the system's pool starts processes
  const sys = await ActorSystem.start({ name: t.system, dir: t.dir, pool: { size: pool }, ...(node !== undefined ? { node } : {}), ...(cluster !== undefined ? { cluster } : {}) });
  const nodeChildren = new Set<number>();
  // Node reaps what it spawned: the top supervisor, and the pool's processes.
  process.on('SIGCHLD', () => reapOrphans({ has: (pid) => nodeChildren.has(pid) || sys.children.get(pid) !== undefined }));
  try {
    sys.register(LAUNCHER_NAME);
  } catch (err) {
    await sys.shutdown();
    if (err instanceof NameTakenError) {
      throw new AlreadyRunningError(`system '${t.system}' already has a launcher (pid ${err.address?.pid}); stop it first`);
    }
    throw err;
  }
  const launch = beginLaunch(p, t, file); // log directory, launcher.json, prefixed actor output
  const ids = new Map<number, string>();
  sys.on('message', (msg) => {
    const e = msg as SupervisorEvent;
    if (!e || e.type !== 'pidgeon.supervisor') return;
    if (e.ref) ids.set(e.ref.pid, e.id);
    const who = `${e.id.padEnd(14)} ${e.ref ? color.dim(`pid ${e.ref.pid}`) : ''}`;
    switch (e.event) {
      case 'started': return log(`${color.green('started   ')} ${who}`);
      case 'exited': return log(`${color.red('exited    ')} ${who}  ${e.reason ? reasonText(e.reason) : ''}`);
      case 'restarting': return log(`${color.yellow('restarting')} ${e.id}`);
      case 'backoff': return log(`${color.yellow('backoff   ')} ${e.id.padEnd(14)} ${color.dim(`restart in ${e.delay} ms`)}`);
      case 'stopped': return log(`${color.dim('stopped   ')} ${who}`);
      case 'start_failed': return log(`${color.red('failed    ')} ${e.id}  ${e.reason ? color.red(startFailure(e.reason)) : ''}`);
      case 'gave_up': return log(color.red(`supervisor ${e.supervisor.pid} gave up: restart intensity exceeded`));
    }
  });

  log(`${color.bold('pidgeon')} starting system '${t.system}' from ${file} ${color.dim(`(launcher pid ${process.pid})`)}`);
  let sup: ActorRef;
  try {
    sup = await sys.supervise(spec, { reportTo: sys.self });
  } catch (err) {
    log(color.red(`the tree failed to start: ${(err as Error).message}`));
    const where = (err as PidgeonError).location;
    if (where) console.log(formatLocation(where));
    await sys.shutdown();
    launch.end(1);
    return 1;
  }
  nodeChildren.add(sup.pid);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const finish = async (code: number) => {
      await sys.shutdown();
      launch.end(code);
      resolve(code);
    };
    sys.monitor(sup);
    sys.on('down', ({ ref, reason }) => {
      if (ref.pid !== sup.pid || stopping) return;
      stopping = true;
      log(color.red(`top supervisor exited (${formatReason(reason)}): the tree gave up`));
      void finish(1);
    });
    const orderly = (why: string) => {
      if (stopping) {
        log(color.red('second request: killing the tree'));
        process.kill(sup.pid, 'SIGKILL');
        return;
      }
      stopping = true;
      log(`${why}: stopping the tree in order`);
      void sys.stop(sup, { timeout: 'infinity' }).then((reason: ExitReason) => {
        log(`tree stopped (${formatReason(reason)})`);
        return finish(0);
      });
    };
    process.off('SIGINT', earlyInt);
    process.off('SIGTERM', earlyTerm);
    process.on('SIGINT', () => orderly('SIGINT'));
    process.on('SIGTERM', () => orderly('SIGTERM'));
    sys.on('stopRequested', () => orderly('stop requested'));
    // Only now (handlers in place) is Ctrl-C an orderly stop.
    log(`tree is up ${color.dim(`(top supervisor pid ${sup.pid}); Ctrl-C stops it`)}`);
    launch.up();
    if (earlyStop) orderly(`${earlyStop} during start-up`);
  });
}
