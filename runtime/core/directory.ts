// The naming calls of ActorSystem: where an actor is (alive? registered as what?
// on which node?) and `broadcast`. ActorSystem extends this class, as it extends
// SupervisionCalls and Sender, which keeps system.ts to the composition of the core.
import { listLive } from '../transport/index.js';
import type { ActorRef } from './refs.js';
import type { Registry } from './registry.js';
import type { RemoteRoutes } from './remote.js';
import { checkNode, lookupRemote, notInCluster } from './remote-ops.js';
import { checkRef } from './send.js';
import { SupervisionCalls } from './supervision-calls.js';

/** The naming half of `ActorSystem` (see system.ts). */
export abstract class Directory extends SupervisionCalls {
  /** @internal */ abstract readonly registry: Registry;
  /** This process's node in a cluster (undefined: not in one). */
  abstract readonly node: string | undefined;
  /** @internal Routes to the other nodes (in a cluster). */ abstract readonly remote: RemoteRoutes | null;

  /** @internal Ask a runtime question (answered by a handler, not by receive). */
  abstract askSystem(to: ActorRef, op: string, payload: unknown, timeout?: number): Promise<unknown>;

  /** Is `ref` alive now? (its lockfile is held by the same incarnation; no message sent) */
  isAlive(ref: ActorRef): boolean {
    checkRef(ref);
    // Of another node we know only whether it is reachable (ask or monitor it).
    if (this.remote?.isRemote(ref)) return !this.remote.isDown(ref.node!);
    return this.mailbox.isAlive(ref);
  }

  /** The live actor registered as `name` in this system, or undefined. `lookup<P>`
   * types the ref as accepting `P`, unchecked (the registry holds addresses only).
   * With `{ node }`, on that node of the cluster: then it returns a promise. */
  lookup<P = any>(name: string): ActorRef<P> | undefined;
  lookup<P = any>(name: string, options: { node: string }): Promise<ActorRef<P> | undefined>;
  lookup<P = any>(name: string, options?: { node: string }): ActorRef<P> | undefined | Promise<ActorRef<P> | undefined> {
    if (options?.node !== undefined && checkNode(options.node) !== this.node) {
      if (!this.remote) return Promise.reject(notInCluster(options.node));
      return lookupRemote(this.remote, (to, op, p, t) => this.askSystem(to, op, p, t), options.node, name);
    }
    const local = this.onNode(this.registry.lookup(name));
    return options ? Promise.resolve(local) : local;
  }

  /** Register this process under `name` (ENAMETAKEN if a live actor has it). */
  register(name: string): void {
    this.checkOpen();
    this.registry.register(name, this.mailbox.address);
  }

  /** Send `msg` to every other live actor of the system; returns how many. */
  broadcast(msg: unknown): number {
    this.checkOpen();
    let n = 0;
    for (const a of listLive(this.mailbox.dir)) {
      if (a.pid === this.mailbox.address.pid) continue;
      this.send(a, msg);
      n++;
    }
    return n;
  }

  /** @internal `ref` with this node's name, in a cluster (so that it means the same elsewhere). */
  protected onNode<R extends ActorRef | undefined>(ref: R): R {
    return this.node === undefined || ref === undefined || ref.node !== undefined ? ref : { ...ref, node: this.node } as R;
  }
}
