// The addon as transport/native.ts types it: the constants both sides agree on come
// from the addon, the hot-path calls answer -errno, and errnoCause shapes those.
import test from 'ava';
import os from 'node:os';
import { errnoCause, native } from '../../runtime/transport/native.js';

test('the receive row has six distinct fields, 0 to 5, and a stride of 6', (t) => {
  const { stride, ...fields } = native.receiveRow;
  t.is(stride, 6);
  t.deepEqual(Object.values(fields).sort(), [0, 1, 2, 3, 4, 5]);
  t.true(Object.isFrozen(native.receiveRow));
});

test('the receive flags are distinct bits', (t) => {
  const bits = Object.values(native.receiveFlags);
  t.is(bits.length, 3);
  t.is(bits.reduce((a, b) => a | b, 0), bits.reduce((a, b) => a + b, 0));
  for (const b of bits) t.is(b & (b - 1), 0);
});

test('the per-datagram limits: 253 fds (SCM_MAX_FD), 64 iovecs', (t) => {
  t.is(native.maxFdsPerDatagram, 253);
  t.is(native.maxIovecs, 64);
});

// [what is sent, the code of the -errno sendv answers (null: libuv has no name for
// it, ETOOMANYREFS)]
const refusedSends: [string, () => number, string | null][] = [
  ['more parts than maxIovecs', () => native.sendv(-1, Array.from({ length: native.maxIovecs + 1 }, () => new Uint8Array(1))), 'EINVAL'],
  ['more fds than maxFdsPerDatagram', () => native.sendv(-1, [new Uint8Array(1)], Array.from({ length: native.maxFdsPerDatagram + 1 }, () => 0)), null],
  ['a part that is not a Uint8Array', () => native.sendv(-1, ['x' as unknown as Uint8Array]), 'EINVAL'],
  ['a closed fd', () => native.sendv(-1, new Uint8Array(1)), 'EBADF'],
];
for (const [title, send, code] of refusedSends) {
  test(`sendv answers -errno, never throws: ${title}`, (t) => {
    const r = send();
    t.true(r < 0);
    if (code !== null) t.is(native.errname(r), code);
  });
}

test('errnoCause carries code, errno and syscall', (t) => {
  const e = errnoCause(-os.constants.errno.ENOENT, 'connect');
  t.like(e, { code: 'ENOENT', errno: -os.constants.errno.ENOENT, syscall: 'connect' });
  t.true(e instanceof Error);
});
