// Fuzz: randomised malformed and well-framed datagrams, bogus envelopes and bogus
// runtime messages, sent through a raw socket (with the header layout of
// docs/architecture.md, written here by hand rather than with wire.ts) into a live
// actor. It must not crash, every good user message is delivered exactly once, and
// the counters add up exactly: each datagram is counted as dropped by the transport
// under its cause or received; each message received is delivered, handled by the
// runtime, or counted as dropped by the core under its cause. Its fds and memory
// stay flat. 100k datagrams by default; PIDGEON_FUZZ_DATAGRAMS=1000000 for 1M.
// A failure replays with PIDGEON_TEST_SEED (the seed is logged).
import test from 'ava';
import { encode } from '../../runtime/core/codec.js';
import { fixture, isRunning, rng, startSystem } from '../helpers/actors.js';
import { fdCount } from '../helpers/pipe.js';
import { RawSocket } from '../helpers/raw-socket.js';
import { BOGUS_PAYLOADS, RUNTIME_OPS, UNKNOWN_OPS, bogusFor, deepBody, type RuntimeOp } from '../helpers/runtime-ops.js';

const TOTAL = Number(process.env.PIDGEON_FUZZ_DATAGRAMS) || 100_000;
/** The warm-up round (the same fuzz) after which fds and memory are measured. */
const WARM_UP = Math.min(TOTAL, 20_000);
const MiB = 2 ** 20;
/** After a full GC, the JS heap in use and the memory of Buffers may grow by this
 * much over the measured round; a leak of 8 bytes a datagram would not fit at 1M. */
const HEAP_MARGIN = 4 * MiB;
const EXTERNAL_MARGIN = 8 * MiB;
/** RSS may grow by this much: V8 reserves more heap than it uses (heapTotal) and
 * malloc keeps pages it got (measured: +11 MiB over 100k, +24 MiB over 1M). */
const RSS_MARGIN = 48 * MiB;

// The wire header (docs/architecture.md, "The wire header"): 48 bytes, little-endian.
const HEADER = 48;
const MAGIC = 0x4e474450; // "PDGN" in memory
const VERSION = 1;
const KIND = { message: 1, fragment: 2, batch: 3 };
/** A receive slot (wire.ts MAX_DATAGRAM): anything longer arrives truncated. */
const SLOT = 256 * 1024 + 256;
/** Ask ids of forged requests: above any id a system uses (1 .. 2^31 - 1), so their
 * replies (to the system whose identity we borrow) never settle one of its asks. */
const FORGED_ASK_ID = 2 ** 31;

interface HeaderFields { kind: number; bodyLen: number; magic?: number; version?: number; nfds?: number; pid?: number; recv?: bigint; id?: number; index?: number; count?: number; total?: number }

/** What the receiver must do with what we sent: the expected counters. */
class Expected {
  datagrams = 0;
  // transport drops, and messages received
  malformed = 0; spoofed = 0; misdelivered = 0; oversize = 0;
  received = 0;
  /** Of `malformed`: partial messages superseded by a fragment of a new one (a
   * reassembly timeout turns one of these into `incomplete` instead). */
  superseded = 0;
  // what the core makes of the messages received
  user = 0; undecodable = 0; badRuntimeMessage = 0; strayReply = 0;
  /** Runtime messages of the right shape (handled or ignored by their handler). */
  runtime = 0;
  /** Requests among the runtime messages: each is answered, to the identity we borrow. */
  requests = 0;
}

type Effect = 'user' | 'undecodable' | 'bad' | 'badRequest' | 'runtime' | 'request' | 'stray';

