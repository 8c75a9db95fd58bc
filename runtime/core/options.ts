// Options of the calls that ActorSystem and ActorContext share: sending, asking,
// spawning and stopping; and of ActorSystem.start. Types only.
import type { MailboxOptions } from '../transport/index.js';

/** Options of `ActorSystem.start`. */
export interface SystemOptions extends Omit<MailboxOptions, 'system'> {
  /** The system's name (its directory is derived from it unless `dir` is given). */
  name: string;
  /** Pre-started processes for `spawn` (spawn-pool.ts; none by default). Actors this
   * system spawns keep a pool of the same size from their own first spawn on. */
  pool?: PoolOptions;
  /** This system's node name in a cluster (a NATS subject token: letters, digits,
   * `_`, `-`); the actors it spawns inherit it. Needed with `cluster`. */
  node?: string;
  /** Join a cluster of nodes over NATS (see docs/cluster.md). Without it the system
   * is a single-host one and needs no NATS. */
  cluster?: ClusterOptions;
}

/** `SystemOptions.cluster`: how to reach NATS, and who is a member. */
export interface ClusterOptions {
  /** NATS server URLs, e.g. `['nats://10.0.0.1:4222']` (several: a NATS cluster). */
  servers: string[];
  /** NATS authentication (required): user and pass, or a token, or an nkey seed. */
  user?: string;
  pass?: string;
  token?: string;
  nkeySeed?: string;
  /** TLS to NATS (`{ caFile, certFile, keyFile }` as the NATS client takes them). */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** The cluster's name: the subject prefix (default: the system's name). */
  name?: string;
  /** The member nodes; messages from any other node are dropped and counted
   * (default: every node that authenticates to NATS). */
  members?: string[];
  /** A peer counts as unreachable after this many ms without an answer to the
   * proxies' pings (default 2000; pings go every quarter of it). */
  downAfter?: number;
}

/** `SystemOptions.pool`. */
export interface PoolOptions {
  /** Processes kept ready (0: no pool). A burst of more spawns than this starts the
   * rest cold. */
  size: number;
}

/** Options of `send` (also `ctx.send`, `ctx.reply`). */
export interface SendOptions {
  /** File descriptors to pass with the message (the receiver gets its own copies). */
  fds?: number[];
}

/** Options of `ask`. */
export interface AskOptions extends SendOptions {
  /** Reject with ETIMEDOUT after this many ms (default 5000; Infinity for none). */
  timeout?: number;
}

/** Options of `spawn`; `A` is the type of the actor's args (see `ArgsOf`). */
export interface SpawnOptions<A = unknown> {
  /** Register the actor under this name in its system. */
  name?: string;
  /** Passed to the actor's `init(ctx, args)` (anything the codec carries). */
  args?: A;
  /** Extra environment variables for the child process. */
  env?: Record<string, string>;
  /** How long the child may take to load and run `init` (default 30 s). */
  timeout?: number;
  /** Bound of the actor's queue, in messages (overrides its definition's
   * `mailboxCapacity`; default 1000; Infinity for none). */
  mailboxCapacity?: number;
  /** The name its stdout and stderr are logged under when a launcher keeps per-actor
   * log files (`pidgeon logs NAME`); default: `name`, else the module's file name.
   * A supervisor logs an unnamed child under its child id. */
  logName?: string;
  /** Spawn on this node of the cluster (its module path is resolved there). */
  node?: string;
}

/** The options argument of `spawn<D>`: optional unless the actor's args type `A`
 * excludes undefined, in which case `args` is required. */
export type SpawnParams<A> = undefined extends A ? [options?: SpawnOptions<A>] : [options: SpawnOptions<A> & { args: A }];

/** How to stop a child: ms to wait after the stop request before SIGKILL, or
 * 'brutal_kill' (SIGKILL at once), or 'infinity' (wait; for supervisors). */
export type ShutdownSpec = number | 'brutal_kill' | 'infinity';
