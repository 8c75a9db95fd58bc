// Runs of relayed messages (cluster/frames.ts runEnd): a proxy delivers consecutive
// messages of one sender to one receiver as one runtime message. A run never spans
// another sender, another receiver, another kind of frame or a frame without bytes,
// and is bounded in count and bytes, so order and per-message failure reports hold.
import test from 'ava';
import { F_DATA, F_WATCH, runEnd } from '../../runtime/cluster/frames.js';

const data = (from: number, to: number, n = 8): unknown[] => [F_DATA, from, 'i1', to, 'i2', new Uint8Array(n)];

test('a run is consecutive messages of one sender to one receiver', (t) => {
  const frames = [data(1, 2), data(1, 2), data(1, 3), data(1, 3), data(4, 3), data(1, 2)];
  t.is(runEnd(frames, 0), 2);
  t.is(runEnd(frames, 2), 4);
  t.is(runEnd(frames, 4), 5);
  t.is(runEnd(frames, 5), 6);
});

test('another kind of frame, a frame without bytes, or a new instance ends a run', (t) => {
  t.is(runEnd([data(1, 2), [F_WATCH, 1, 'i1', 2, 'i2'], data(1, 2)], 0), 1);
  t.is(runEnd([data(1, 2), [F_DATA, 1, 'i1', 2, 'i2', 'not bytes'], data(1, 2)], 0), 1);
  t.is(runEnd([data(1, 2), [F_DATA, 1, 'other', 2, 'i2', new Uint8Array(1)]], 0), 1);
  t.is(runEnd(['junk', data(1, 2)], 0), 0, 'a frame that is not one starts no run (the caller drops it)');
  t.is(runEnd([[F_DATA, 1, 'i1', 2, 'i2', null]], 0), 0, 'nor a message without bytes');
});

test('a run is bounded in count and in bytes', (t) => {
  const many = Array.from({ length: 1000 }, () => data(1, 2, 4));
  t.is(runEnd(many, 0), 256);
  t.is(runEnd(many, 900), 1000);
  const big = Array.from({ length: 10 }, () => data(1, 2, 20_000));
  t.is(runEnd(big, 0), 2, 'past 32 KiB no more join');
});
