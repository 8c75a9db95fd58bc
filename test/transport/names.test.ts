// Kernel-held names (runtime/transport/names.ts): one holder at a time, released with
// the fd, and a name the kernel cannot bind is an EMAILBOX error naming why.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { claimName, releaseName } from '../../runtime/transport/names.js';

const key = () => `pidgeon-test/${randomBytes(8).toString('hex')}`;

test('a name is held by one fd at a time and free again once released', (t) => {
  const name = key();
  const fd = claimName(name);
  t.true(typeof fd === 'number' && fd >= 0);
  t.is(claimName(name), null, 'held: a second claim gets null');
  releaseName(fd!);
  const again = claimName(name);
  t.true(typeof again === 'number' && again >= 0);
  releaseName(again!);
});

test('a name too long for a socket address is refused with EMAILBOX', (t) => {
  const err = t.throws(() => claimName('x'.repeat(200)));
  t.is((err as { code?: string }).code, 'EMAILBOX');
  t.like((err as Error).cause, { code: 'ENAMETOOLONG', syscall: 'bind' });
});
