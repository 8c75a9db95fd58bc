// One child actor process: its handle (its address once it is ready, its state,
// the tail of its stderr, its exit reason), and launching it: Node running
// child-main.js with the environment child-main reads and the module's loader
// flags; stdin carries its hand-off (module and init arguments), stdout is
// inherited, stderr copied through (or, under a launcher, both captured into the
// actor's log file: child-output.ts).
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_TIMER_MS, type Address } from '../transport/index.js';
import { BadArgumentError } from '../errors.js';
import type { ExitReason } from './reasons.js';
import type { ActorRef } from './refs.js';
import { encode } from './codec.js';
import type { SpawnOptions } from './options.js';
import { checkActorName } from './registry.js';
import { checkMailboxCapacity } from './actor.js';
import { captureOutput, logNameOf, logSettings } from './child-output.js';

const STDERR_TAIL = 4096;
// node:child_process is loaded at the first spawn, not at every actor's start (most
// actors spawn nothing); a require because launching is synchronous.
let childProcess: typeof import('node:child_process') | undefined;
const loadChildProcess = () => (childProcess ??= createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process'));
const childMain = fileURLToPath(new URL('../core/child-main.js', import.meta.url));

/** One child process. */
export class ChildHandle {
  ref: ActorRef | undefined;
  readonly proc: ChildProcess;
  /** The actor module ('' while an idle pooled process waits for one). */
  module: string;
  name: string | undefined;
  startedAt = Date.now();
  /** A pre-started process in the spawn pool (spawn-pool.ts), not an actor yet. */
  idle = false;
  state: 'starting' | 'running' | 'stopping' | 'exited' = 'starting';
  stderrTail = '';
  /** Processes (not this one) that asked to hear how this child exits. */
  readonly watchers: Address[] = [];
  /** @internal Settles once the subtree of a SIGKILLed child is gone and cleaned up. */
  cleanup: Promise<void> = Promise.resolve();
  /** @internal A SIGKILL's cleanup has been arranged. */
  cleaningUp = false;
  /** Resolves with the exit reason once the process is reaped. */
  readonly reason: Promise<ExitReason>;
  /** @internal */ settleReason!: (r: ExitReason) => void;
  /** Resolves with the exit reason as soon as the process is dead (its pidfd fired),
   * which may be a little before it is reaped: what death watch waits for. */
  readonly died: Promise<ExitReason>;
  /** @internal */ settleDied!: (r: ExitReason) => void;
  /** The exit reason, once the process is dead. */
  exitReason: ExitReason | undefined;
  constructor(proc: ChildProcess, module: string, name: string | undefined) {
    this.proc = proc;
    this.module = module;
    this.name = name;
    this.reason = new Promise((r) => { this.settleReason = r; });
    this.died = new Promise((r) => { this.settleDied = r; });
  }
  get pid(): number {
    return this.proc.pid ?? -1;
  }
  /** An idle pooled process becomes the actor of `module`. */
  adopt(module: string, name: string | undefined): void {
    this.idle = false;
    this.module = module;
    this.name = name;
    this.startedAt = Date.now();
    this.stderrTail = '';
  }
  /** Under a launcher (a log directory set): its stdout and stderr go on into the
   * log file of the actor it runs (child-output.ts), from now on. */
  logUnder(logName: string | undefined): void {
    const logs = logSettings();
    if (logs && this.proc.pid !== undefined) captureOutput(this.proc, logNameOf(this.module, this.name, logName), logs);
  }
  /** A pooled process: `f` once it has loaded the runtime and waits for a module. */
  whenLoaded(f: () => void): void {
    const loaded = this.proc.stdio[3] as NodeJS.ReadableStream | null;
    loaded?.once('data', f);
    loaded?.on('error', () => {});
  }
  /** Its module and what `init` carries, on stdin: it answers `ready` (or
   * `initFailed`). Sent at launch, or by the pool when an idle process is taken. */
  handOff(module: string, init: { args: unknown; name: string | null; mailboxCapacity: number | null }): void {
    const body = encode({ module, init });
    const len = Buffer.alloc(4);
    len.writeUInt32LE(body.length, 0);
    this.proc.stdin!.on('error', () => {}); // it may have died meanwhile: its exit says so
    this.proc.stdin!.end(Buffer.concat([len, body]));
  }
}

/** `spawn`'s module and options, checked (EBADARG). */
export function checkSpawnOptions(module: string | URL, options: SpawnOptions): { file: string; name: string | undefined; timeout: number; mailboxCapacity: number | null } {
  const file = resolveModule(module);
  if (typeof options !== 'object' || options === null) throw new BadArgumentError('spawn options must be an object');
  const name = options.name === undefined ? undefined : checkActorName(options.name);
  const timeout = options.timeout ?? 30_000;
  if (!(typeof timeout === 'number' && timeout > 0 && (timeout <= MAX_TIMER_MS || timeout === Infinity))) {
    throw new BadArgumentError(`spawn timeout must be ms (up to ${MAX_TIMER_MS}) or Infinity`);
  }
  if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null)) throw new BadArgumentError('spawn env must be an object');
  if (options.logName !== undefined && (typeof options.logName !== 'string' || options.logName === '')) throw new BadArgumentError('spawn logName must be a non-empty string');
  const mailboxCapacity = options.mailboxCapacity === undefined ? null : checkMailboxCapacity(options.mailboxCapacity, 'spawn mailboxCapacity');
  // Args travel in init: what cannot be encoded is refused now, before a process starts.
  try {
    encode(options.args);
  } catch (err) {
    throw new BadArgumentError(`spawn args: ${(err as Error).message}`, { cause: err });
  }
  return { file, name, timeout, mailboxCapacity };
}

