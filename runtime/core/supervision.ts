// The supervision calls of ActorSystem, `supervise` and `which`: their contract (the
// spec and result types users write and read) and the slot through which the
// supervision layer provides them. Imports point down, so the core cannot import
// supervisors; supervision/index.ts hands its implementation to
// `provideSupervision` when it loads. Every process that can call them has loaded
// it: the package entry re-exports it and the launcher's commands import it.
import { BadArgumentError } from '../errors.js';
import type { ShutdownSpec, SpawnOptions } from './options.js';
import type { ActorRef } from './refs.js';

/** Which children a supervisor restarts when one fails (OTP's strategies). */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';
/** When a child is restarted (OTP's restart types). */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** One child of a supervisor: a worker module, or a nested supervisor. */
export interface ChildSpec {
  id: string;
  /** The actor module (path relative to the cwd, absolute path, or file: URL). */
  module?: string | URL;
  /** A nested supervisor instead of a module. */
  supervisor?: SupervisorSpec;
  args?: unknown;
  name?: string;
  env?: Record<string, string>;
  /** permanent: always restarted; transient: only after an abnormal exit; temporary: never. */
  restart?: RestartType;
  /** ms between the stop request and SIGKILL, or 'brutal_kill', or 'infinity'. */
  shutdown?: ShutdownSpec;
}

/** A supervisor: its strategy, its restart intensity, and its children. */
export interface SupervisorSpec {
  strategy?: Strategy;
  /** At most this many restarts within `period` ms; one more and the supervisor gives up. */
  intensity?: number;
  period?: number;
  /** Register the supervisor under this name. */
  name?: string;
  children: ChildSpec[];
}

/** Options of `supervise`. */
export interface SuperviseOptions {
  /** Receive supervisor events (starts, exits, restarts) as messages here. */
  reportTo?: ActorRef;
  /** How long the whole tree may take to start (default 60 s). */
  timeout?: number;
}

/** One child's entry in `which`. */
export interface ChildInfo {
  id: string;
  ref: ActorRef | null;
  type: 'worker' | 'supervisor';
  restart: string;
  module: string | null;
  /** How often the supervisor started it again. */
  restarts: number;
}

/** What `supervise` and `which` need from their system. */
export interface SupervisionHost {
  spawn(module: string, options: SpawnOptions): Promise<ActorRef>;
  askSystem(to: ActorRef, op: string, payload: unknown, timeout?: number): Promise<unknown>;
}

/** The supervision layer's implementation of the calls. */
export interface Supervision {
  supervise(system: SupervisionHost, spec: SupervisorSpec, options: SuperviseOptions): Promise<ActorRef>;
  which(system: SupervisionHost, supervisor: ActorRef, options: { timeout?: number }): Promise<ChildInfo[]>;
}

let provided: Supervision | null = null;

/** Called once by supervision/index.ts: the implementation of supervise and which. */
export function provideSupervision(s: Supervision): void {
  provided = s;
}

/** The provided implementation. */
export function supervision(): Supervision {
  if (!provided) throw new BadArgumentError("supervise and which need the supervision layer: import ActorSystem from 'pidgeon'");
  return provided;
}
