// The IPC protocol between bench/sections/overload.ts (the bench root) and its forked
// sink and sender processes. Control goes over the fork IPC channel, never through
// the mailboxes being measured, so it does not queue behind the storm.
import type { ActorRef } from '../../runtime/index.js';

/** argv of both scripts: system dir, system name, sendMode, sender count, sender index (senders). */
export interface OverloadArgs {
  dir: string;
  name: string;
  sendMode: 'thread' | 'poll';
  senders: number;
  index: number;
  highWaterMark: number;
  /** Senders: the sink, which their warm-up messages (sequence numbers below 0) go to. */
  sink?: ActorRef;
}

export function encodeArgs(a: OverloadArgs): string[] {
  return [JSON.stringify(a)];
}

export function decodeArgs(argv: string[]): OverloadArgs {
  return JSON.parse(argv[2]) as OverloadArgs;
}

/** A sender's counters at one instant. */
export interface SenderMark {
  /** When taken (Date.now() ms). */
  at: number;
  /** Messages accepted by send() so far. */
  sent: number;
  /** Messages, datagrams and datagram bytes that went out (system.stats()). */
  wireSent: number;
  datagramsSent: number;
  bytesSent: number;
  /** /proc/self: utime + stime (ticks) and context switches of all threads. */
  cpuTicks: number;
  wakeups: number;
  mainThread: number;
  sendThreads: number;
  preemptions: number;
  allNs: number;
  mainNs: number;
  /** The event loop's CPU inside runs of send() calls, ns. */
  sendRunsNs: number;
  /** The event loop's CPU while waiting on drained() after a send() returned false, ns. */
  drainWaitNs: number;
  sendNs: number;
}

/** The sink's own readings at one instant. */
export interface SinkMark { at: number; cpuTicks: number; wakeups: number; preemptions: number }

/** Root → child. The window [start, end) is in Date.now() ms: every process marks it by
 * its own clock, so no control message crosses the storm at the window's edges. */
export type ToChild =
  | { t: 'window'; start: number; end: number } // sink: count per sender what it handles in the window
  | { t: 'go'; sink: ActorRef; start: number; end: number } // senders: start sending; mark the window
  | { t: 'stats'; tag: number }          // sink: report counts
  | { t: 'stop' }                        // senders: stop sending, report 'stopping', then 'flushed'
  | { t: 'exit' };                       // both: shut the system down and exit

/** Child → root. */
export type FromChild =
  | { t: 'ready'; ref: ActorRef; pid: number }
  | { t: 'sinkStats'; tag: number; counts: number[]; inWindow: number[]; violations: number; examples: string[]; pings: number; other: number; windowToldAt: number; start: SinkMark | null; end: SinkMark | null }
  | { t: 'stopping'; sent: number; start: SenderMark | null; end: SenderMark | null }  // at once: sends no more
  | { t: 'flushed'; queued: number; error?: string }  // later: its queue is empty (or it gave up)
  | { t: 'error'; message: string };

/** The padding that brings a `{ s, n, p }` message to about 64 bytes on the wire. */
export const PAD = 'x'.repeat(40);
