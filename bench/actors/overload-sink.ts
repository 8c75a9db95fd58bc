// Bench member process (not a spawned actor): the receiver of section "overload".
// Counts the messages of every sender, checks that each sender's sequence numbers
// arrive in order without gaps, and answers pings (asks) at once.
import { ActorSystem } from '../../runtime/index.js';
import { cpuTicks, switches } from './overload-proc.js';
import { decodeArgs, type FromChild, type SinkMark, type ToChild } from './overload-protocol.js';

const args = decodeArgs(process.argv);
const send = (m: FromChild): void => { process.send!(m); };

const counts = new Array<number>(args.senders).fill(0);
// Counted by the sink's own clock, so that a busy event loop that reads its IPC late
// does not shift the window: what the sink handled between start and end.
const inWindow = new Array<number>(args.senders).fill(0);
let windowStart = Infinity;
let windowEnd = -Infinity;
let clockCheck = 0;
let inside = false;
let windowToldAt = 0;
let startMark: SinkMark | null = null;
let endMark: SinkMark | null = null;

const sinkMark = (at: number): SinkMark => { const w = switches(); return { at, cpuTicks: cpuTicks(), wakeups: w.wakeups, preemptions: w.preemptions }; };

/** Note CPU and wake-ups once an edge of the window has passed (handler or timer). */
function checkMarks(now: number): void {
  if (endMark !== null) return;
  if (startMark === null && now >= windowStart) startMark = sinkMark(now);
  if (now >= windowEnd) endMark = sinkMark(now);
}
const next = new Array<number>(args.senders).fill(0);
let violations = 0;
const examples: string[] = [];
let pings = 0;
let other = 0;

const system = await ActorSystem.start({
  name: args.name,
  dir: args.dir,
  // Not in every runtime yet: passed through so that a runtime that knows it uses it.
  ...({ sendMode: args.sendMode } as object),
});

system.on('message', (msg, meta) => {
  if (msg === 'ping') {
    pings++;
    meta.reply('pong');
    return;
  }
  const m = msg as { s?: unknown; n?: unknown };
  if (typeof m !== 'object' || m === null || typeof m.s !== 'number' || typeof m.n !== 'number' || m.s < 0 || m.s >= args.senders) {
    other++;
    return;
  }
  const s = m.s;
  if (m.n < 0) return; // a sender's warm-up, before it says ready
  if (m.n !== next[s]) {
    violations++;
    if (examples.length < 5) examples.push(`sender ${s}: got #${m.n}, expected #${next[s]} (${m.n > next[s] ? 'gap' : 'reordered or repeated'})`);
  }
  next[s] = m.n + 1;
  counts[s]++;
  // Read the clock every 64 messages (a batch of 64 takes well under a millisecond).
  if ((clockCheck++ & 63) === 0) {
    const now = Date.now();
    inside = now >= windowStart && now < windowEnd;
    checkMarks(now);
  }
  if (inside) inWindow[s]++;
});
system.on('error', (err) => send({ t: 'error', message: `sink: ${err.message}` }));

process.on('message', (m: ToChild) => {
  if (m.t === 'window') {
    windowStart = m.start;
    windowEnd = m.end;
    windowToldAt = Date.now();
    setTimeout(() => checkMarks(Date.now()), Math.max(0, windowStart - windowToldAt));
    setTimeout(() => checkMarks(Date.now()), Math.max(0, windowEnd - windowToldAt));
  } else if (m.t === 'stats') {
    send({ t: 'sinkStats', tag: m.tag, counts, inWindow, violations, examples, pings, other, windowToldAt, start: startMark, end: endMark });
  } else if (m.t === 'exit') {
    system.shutdown({ timeout: 1000 }).finally(() => process.exit(0));
  }
});
// The bench root gone: do not linger.
process.on('disconnect', () => process.exit(0));

send({ t: 'ready', ref: system.self, pid: process.pid });
