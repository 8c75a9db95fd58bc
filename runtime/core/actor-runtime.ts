// The message loop of the one actor a process hosts: its behaviour stack, its queue
// (handled one at a time, in arrival order, even when receive is async), its stash,
// and the halt on exit. Closes the fds of every message nobody claimed.
import { closeFd } from '../transport/index.js';
import { ActorContext, type ActorDefinition, type ContextHost, type ContextLoop, type ContextSystem, type QueuedMessage, type Receive } from './context.js';

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

  constructor(readonly def: ActorDefinition, private readonly host: ContextHost, system: ContextSystem, private readonly crash: (err: unknown) => void) {
    this.behaviours = [def.receive];
    this.ctx = new ActorContext(this, host, system);
  }

  get queueLength(): number {
    return this.queue.length - this.head;
  }

  enqueue(m: QueuedMessage): void {
    if (this.halted) {
      closeAll(m);
      return;
    }
    this.queue.push(m);
    if (this.started && !this.running) void this.run();
  }

  /** Begin handling messages (after init). */
  start(): void {
    this.started = true;
    if (!this.running) void this.run();
  }

  /** Stop handling messages; what is queued is dropped (the actor is exiting). */
  halt(): void {
    this.halted = true;
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

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.halted && this.head < this.queue.length) {
        const m = this.queue[this.head];
        this.queue[this.head++] = undefined as unknown as QueuedMessage;
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        this.ctx.current = m;
        try {
          const r = this.behaviours[this.behaviours.length - 1](this.ctx, m.msg);
          if (r && typeof (r as Promise<void>).then === 'function') await r;
        } catch (err) {
          this.ctx.current = null;
          if (!m.fdsTaken) closeAll(m);
          if (m.askId !== undefined) this.host.replyTo(m.from, m.askId, false, err);
          this.crash(err);
          return;
        }
        this.ctx.current = null;
        if (!m.fdsTaken) closeAll(m);
      }
    } finally {
      this.running = false;
    }
  }
}

function closeAll(m: QueuedMessage): void {
  for (const fd of m.fds) closeFd(fd);
  m.fds = [];
}
