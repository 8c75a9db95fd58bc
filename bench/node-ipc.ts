// System 2: Node's own child_process IPC (`fork` + `process.send`), the baseline a
// Node developer would reach for. The peer is bench/node-ipc-peer.ts.
//
// Small messages are 64-character strings with the default 'json' serialization —
// the fastest option for them (a 64-byte Buffer with 'advanced' measured ~1.5x slower
// round trips and ~2.5x lower throughput here).
// 1 MiB messages are measured both ways — a Buffer with serialization 'advanced', and
// a base64 string with 'json' (encoded per message by the sender and decoded by the
// receiver, as binary data over JSON must be) — and the faster one is reported.
// Backpressure: `send` returns false past Node's queue limit; then we wait for that
// message's callback (it fires once the message has been written) before sending more.
import type { ChildProcess, Serializable } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchDist } from './lib/paths.js';
import { forkTracked, nextMessage, reap, withTimeout } from './lib/proc.js';
import { timedPingPong } from './lib/pingpong.js';
import { emptyThroughput, type MeasureOptions, type RttSubject, type Throughput, type ThroughputFigures } from './lib/types.js';

const PEER = path.join(benchDist, 'node-ipc-peer.js');
type Serialization = 'json' | 'advanced';

interface Reply { r: string; count?: number; bytes?: number }
const isReply = (r: string) => (m: unknown): m is Reply => typeof m === 'object' && m !== null && (m as Reply).r === r;

async function startPeer(serialization: Serialization): Promise<ChildProcess> {
  const child = forkTracked(PEER, [], { serialization });
  try {
    await nextMessage(child, isReply('ready'), 10_000, 'node-ipc peer start');
  } catch (err) {
    await stopPeer(child);
    throw err;
  }
  return child;
}

async function stopPeer(child: ChildProcess): Promise<void> {
  if (child.connected) child.disconnect();
  await reap(child);
}

async function withPeer<T>(serialization: Serialization, fn: (child: ChildProcess) => Promise<T>): Promise<T> {
  const child = await startPeer(serialization);
  try {
    return await fn(child);
  } finally {
    await stopPeer(child);
  }
}

async function control(child: ChildProcess, msg: Record<string, unknown>, r: string, ms = 30_000): Promise<Reply> {
  const p = nextMessage(child, isReply(r), ms, `node-ipc ${r}`);
  child.send(msg as Serializable);
  return p;
}

/** Round trips of `payload`; per-round-trip latency in µs. */
async function pingpong(child: ChildProcess, payload: Serializable, durationMs: number, warmupMs: number): Promise<Float64Array> {
  await control(child, { c: 'mode', mode: 'echo', decode: false }, 'mode');
  const pp = timedPingPong(() => child.send(payload), durationMs, warmupMs, 'node-ipc round trips');
  const onMessage = (m: unknown): void => {
    if (typeof m === 'object' && m !== null && !(m instanceof Uint8Array)) return;
    pp.reply();
  };
  child.on('message', onMessage);
  try {
    return await pp.done;
  } finally {
    child.off('message', onMessage);
  }
}

