// What a mailbox tells its user: the events it emits, the dead letters they carry,
// and the shape of its statistics.
import type { Address } from './address.js';
import type { InboundMessage } from './inbound.js';
import type { PidgeonError } from '../errors.js';

/** A message accepted by `send` that could not be delivered. */
export interface DeadLetter {
  to: Address;
  body: Uint8Array;
  /** The batch datagram it was coalesced into, numbered in this process from 1 (0: it
   * was to travel on its own), and its place there (0: the first entry; -1: alone).
   * The dead letters of one batch come in order. */
  batch: number;
  batchIndex: number;
  error: PidgeonError;
}

export interface MailboxStats {
  sent: number;
  received: number;
  bytesSent: number;
  bytesReceived: number;
  datagramsSent: number;
  datagramsReceived: number;
  coalesced: number;
  queued: number;
  queuedBytes: number;
  fragmentsPending: number;
  deadLetters: number;
  dropped: { malformed: number; spoofed: number; oversize: number; misdelivered: number; incomplete: number; badMemfd: number };
  peers: number;
}

export interface MailboxEvents {
  message: (msg: InboundMessage) => void;
  drain: (to: Address) => void;
  deadLetter: (letter: DeadLetter) => void;
  error: (err: PidgeonError) => void;
}
