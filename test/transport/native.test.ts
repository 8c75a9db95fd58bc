// Loading the addon: when none matches this machine, or the one found does not load,
// importing pidgeon fails with EPLATFORM and says what to install. node-gyp-build's
// PIDGEON_PREBUILD points it at another directory than the package root.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
