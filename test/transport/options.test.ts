// Mailbox options (runtime/transport/options.ts) without processes: the defaults,
// given values, rounding, the batch size cap, and the values refused.
import test from 'ava';
import { DEFAULT_LIMITS, resolveLimits, type MailboxLimits } from '../../runtime/transport/options.js';
import { MAX_DATAGRAM } from '../../runtime/transport/wire.js';

const KiB = 1024;
const MiB = 1024 * KiB;

test('the defaults', (t) => {
  t.deepEqual(resolveLimits({ system: 's' }), {
    highWaterMark: 4 * MiB,
    maxQueueBytes: 64 * MiB,
    maxMessageSize: 64 * MiB,
    maxReassemblyBytes: 256 * MiB,
    reassemblyTimeout: 30_000,
    coalesceLimit: 8 * KiB,
    batchCapacity: 64 * KiB,
    idleChannelTimeout: 5_000,
    memfdThreshold: 32 * MiB,
  });
  t.true(Object.isFrozen(DEFAULT_LIMITS));
});

const names = Object.keys(DEFAULT_LIMITS) as (keyof MailboxLimits)[];

for (const name of names) {
  test(`${name}: a given value replaces the default and leaves the others`, (t) => {
    const limits = resolveLimits({ system: 's', [name]: 1234 });
    t.deepEqual(limits, { ...DEFAULT_LIMITS, [name]: 1234 });
  });
}

// [given, resolved]
const accepted: [number, number][] = [[1, 1], [1.9, 1], [4097.5, 4097]];
for (const [given, resolved] of accepted) {
  test(`a value of ${given} is rounded down to ${resolved}`, (t) => {
    t.is(resolveLimits({ system: 's', highWaterMark: given }).highWaterMark, resolved);
  });
}

test('batchCapacity is capped at MAX_DATAGRAM', (t) => {
  t.is(resolveLimits({ system: 's', batchCapacity: 10 * MiB }).batchCapacity, MAX_DATAGRAM);
  t.is(resolveLimits({ system: 's', batchCapacity: MAX_DATAGRAM }).batchCapacity, MAX_DATAGRAM);
});

const refused: [string, unknown][] = [
  ['zero', 0], ['a negative number', -1], ['NaN', NaN], ['Infinity', Infinity], ['a string', '4096'], ['null', null], ['a bigint', 4096n],
];
for (const name of names) {
  for (const [what, value] of refused) {
    test(`${name}: ${what} is refused with EBADARG`, (t) => {
      t.throws(() => resolveLimits({ system: 's', [name]: value as number }), { code: 'EBADARG' });
    });
  }
}
