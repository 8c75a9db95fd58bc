// Mailbox options: what a caller may set, the defaults, and their checks; and the
// fixed sizes that are not options.
import { BadArgumentError } from '../errors.js';
import { MAX_DATAGRAM } from './wire.js';

/** Options of `Mailbox.open`. Sizes in bytes, times in milliseconds. */
export interface MailboxOptions {
  system: string;
  dir?: string;
  /** Queued bytes per destination past which `send` returns false (default 4 MiB). */
  highWaterMark?: number;
  /** Queued bytes per destination past which `send` throws EMAILBOXFULL (default 64 MiB). */
  maxQueueBytes?: number;
  /** Largest message accepted, sent or received (default 64 MiB). */
  maxMessageSize?: number;
  /** Memory for messages in reassembly, all senders together (default 256 MiB). */
  maxReassemblyBytes?: number;
  /** An incomplete fragmented message is dropped after this long (default 30 s). */
  reassemblyTimeout?: number;
  /** Messages up to this size are coalesced into batch datagrams (default 8 KiB). */
  coalesceLimit?: number;
  /** Bytes of one batch datagram (default 64 KiB, at most MAX_DATAGRAM). */
  batchCapacity?: number;
  /** Messages of at least this size travel in a sealed memfd, one datagram and one
   * copy, instead of as fragments (default 32 MiB: measured, memfds lost to fragments
   * at 1 and 16 MiB and won at 64 MiB; above maxMessageSize: never). */
  memfdThreshold?: number;
  /** A channel (connected socket) to a destination that has sent nothing for this
   * long and has nothing queued is closed; the next send reconnects (default 5 s).
   * It closes between one and two such periods after its last use. */
  idleChannelTimeout?: number;
  /** How a destination whose queue is full is drained (see backlog.ts): `'thread'`
   * (default), a blocking send on a thread of its own, Samba's way; `'poll'`, a
   * POLLOUT watch (the overload benchmark's baseline: a thundering herd). */
  sendMode?: SendMode;
}

/** How a backed-up destination drains. */
export type SendMode = 'thread' | 'poll';

/** The limits a mailbox runs with: every numeric option, resolved. */
export type MailboxLimits = Required<Omit<MailboxOptions, 'dir' | 'system' | 'sendMode'>>;

/** The send mode of `options`, checked (EBADARG for an unknown one). */
export function resolveSendMode(options: MailboxOptions): SendMode {
  const m = options.sendMode ?? 'thread';
  if (m !== 'thread' && m !== 'poll') throw new BadArgumentError(`sendMode must be 'thread' or 'poll' (got ${JSON.stringify(m)})`);
  return m;
}

/** The default of every numeric option. */
export const DEFAULT_LIMITS: Readonly<MailboxLimits> = Object.freeze({
  highWaterMark: 4 << 20,
  maxQueueBytes: 64 << 20,
  maxMessageSize: 64 << 20,
  maxReassemblyBytes: 256 << 20,
  reassemblyTimeout: 30_000,
  coalesceLimit: 8 << 10,
  batchCapacity: 64 << 10,
  memfdThreshold: 32 << 20,
  idleChannelTimeout: 5_000,
});

/** The longest delay a Node timer takes: beyond it (and for Infinity) setTimeout
 * fires after 1 ms, so a longer timeout is refused, or reached in steps, rather than
 * cut short. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Send and receive buffer of every mailbox socket (the kernel caps it at
 * net.core.{w,r}mem_max). */
export const SOCKET_BUFFER = 4 * 1024 * 1024;
/** Datagrams one recvmmsg call receives. */
export const RECEIVE_SLOTS = 16;

/** Every numeric option of `options`, or its default; throws EBADARG for one that is
 * not a positive number. Fractions are rounded down. */
export function resolveLimits(options: MailboxOptions): MailboxLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const name of Object.keys(DEFAULT_LIMITS) as (keyof MailboxLimits)[]) {
    const v = options[name];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new BadArgumentError(`${name} must be a positive number`);
    limits[name] = Math.floor(v);
  }
  limits.batchCapacity = Math.min(MAX_DATAGRAM, limits.batchCapacity);
  return limits;
}
