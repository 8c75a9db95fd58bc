// The system directory is created 0700 and refused when unsafe.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Mailbox } from '../../runtime/transport/index.js';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-sysdir-'));
}

test('a new system directory is created with mode 0700 and sock/ and lock/', async (t) => {
  const base = tmpdir();
  const dir = path.join(base, 'a', 'sys');
  const mb = Mailbox.open({ system: 't', dir });
  t.teardown(() => mb.closeNow());
  t.is(fs.statSync(dir).mode & 0o777, 0o700);
  t.true(fs.existsSync(path.join(dir, 'sock', String(process.pid))));
  t.true(fs.existsSync(path.join(dir, 'lock', String(process.pid))));
  await mb.close();
  t.false(fs.existsSync(path.join(dir, 'sock', String(process.pid))));
  t.false(fs.existsSync(path.join(dir, 'lock', String(process.pid))));
});

test('a group/world-writable system directory is refused with EUNSAFEDIR', (t) => {
  const dir = tmpdir();
  fs.chmodSync(dir, 0o777);
  const err = t.throws(() => Mailbox.open({ system: 't', dir }));
  t.is((err as { code?: string }).code, 'EUNSAFEDIR');
  t.deepEqual(fs.readdirSync(dir), []);
});

test('a system directory owned by another user is refused with EUNSAFEDIR', (t) => {
  let dir: string;
  if (process.getuid!() === 0) {
    dir = tmpdir();
    fs.chownSync(dir, 65534, 65534);
  } else {
    dir = '/'; // owned by root, not by us
  }
  const err = t.throws(() => Mailbox.open({ system: 't', dir }));
  t.is((err as { code?: string }).code, 'EUNSAFEDIR');
});

test('an invalid system name is refused with EBADARG', (t) => {
  const err = t.throws(() => Mailbox.open({ system: '../evil' }));
  t.is((err as { code?: string }).code, 'EBADARG');
});
