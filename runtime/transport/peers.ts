// The peer table: one PeerChannel per destination pid. Connecting (is the peer alive,
// and the incarnation asked for?), replacing a channel to an older incarnation,
// closing channels nobody uses (the idle sweep, and past MAX_PEERS at once) and
// channels whose peer is gone or known to have exited, and the callers waiting for
// a destination's queue to drain. The number of open channels follows the peers in
// use, never the number of actors that ever lived.
import { errnoCause, native } from './native.js';
import { type Address, isAddress } from './address.js';
import { PeerChannel, type ChannelHost, type ChannelLimits } from './peer.js';
import { DEFAULT_LIMITS, MAX_TIMER_MS, SOCKET_BUFFER } from './options.js';
import { probePeer, removeIfStale, sockPath } from './sysdir.js';
import { headerTemplate, instanceFromString, type Unsent } from './wire.js';
import { BadArgumentError, DeadActorError, MailboxError, type PidgeonError } from '../errors.js';

/** What the peer table reports to its mailbox. */
export interface PeerTableHost {
  /** Bodies accepted for `to` that will never be delivered. */
  deadLetters(to: Address, lost: Unsent, error: PidgeonError): void;
  /** The queue to `to` went from above the high-water mark to empty. */
  drain(to: Address): void;
}

/** The send counters (of the mailbox's stats) that channels add to. */
export interface SendCounters {
  sent: number;
  bytesSent: number;
  datagramsSent: number;
  coalesced: number;
}

/** Channels kept open at most; past that an idle one is closed at once (the sweep
 * keeps far fewer open unless that many are in use). */
const MAX_PEERS = 1024;
/** This mailbox's channels, by destination pid. */
export class PeerTable {
  /** By pid; the mailbox reads it directly on every send. */
  readonly channels = new Map<number, PeerChannel>();
  private readonly drainWaiters = new Map<PeerChannel, (() => void)[]>();
  private readonly channelHost: ChannelHost;
  private sweepTimer: NodeJS.Timeout | null = null;

  /** `idleTimeout`: a channel unused for that long (up to twice that) is closed. */
  constructor(
    private readonly dir: string,
    private readonly self: Address,
    private readonly selfInstance: bigint,
    private readonly limits: ChannelLimits,
    private readonly host: PeerTableHost,
    counters: SendCounters,
    private readonly idleTimeout: number = DEFAULT_LIMITS.idleChannelTimeout,
  ) {
    this.channelHost = {
      peerGone: (ch, lost) => {
        this.forget(ch);
        removeIfStale(this.dir, ch.address.pid);
        this.host.deadLetters(ch.address, lost, dead(ch.address, 'it exited before the message was delivered'));
      },
      sendFailed: (ch, lost, errno) => {
        this.forget(ch);
        this.host.deadLetters(ch.address, lost, sendError(ch.address, errno));
      },
      refused: (ch, lost, errno) => this.host.deadLetters(ch.address, lost, sendError(ch.address, errno)),
      drained: (ch) => {
        this.wake(ch);
        this.host.drain(ch.address);
      },
      countSent: (datagrams, messages, bytes, coalesced) => {
        counters.datagramsSent += datagrams;
        counters.sent += messages;
        counters.bytesSent += bytes;
        counters.coalesced += coalesced;
      },
    };
  }

  /** A new channel to `to` (replacing one to another incarnation of its pid); throws
   * EDEADACTOR when `to` is not alive now. */
  connect(to: Address): PeerChannel {
    if (!isAddress(to)) throw new BadArgumentError(`not an address: ${JSON.stringify(to)}`);
    // Probe before touching an existing channel to this pid: a send to a stale ref
    // (an old incarnation) must dead-letter its own message only, never what is
    // queued for the live incarnation the existing channel may lead to.
    const old = this.channels.get(to.pid);
    let live: string | null;
    if (to.pid === this.self.pid) {
      live = this.self.instance;
    } else {
      const p = probePeer(this.dir, to.pid);
      live = p.state === 'alive' ? p.instance : null;
      if (live === null) removeIfStale(this.dir, to.pid);
    }
    if (old && old.address.instance !== live) {
      // The existing channel leads to an incarnation that is gone.
      this.forget(old);
      this.host.deadLetters(old.address, old.close(), new DeadActorError(`actor ${old.address.pid}/${old.address.instance} is gone`, { address: old.address }));
    }
    if (live === null) throw dead(to, 'no such process in this system');
    if (live !== to.instance) throw dead(to, 'a newer process holds this pid');
    const fd = native.socketConnect(sockPath(this.dir, to.pid), SOCKET_BUFFER);
    if (fd < 0) {
      const code = native.errname(fd);
      if (code === 'ENOENT' || code === 'ECONNREFUSED') {
        removeIfStale(this.dir, to.pid);
        throw dead(to, `its socket is gone (${code})`);
      }
      throw new MailboxError(`connect to ${sockPath(this.dir, to.pid)} failed: ${code}`, { address: to });
    }
    const template = headerTemplate(this.self.pid, this.selfInstance, instanceFromString(to.instance));
    const ch = new PeerChannel({ pid: to.pid, instance: to.instance }, fd, sockPath(this.dir, to.pid), template, this.channelHost, this.limits);
    if (this.channels.size >= MAX_PEERS) this.evictIdle();
    this.channels.set(to.pid, ch);
    this.armSweep();
    return ch;
  }

