// examples/ping-pong: runs to the end, prints the time per round trip, exits 0.
import test from 'ava';
import { runExample } from './run-example.js';

test('ping-pong bounces the counter N times and prints the time per round trip', async (t) => {
  const r = await runExample(t, 'ping-pong', { args: ['300'] });
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  t.false(r.leftover, 'no process outlives the example');
  t.regex(r.lines[0], /^ping is pid \d+, pong is pid \d+$/);
  t.regex(r.lines[1], /^300 round trips in \d+\.\d ms: \d+\.\d µs per round trip$/);
  t.is(r.lines[2], 'done');
  t.is(r.lines.length, 3);
});
