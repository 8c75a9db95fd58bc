// One destination's backlog: the datagrams its full queue refused, in order, and
// how they drain. Two ways, chosen by the mailbox's `sendMode`:
//   'thread' (the default): Samba's send jobs. Each datagram is handed, as it joins
//     the backlog, to a thread of this destination's own (native/send_thread.cc)
//     that sends with a blocking sendmsg; the kernel wakes one blocked sender per
//     freed slot. The thread keeps copies and dups of the fds, so the caller may
//     close its fds right after `send`.
//   'poll': a POLLOUT watch on the connected socket, then non-blocking sends until
//     EAGAIN. Every read of the receiver wakes every watcher (a thundering herd
//     with many senders); kept as the baseline of the overload benchmark.
import os from 'node:os';
import { native, type NativeSendThread, type NativeWritableWatch } from './native.js';
import { SOCKET_BUFFER, type SendMode } from './options.js';
import type { Datagram } from './wire.js';

const { EAGAIN, ENOBUFS } = os.constants.errno;
/** Datagrams sent per writable wake-up before yielding to the event loop. */
const DRAIN_BUDGET = 256;

/** What a backlog tells its channel. */
export interface BacklogHost {
  /** The datagram at the head of the backlog went out (`bytes` on the wire). */
  sent(d: Datagram, bytes: number): void;
  /** The backlog is empty again: sends may go straight to the socket. */
  drained(): void;
  /** The sending thread is about to run dry (one datagram left): queue more now,
   * so that it never waits for the loop. */
  room(): void;
  /** Sending stopped with -errno; what is still in the backlog did not go out. */
  failed(errno: number): void;
  /** This one datagram could not even be queued (-errno); the others are unaffected. */
  refused(d: Datagram, errno: number): void;
}

/** The FIFO of datagrams waiting for one peer. */
export class Backlog {
  private queue: Datagram[] = [];
  private head = 0;
  private thread: NativeSendThread | null = null;
  private watch: NativeWritableWatch | null = null;
  private waiting = false;
  private closed = false;
  /** Taking back what is unsent: progress is counted, nothing else is told. */
  private settling = false;

  constructor(private readonly fd: number, private readonly path: string, private readonly mode: SendMode, private readonly host: BacklogHost) {}

  /** Nothing waits: a send may try the socket directly. */
  get empty(): boolean {
    return this.head === this.queue.length;
  }

  /** Append `d` (its parts must be the backlog's own: the caller copied them). */
  push(d: Datagram): void {
    if (this.closed) return;
    this.queue.push(d);
    if (this.mode === 'poll') return this.arm();
    if (this.thread === null) {
      this.thread = new native.SendThread(this.path, SOCKET_BUFFER, (sent, bytes, errno) => this.onProgress(sent, bytes, errno));
    }
    try {
      this.thread.post(d.parts, d.fds);
    } catch (err) {
      this.queue.pop(); // it is the last one: the thread never saw it
      this.host.refused(d, -((err as { errno?: number }).errno ?? os.constants.errno.EINVAL));
    }
  }

  /** Everything still waiting, oldest first; the backlog is empty afterwards. */
  takeAll(): Datagram[] {
    // What the thread sent but has not reported yet was sent: count it first.
    if (this.thread) {
      this.settling = true;
      try { this.thread.sync(); } finally { this.settling = false; }
    }
    const rest = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    return rest;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.thread?.close();
    this.thread = null;
    this.watch?.close();
    this.watch = null;
    this.waiting = false;
  }

  private shift(): Datagram {
    const d = this.queue[this.head];
    this.queue[this.head++] = undefined as unknown as Datagram;
    return d;
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  // The thread reports `sent` datagrams of the head as gone (`bytes` in all; per
  // datagram, the sizes we queued), then maybe the error that stopped it.
  private onProgress(sent: number, _bytes: number, errno: number): void {
    if (this.closed) return;
    for (let i = 0; i < sent && !this.empty; i++) {
      const d = this.shift();
      this.host.sent(d, d.bytes);
      if (this.closed) return;
    }
    this.compact();
    if (this.settling) return;
    if (errno !== 0) return this.host.failed(errno);
    // The thread reports only when it is nearly or wholly done (or failed).
    if (this.empty) this.host.drained();
    else this.host.room();
  }

  private arm(): void {
    if (this.waiting || this.closed) return;
    if (this.watch === null) this.watch = new native.WritableWatch(this.fd, (status) => this.onWritable(status));
    this.waiting = true;
    this.watch.arm();
  }

  private onWritable(status: number): void {
    this.waiting = false;
    if (this.closed) return;
    if (status < 0) return this.host.failed(status);
    for (let budget = DRAIN_BUDGET; !this.empty && budget > 0; budget--) {
      const d = this.queue[this.head];
      const r = native.sendv(this.fd, d.parts, d.fds);
      if (r === -EAGAIN || r === -ENOBUFS) break;
      if (r < 0) return this.host.failed(r);
      this.shift();
      this.host.sent(d, r); // fds went with the datagram: the kernel holds its own references now
      if (this.closed) return;
    }
    this.compact();
    if (this.empty) this.host.drained();
    else this.arm();
  }
}
