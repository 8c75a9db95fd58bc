// End-to-end backpressure: a receiver slower than its sender. Its queue is bounded
// (mailboxCapacity), so when it fills the receiver stops reading its socket, the
// kernel's queue fills, and the sender sees `send() === false` and waits for drain.
// Nothing is lost or reordered, and the receiver's memory stays at its idle size.
// PIDGEON_FLOW_MESSAGES raises the count (default 300k; the figure is 1M).
import test from 'ava';
import { fixture, startSystem } from '../helpers/actors.js';

const TOTAL = Number(process.env.PIDGEON_FLOW_MESSAGES) || 300_000;
const payload = 'x'.repeat(40);

type Report = { received: number; asked: number; violations: string[]; queuePeak: number; throttled: number; rssKiB: number; last: number };

async function flood(sys: Awaited<ReturnType<typeof startSystem>>['sys'], to: Parameters<typeof sys.send>[0], from: number, n: number): Promise<number> {
  let waits = 0;
  for (let seq = from; seq < from + n; seq++) {
    if (!sys.send(to, { seq, payload })) {
      waits++;
      await sys.drained(to);
    }
  }
  return waits;
}

test('a slow receiver slows its sender: bounded queue, backpressure through the kernel, flat RSS, nothing lost', async (t) => {
  t.timeout(5 * 60_000);
  const { sys } = await startSystem(t);
  const sink = await sys.spawn(fixture('slowsink'), { mailboxCapacity: 500 });
  // Warm up with the same traffic so the heap reaches its working size.
  const warm = Math.min(200_000, TOTAL);
  await flood(sys, sink, 0, warm);
  const idle = (await sys.ask<any>(sink, 'report', { timeout: 120_000 })) as Report;
  t.is(idle.received, warm);
  const waits = await flood(sys, sink, warm, TOTAL);
  const r = (await sys.ask<any>(sink, 'report', { timeout: 120_000 })) as Report;
  t.log({ total: TOTAL, senderWaits: waits, queuePeak: r.queuePeak, throttled: r.throttled, rssIdleKiB: idle.rssKiB, rssAfterKiB: r.rssKiB });
  t.deepEqual(r.violations, [], 'order kept');
  t.is(r.received, warm + TOTAL, 'nothing lost, nothing duplicated');
  t.is(r.last, warm + TOTAL - 1);
  t.true(r.throttled > 0, 'the receiver stopped reading when its queue was full');
  // The sender waits each time its queue passes highWaterMark (the kernel's queue and
  // socket buffers hold some MiB more), so a few times per 100k small messages.
  t.true(waits > 0, 'the sender saw backpressure');
  // The queue is bounded by the capacity plus one receive batch already read.
  t.true(r.queuePeak < 500 + 16 * 2048, `queue peak ${r.queuePeak}`);
  // RSS after the warm-up still moves by 10-20 MiB with when V8 last collected and
  // how it sized its heap (more so on a loaded machine); an unbounded queue grows it
  // by about 80 MiB over 300k messages (272 MiB measured over a million).
  t.true(r.rssKiB - idle.rssKiB < 32 * 1024, `receiver RSS ${idle.rssKiB} -> ${r.rssKiB} KiB`);
});

test('an actor waiting for its own ask keeps reading past its bound, so the reply behind the flood gets through', async (t) => {
  t.timeout(120_000);
  const { sys } = await startSystem(t);
  const echo = await sys.spawn(fixture('echo'));
  const asker = await sys.spawn(fixture('slowsink'), { mailboxCapacity: 50 });
  // The first message makes the asker wait until its queue is full, then ask echo:
  // the replies come after the 300 messages queued behind the first.
  sys.send(asker, { askVia: echo, times: 20 });
  await flood(sys, asker, 0, 300);
  const r = (await sys.ask<any>(asker, 'report', { timeout: 90_000 })) as Report;
  t.true(r.throttled > 0, 'reading stopped when the queue filled');
  t.is(r.asked, 20, 'every ask was answered');
  t.is(r.received, 300);
  t.deepEqual(r.violations, []);
});

test('mailboxCapacity must be a whole number ≥ 1 or Infinity', async (t) => {
  const { sys } = await startSystem(t);
  for (const bad of [0, -1, 1.5, NaN, '10', null]) {
    t.throws(() => sys.spawn(fixture('slowsink'), { mailboxCapacity: bad as unknown as number }), { code: 'EBADARG', message: /mailboxCapacity/ });
  }
});
