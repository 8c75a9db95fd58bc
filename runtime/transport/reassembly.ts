// Reassembly of fragmented messages. Fragments of one message arrive in order from
// one sender (its queue is FIFO and the kernel keeps a sender's datagrams in order),
// so a sender has at most one message in reassembly at a time; anything else is a
// malformed stream and is dropped. Memory is bounded per sender and in total, and
// an incomplete message times out (its sender may have died mid-message).
import { native } from './native.js';
import { MAX_TIMER_MS } from './options.js';

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
  /** Per sender, a message refused on its first fragment (too large): its other
   * fragments are dropped without being counted again. */
  private readonly refused = new Map<number, { instance: string; msgId: number }>();
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
    const r = this.refused.get(pid);
    if (r !== undefined) {
      if (r.instance === instance && r.msgId === msgId && index > 0) {
        closeAll(fds);
        if (index >= count - 1) this.refused.delete(pid);
        return null;
      }
      this.refused.delete(pid);
    }
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
      if (total > this.limits.maxMessageSize) return this.refuse(pid, instance, msgId, fds);
      while (this.totalBytes + total > this.limits.maxTotalBytes && this.evictOldest()) { /* make room */ }
      if (this.totalBytes + total > this.limits.maxTotalBytes) return this.refuse(pid, instance, msgId, fds);
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

  /** Count a too-large message once and skip the rest of its fragments. */
  private refuse(pid: number, instance: string, msgId: number, fds: number[] | undefined): null {
    closeAll(fds);
    this.onDrop('oversize');
    if (this.refused.size >= 4096) this.refused.clear(); // senders that died mid-message
    this.refused.set(pid, { instance, msgId });
    return null;
  }

  /** A sender is known gone: drop what it left half-sent. */
  forget(pid: number): void {
    this.refused.delete(pid);
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
    // A sweep at least every half timeout, but never past the longest Node timer
    // (a longer interval fires every 1 ms), as the idle channel sweep does.
    const every = Math.min(MAX_TIMER_MS, Math.max(10, Math.floor(this.limits.timeoutMs / 2)));
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
    this.refused.clear();
    this.totalBytes = 0;
  }
}

/** Close fds nobody will own. */
export function closeAll(fds: ArrayLike<number> | undefined): void {
  if (!fds) return;
  for (let i = 0; i < fds.length; i++) native.closeFd(fds[i]);
}