/** One-way stream of `make()` payloads for the duration; counted by the peer. */
async function oneway(child: ChildProcess, make: () => Serializable, decode: boolean, opts: MeasureOptions, perTick: number): Promise<Throughput> {
  await control(child, { c: 'mode', mode: 'count', decode }, 'mode');
  let sent = 0;
  let completed = 0;
  let waitFor = -1;
  let wake: (() => void) | null = null;
  let waits = 0;
  const onSent = (): void => {
    completed++;
    if (wake !== null && completed >= waitFor) {
      const w = wake;
      wake = null;
      w();
    }
  };
  const pump = async (until: number): Promise<void> => {
    while (performance.now() < until) {
      for (let i = 0; i < perTick; i++) {
        sent++;
        if (!child.send(make(), undefined, undefined, onSent)) {
          // Past Node's limit: wait until this message has been written.
          waits++;
          waitFor = sent;
          if (completed < waitFor) await new Promise<void>((r) => { wake = r; });
          break;
        }
      }
      await new Promise((r) => setImmediate(r));
    }
  };
  await withTimeout(pump(performance.now() + opts.warmupMs), opts.warmupMs + 30_000, 'node-ipc warm-up');
  await control(child, { c: 'sync' }, 'sync');
  sent = 0;
  completed = 0;
  waits = 0;
  const start = performance.now();
  await withTimeout(pump(start + opts.durationMs), opts.durationMs + 30_000, 'node-ipc one-way');
  const end = await control(child, { c: 'end' }, 'end');
  const elapsedS = (performance.now() - start) / 1000;
  if (end.count !== sent) throw new Error(`node-ipc: sent ${sent}, peer counted ${end.count}`);
  const bytes = end.bytes ?? 0;
  return { messages: sent, bytes, elapsedS, msgsPerS: sent / elapsedS, mbPerS: bytes / elapsedS / 1e6, extra: { sendReturnedFalse: waits } };
}

const smallPayload = (size: number, s: Serialization): Serializable =>
  s === 'json' ? 'x'.repeat(size) : Buffer.alloc(size, 0x78);

/** Node IPC round trips with a long-lived peer ('json' + 64-char string by default). */
export function nodeIpcRttSubject(serialization: Serialization = 'json'): RttSubject {
  let child: ChildProcess | null = null;
  let payload: Serializable = '';
  return {
    id: 'node-ipc',
    label: 'Node IPC',
    describe: serialization === 'json' ? `fork() + send() of a 64-char string, serialization 'json'` : `fork() + send() of a 64 B Buffer, serialization 'advanced'`,
    async open(opts) {
      payload = smallPayload(opts.smallSize, serialization);
      child = await startPeer(serialization);
    },
    async measure(durationMs, warmupMs) {
      return pingpong(child!, payload, durationMs, warmupMs);
    },
    async close() {
      if (child) await stopPeer(child);
      child = null;
    },
  };
}

/** One-way small messages ('json' strings) and 1 MiB messages (best of two encodings). */
export async function runNodeIpcThroughput(opts: MeasureOptions): Promise<ThroughputFigures> {
  const f = emptyThroughput();
  try {
    const payload = smallPayload(opts.smallSize, 'json');
    f.oneway = await withPeer('json', (child) => oneway(child, () => payload, false, opts, 256));
    f.notes.push(`Node IPC ${opts.smallSize} B: ${opts.smallSize}-char strings, serialization 'json'; send() returned false ${f.oneway.extra?.sendReturnedFalse} times (waited for its callback)`);
  } catch (err) {
    f.errors.push(`Node IPC one-way: ${(err as Error).message}`);
  }
  const buf = Buffer.alloc(opts.bulkSize, 0x6d);
  const bulk: Partial<Record<Serialization, Throughput>> = {};
  for (const s of ['advanced', 'json'] as const) {
    try {
      bulk[s] = await withPeer(s, (child) => s === 'advanced'
        ? oneway(child, () => buf, false, opts, 4)
        : oneway(child, () => buf.toString('base64'), true, opts, 4));
    } catch (err) {
      f.errors.push(`Node IPC 1 MiB (${s}): ${(err as Error).message}`);
    }
  }
  const adv = bulk.advanced;
  const json = bulk.json;
  if (adv || json) {
    const bestIsAdv = !!adv && (!json || adv.mbPerS >= json.mbPerS);
    f.bulk = bestIsAdv ? adv : json;
    f.bulk!.extra = { ...f.bulk!.extra, encoding: bestIsAdv ? "Buffer, serialization 'advanced'" : "base64 string, serialization 'json'" };
    f.notes.push(`Node IPC 1 MiB: reported ${bestIsAdv ? "a Buffer with serialization 'advanced'" : "a base64 string with 'json'"}, the faster of the two` +
      (adv && json ? ` (Buffer/'advanced' ${adv.mbPerS.toFixed(0)} MB/s, base64/'json' ${json.mbPerS.toFixed(0)} MB/s)` : ''));
  }
  return f;
}
