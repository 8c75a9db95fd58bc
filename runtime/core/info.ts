// Facts about this process, as `info` answers them (and `pidgeon ps` shows them).
import type { Mailbox } from '../transport/index.js';
import type { Children } from './children.js';
import type { Registry } from './registry.js';
import type { ActorRef } from './refs.js';

/** What the facts are read from (an ActorSystem). */
export interface InfoSource {
  readonly mailbox: Mailbox;
  readonly registry: Registry;
  readonly children: Children;
  readonly parent: ActorRef | undefined;
  readonly module: string | undefined;
  readonly startedAt: number;
  stats(): unknown;
}

/** pid, instance, names, parent, module, uptime, counters and children. */
export function processInfo(p: InfoSource) {
  return {
    pid: p.mailbox.address.pid,
    instance: p.mailbox.address.instance,
    names: p.registry.heldNames(),
    parent: p.parent ?? null,
    module: p.module ?? null,
    startedAt: p.startedAt,
    uptimeMs: Date.now() - p.startedAt,
    stats: p.stats(),
    children: p.children.list().map((c) => ({ pid: c.pid, instance: c.ref?.instance ?? null, name: c.name ?? null, module: c.module, state: c.state })),
  };
}
