// The supervision calls of ActorSystem (`supervise`, `which` and the dynamic-child
// calls `startChild` ... `countChildren`): their contract (the
// spec and result types users write and read) and the slot through which the
// supervision layer provides them. Imports point down, so the core cannot import
// supervisors; supervision/index.ts hands its implementation to
// `provideSupervision` when it loads. Every process that can call them has loaded
// it: the package entry re-exports it and the launcher's commands import it.
import { BadArgumentError } from '../errors.js';
import type { ShutdownSpec, SpawnOptions } from './options.js';
import type { ActorRef } from './refs.js';

/** Which children a supervisor restarts when one fails (OTP's strategies);
 * `simple_one_for_one`: one template child, instances started by `startChild(sup, args)`. */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';
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
  /** Delay its restarts (Akka's BackoffSupervisor); they still count against the intensity. */
  backoff?: BackoffSpec;
}

/** Restart delays: the n-th restart in a row waits min·factorⁿ⁻¹ ms, at most `max`,
 * plus up to `jitter` of that at random; a child that stayed up `reset` ms starts
 * over at `min`. */
export interface BackoffSpec {
  min: number;
  max: number;
  /** Default 2. */
  factor?: number;
  /** 0..1, default 0.2. */
  jitter?: number;
  /** Default `max`. */
  reset?: number;
}

/** A supervisor: its strategy, its restart intensity, and its children. */
export interface SupervisorSpec {
  strategy?: Strategy;
  /** At most this many restarts within `period` ms; one more and the supervisor gives up. */
  intensity?: number;
  period?: number;
  /** Register the supervisor under this name. */
  name?: string;
  /** startChild fails with EMAXCHILDREN once this many children are kept (Elixir's max_children). */
  maxChildren?: number;
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
  /** 'restarting': waiting out its backoff, or a failed restart re-queued (OTP's `restarting`). */
  state: 'running' | 'restarting' | 'stopped';
  /** How often the supervisor started it again. */
  restarts: number;
}

/** `countChildren`: as OTP's count_children. */
export interface ChildCount {
  /** Child specs kept, running or not. */
  specs: number;
  /** Children running now. */
  active: number;
  /** Specs that are nested supervisors. */
  supervisors: number;
  /** Specs that are workers. */
  workers: number;
}

/** Options of the dynamic-child calls. */
export interface ChildCallOptions {
  /** How long the supervisor may take to answer (start, restart, terminate: 60 s; others: 5 s). */
  timeout?: number;
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
  /** `child`: a child spec, or a simple_one_for_one instance's args. */
  startChild(system: SupervisionHost, supervisor: ActorRef, child: unknown, options: ChildCallOptions): Promise<ActorRef>;
  terminateChild(system: SupervisionHost, supervisor: ActorRef, id: string | ActorRef, options: ChildCallOptions): Promise<void>;
  restartChild(system: SupervisionHost, supervisor: ActorRef, id: string, options: ChildCallOptions): Promise<ActorRef>;
  deleteChild(system: SupervisionHost, supervisor: ActorRef, id: string, options: ChildCallOptions): Promise<void>;
  countChildren(system: SupervisionHost, supervisor: ActorRef, options: ChildCallOptions): Promise<ChildCount>;
  getChildSpec(system: SupervisionHost, supervisor: ActorRef, id: string | ActorRef, options: ChildCallOptions): Promise<ChildSpec>;
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