/** Resolve a module given as URL, absolute path or path relative to the cwd. */
export function resolveModule(module: string | URL): string {
  let p: string;
  if (module instanceof URL) {
    if (module.protocol !== 'file:') throw new BadArgumentError(`actor module URL must be file: (got ${module.href})`);
    p = fileURLToPath(module);
  } else if (typeof module === 'string' && module !== '') {
    p = module.startsWith('file:') ? fileURLToPath(module) : path.resolve(process.cwd(), module);
  } else {
    throw new BadArgumentError('actor module must be a path or a file: URL');
  }
  return p;
}

/** Where a child is started from: its parent's system. */
export interface LaunchHost {
  readonly self: Address;
  readonly node?: string;
  readonly dir: string;
  readonly systemName: string;
}

/** Start Node running child-main.js for actor module `file`; `file` null: an idle
 * process for the spawn pool, handed its module later (`handOff`). `poolSize`: the
 * child's own spawn pool (started at its first spawn), 0 for none. */
export function launchChild(file: string | null, name: string | undefined, extraEnv: Record<string, string> | undefined, loader: string[], host: LaunchHost, poolSize = 0): ChildHandle {
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...extraEnv,
    PIDGEON_DIR: host.dir,
    PIDGEON_SYSTEM: host.systemName,
    PIDGEON_PARENT: `${host.self.pid}:${host.self.instance}`,
  };
  if (file !== null) {
    env.PIDGEON_MODULE = file;
    delete env.PIDGEON_POOLED;
  } else {
    delete env.PIDGEON_MODULE;
    env.PIDGEON_POOLED = '1';
  }
  if (poolSize > 0) env.PIDGEON_POOL_SIZE = String(poolSize);
  else delete env.PIDGEON_POOL_SIZE;
  if (name !== undefined) env.PIDGEON_NAME = name;
  else delete env.PIDGEON_NAME;
  if (host.node !== undefined) env.PIDGEON_NODE = host.node;
  else delete env.PIDGEON_NODE;
  // The child reads its hand-off from stdin (spawn() writes it at once, the pool
  // when the idle process is taken); a pooled one says it has loaded on fd 3.
  // Under a launcher stdout is piped too, to go to the actor's log file.
  const logs = logSettings();
  const out = logs ? 'pipe' : 'inherit';
  const proc = loadChildProcess().spawn(process.execPath, [...process.execArgv, ...loader, childMain], {
    env,
    stdio: file === null ? ['pipe', out, 'pipe', 'pipe'] : ['pipe', out, 'pipe'],
  });
  const child = new ChildHandle(proc, file ?? '', name);
  child.idle = file === null;
  if (proc.pid !== undefined) {
    proc.stderr!.on('data', (chunk: Buffer) => {
      if (!logs) process.stderr.write(chunk);
      child.stderrTail = (child.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
  }
  return child;
}
