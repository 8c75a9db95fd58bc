// Reassembly of fragmented messages. Fragments of one message arrive in order from
// one sender (its queue is FIFO and the kernel keeps a sender's datagrams in order),
// so a sender has at most one message in reassembly at a time; anything else is a
// malformed stream and is dropped. Memory is bounded per sender and in total, and
// an incomplete message times out (its sender may have died mid-message).
import { native } from './native.js';

interface Partial {
  instance: string;
  msgId: number;
  count: number;
  next: number;
  buf: Buffer;
  filled: number;
  fds: number[] | undefined;
  started: number;
}

export type ReassemblyDrop = 'malformed' | 'oversize' | 'incomplete';

export interface ReassemblyLimits {
  maxMessageSize: number;  // largest message accepted
  maxTotalBytes: number;   // all senders together
  timeoutMs: number;       // an incomplete message is dropped after this long
}

/** Collects fragments per sender and yields whole messages. */
export class Reassembly {
  private readonly partials = new Map<number, Partial>();
  private totalBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly limits: ReassemblyLimits;
  private readonly onDrop: (why: ReassemblyDrop) => void;

  constructor(limits: ReassemblyLimits, onDrop: (why: ReassemblyDrop) => void) {
    this.limits = limits;
    this.onDrop = onDrop;
  }

  /** Messages in reassembly now. */
  get pending(): number {
    return this.partials.size;
  }

  /** Add one fragment; returns the whole message when this was its last fragment. */
  add(
    pid: number,
    instance: string,
    msgId: number,
    index: number,
    count: number,
    total: number,
    body: Uint8Array,
    fds: number[] | undefined,
  ): { body: Buffer; fds: number[] | undefined } | null {
    let p = this.partials.get(pid);
    if (p && (p.instance !== instance || p.msgId !== msgId)) {
      // A new message began before the last one finished: that one is lost.
      this.discard(pid, p, p.instance === instance ? 'malformed' : 'incomplete');
      p = undefined;
    }
    if (!p) {
      if (index !== 0 || count < 2 || total <= body.length || total > count * Math.max(body.length, 1)) {
        closeAll(fds);
        this.onDrop('malformed');
        return null;
      }
      if (total > this.limits.maxMessageSize) {
        closeAll(fds);
        this.onDrop('oversize');
        return null;
      }
      while (this.totalBytes + total > this.limits.maxTotalBytes && this.evictOldest()) { /* make room */ }
      if (this.totalBytes + total > this.limits.maxTotalBytes) {
        closeAll(fds);
        this.onDrop('oversize');
        return null;
      }
      p = { instance, msgId, count, next: 0, buf: Buffer.allocUnsafe(total), filled: 0, fds, started: Date.now() };
      this.partials.set(pid, p);
      this.totalBytes += total;
      this.arm();
    } else if (fds && fds.length) {
      closeAll(fds); // fds ride only on fragment 0
      this.discard(pid, p, 'malformed');
      return null;
    }
    if (index !== p.next || count !== p.count || p.filled + body.length > p.buf.length ||
        (index === count - 1) !== (p.filled + body.length === p.buf.length)) {
      this.discard(pid, p, 'malformed');
      return null;
    }
    p.buf.set(body, p.filled);
    p.filled += body.length;
    p.next++;
    if (p.next < p.count) return null;
    this.partials.delete(pid);
    this.totalBytes -= p.buf.length;
    return { body: p.buf, fds: p.fds };
  }

  /** A sender is known gone: drop what it left half-sent. */
  forget(pid: number): void {
    const p = this.partials.get(pid);
    if (p) this.discard(pid, p, 'incomplete');
  }

  private discard(pid: number, p: Partial, why: ReassemblyDrop): void {
    this.partials.delete(pid);
    this.totalBytes -= p.buf.length;
    closeAll(p.fds);
    this.onDrop(why);
  }

  private evictOldest(): boolean {
    let oldest: [number, Partial] | null = null;
    for (const e of this.partials) if (!oldest || e[1].started < oldest[1].started) oldest = e;
    if (!oldest) return false;
    this.discard(oldest[0], oldest[1], 'incomplete');
    return true;
  }

  private arm(): void {
    if (this.timer) return;
    const every = Math.max(10, Math.floor(this.limits.timeoutMs / 2));
    this.timer = setInterval(() => this.sweep(), every);
    this.timer.unref(); // a half-received message must not keep the process alive
  }

  private sweep(): void {
    const limit = Date.now() - this.limits.timeoutMs;
    for (const [pid, p] of this.partials) if (p.started <= limit) this.discard(pid, p, 'incomplete');
    if (this.partials.size === 0) this.stop();
  }

  /** Drop everything (mailbox closing). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const [, p] of this.partials) closeAll(p.fds);
    this.partials.clear();
    this.totalBytes = 0;
  }
}

/** Close fds nobody will own. */
export function closeAll(fds: ArrayLike<number> | undefined): void {
  if (!fds) return;
  for (let i = 0; i < fds.length; i++) native.closeFd(fds[i]);
}