  /** `to` is known to have exited (a death notice, a reaped child): close the channel
   * to that incarnation now rather than at the next send; what was still queued for
   * it becomes dead letters (EDEADACTOR). A channel to another incarnation of the
   * pid is left alone. */
  peerExited(to: Address): void {
    const ch = this.channels.get(to.pid);
    if (!ch || ch.address.instance !== to.instance || to.pid === this.self.pid) return;
    this.forget(ch);
    removeIfStale(this.dir, to.pid);
    this.host.deadLetters(ch.address, ch.close(), dead(ch.address, 'it exited before the message was delivered'));
  }

  /** One round of the idle sweep: close each channel that sent nothing since the last
   * round and has nothing queued or in flight. That loses and reorders nothing: all
   * it sent is already in the peer's socket queue, and a new channel's datagrams
   * queue up behind it. A channel with a backlog (a slow or paused peer) stays. */
  sweepIdle(): void {
    for (const ch of this.channels.values()) {
      if (ch.busy) continue;
      if (ch.used) {
        ch.used = false;
      } else {
        this.forget(ch);
        ch.close();
      }
    }
    if (this.channels.size === 0) this.stopSweep();
  }

  /** Resolves when the queue to `to` is below the high-water mark (at once if it is). */
  whenDrained(to: Address): Promise<void> {
    const ch = this.channels.get(to.pid);
    if (!ch || ch.closed || !ch.full) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.drainWaiters.get(ch) ?? [];
      list.push(resolve);
      this.drainWaiters.set(ch, list);
    });
  }

  /** Resolves once every channel has nothing left to send. */
  idle(): Promise<unknown> {
    return Promise.all([...this.channels.values()].map((ch) => ch.idle()));
  }

  /** Messages and bytes queued or in open batches, all channels together. */
  queued(): { messages: number; bytes: number } {
    let messages = 0;
    let bytes = 0;
    for (const ch of this.channels.values()) {
      messages += ch.queuedMessages;
      bytes += ch.queuedBytes;
    }
    return { messages, bytes };
  }

  /** Close every channel: what was unsent becomes dead letters with `error`, and
   * every drain waiter is woken. */
  closeAll(error: PidgeonError): void {
    this.stopSweep();
    for (const ch of [...this.channels.values()]) {
      const lost = ch.close();
      this.channels.delete(ch.address.pid);
      this.host.deadLetters(ch.address, lost, error);
    }
    for (const ch of [...this.drainWaiters.keys()]) this.wake(ch);
  }

  // The oldest channel unused since the last sweep, else the oldest idle one.
  private evictIdle(): void {
    let victim: PeerChannel | undefined;
    for (const ch of this.channels.values()) {
      if (ch.busy) continue;
      victim ??= ch;
      if (!ch.used) {
        victim = ch;
        break;
      }
    }
    if (!victim) return;
    this.forget(victim);
    victim.close();
  }

  // One unref'd timer per table while it has channels: nothing per send.
  private armSweep(): void {
    if (this.sweepTimer !== null) return;
    this.sweepTimer = setInterval(() => this.sweepIdle(), Math.min(this.idleTimeout, MAX_TIMER_MS));
    this.sweepTimer.unref();
  }

  private stopSweep(): void {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  private forget(ch: PeerChannel): void {
    if (this.channels.get(ch.address.pid) === ch) this.channels.delete(ch.address.pid);
    this.wake(ch);
  }

  private wake(ch: PeerChannel): void {
    const waiters = this.drainWaiters.get(ch);
    if (!waiters) return;
    this.drainWaiters.delete(ch);
    for (const r of waiters) r();
  }
}

function dead(to: Address, why: string): DeadActorError {
  return new DeadActorError(`actor ${to.pid}/${to.instance} is not alive: ${why}`, { address: to });
}

/** The dead letters' error for a send that failed with -errno. */
function sendError(to: Address, errno: number): MailboxError {
  return new MailboxError(`send to ${to.pid} failed: ${native.errname(errno)}`, { cause: errnoCause(errno, 'sendmsg'), address: to });
}
