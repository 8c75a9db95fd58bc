// The events an ActorSystem emits (its EventEmitter's map), and their notices.
import type { PidgeonError } from '../errors.js';
import type { MessageMeta } from './dispatch.js';
import type { ExitReason } from './reasons.js';
import type { ActorRef } from './refs.js';
import type { DownNotice } from './relations.js';

/** A message that could not be delivered. */
export interface DeadLetterNotice { to: ActorRef; message: unknown; error: PidgeonError }

/** The events of `ActorSystem`. */
export interface SystemEvents {
  /** A monitored actor exited. */
  down: (n: DownNotice) => void;
  /** A message could not be delivered. */
  deadLetter: (n: DeadLetterNotice) => void;
  /** A linked actor exited (a plain process always traps exits). */
  exit: (n: { from: ActorRef; reason: ExitReason }) => void;
  /** A child of this process exited after it had started. */
  childExit: (n: { ref: ActorRef; reason: ExitReason; module: string; name?: string }) => void;
  /** A user message to a plain (non-actor) process. */
  message: (msg: unknown, meta: MessageMeta) => void;
  /** Someone asked this plain process to stop (e.g. `pidgeon stop`). */
  stopRequested: (reason: ExitReason) => void;
  error: (err: Error) => void;
}
