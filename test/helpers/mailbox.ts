// The test process's own mailbox: opened in a fresh directory, closed at teardown,
// with a queue of received messages to wait on.
import type { ExecutionContext } from 'ava';
import { Mailbox, type InboundMessage, type MailboxOptions } from '../../runtime/transport/index.js';
import { within } from './wait.js';

/** Open a mailbox for the test process; closed (closeNow) when the test ends. */
export function openMailbox(t: ExecutionContext, dir: string, options: Omit<MailboxOptions, 'system' | 'dir'> = {}): Mailbox {
  const mb = Mailbox.open({ system: 'test', dir, ...options });
  t.teardown(() => mb.closeNow());
  return mb;
}

/** Queues the messages a mailbox receives (the listener keeps no fds: takeFds()
 * must be called by whoever takes the message, inside `onMessage`). */
export class Inbox {
  private readonly queue: InboundMessage[] = [];
  private waiter: ((m: InboundMessage) => void) | null = null;
  constructor(mb: Mailbox, onMessage?: (m: InboundMessage) => void) {
    mb.on('message', (m) => {
      onMessage?.(m);
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(m);
      } else {
        this.queue.push(m);
      }
    });
  }
  get length(): number {
    return this.queue.length;
  }
  /** The next message, within `ms`. */
  next(ms = 30_000): Promise<InboundMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    return within(new Promise<InboundMessage>((r) => { this.waiter = r; }), ms, 'a message in the test mailbox');
  }
}
