// Addresses (runtime/transport/address.ts): what has the shape of one, which are the
// same incarnation, and how they print.
import test from 'ava';
import { formatAddress, isAddress, sameAddress } from '../../runtime/transport/address.js';

const I = '0123456789abcdef';

const shapes: [string, unknown, boolean][] = [
  ['pid and instance', { pid: 1, instance: I }, true],
  ['with a name', { pid: 1, instance: I, name: 'echo' }, true],
  ['pid 0', { pid: 0, instance: I }, false],
  ['a fractional pid', { pid: 1.5, instance: I }, false],
  ['a pid as a string', { pid: '1', instance: I }, false],
  ['an instance of 15 digits', { pid: 1, instance: I.slice(1) }, false],
  ['an upper-case instance', { pid: 1, instance: I.toUpperCase() }, false],
  ['null', null, false],
  ['a number', 1, false],
];
for (const [title, value, ok] of shapes) {
  test(`isAddress: ${title} → ${ok}`, (t) => {
    t.is(isAddress(value), ok);
  });
}

test('isAddress: a node name is checked even right after a good one (the last one checked is remembered)', (t) => {
  for (let i = 0; i < 3; i++) t.true(isAddress({ pid: 1, instance: I, node: 'host-a' }));
  t.false(isAddress({ pid: 1, instance: I, node: 'host.a' }), 'a dot: not a NATS subject token');
  t.false(isAddress({ pid: 1, instance: I, node: '' }));
  t.false(isAddress({ pid: 1, instance: I, node: 7 }));
  t.false(isAddress({ pid: 1, instance: I, node: 'x'.repeat(65) }));
  t.true(isAddress({ pid: 1, instance: I, node: 'host-a' }));
  t.false(isAddress({ pid: 1, instance: I, node: 'host-a*' }));
});

test('sameAddress compares pid and instance, not names', (t) => {
  t.true(sameAddress({ pid: 1, instance: I, name: 'a' }, { pid: 1, instance: I }));
  t.false(sameAddress({ pid: 1, instance: I }, { pid: 2, instance: I }));
  t.false(sameAddress({ pid: 1, instance: I }, { pid: 1, instance: 'ffffffffffffffff' }));
});

test('formatAddress prints name@pid, else pid/first 8 digits of the instance', (t) => {
  t.is(formatAddress({ pid: 7, instance: I, name: 'echo' }), 'echo@7');
  t.is(formatAddress({ pid: 7, instance: I }), '7/01234567');
});
