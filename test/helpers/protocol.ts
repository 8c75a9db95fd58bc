// The IPC protocol between a test and its forked peer (test/fixtures/peer.ts).
// The test sends commands with an id; the peer answers each with a reply and also
// reports events (messages it received, a finished sequence, a death it watched).
import type { Address } from '../../runtime/transport/index.js';
import type { MailboxOptions, MailboxStats } from '../../runtime/transport/index.js';
import type { SequenceReport, SizeMix } from './bodies.js';

/** How the peer handles what its mailbox receives. */
export type ReceiveMode =
  | 'hash'      // report every message: length, sha256, fd count
  | 'sequence'  // check BodyMaker bodies for order; report when `expect` arrived
  | 'fdWrite'   // take the fds, write the body into each, close them, then report
  | 'fdIgnore'  // leave the fds unclaimed (the mailbox must close them), then report
  | 'quiet';    // count only

export type PeerCommand =
  | { cmd: 'mode'; mode: ReceiveMode; expect?: number }
  | { cmd: 'pause'; ms?: number }
  | { cmd: 'resume' }
  | { cmd: 'stats' }
  | { cmd: 'sequenceReport' }
  /** One message of random bytes; not awaited: replies with its hash and the stats. */
  | { cmd: 'send'; to: Address; size: number }
  /** BodyMaker bodies, respecting backpressure; `close`: close the mailbox right after. */
  | { cmd: 'sendSequence'; to: Address; count: number; mix: SizeMix; seed?: number; close?: boolean }
  /** Raw datagrams (base64) into `to`'s socket, bypassing the mailbox. */
  | { cmd: 'inject'; to: Address; datagrams: string[] }
  | { cmd: 'close'; timeout?: number }
  | { cmd: 'exit'; code: number }
  | { cmd: 'watch'; pid: number };

export interface SendReply { sha256: string; accepted: boolean; stats: MailboxStats }
export interface SequenceSent { sha256: string; stats: MailboxStats }

export type PeerEvent =
  | { type: 'ready'; address: Address }
  | { type: 'reply'; id: number; result?: unknown; error?: { code?: string; message: string } }
  | { type: 'message'; from: Address; len: number; sha256: string; nfds: number }
  | { type: 'sequenceDone'; report: SequenceReport }
  | { type: 'resumed' }
  | { type: 'pidExit'; pid: number; status: number }
  | { type: 'fatal'; error: string };

/** The peer's configuration, passed as JSON in argv[2]. */
export interface PeerConfig {
  system: string;
  dir: string;
  options?: Omit<MailboxOptions, 'system' | 'dir'>;
}
