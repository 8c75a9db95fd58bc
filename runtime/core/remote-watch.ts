// Death watch for actors on other nodes. No pidfd reaches across hosts: the proxy
// of the watched actor's node watches it there (with its own pidfd, farewell and
// parent report) and sends its exit back ('rdown'), one network hop after a local
// watcher would have heard. When the node becomes unreachable every watch on its
// actors fires with Erlang's 'noconnection'.
import type { Address } from '../transport/index.js';
import type { ExitReason } from './reasons.js';
import { REMOTE_OPS, type RemoteRoutes } from './remote.js';

type Listener = (reason: ExitReason) => void;

interface Entry { ref: Address; listeners: Set<Listener> }

/** Watches kept once nobody listens (asks come in streams), before the oldest go. */
const MAX_IDLE = 256;

const key = (a: Address): string => `${a.node}:${a.pid}:${a.instance}`;

/** The remote half of DeathWatch. */
export class RemoteWatch {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly routes: RemoteRoutes) {}

  /** Is `ref` on another node? */
  isRemote(ref: Address): boolean {
    return this.routes.isRemote(ref);
  }

  /** Call `listener` once when remote `ref` exits or its node becomes unreachable. */
  watch(ref: Address, listener: Listener): () => void {
    const node = ref.node!;
    if (this.routes.isDown(node)) {
      setImmediate(() => listener('noconnection'));
      return () => {};
    }
    const k = key(ref);
    let e = this.entries.get(k);
    if (!e) {
      e = { ref, listeners: new Set() };
      this.entries.set(k, e);
      this.routes.control(node, REMOTE_OPS.watch, [ref.pid, ref.instance]);
      this.trimIdle();
    }
    const entry = e;
    entry.listeners.add(listener);
    return () => { entry.listeners.delete(listener); };
  }

  /** Signal a remote actor (through its node's proxy); false if its node is down. */
  kill(ref: Address, signal: string): boolean {
    if (this.routes.isDown(ref.node!)) return false;
    this.routes.control(ref.node!, REMOTE_OPS.kill, [ref.pid, ref.instance, signal]);
    return true;
  }

  /** The proxy reports that `ref` exited. */
  exited(ref: Address, reason: ExitReason): void {
    const e = this.entries.get(key(ref));
    if (!e) return;
    this.entries.delete(key(ref));
    fire(e, reason);
  }

  /** `node` became unreachable: every watch on it fires. */
  nodeDown(node: string): void {
    for (const [k, e] of this.entries) {
      if (e.ref.node !== node) continue;
      this.entries.delete(k);
      fire(e, 'noconnection');
    }
  }

  private trimIdle(): void {
    if (this.entries.size <= MAX_IDLE) return;
    for (const [k, e] of this.entries) {
      if (e.listeners.size > 0) continue;
      this.entries.delete(k);
      if (this.entries.size <= MAX_IDLE) return;
    }
  }
}

function fire(e: Entry, reason: ExitReason): void {
  const ls = [...e.listeners];
  e.listeners.clear();
  for (const l of ls) l(reason);
}
