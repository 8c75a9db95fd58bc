// System 3: pidgeon's transport (runtime/transport Mailbox). Two processes: this
// bench process opens a Mailbox in a fresh temporary system directory and forks
// bench/pidgeon-transport-peer.ts, which opens its own Mailbox there. All traffic,
// control included, goes through the mailboxes; the fork IPC channel only carries
// the peer's address at start-up.
//
// The sender uses the API as an application would: `send` until it returns false,
// then `await mb.drained(peer)`; it yields to the event loop (setImmediate) after
// every PER_TICK sends, so small messages sent in one tick are coalesced into batch
// datagrams by the transport (that is its design), and 1 MiB messages are fragmented.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Mailbox, type Address, type InboundMessage, type MailboxOptions } from '../runtime/transport/index.js';
import { PEER_ACK, PEER_CONTROL, PEER_REPORT, PEER_REPORT_SIZE } from './lib/peer-protocol.js';
import { benchDist } from './lib/paths.js';
import { forkTracked, nextMessage, reap, withTimeout } from './lib/proc.js';
import { fmtInt } from './lib/report.js';
import { timedPingPong } from './lib/pingpong.js';
import { emptyThroughput, type MeasureOptions, type RttSubject, type Throughput, type ThroughputFigures } from './lib/types.js';

const PEER = path.join(benchDist, 'pidgeon-transport-peer.js');
/** Small messages handed to `send` per event-loop turn in the one-way test. */
export const PER_TICK_SMALL = 1024;
/** 1 MiB messages handed to `send` per event-loop turn (unless `send` says stop first). */
export const PER_TICK_BULK = 8;

interface Ready { r: 'ready'; address: Address }
/** Mailbox options both sides of a pair open with. */
export type PairOptions = Omit<MailboxOptions, 'system' | 'dir'>;
const isReady = (m: unknown): m is Ready => typeof m === 'object' && m !== null && (m as Ready).r === 'ready';

/** A bench-side mailbox and a forked peer with its own, in a temporary system dir. */
export class PidgeonPair {
  readonly mb: Mailbox;
  readonly dir: string;
  peer!: Address;
  child!: ChildProcess;
  private handler: ((m: InboundMessage) => void) | null = null;

  private constructor(dir: string, options: PairOptions) {
    this.dir = dir;
    this.mb = Mailbox.open({ ...options, system: 'bench', dir });
    this.mb.on('message', (m) => this.handler?.(m));
  }

