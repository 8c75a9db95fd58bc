// The runtime's own messages between actor processes (envelopes T_SYS and
// T_SYSASK): a table from op to handler. Each subsystem registers its own ops
// (children: the spawn handshake and 'watch-child'; relations: watch/link requests;
// death watch: farewells and parents' reports; the system: 'stop' and 'info';
// child-main: 'init'; supervisors: 'which').
import type { Address } from '../transport/index.js';
import { BadArgumentError } from '../errors.js';

/** Handles one runtime message. */
export type SystemHandler = (from: Address, payload: any) => void;
/** Answers one runtime request (the reply is its value, or its rejection). */
export type SystemAskHandler = (from: Address, payload: any) => unknown | Promise<unknown>;

/** The runtime ops of one process, and how to answer a request. */
export class Protocol {
  private readonly handlers = new Map<string, SystemHandler>();
  private readonly askHandlers = new Map<string, SystemAskHandler>();

  constructor(private readonly replyTo: (to: Address, id: number, ok: boolean, body: unknown) => boolean) {}

  /** Handle runtime message `op`. */
  on(op: string, handler: SystemHandler): void {
    this.handlers.set(op, handler);
  }

  /** Answer runtime request `op`. */
  onAsk(op: string, handler: SystemAskHandler): void {
    this.askHandlers.set(op, handler);
  }

  /** A runtime message arrived; one nobody handles is dropped. */
  message(from: Address, op: string, payload: unknown): void {
    this.handlers.get(op)?.(from, payload);
  }

  /** A runtime request arrived: answer it with its handler's result (an unknown op
   * is answered with EBADARG). */
  ask(from: Address, id: number, op: string, payload: unknown): void {
    const answer = (ok: boolean, body: unknown) => {
      try { this.replyTo(from, id, ok, body); } catch { /* asker gone */ }
    };
    const handler = this.askHandlers.get(op);
    if (!handler) return answer(false, new BadArgumentError(`unknown runtime request '${op}'`));
    try {
      const r = handler(from, payload);
      if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then((v) => answer(true, v), (e) => answer(false, e));
      else answer(true, r);
    } catch (err) {
      answer(false, err);
    }
  }
}
