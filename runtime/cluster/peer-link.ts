// One proxy's link to its peer node (the proxy is its own process: proxy.ts). It
// forwards what local actors relay to the peer's proxy for us, coalescing the
// frames of one event-loop turn into one NATS message, and delivers what that proxy
// sends by datagram, through the outbound coalescing of its own system. It pings
// the peer's proxy; no answer for `downAfter` ms, or an answer from a new proxy
// session (the old one died with whatever it held), and the link is down: every
// local process hears 'nodedown' (their monitors of the peer's actors get DOWN
// noconnection, their asks fail with ENOCONNECTION), and nothing old is replayed.
import { randomBytes } from 'node:crypto';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { DeadActorError, PidgeonError } from '../errors.js';
import { listLive, type Address } from '../transport/index.js';
import type { ActorSystem } from '../core/index.js';
import type { ClusterOptions } from '../core/options.js';
import { REMOTE_OPS } from '../core/remote.js';
import { wireReason, type ExitReason } from '../core/reasons.js';
import { F_DATA, F_DOWN, F_FAILED, F_KILL, F_WATCH, pack, packFrames, unpackFrames, type Frame } from './frames.js';
import { isMember, subjects } from './nats.js';

/** What a proxy is started with (its spawn args). */
export interface ProxyArgs { local: string; peer: string; prefix: string; cluster: ClusterOptions }

/** Frames held while the link is being set up, at most. */
const MAX_HELD = 10_000;
/** NATS' default max_payload is 1 MiB: batches stay well below it. */
const BATCH_BYTES = 512 * 1024;
const TOO_LARGE = 900 * 1024;
/** How long the first link of a new proxy may take to come up. */
const SETUP_MS = 10_000;

type Sys = ActorSystem & { sendSystem(to: Address, op: string, payload: unknown): boolean };

export class PeerLink {
  /** Renewed whenever our link drops: the peer then knows what it sent may be lost. */
  session = randomBytes(8).toString('hex');
  /** Frames from the peer dropped: not from a member, or not frames at all. */
  dropped = 0;
  private up = false;
  private declaredDown = false;
  // A new proxy says 'nodeup' when its link first comes up: the agent told every
  // local process 'nodedown' when the one before it died.
  private announceUp = true;
  private peerSession: string | null = null;
  private out: Frame[] = [];
  private outBytes = 0;
  private flushing = false;
  private held: [Frame, Address][] = [];
  private lastPong = Date.now();
  private pinger: NodeJS.Timeout | null = null;
  private connecting = false;
  private subs: Subscription[] = [];
  /** Local actors watched by the peer's actors: target key → watchers, and the monitor. */
  private readonly watched = new Map<string, { target: Address; watchers: Map<string, Address>; monitor: string }>();
  private readonly byMonitor = new Map<string, string>();
  private readonly downAfter: number;

  constructor(private readonly system: Sys, private readonly nc: NatsConnection, private readonly a: ProxyArgs) {
    this.downAfter = a.cluster.downAfter ?? 2000;
  }

  start(): void {
    const { nc, a } = this;
    this.subs.push(nc.subscribe(subjects.in(a.prefix, a.local, a.peer), { callback: (err, m) => { if (!err) this.onFrames(m.data); } }));
    this.subs.push(nc.subscribe(subjects.ping(a.prefix, a.local, a.peer), { callback: (err, m) => { if (!err) m.respond(this.session); } }));
    this.system.on('down', ({ monitor, reason }) => this.onLocalDown(monitor, reason));
    // A relayed message our mailbox could not deliver after all (its receiver died
    // with it queued, or the queue overflowed): the sender hears of it.
    this.system.onUndeliveredSystem((to, op, payload, error) => {
      if (op !== REMOTE_OPS.relayed || !Array.isArray(payload) || payload.length !== 4) return;
      const why = error instanceof DeadActorError ? 'noproc' : error.code;
      this.queue([F_FAILED, payload[0], payload[1], to.pid, to.instance, payload[3], why]);
    });
    // The NATS client drops what it had not written when its connection breaks: what
    // we or the peer published may be lost, so the link is down at once.
    void (async () => {
      for await (const st of nc.status()) if (st.type === 'disconnect' && this.pinger) this.dropLink('the NATS connection broke');
    })().catch(() => {});
    this.pinger = setInterval(() => void this.ping(), Math.max(50, this.downAfter / 4));
    void this.ping();
  }

  async close(): Promise<void> {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
    this.flush();
    for (const s of this.subs) s.unsubscribe();
  }

