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
}

export function encodeArgs(a: OverloadArgs): string[] {
  return [JSON.stringify(a)];
}

export function decodeArgs(argv: string[]): OverloadArgs {
  return JSON.parse(argv[2]) as OverloadArgs;
}

/** Root → child. */
export type ToChild =
  | { t: 'go'; sink: ActorRef }          // senders: start sending
  | { t: 'window'; start: number; end: number } // sink: count per sender what arrives in [start, end) (Date.now() ms)
  | { t: 'stats'; tag: number }          // senders: report counters; sink: report counts
  | { t: 'stop' }                        // senders: stop, flush, report 'stopped'
  | { t: 'exit' };                       // both: shut the system down and exit

/** Child → root. */
export type FromChild =
  | { t: 'ready'; ref: ActorRef; pid: number }
  | { t: 'senderStats'; tag: number; sent: number; wireSent: number; datagramsSent: number; bytesSent: number; queued: number }
  | { t: 'sinkStats'; tag: number; counts: number[]; inWindow: number[]; violations: number; examples: string[]; pings: number; other: number; windowToldAt: number }
  | { t: 'stopped'; sent: number; datagramsSent: number; queued: number; error?: string }
  | { t: 'error'; message: string };

/** The padding that brings a `{ s, n, p }` message to about 64 bytes on the wire. */
export const PAD = 'x'.repeat(40);
