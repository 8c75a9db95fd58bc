// The counters of one process as `stats()` (and the `info` request) report them: the
// mailbox's, with what the actor core itself drops of the messages the mailbox
// delivered merged into `dropped` (the mailbox counts datagrams it could not read as
// messages; the core counts messages it could not use).
import type { MailboxStats } from '../transport/index.js';

/** Messages the actor core received and dropped, by cause (each message counts once). */
export interface CoreDrops {
  /** The body is not an envelope: not msgpack, or not `[type, ...]` of a known type and shape. */
  undecodable: number;
  /** A runtime message or request (T_SYS, T_SYSASK) of an unknown op, or whose payload
   * does not have its op's shape (a request is still answered, with EBADARG). */
  badRuntimeMessage: number;
  /** A runtime message whose handler threw (a bug: reported nowhere else). */
  runtimeError: number;
  /** A reply (T_REPLY) to no pending ask: it came late (the ask timed out), twice, or
   * from another actor than the one asked. */
  strayReply: number;
}

/** All zero. */
export function newCoreDrops(): CoreDrops {
  return { undecodable: 0, badRuntimeMessage: 0, runtimeError: 0, strayReply: 0 };
}

/** Messages by whom they are for, counted where envelopes are sent and dispatched
 * (one increment each): the user's (T_MSG, T_ASK and replies to user asks: what
 * `receive` and `ask` see) and the runtime's own (T_SYS, T_SYSASK and their replies). */
export interface MessageCounts {
  userReceived: number;
  userSent: number;
  runtimeReceived: number;
  runtimeSent: number;
}

/** All zero. */
export function newMessageCounts(): MessageCounts {
  return { userReceived: 0, userSent: 0, runtimeReceived: 0, runtimeSent: 0 };
}

/** The counts as `stats()` reports them. */
export function splitCounts(c: MessageCounts): Pick<SystemStats, 'user' | 'runtime'> {
  return { user: { received: c.userReceived, sent: c.userSent }, runtime: { received: c.runtimeReceived, sent: c.runtimeSent } };
}

/** What `system.stats()` returns. */
export interface SystemStats extends Omit<MailboxStats, 'dropped'> {
  dropped: MailboxStats['dropped'] & CoreDrops;
  /** `received`/`sent` split: the user's messages and the runtime's own. */
  user: { received: number; sent: number };
  runtime: { received: number; sent: number };
  /** As many as 'deadLetter' events. */
  deadLetters: number;
  asksPending: number;
  children: number;
  /** The hosted actor's queue: its length now, its peak, how often it was full. */
  queueLength: number;
  queuePeak: number;
  throttled: number;
  /** The spawn pool (SystemOptions.pool): its size, processes ready now, one starting. */
  pool: { size: number; idle: number; starting: number };
}
