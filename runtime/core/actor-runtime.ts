// The message loop of the one actor a process hosts: its behaviour stack, its queue
// (handled one at a time, in arrival order, even when receive is async), its stash,
// and the halt on exit. Closes the fds of every message nobody claimed.
// The queue is bounded (`mailboxCapacity`): when it is full the process stops
// reading its socket, so the kernel's queue fills and senders see `send() === false`
// and `drain`: backpressure from the receive function back to every sender.
import { closeFd } from '../transport/index.js';
import { ActorContext, EMPTY_FDS, type ActorDefinition, type ContextHost, type ContextLoop, type ContextSystem, type QueuedMessage, type Receive } from './context.js';

/** Messages an actor's queue holds before its process stops reading (Akka's bounded
 * mailbox; the stash and runtime notices do not count). */
export const DEFAULT_MAILBOX_CAPACITY = 1000;

/** How the loop throttles its process's reading of the socket. */
export interface FlowControl {
  /** Stop reading the socket (the queue is full). */
  pause(): void;
  /** Read again. */
  resume(): void;
  /** Is the actor waiting for a reply to its own ask? The reply comes through the
   * same socket, behind what others sent: reading then goes on past the bound, up
   * to AWAITING_FACTOR times it. */
  awaitingReply(): boolean;
}

/** How far past its bound an actor that awaits a reply still reads. */
export const AWAITING_FACTOR = 8;

const NO_FLOW: FlowControl = { pause() {}, resume() {}, awaitingReply: () => false };

/** The message loop of the one actor hosted by this process. */
export class ActorRuntime implements ContextLoop {
  readonly behaviours: Receive[];
  readonly stashed: QueuedMessage[] = [];
  readonly ctx: ActorContext;
  trapExit = false;
  private queue: QueuedMessage[] = [];
  private head = 0;
  private running = false;
  private started = false;
  private halted = false;
  private paused = false;
  readonly capacity: number;
  /** The longest the queue has been. */
  queuePeak = 0;
  /** How many times the queue filled and reading stopped. */
  throttleCount = 0;

  constructor(
    readonly def: ActorDefinition,
    private readonly host: ContextHost,
    system: ContextSystem,
    private readonly crash: (err: unknown) => void,
    private readonly flow: FlowControl = NO_FLOW,
    capacity?: number,
  ) {
    this.behaviours = [def.receive];
    this.ctx = new ActorContext(this, host, system);
    this.capacity = capacity ?? def.mailboxCapacity ?? DEFAULT_MAILBOX_CAPACITY;
  }

  get queueLength(): number {
    return this.queue.length - this.head;
  }

  /** Is the socket unread because the queue is full? */
  get throttled(): boolean {
    return this.paused;
  }

  enqueue(m: QueuedMessage): void {
    if (this.halted) {
      closeAll(m);
      return;
    }
    this.queue.push(m);
    // An idle loop takes the message at once (synchronously); what is left waits.
    if (this.started && !this.running) this.run();
    const length = this.queue.length - this.head;
    if (length > this.queuePeak) this.queuePeak = length;
    if (!this.paused && length >= this.limit() && !this.halted) {
      this.paused = true;
      this.throttleCount++;
      this.flow.pause();
    }
  }

  /** Re-decide whether to read: the actor's ask started or settled. */
  reconsider(): void {
    if (this.paused && this.queueLength < this.limit() && (this.flow.awaitingReply() || this.queueLength <= this.capacity / 2)) this.unpause();
  }

  private limit(): number {
    return this.flow.awaitingReply() ? this.capacity * AWAITING_FACTOR : this.capacity;
  }

  private unpause(): void {
    this.paused = false;
    this.flow.resume();
  }

  /** Begin handling messages (after init). */
  start(): void {
    this.started = true;
    if (!this.running) this.run();
  }

  /** Stop handling messages; what is queued is dropped (the actor is exiting). */
  halt(): void {
    this.halted = true;
    // Runtime messages (farewells, the exit handshake) must still be read.
    if (this.paused) this.unpause();
    for (let i = this.head; i < this.queue.length; i++) closeAll(this.queue[i]);
    for (const m of this.stashed) closeAll(m);
    this.queue = [];
    this.head = 0;
    this.stashed.length = 0;
  }

  unstashAll(): void {
    if (this.stashed.length === 0) return;
    const rest = this.queue.slice(this.head);
    this.queue = [...this.stashed.splice(0), ...rest];
    this.head = 0;
    for (const m of this.queue) m.fdsTaken = false;
  }

  // Takes messages in order while `receive` returns at once; one that returns a
  // promise is awaited (`finish`) before the next. Synchronous until then: no promise
  // per message for an actor whose receive is not async.
  private run(): void {
    this.running = true;
    while (!this.halted && this.head < this.queue.length) {
      const m = this.queue[this.head];
      this.queue[this.head++] = undefined as unknown as QueuedMessage;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (this.paused) this.reconsider();
      this.ctx.current = m;
      let r: unknown;
      try {
        r = this.behaviours[this.behaviours.length - 1](this.ctx, m.msg);
      } catch (err) {
        this.failed(m, err);
        return;
      }
      if (r && typeof (r as Promise<void>).then === 'function') {
        void this.finish(m, r as Promise<void>);
        return;
      }
      this.handled(m);
    }
    this.running = false;
  }

  private async finish(m: QueuedMessage, r: Promise<void>): Promise<void> {
    try {
      await r;
    } catch (err) {
      this.failed(m, err);
      return;
    }
    this.handled(m);
    this.run();
  }

  private handled(m: QueuedMessage): void {
    this.ctx.current = null;
    if (!m.fdsTaken) closeAll(m);
  }

  // `receive` threw: an ask gets the error as its reply, and the actor crashes.
  private failed(m: QueuedMessage, err: unknown): void {
    this.ctx.current = null;
    if (!m.fdsTaken) closeAll(m);
    try {
      if (m.askId !== undefined) this.host.replyTo(m.from, m.askId, false, err);
      this.crash(err);
    } finally {
      this.running = false;
    }
  }
}

function closeAll(m: QueuedMessage): void {
  if (m.fds.length === 0) return;
  for (const fd of m.fds) closeFd(fd);
  m.fds = EMPTY_FDS;
}

/** The queue's figures for `stats()` (zeros in a process that hosts no actor). */
export function queueStats(a: ActorRuntime | null): { queueLength: number; queuePeak: number; throttled: number } {
  return { queueLength: a?.queueLength ?? 0, queuePeak: a?.queuePeak ?? 0, throttled: a?.throttleCount ?? 0 };
}