test(`a live actor survives ${TOTAL} hostile datagrams: no crash, every good message once, every datagram counted by cause, fds and memory flat`, async (t) => {
  t.timeout(TOTAL > 200_000 ? 30 * 60_000 : 120_000);
  const random = rng(t);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)];
  const { sys, dir, downs } = await startSystem(t);
  const target = await sys.spawn(fixture('sponge'));
  const monitor = sys.monitor(target);
  const info = async () => (await sys.info(target, { timeout: 60_000 })) as { stats: Record<string, any> };
  const instance = BigInt(`0x${target.instance}`);
  // The datagrams come from this process: they carry our pid (the kernel vouches for
  // it) and our system's instance, as if our system had sent them.
  const self = BigInt(`0x${sys.self.instance}`);
  const raw = new RawSocket(t, dir, target.pid);

  const header = (f: HeaderFields): Buffer => {
    const h = Buffer.alloc(HEADER);
    h.writeUInt32LE(f.magic ?? MAGIC, 0);
    h[4] = f.version ?? VERSION;
    h[5] = f.kind;
    h.writeUInt16LE(f.nfds ?? 0, 6);
    h.writeUInt32LE(f.pid ?? process.pid, 8);
    h.writeUInt32LE(f.bodyLen, 12);
    h.writeBigUInt64LE(self, 16);
    h.writeBigUInt64LE(f.recv ?? instance, 24);
    h.writeUInt32LE(f.id ?? 0, 32);
    h.writeUInt32LE(f.index ?? 0, 36);
    h.writeUInt32LE(f.count ?? 1, 40);
    h.writeUInt32LE(f.total ?? f.bodyLen, 44);
    return h;
  };
  const datagram = (f: Omit<HeaderFields, 'bodyLen'> & { bodyLen?: number }, body: Buffer) => Buffer.concat([header({ bodyLen: body.length, ...f }), body]);
  const junk = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };

  // ---- message bodies, each with what the core must make of it ----
  let n = 0;
  const everyOp: RuntimeOp[] = [...RUNTIME_OPS, ...UNKNOWN_OPS.map((op) => ({ op, request: false, valid: [], carries: false }))];
  const askId = () => FORGED_ASK_ID + int(2 ** 31);
  // Runtime messages of the right shape that change nothing that matters: ignored
  // (not entitled: a handshake from a non-child, a report nobody asked for) or
  // harmless (watch, link: we are alive).
  const stranger = { pid: 4242, instance: '0123456789abcdef' };
  const harmless: [string, unknown][] = [
    ['ready', null], ['watch', null], ['unwatch', null], ['link', null], ['unlink', null],
    ['farewell', { reason: 'normal' }], ['watch-child', { child: stranger }],
    ['initFailed', { error: { name: 'Error', message: 'forged' }, phase: 'init', location: null }],
    ['child-exit', { child: target, reason: { code: 99 } }],
  ];
  const badEnvelopes: unknown[] = [
    [], [0], [0, 1, 2], [1, '1', 'x'], [1, 2], [2, 1, 1, 'x'], [2, 1, true], [3, 5, null], [3, 'stop'], [3, 'stop', null, null],
    [4, 'x', 'info', null], [4, 1, 2, null], [9, 1], ['0', 1], [-1, 1], [1.5, 'x'],
  ];
  const bodies: [number, () => [Buffer, Effect]][] = [
    [30, () => [encode([0, { fuzz: n++ }]), 'user']],
    [5, () => [encode([1, int(2 ** 31), { fuzz: n++ }]), 'user']],                // an ask nobody answers: still a user message
    [5, () => [Buffer.concat([Buffer.of(0xc1), junk(int(32))]), 'undecodable']],  // 0xc1 is never msgpack
    [5, () => { const b = encode([0, { fuzz: 1, pad: 'x'.repeat(int(40)) }]); return [b.subarray(0, int(b.length)), 'undecodable']; }], // cut short
    [5, () => [encode(pick(BOGUS_PAYLOADS)), 'undecodable']],                      // msgpack, not an envelope
    [5, () => [encode(pick(badEnvelopes)), 'undecodable']],                         // wrong shape for its type
    [10, () => { const op = pick(everyOp); return [encode([3, op.op, pick(bogusFor(op))]), 'bad']; }],
    [4, () => { const op = pick(everyOp); return [encode([4, askId(), op.op, pick(bogusFor(op))]), 'badRequest']; }],
    [3, () => { const [op, payload] = pick(harmless); return [encode([3, op, payload]), 'runtime']; }],
    [0.5, () => [encode([4, askId(), 'info', null]), 'request']],
    [3, () => [encode([2, int(2 ** 32), random() < 0.5, pick(BOGUS_PAYLOADS)]), 'stray']],
  ];
  const weighted = <T>(table: [number, T][]): (() => T) => {
    const total = table.reduce((s, [w]) => s + w, 0);
    return () => {
      let r = random() * total;
      for (const [w, v] of table) if ((r -= w) < 0) return v;
      return table[table.length - 1][1];
    };
  };
  const nextBody = weighted(bodies);
  const body = () => nextBody()();

  // ---- datagrams: each case builds its datagrams and says what they must do ----
  let e = new Expected();
  let partial = false; // our pid has a fragmented message in reassembly
  let msgId = 1;       // distinct per fragmented message
  const count = (effect: Effect) => {
    e.received++;
    if (effect === 'user') e.user++;
    else if (effect === 'undecodable') e.undecodable++;
    else if (effect === 'stray') e.strayReply++;
    else if (effect === 'bad' || effect === 'badRequest') e.badRuntimeMessage++;
    else e.runtime++;
    if (effect === 'badRequest' || effect === 'request') e.requests++;
  };
  // A fragment of a new message while one is in reassembly discards that one.
  const supersede = () => {
    if (!partial) return;
    e.malformed++;
    e.superseded++;
    partial = false;
  };
  const cases: [number, () => Buffer[]][] = [
    [40, () => { const [b, effect] = body(); count(effect); return [datagram({ kind: KIND.message }, b)]; }],
    [10, () => {                                                                    // a batch of good and bad messages
      const entries = Array.from({ length: 1 + int(8) }, () => { const [b, effect] = body(); count(effect); return Buffer.concat([u32(b.length), b]); });
      return [datagram({ kind: KIND.batch }, Buffer.concat(entries))];
    }],
    [3, () => {                                                                     // a message in 2-4 fragments
      let [b, effect] = body();
      if (b.length < 2) [b, effect] = [encode([0, { fuzz: n++ }]), 'user'];
      supersede();
      count(effect);
      const chunk = Math.ceil(b.length / (2 + int(3)));
      const parts = Math.ceil(b.length / chunk);
      const id = msgId++;
      return Array.from({ length: parts }, (_, i) => datagram({ kind: KIND.fragment, id, index: i, count: parts, total: b.length }, b.subarray(i * chunk, (i + 1) * chunk)));
    }],
    [2, () => { supersede(); partial = true; return [datagram({ kind: KIND.fragment, id: msgId++, index: 0, count: 4, total: 64 }, junk(16))]; }], // never completes
    [2, () => { supersede(); e.malformed++; return [datagram({ kind: KIND.fragment, id: msgId++, index: 5, count: 3, total: 40 }, junk(16))]; }], // no first fragment
    [2, () => { e.malformed++; return [junk(int(HEADER))]; }],                                   // shorter than a header
    [2, () => { e.malformed++; return [datagram({ kind: KIND.message, magic: 0xdeadbeef }, junk(8))]; }],
    [2, () => { e.malformed++; return [datagram({ kind: KIND.message, version: 2 + int(254) }, junk(8))]; }],
    [2, () => { e.malformed++; return [datagram({ kind: pick([0, 4 + int(252)]) }, junk(8))]; }],  // unknown kind
    [2, () => { e.malformed++; return [datagram({ kind: KIND.message, bodyLen: 9 + int(100) }, junk(8))]; }], // body shorter than it says
    [2, () => { e.malformed++; return [datagram({ kind: KIND.message, bodyLen: int(8) }, junk(8))]; }],       // body longer than it says
    [2, () => { e.malformed++; return [datagram({ kind: KIND.message, nfds: 1 + int(3) }, junk(8))]; }],    // says fds, has none
    [2, () => {                                                                                              // a batch entry runs past the end, or none at all
      e.malformed++;
      const b = junk(int(32));
      return [datagram({ kind: KIND.batch }, pick([Buffer.alloc(0), Buffer.concat([u32(b.length + 1 + int(9)), b]), Buffer.concat([u32(b.length), b, junk(1 + int(3))])]))];
    }],
    [2, () => { e.misdelivered++; return [datagram({ kind: KIND.message, recv: instance ^ BigInt(1 + int(2 ** 30)) }, encode([0, 'x']))]; }], // another receiver instance
    [2, () => { e.spoofed++; return [datagram({ kind: KIND.message, pid: process.pid + 1 + int(1000) }, encode([0, 'x']))]; }],          // someone else's pid
    [0.02, () => { e.oversize++; return [datagram({ kind: KIND.message }, Buffer.alloc(SLOT - HEADER + 1 + int(100)))]; }],            // larger than a receive slot
    [0.05, () => { count('undecodable'); return [datagram({ kind: KIND.message }, deepBody(100_000))]; }],                              // nested past any stack
  ];
  const nextCase = weighted(cases);

  // One round: `total` datagrams, then one that ends any partial message, so the
  // next round starts clean; then ask the count, which travels behind all of it.
  const round = async (total: number): Promise<number> => {
    while (e.datagrams < total) {
      const ds = nextCase()();
      for (const d of ds) await raw.send(d);
      e.datagrams += ds.length;
    }
    supersede();
    e.malformed++;
    await raw.send(datagram({ kind: KIND.fragment, id: msgId++, index: 1, count: 2, total: 2 }, junk(1)));
    e.datagrams++;
    return (await sys.ask(target, 'count', { timeout: 60_000 })) as number;
  };

  // The target's channel back to our system gets a sending thread of its own (with
  // a socket: one fd) the first time our queue is full, and keeps it. Make that
  // happen now, not by chance in the measured round: stop reading, and send it
  // requests whose answers are too large to be coalesced, until the thread is there.
  const fds0 = fdCount(target.pid);
  sys.mailbox.pause();
  const bigAnswer = datagram({ kind: KIND.message }, encode([4, FORGED_ASK_ID, 'x'.repeat(10_000), null]));
  for (let i = 0; fdCount(target.pid) === fds0; i++) {
    if (i === 10_000) throw new Error('the target never backed up towards us');
    await raw.send(bigAnswer);
  }
  sys.mailbox.resume();

  // Warm-up: the same fuzz, so that JIT code and the heap have grown before we measure.
  const warmDelivered = await round(WARM_UP);
  t.is(warmDelivered, e.user, 'warm-up: every good message delivered once');
  const memory = () => sys.ask(target, 'memory', { timeout: 60_000 }) as Promise<NodeJS.MemoryUsage>;
  const memBefore = await memory();
  const fdsBefore = fdCount(target.pid);
  const before = (await info()).stats;
  const sysBefore = sys.stats().dropped;
  const started = Date.now();

  e = new Expected();
  const delivered = (await round(TOTAL)) - warmDelivered;
  const seconds = (Date.now() - started) / 1000;
  const after = (await info()).stats;
  const memAfter = await memory();
  const fdsAfter = fdCount(target.pid);
  const d = (k: string) => after.dropped[k] - before.dropped[k];
  const mib = (m: NodeJS.MemoryUsage) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, +(v / MiB).toFixed(1)]));
  t.log({ datagrams: e.datagrams, seconds, waits: raw.waits, expected: { ...e }, dropped: after.dropped, fds: [fdsBefore, fdsAfter], MiB: [mib(memBefore), mib(memAfter)] });

  t.true(isRunning(target.pid), 'the actor is alive');
  t.is(downs.count(monitor), 0, 'no down for it');
  t.is(delivered, e.user, 'every good user message was delivered, once');
  // Transport: every datagram dropped by cause, or read as messages. The count ask
  // and the last info request are the two datagrams that are not ours.
  t.is(after.datagramsReceived - before.datagramsReceived, e.datagrams + 2, 'every datagram was read');
  t.is(d('spoofed'), e.spoofed, 'spoofed');
  t.is(d('misdelivered'), e.misdelivered, 'misdelivered');
  t.is(d('oversize'), e.oversize, 'oversize');
  // A partial message is dropped as malformed when a fragment of another one comes,
  // unless it was older than reassemblyTimeout by then (30 s: only on a machine
  // stalled that long), when it went as incomplete.
  t.is(d('malformed') + d('incomplete'), e.malformed, 'malformed (+ incomplete)');
  t.true(d('incomplete') <= e.superseded, `incomplete: ${d('incomplete')} partial messages timed out`);
  t.is(after.fragmentsPending, 0);
  t.is(after.received - before.received, e.received + 2, 'messages received');
  // Core: every message received is delivered, handled, or dropped by cause.
  t.is(d('undecodable'), e.undecodable, 'undecodable');
  t.is(d('badRuntimeMessage'), e.badRuntimeMessage, 'badRuntimeMessage');
  t.is(d('strayReply'), e.strayReply, 'strayReply');
  t.is(d('runtimeError'), 0, 'no runtime handler threw');
  t.is(after.received - before.received - 2, delivered + d('undecodable') + d('badRuntimeMessage') + d('strayReply') + e.runtime,
    'received = delivered + dropped by the core + runtime messages handled');
  // Every forged request was answered, to the system whose identity we borrowed.
  t.is(sys.stats().dropped.strayReply - sysBefore.strayReply, e.requests, 'every forged request answered');
  t.is(fdsAfter, fdsBefore, 'fds flat');
  t.true(memAfter.heapUsed < memBefore.heapUsed + HEAP_MARGIN, `heap flat (${memBefore.heapUsed} -> ${memAfter.heapUsed} bytes)`);
  t.true(memAfter.external < memBefore.external + EXTERNAL_MARGIN, `Buffers flat (${memBefore.external} -> ${memAfter.external} bytes)`);
  t.true(memAfter.rss < memBefore.rss + RSS_MARGIN, `RSS flat (${memBefore.rss} -> ${memAfter.rss} bytes)`);
});
