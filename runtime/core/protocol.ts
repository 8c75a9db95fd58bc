// The runtime's own messages between actor processes (envelopes T_SYS and
// T_SYSASK): the spawn handshake, watch/link requests, farewells, parents'
// reports on their children, stop requests, and runtime questions such as 'info'.
// Layers above add their own operations through `on` / `onAsk`.
import { isAddress, type Address } from '../transport/index.js';
import { BadArgumentError } from '../errors.js';
import type { Children } from './children.js';
import type { SerializedError } from './codec.js';
import type { DeathWatch } from './deathwatch.js';
import { readReason, wireReason, type ExitReason } from './reasons.js';
import type { Relations } from './relations.js';

export type SystemHandler = (from: Address, payload: any) => void;
export type SystemAskHandler = (from: Address, payload: any) => unknown | Promise<unknown>;

/** What the protocol acts on. */
export interface ProtocolHost {
  readonly children: Children;
  readonly relations: Relations;
  readonly deathwatch: DeathWatch;
  trySendSystem(to: Address, op: string, payload: unknown): boolean;
  replyTo(to: Address, id: number, ok: boolean, body: unknown): boolean;
  /** Someone asked this process to stop. */
  stopRequested(reason: ExitReason): void;
}

/** Handles runtime messages for one process. */
export class Protocol {
  private readonly handlers = new Map<string, SystemHandler>();
  private readonly askHandlers = new Map<string, SystemAskHandler>();

  constructor(private readonly host: ProtocolHost) {}

  /** Handle runtime operation `op` (layers above add theirs). */
  on(op: string, handler: SystemHandler): void {
    this.handlers.set(op, handler);
  }

  /** Answer runtime question `op`. */
  onAsk(op: string, handler: SystemAskHandler): void {
    this.askHandlers.set(op, handler);
  }

  message(from: Address, op: string, payload: any): void {
    const h = this.host;
    switch (op) {
      case 'hello': return h.children.onHello(from);
      case 'ready': return h.children.onReady(from);
      case 'initFailed': return h.children.onInitFailed(from, payload);
      case 'watch': case 'unwatch': case 'link': case 'unlink':
        return h.relations.onRequest(op, from);
      case 'farewell': return h.deathwatch.noteFarewell(from, readReason(payload?.reason));
      case 'watch-child': {
        // Someone watches one of our children: we will tell it how the child exits.
        const child = payload?.child as Address;
        if (!isAddress(child)) return;
        const known = h.children.addWatcher(child, from);
        if (known !== undefined) h.trySendSystem(from, 'child-exit', { child, reason: known === null ? null : wireReason(known) });
        return;
      }
      case 'child-exit': {
        const child = payload?.child as Address;
        if (isAddress(child)) h.deathwatch.noteChildExit(child, payload.reason === null ? null : readReason(payload.reason));
        return;
      }
      case 'stop':
        return h.stopRequested(readReason(payload?.reason ?? 'shutdown'));
    }
    this.handlers.get(op)?.(from, payload);
  }

  ask(from: Address, id: number, op: string, payload: unknown): void {
    const answer = (ok: boolean, body: unknown) => {
      try { this.host.replyTo(from, id, ok, body); } catch { /* asker gone */ }
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