  // ---- from local actors ----

  relay(from: Address, to: [number, string, Uint8Array]): void {
    this.emit([F_DATA, from.pid, from.instance, to[0], to[1], to[2]], from);
  }

  watch(from: Address, target: [number, string]): void {
    this.emit([F_WATCH, from.pid, from.instance, target[0], target[1]], from);
  }

  kill(from: Address, target: [number, string, string]): void {
    this.emit([F_KILL, target[0], target[1], target[2]], from);
  }

  private emit(f: Frame, origin: Address): void {
    if (this.up) return this.queue(f);
    if (this.declaredDown || this.held.length >= MAX_HELD) return this.fail(f, origin);
    this.held.push([f, origin]);
  }

  private queue(f: Frame): void {
    const size = f[0] === F_DATA || f[0] === F_FAILED ? (f[5] as Uint8Array).length : 16;
    if (size > TOO_LARGE) {
      if (f[0] === F_DATA) this.tell({ pid: f[1] as number, instance: f[2] as string }, REMOTE_OPS.failed, [f[3], f[4], this.a.peer, f[5], 'EMSGSIZE']);
      return;
    }
    if (this.outBytes + size + 32 > TOO_LARGE) this.flush(); // a batch stays under max_payload
    this.out.push(f);
    this.outBytes += size + 32;
    if (this.outBytes >= BATCH_BYTES) this.flush();
    else if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    if (this.out.length === 0) return;
    const frames = this.out;
    this.out = [];
    this.outBytes = 0;
    try {
      this.nc.publish(subjects.in(this.a.prefix, this.a.peer, this.a.local), packFrames(this.a.local, this.session, frames));
    } catch {
      this.dropLink('publish failed');
    }
  }

  // A frame that cannot go: a message becomes the sender's dead letter (an ask of
  // it fails at once); a watch is answered by the 'nodedown' the sender already has.
  private fail(f: Frame, origin: Address): void {
    if (f[0] === F_DATA) this.tell(origin, REMOTE_OPS.failed, [f[3], f[4], this.a.peer, f[5], 'noconnection']);
  }

  // ---- from the peer ----

  private onFrames(data: Uint8Array): void {
    const b = unpackFrames(data);
    if (!b || b.node !== this.a.peer || !isMember(this.a.cluster, b.node)) {
      this.dropped++;
      return;
    }
    if (b.session !== this.peerSession) {
      // Frames prove the link works. From a new session of the peer's proxy (it
      // restarted, with whatever it held): the old link is over first.
      if (this.up) this.dropLink('the peer proxy restarted', false);
      this.goUp(b.session);
    }
    this.lastPong = Date.now(); // frames from the peer's session are as good as a pong
    for (const f of b.frames) {
      if (!Array.isArray(f)) this.dropped++;
      else if (f[0] === F_DATA) this.deliver(f);
      else this.onFrame(f);
    }
  }

  // A run of messages f[1..2] → f[3..4], in order, by datagram to the local receiver.
  private deliver(f: Frame): void {
    if (!(f[5] instanceof Uint8Array)) { // a hostile or broken frame
      this.dropped++;
      return;
    }
    const to = { pid: f[3] as number, instance: f[4] as string };
    try {
      this.system.sendSystem(to, REMOTE_OPS.relayed, [f[1], f[2], this.a.peer, f[5]]);
    } catch (err) {
      // Not alive here, or its queue is full: the sender hears of it (its ask
      // fails, or a dead letter), never silence.
      const why = err instanceof DeadActorError ? 'noproc' : err instanceof PidgeonError ? err.code : 'EMAILBOX';
      this.queue([F_FAILED, f[1], f[2], f[3], f[4], f[5], why]);
    }
  }

  private onFrame(f: Frame): void {
    const peer = this.a.peer;
    switch (f[0]) {
      case F_WATCH: return this.watchLocal({ pid: f[3] as number, instance: f[4] as string }, { pid: f[1] as number, instance: f[2] as string });
      case F_DOWN: return this.tell({ pid: f[3] as number, instance: f[4] as string }, REMOTE_OPS.down, [f[1], f[2], peer, f[5]]);
      case F_FAILED: return this.tell({ pid: f[1] as number, instance: f[2] as string }, REMOTE_OPS.failed, [f[3], f[4], peer, f[5], f[6]]);
      case F_KILL: {
        const target = { pid: f[1] as number, instance: f[2] as string };
        if (typeof f[3] !== 'string' || !this.system.isAlive(target)) return;
        const cancel = this.system.deathwatch.watch(target, () => {});
        this.system.deathwatch.kill(target, f[3] as NodeJS.Signals);
        cancel();
        return;
      }
      default: this.dropped++;
    }
  }

