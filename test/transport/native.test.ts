// The addon as transport/native.ts loads and types it: the constants both sides
// agree on come from the addon, the hot-path calls answer -errno, errnoCause shapes
// those; and when no addon matches this machine, or the one found does not load,
// importing pidgeon fails with EPLATFORM and says what to install (node-gyp-build's
// PIDGEON_PREBUILD points it at another directory than the package root).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

const nativeJs = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../runtime/transport/native.js');

function importWith(prebuildDir: string): { code: string; message: string } {
  const script = `import(${JSON.stringify(nativeJs)}).then(() => console.log('{"code":"loaded"}'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })))`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, PIDGEON_PREBUILD: prebuildDir }, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
}

test('no addon for this machine: EPLATFORM that says to install a toolchain and npm rebuild', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-noaddon-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const r = importWith(dir);
  t.is(r.code, 'EPLATFORM');
  t.regex(r.message, /g\+\+/);
  t.regex(r.message, /npm rebuild pidgeon/);
});

test('an addon that does not load (not an ELF for this machine): EPLATFORM with the file and the fix', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-badaddon-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'prebuilds', `linux-${process.arch}`, 'node.napi.glibc.node');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'not an ELF');
  const r = importWith(dir);
  t.is(r.code, 'EPLATFORM');
  t.true(r.message.includes(file));
  t.regex(r.message, /npm rebuild pidgeon/);
});