  /** `options`: both mailboxes' (limits, memfdThreshold). */
  static async open(options: PairOptions = {}): Promise<PidgeonPair> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-bench-'));
    let pair: PidgeonPair | undefined;
    try {
      pair = new PidgeonPair(dir, options);
      pair.child = forkTracked(PEER, [dir, 'bench', JSON.stringify(options)]);
      pair.peer = (await nextMessage(pair.child, isReady, 10_000, 'pidgeon peer start')).address;
      return pair;
    } catch (err) {
      if (pair) await pair.close();
      else fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Route mailbox messages to `fn` (one consumer at a time). */
  onMessage(fn: ((m: InboundMessage) => void) | null): void {
    this.handler = fn;
  }

  /** Send a one-byte control message and wait for the peer's reply. */
  async control(code: number, ms = 30_000): Promise<{ count: number; bytes: number }> {
    const reply = new Promise<{ count: number; bytes: number }>((resolve) => {
      this.onMessage((m) => {
        const b = m.body;
        if (b.length === 1 && b[0] === PEER_ACK) resolve({ count: 0, bytes: 0 });
        else if (b.length === PEER_REPORT_SIZE && b[0] === PEER_REPORT) resolve({ count: b.readDoubleLE(1), bytes: b.readDoubleLE(9) });
        else return;
        this.onMessage(null);
      });
    });
    this.mb.send(this.peer, Uint8Array.of(code));
    return withTimeout(reply, ms, `pidgeon control ${String.fromCharCode(code)}`);
  }

  async close(): Promise<void> {
    if (this.child) {
      if (this.child.connected) this.child.disconnect();
      await reap(this.child);
    }
    await this.mb.close({ timeout: 500 });
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Round trips of a `size`-byte body through both mailboxes; per-round-trip µs. */
async function pingpong(pair: PidgeonPair, size: number, durationMs: number, warmupMs: number): Promise<Float64Array> {
  await pair.control(PEER_CONTROL.echo);
  const body = Buffer.alloc(size, 0x70);
  const { mb, peer } = pair;
  const pp = timedPingPong(() => mb.send(peer, body), durationMs, warmupMs, 'pidgeon round trips');
  pair.onMessage((m) => {
    if (m.body.length === size) pp.reply();
  });
  try {
    return await pp.done;
  } finally {
    pair.onMessage(null);
  }
}

/** pidgeon round trips with a long-lived pair of mailboxes. */
export function pidgeonRttSubject(): RttSubject {
  let pair: PidgeonPair | null = null;
  let size = 64;
  return {
    id: 'pidgeon',
    label: 'pidgeon',
    describe: 'Mailbox.send() of a 64 B body and an echo from the peer\'s message listener (48 B header + batch framing on the wire)',
    async open(opts) {
      size = opts.smallSize;
      pair = await PidgeonPair.open();
    },
    async measure(durationMs, warmupMs) {
      return pingpong(pair!, size, durationMs, warmupMs);
    },
    async close() {
      if (pair) await pair.close();
      pair = null;
    },
  };
}

/**
 * Stream `size`-byte messages one way for the duration; the peer counts them.
 * `perTick` sends per event-loop turn (setImmediate between); `perMicrotask` awaits a
 * microtask after every send instead, so that each message leaves in its own datagram
 * (the transport flushes its batch in a microtask) — no coalescing.
 */
export async function oneway(pair: PidgeonPair, size: number, perTick: number, opts: MeasureOptions, perMicrotask = false): Promise<Throughput> {
  await pair.control(PEER_CONTROL.count);
  const { mb, peer } = pair;
  const body = Buffer.alloc(size, 0x6d);
  let sent = 0;
  let drainWaits = 0;
  let peakQueued = 0;
  let peakQueuedBytes = 0;
  let peakArrayBuffers = 0;
  let ticks = 0;
  const pump = async (until: number): Promise<void> => {
    while (performance.now() < until) {
      for (let i = 0; i < perTick; i++) {
        sent++;
        if (!mb.send(peer, body)) {
          drainWaits++;
          await mb.drained(peer);
          break;
        }
        if (perMicrotask) await undefined;
      }
      if ((++ticks & 7) === 0) {
        // What the queue holds by the transport's count, and what memory it really pins.
        const st = mb.stats();
        peakQueued = Math.max(peakQueued, st.queued);
        peakQueuedBytes = Math.max(peakQueuedBytes, st.queuedBytes);
        peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
      }
      await new Promise((r) => setImmediate(r));
    }
  };
  await withTimeout(pump(performance.now() + opts.warmupMs), opts.warmupMs + 30_000, 'pidgeon warm-up');
  await pair.control(PEER_CONTROL.sync);
  sent = 0;
  drainWaits = 0;
  peakQueued = peakQueuedBytes = peakArrayBuffers = 0;
  const before = mb.stats();
  const start = performance.now();
  await withTimeout(pump(start + opts.durationMs), opts.durationMs + 30_000, 'pidgeon one-way');
  const end = await pair.control(PEER_CONTROL.end);
  const elapsedS = (performance.now() - start) / 1000;
  if (end.count !== sent) throw new Error(`pidgeon: sent ${sent}, peer counted ${end.count}`);
  const datagrams = mb.stats().datagramsSent - before.datagramsSent - 1; // less the 'end' control
  return {
    messages: sent, bytes: end.bytes, elapsedS, msgsPerS: sent / elapsedS, mbPerS: end.bytes / elapsedS / 1e6,
    extra: {
      drainWaits, datagrams, messagesPerDatagram: sent / Math.max(1, datagrams),
      peakQueued, peakQueuedBytes, peakArrayBuffersMiB: peakArrayBuffers / 2 ** 20,
    },
  };
}

/** One-way small messages (coalesced as the API does, and one per datagram) and 1 MiB messages. */
export async function runPidgeonThroughput(opts: MeasureOptions): Promise<ThroughputFigures> {
  const f = emptyThroughput();
  let pair: PidgeonPair;
  try {
    pair = await PidgeonPair.open();
  } catch (err) {
    f.errors.push(`pidgeon: ${(err as Error).message}`);
    return f;
  }
  const steps: [string, () => Promise<void>][] = [
    ['one-way', async () => {
      const r = await oneway(pair, opts.smallSize, PER_TICK_SMALL, opts);
      f.oneway = r;
      f.notes.push(`pidgeon ${opts.smallSize} B: ${PER_TICK_SMALL} send() calls per event-loop turn, coalesced ${Number(r.extra!.messagesPerDatagram).toFixed(0)} messages per datagram on average; send() returned false ${r.extra!.drainWaits} times (awaited drained())`);
    }],
    ['one-way, one message per datagram', async () => {
      const r = await oneway(pair, opts.smallSize, PER_TICK_SMALL, opts, true);
      f.onewayUnbatched = r;
      const x = r.extra!;
      f.notes.push(`pidgeon ${opts.smallSize} B one per datagram: a microtask awaited after every send(), so each batch holds one message (${Number(x.messagesPerDatagram).toFixed(2)} per datagram); ` +
        `at peak ${fmtInt(Number(x.peakQueued))} messages queued (${fmtInt(Number(x.peakQueuedBytes))} B by the transport's count) while this process held ${fmtInt(Number(x.peakArrayBuffersMiB))} MiB of ArrayBuffers`);
    }],
    ['1 MiB', async () => {
      const r = await oneway(pair, opts.bulkSize, PER_TICK_BULK, opts);
      f.bulk = r;
      f.notes.push(`pidgeon 1 MiB: ${(Number(r.extra!.datagrams) / Math.max(1, r.messages)).toFixed(1)} datagrams per message (fragments of up to 256 KiB), reassembled by the receiver; send() returned false ${r.extra!.drainWaits} times`);
    }],
  ];
  try {
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        f.errors.push(`pidgeon ${name}: ${(err as Error).message}`);
      }
    }
  } finally {
    await pair.close();
  }
  return f;
}