  // The peer's actor `watcher` watches our `target`: our pidfd watch stands in.
  private watchLocal(target: Address, watcher: Address): void {
    const k = `${target.pid}:${target.instance}`;
    let w = this.watched.get(k);
    if (!w) {
      const monitor = this.system.monitor(target);
      w = { target, watchers: new Map(), monitor };
      this.watched.set(k, w);
      this.byMonitor.set(monitor, k);
    }
    w.watchers.set(`${watcher.pid}:${watcher.instance}`, watcher);
  }

  private onLocalDown(monitor: string, reason: ExitReason): void {
    const k = this.byMonitor.get(monitor);
    if (k === undefined) return;
    this.byMonitor.delete(monitor);
    const w = this.watched.get(k)!;
    this.watched.delete(k);
    for (const x of w.watchers.values()) this.queue([F_DOWN, w.target.pid, w.target.instance, x.pid, x.instance, wireReason(reason)]);
  }

  // ---- the link ----

  private async ping(): Promise<void> {
    const a = this.a;
    try {
      const m = await this.nc.request(subjects.ping(a.prefix, a.peer, a.local), this.session, { timeout: Math.max(100, this.downAfter / 2) });
      const session = m.string();
      this.lastPong = Date.now();
      if (this.up && session !== this.peerSession) this.dropLink('the peer proxy restarted', false);
      if (!this.up && this.pinger) this.goUp(session);
    } catch {
      if (!this.up) this.connect();
      // The first link waits longer: the peer's agent may have to start its proxy.
      const limit = this.announceUp ? Math.max(this.downAfter, SETUP_MS) : this.downAfter;
      if (Date.now() - this.lastPong >= limit) this.dropLink('no answer to pings');
    }
  }

  // Ask the peer's agent to start its proxy for us (it is started on demand).
  private connect(): void {
    if (this.connecting) return;
    this.connecting = true;
    const a = this.a;
    this.nc.request(subjects.ctl(a.prefix, a.peer), pack({ op: 'connect', from: a.local }), { timeout: 5000 })
      .catch(() => {})
      .finally(() => { this.connecting = false; });
  }

  private goUp(session: string): void {
    this.up = true;
    this.peerSession = session;
    this.lastPong = Date.now();
    if (this.declaredDown || this.announceUp) this.broadcast(REMOTE_OPS.nodeUp);
    this.declaredDown = false;
    this.announceUp = false;
    const held = this.held;
    this.held = [];
    for (const [f] of held) this.queue(f);
  }

  // `renew`: take a new session, so that the peer learns our side lost the link
  // too. Not when the peer's new session is the cause: it knows nothing of ours, and
  // renewing then would make each side reset the other in turn, for ever.
  private dropLink(_why: string, renew = true): void {
    if (this.declaredDown && !this.up) return;
    this.up = false;
    this.peerSession = null;
    this.declaredDown = true;
    if (renew) this.session = randomBytes(8).toString('hex');
    this.lastPong = Date.now(); // the next verdict after another full period
    const unsent = this.out;
    this.out = [];
    this.outBytes = 0;
    for (const f of unsent) if (f[0] === F_DATA) this.tell({ pid: f[1] as number, instance: f[2] as string }, REMOTE_OPS.failed, [f[3], f[4], this.a.peer, f[5], 'noconnection']);
    for (const [f, origin] of this.held.splice(0)) this.fail(f, origin);
    for (const w of this.watched.values()) this.system.demonitor(w.monitor);
    this.watched.clear();
    this.byMonitor.clear();
    this.broadcast(REMOTE_OPS.nodeDown);
  }

  private broadcast(op: string): void {
    tellLinkState(this.system, op, this.a.peer);
  }

  private tell(to: Address, op: string, payload: unknown): void {
    try {
      this.system.sendSystem(to, op, payload);
    } catch { /* gone */ }
  }
}

/** Tell every local process of the system that the link to `peer` is down or up
 * (REMOTE_OPS.nodeDown, nodeUp). */
export function tellLinkState(system: Sys, op: string, peer: string): void {
  for (const p of listLive(system.dir)) {
    try { system.sendSystem(p, op, { node: peer }); } catch { /* gone */ }
  }
}
