// The runtime's own messages between actor processes (envelopes T_SYS and
// T_SYSASK): a table from op to handler. Each subsystem registers its own ops
// (children: the spawn handshake and 'watch-child'; relations: watch/link requests;
// death watch: farewells and parents' reports; the system: 'stop' and 'info';
// child-main: 'init'; supervisors: 'which'), each with a check of its payload's
// shape (payloads.ts). Any same-user process can send anything: what has no handler
// or does not fit is dropped and counted, and a handler that throws is counted too;
// nothing that arrives here can throw into the mailbox.
import type { Address } from '../transport/index.js';
import { BadArgumentError } from '../errors.js';
import type { PayloadCheck } from './payloads.js';
import type { CoreDrops } from './stats.js';

/** Handles one runtime message (its payload already checked). */
export type SystemHandler<T = unknown> = (from: Address, payload: T) => void;
/** Answers one runtime request (the reply is its value, or its rejection). */
export type SystemAskHandler<T = unknown> = (from: Address, payload: T) => unknown | Promise<unknown>;

interface Entry<H> { check: PayloadCheck<unknown>; handler: H }

/** The runtime ops of one process, and how to answer a request. */
export class Protocol {
  private readonly handlers = new Map<string, Entry<SystemHandler>>();
  private readonly askHandlers = new Map<string, Entry<SystemAskHandler>>();

  constructor(
    private readonly replyTo: (to: Address, id: number, ok: boolean, body: unknown) => boolean,
    private readonly drops: Pick<CoreDrops, 'badRuntimeMessage' | 'runtimeError'>,
  ) {}

  /** Handle runtime message `op`, whose payload passes `check`. */
  on<T>(op: string, check: PayloadCheck<T>, handler: SystemHandler<T>): void {
    this.handlers.set(op, { check, handler: handler as SystemHandler });
  }

  /** Answer runtime request `op`, whose payload passes `check`. */
  onAsk<T>(op: string, check: PayloadCheck<T>, handler: SystemAskHandler<T>): void {
    this.askHandlers.set(op, { check, handler: handler as SystemAskHandler });
  }

  /** A runtime message arrived. */
  message(from: Address, op: string, payload: unknown): void {
    const e = this.handlers.get(op);
    if (!e || !e.check(payload)) {
      this.drops.badRuntimeMessage++;
      return;
    }
    try {
      e.handler(from, payload);
    } catch {
      this.drops.runtimeError++;
    }
  }

  /** A runtime request arrived: answer it with its handler's result (or its throw).
   * An unknown op, or a payload that does not fit, is answered with EBADARG. */
  ask(from: Address, id: number, op: string, payload: unknown): void {
    const answer = (ok: boolean, body: unknown) => {
      try { this.replyTo(from, id, ok, body); } catch { /* asker gone */ }
    };
    const e = this.askHandlers.get(op);
    if (!e || !e.check(payload)) {
      this.drops.badRuntimeMessage++;
      return answer(false, new BadArgumentError(e ? `bad payload for runtime request '${op}'` : `unknown runtime request '${op}'`));
    }
    try {
      const r = e.handler(from, payload);
      if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then((v) => answer(true, v), (err) => answer(false, err));
      else answer(true, r);
    } catch (err) {
      answer(false, err);
    }
  }
}
