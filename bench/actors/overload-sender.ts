// Bench member process (not a spawned actor): one sender of section "overload".
// On 'go' it sends `{ s: index, n: seq, p }` (about 64 bytes) to the sink as fast as
// it can, honouring backpressure: when send() returns false it awaits
// system.drained(sink). It notes its counters when the window opens and closes (by
// its own clock). On 'stop' it stops, waits until its queue is empty and reports
// how many messages it sent, with those marks, and later that its queue is empty.
import fs from 'node:fs';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { ActorSystem, type ActorRef } from '../../runtime/index.js';
import { cpuTicks, switches } from './overload-proc.js';
import { PAD, decodeArgs, type FromChild, type SenderMark, type ToChild } from './overload-protocol.js';

const args = decodeArgs(process.argv);
const send = (m: FromChild): void => { process.send!(m); };
/** Messages sent between voluntary yields while the queue is not full (IPC stays answered). */
const BURST = 512;

const system = await ActorSystem.start({
  name: args.name,
  dir: args.dir,
  highWaterMark: args.highWaterMark,
  ...({ sendMode: args.sendMode } as object),
});
system.on('error', (err) => send({ t: 'error', message: `sender ${args.index}: ${err.message}` }));

let running = false;
let seq = 0;
let loopDone: Promise<void> = Promise.resolve();
let windowStart = Infinity;
let windowEnd = Infinity;
let startMark: SenderMark | null = null;
/** CPU of the event loop's thread inside runs of send() calls (producing, encoding
 * and sending, up to the transport's flush of what they queued, a microtask), ns:
 * the rest of its CPU is spent waiting or on the event loop's turns between bursts. */
let sendRunsNs = 0;
/** Of the rest, the CPU from a send() that returned false until system.drained(sink)
 * resolved (wake-ups, backpressure callbacks, the drained() promise), ns. */
let drainWaitNs = 0;
/** mainNs() when the drained() wait in progress began; -1 outside one. A mark taken
 * during a wait (by a timer) counts its part so far: waits last up to seconds, and
 * one straddling an edge of the window must be split there, not counted whole on
 * one side of it. */
let drainSince = -1;
// One open file read in place (pread at 0): readFileSync per run cost more than the
// runs it measured once senders wait often (seen in a profile of a sender).
const mainSchedstat = fs.openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
const statBuf = Buffer.alloc(96);
function mainNs(): number {
  // A running thread's own schedstat is only brought up to date at a scheduler tick
  // (4 ms here) or a switch, so a run read at its end missed up to a tick: measured
  // in a busy loop, it advanced in 4 ms steps. getrusage (process.cpuUsage) brings
  // the calling thread's runtime up to date first; read after it, it moves in µs.
  process.cpuUsage();
  const n = fs.readSync(mainSchedstat, statBuf, 0, statBuf.length, 0);
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = statBuf[i];
    if (c < 48 || c > 57) break; // the first field: ns on a CPU
    v = v * 10 + (c - 48);
  }
  return v;
}
let endMark: SenderMark | null = null;

/** The window's mark at `now`. A mark reads ~20 files in /proc (a few hundred µs
 * to a ms of this thread's CPU): the event loop's CPU, which the mark itself spends,
 * is read last at the start mark and first at the end one, so that the mark's own
 * cost falls outside the window (counted in, 200 senders' marks had added about
 * 0.1-0.2 s to their event loops' CPU "between bursts"). */
function mark(now: number, edge: 'start' | 'end'): SenderMark {
  const first = edge === 'end' ? { main: mainNs(), ticks: cpuTicks() } : null;
  const s = system.stats();
  const sw = switches();
  const last = first ?? { ticks: cpuTicks(), main: mainNs() };
  return {
    at: now, sent: seq, wireSent: s.sent, datagramsSent: s.datagramsSent, bytesSent: s.bytesSent, cpuTicks: last.ticks, sendRunsNs,
    drainWaitNs: drainWaitNs + (drainSince >= 0 ? last.main - drainSince : 0), ...sw,
    // The event loop's thread at the same instant in both sums.
    mainNs: last.main, allNs: sw.allNs - sw.mainNs + last.main,
  };
}

/** Take the window's marks once their time has come (from the loop and from timers). */
function checkMarks(): void {
  if (endMark !== null) return;
  const now = Date.now();
  if (startMark === null && now >= windowStart) startMark = mark(now, 'start');
  if (now >= windowEnd) endMark = mark(now, 'end');
}

async function loop(sink: ActorRef): Promise<void> {
  const msg = { s: args.index, n: 0, p: PAD };
  while (running) {
    let t = mainNs();
    for (let i = 0; i < BURST && running; i++) {
      msg.n = seq;
      const ok = system.send(sink, msg); // encoded now: reusing `msg` is safe
      seq++;
      if (!ok) {
        await null; // the transport's flush is a microtask queued by the run: it runs now
        drainSince = mainNs();
        sendRunsNs += drainSince - t;
        await system.drained(sink);
        t = mainNs();
        drainWaitNs += t - drainSince;
        drainSince = -1;
        checkMarks();
      }
    }
    await null;
    sendRunsNs += mainNs() - t;
    checkMarks();
    await yieldTurn();
  }
}

async function flushed(): Promise<void> {
  // Outside the measurement window: a short poll of the counters is fine here.
  const until = Date.now() + 60_000;
  while (system.stats().queued > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
}

process.on('message', (m: ToChild) => {
  if (m.t === 'go') {
    windowStart = m.start;
    windowEnd = m.end;
    setTimeout(checkMarks, Math.max(0, windowStart - Date.now()));
    setTimeout(checkMarks, Math.max(0, windowEnd - Date.now()));
    running = true;
    loopDone = loop(m.sink).catch((err: Error) => {
      running = false;
      send({ t: 'error', message: `sender ${args.index}: ${err.message}` });
    });
  } else if (m.t === 'stop') {
    checkMarks();
    running = false;
    // The loop sends nothing more once it resumes: `seq` is final now.
    send({ t: 'stopping', sent: seq, start: startMark, end: endMark });
    loopDone.then(flushed).then(
      () => send({ t: 'flushed', queued: system.stats().queued }),
      (err: Error) => send({ t: 'flushed', queued: -1, error: err.message }),
    );
  } else if (m.t === 'exit') {
    system.shutdown({ timeout: 1000 }).finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

// Warm the send path before saying ready (a young process runs it in the interpreter
// and compiles it in the background for a while: with 200 of them sharing 2 cores,
// that compiling went on into the window and took most of the senders' CPU there).
// The warm-up takes the path the storm takes, to the sink itself (sequence numbers
// below 0, which the sink does not count), so V8 learns the shapes it will see.
const WARM = Number(process.env.PIDGEON_BENCH_OVERLOAD_WARM) || 30_000;
{
  const sink = args.sink!;
  const msg = { s: args.index, n: 0, p: PAD };
  for (let i = -WARM; i < 0; i++) {
    msg.n = i;
    if (!system.send(sink, msg)) await system.drained(sink);
    if ((i & 511) === 0) await yieldTurn();
  }
  await system.drained(sink);
}

send({ t: 'ready', ref: system.self, pid: process.pid });
