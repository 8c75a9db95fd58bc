// Deadlines: the pending asks' timeouts on one shared timer. Each deadline expires
// once, not before its time, in deadline order across different timeouts; one taken
// off never expires; the timer keeps the process alive exactly while a deadline is
// pending (as a timer per ask did), and never after.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { Deadlines } from '../../runtime/core/deadlines.js';
import { within } from '../helpers/wait.js';

/** Deadlines whose expiries are recorded with the time they came, and awaitable. */
function recorded() {
  const start = performance.now();
  const expired: { id: number; at: number }[] = [];
  const waiters = new Map<number, () => void>();
  const d = new Deadlines((id) => {
    expired.push({ id, at: performance.now() - start });
    waiters.get(id)?.();
  });
  const expiry = (id: number) => new Promise<void>((r) => waiters.set(id, r));
  return { d, expired, expiry };
}

test('deadlines expire once each, not early, earliest first across timeouts; removed ones never', async (t) => {
  const { d, expired, expiry } = recorded();
  t.teardown(() => d.close());
  const last = expiry(4);
  d.add(1, 120); // armed for 120 ms...
  d.add(2, 40); // ...then re-armed for an earlier deadline
  d.add(3, 80);
  d.add(4, 160);
  d.add(5, 60);
  d.remove(5, 60);
  d.remove(3, 999); // not its timeout: nothing happens
  await within(last, 10_000, 'the last deadline');
  t.deepEqual(expired.map((e) => e.id), [2, 3, 1, 4]);
  const want: Record<number, number> = { 1: 120, 2: 40, 3: 80, 4: 160 };
  for (const e of expired) t.true(e.at >= want[e.id] - 1, `deadline ${e.id} expired at ${e.at.toFixed(1)} ms, not before ${want[e.id]}`);
});

test('a deadline added from an expiry, and one the timer was not armed for, both expire', async (t) => {
  const { d, expired, expiry } = recorded();
  t.teardown(() => d.close());
  const second = expiry(2);
  const first = expiry(1);
  d.add(1, 20);
  void first.then(() => d.add(2, 30));
  d.add(3, 10_000);
  d.remove(3, 10_000);
  await within(second, 10_000, 'the deadline added on the first expiry');
  t.deepEqual(expired.map((e) => e.id), [1, 2]);
});

const runtime = new URL('../../runtime/core/deadlines.js', import.meta.url).href;
/** Run `body` in a fresh node with `d` a Deadlines whose expiry prints its id. */
async function inChild(body: string): Promise<{ out: string; ms: number }> {
  const started = Date.now();
  const r = await promisify(execFile)(process.execPath, ['--input-type=module', '-e',
    `import { Deadlines } from ${JSON.stringify(runtime)};\nconst d = new Deadlines((id) => console.log('expired', id));\n${body}`], { encoding: 'utf8', timeout: 20_000 });
  return { out: r.stdout.trim(), ms: Date.now() - started };
}

test('a pending deadline keeps the process alive until it expires; a removed one does not keep it at all', async (t) => {
  const pending = await inChild('d.add(7, 300);');
  t.is(pending.out, 'expired 7');
  t.true(pending.ms >= 300, `exited after ${pending.ms} ms`);
  const removed = await inChild('d.add(8, 15_000); d.add(9, 15_000); d.remove(8, 15_000); d.remove(9, 15_000);');
  t.is(removed.out, '');
  t.true(removed.ms < 10_000, `exited after ${removed.ms} ms, not held by the removed 15 s deadlines`);
});

test.serial('a deadline beyond the longest Node timer (24.8 days) neither expires early nor spins the timer', async (t) => {
  const real = globalThis.setTimeout;
  const delays: number[] = [];
  globalThis.setTimeout = ((f: () => void, ms: number) => { delays.push(ms); return real(f, ms); }) as typeof setTimeout;
  const { d, expired } = recorded();
  try {
    d.add(1, 3e9);
    await new Promise((r) => real(r, 50));
  } finally {
    globalThis.setTimeout = real;
    d.close();
  }
  t.deepEqual(expired, []);
  t.deepEqual(delays, [2 ** 31 - 1], 'one timer, at the longest delay Node takes');
});
