// One child actor process: its handle (its address once it said hello, its state,
// the tail of its stderr, its exit reason), and launching it: Node running
// child-main.js with the environment child-main reads and the module's loader
// flags; stdin ignored, stdout inherited, stderr copied through (or, under a
// launcher, both captured into the actor's log file: child-output.ts).
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Address } from '../transport/index.js';
import { BadArgumentError } from '../errors.js';
import type { ExitReason } from './reasons.js';
import type { ActorRef } from './refs.js';
import { LOG_NAME_ENV, captureOutput, logNameOf, logSettings } from './child-output.js';

const STDERR_TAIL = 4096;
const childMain = fileURLToPath(new URL('./child-main.js', import.meta.url));

/** One child process. */
export class ChildHandle {
  ref: ActorRef | undefined;
  readonly proc: ChildProcess;
  readonly module: string;
  readonly name: string | undefined;
  readonly startedAt = Date.now();
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
  constructor(proc: ChildProcess, module: string, name: string | undefined) {
    this.proc = proc;
    this.module = module;
    this.name = name;
    this.reason = new Promise((r) => { this.settleReason = r; });
  }
  get pid(): number {
    return this.proc.pid ?? -1;
  }
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
  readonly dir: string;
  readonly systemName: string;
}

/** Start Node running child-main.js for actor module `file`. */
export function launchChild(file: string, name: string | undefined, extraEnv: Record<string, string> | undefined, loader: string[], host: LaunchHost): ChildHandle {
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...extraEnv,
    PIDGEON_DIR: host.dir,
    PIDGEON_SYSTEM: host.systemName,
    PIDGEON_PARENT: `${host.self.pid}:${host.self.instance}`,
    PIDGEON_MODULE: file,
  };
  if (name !== undefined) env.PIDGEON_NAME = name;
  else delete env.PIDGEON_NAME;
  delete env[LOG_NAME_ENV];
  const logs = logSettings();
  const proc = spawnProcess(process.execPath, [...process.execArgv, ...loader, childMain], {
    env,
    stdio: ['ignore', logs ? 'pipe' : 'inherit', 'pipe'],
  });
  const child = new ChildHandle(proc, file, name);
  if (proc.pid !== undefined) {
    if (logs) captureOutput(proc, logNameOf(file, name, extraEnv), logs);
    proc.stderr!.on('data', (chunk: Buffer) => {
      if (!logs) process.stderr.write(chunk);
      child.stderrTail = (child.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
  }
  return child;
}
