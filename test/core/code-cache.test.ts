// core/code-cache.ts: the runtime bundle runs with V8's code cache. Each load is a
// process of its own (fixtures/code-cache-run.ts), as V8 accepts a cache per
// process: no cache → one is written when asked; the next process accepts it, and
// import() works in a script built from it (Node 20 drops a cached script's own
// import callback: the loader's import is used); another build's key ignores it; a
// corrupt one is rejected, still runs, and is not rewritten; an unwritable place
// writes nothing and throws nothing; writers racing leave one whole file.
import test from 'ava';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheFile } from '../../runtime/core/code-cache.js';
import { fixture, startSystem, within, WAIT } from '../helpers/actors.js';

const runner = fileURLToPath(new URL('../fixtures/code-cache-run.js', import.meta.url));
const BUNDLE = `
const hooks = globalThis[Symbol.for('pidgeon.bundle')];
exports.double = function double(n) { return n * 2; };
exports.importIt = (s) => hooks.import(s);
`;

interface Run { loaded: string; doubled: number; sep: string; saved: string | null }

function run(bundle: string, key: string, save = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [runner, bundle, key, ...(save ? ['save'] : [])], { timeout: WAIT }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Run);
    });
  });
}

function bundleIn(t: { teardown(f: () => void): void }, text = BUNDLE): { dir: string; bundle: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-cc-'));
  t.teardown(() => {
    fs.chmodSync(dir, 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const bundle = path.join(dir, 'runtime.cjs');
  fs.writeFileSync(bundle, text);
  return { dir, bundle };
}

test('no cache: the bundle runs, a warm process writes one, the next accepts it and imports through the loader', async (t) => {
  t.timeout(60_000);
  const { dir, bundle } = bundleIn(t);
  t.deepEqual(await run(bundle, 'k1'), { loaded: 'none', doubled: 42, sep: '/', saved: null });
  t.false(fs.existsSync(codeCacheFile(bundle, 'k1')), 'nothing written unless asked');
  t.deepEqual(await run(bundle, 'k1', true), { loaded: 'none', doubled: 42, sep: '/', saved: 'written' });
  t.true(fs.statSync(codeCacheFile(bundle, 'k1')).size > 0);
  t.deepEqual(await run(bundle, 'k1', true), { loaded: 'accepted', doubled: 42, sep: '/', saved: 'accepted' });
  t.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test("another build's key does not see the cache; a corrupt cache is rejected, still runs, and is left alone", async (t) => {
  t.timeout(60_000);
  const { bundle } = bundleIn(t);
  await run(bundle, 'k1', true);
  t.is((await run(bundle, 'k2')).loaded, 'none');
  const file = codeCacheFile(bundle, 'k2');
  fs.writeFileSync(file, Buffer.alloc(4096, 0xab));
  t.deepEqual(await run(bundle, 'k2', true), { loaded: 'rejected', doubled: 42, sep: '/', saved: 'rejected' });
  t.deepEqual(fs.readFileSync(file), Buffer.alloc(4096, 0xab), 'not rewritten');
});

test('where the cache cannot be written, nothing is and nothing throws', async (t) => {
  t.timeout(60_000);
  if (process.getuid?.() === 0) {
    // root writes through a mode of 0o500: a file in the cache's place that is a
    // directory makes the rename fail instead.
    const { bundle } = bundleIn(t);
    fs.mkdirSync(codeCacheFile(bundle, 'k1'));
    t.deepEqual(await run(bundle, 'k1', true), { loaded: 'none', doubled: 42, sep: '/', saved: 'unwritable' });
    t.deepEqual(fs.readdirSync(path.dirname(bundle)).filter((f) => f.endsWith('.tmp')), []);
    return;
  }
  const { dir, bundle } = bundleIn(t);
  fs.chmodSync(dir, 0o500);
  t.deepEqual(await run(bundle, 'k1', true), { loaded: 'none', doubled: 42, sep: '/', saved: 'unwritable' });
});

test('writers racing for the same cache leave one whole file, which the next process accepts', async (t) => {
  t.timeout(120_000);
  const { dir, bundle } = bundleIn(t);
  const runs = await Promise.all(Array.from({ length: 6 }, () => run(bundle, 'k1', true)));
  for (const r of runs) t.true(['written', 'accepted'].includes(r.saved!), r.saved!);
  t.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  t.is((await run(bundle, 'k1')).loaded, 'accepted');
});

test('an actor of the real build writes or finds the cache once ready; the next actor starts from it', async (t) => {
  t.timeout(120_000);
  const { sys } = await startSystem(t);
  const status = async (ref: Awaited<ReturnType<typeof sys.spawn>>) => sys.ask(ref, { op: 'codeCache' }, { timeout: WAIT }) as Promise<string | null>;
  const first = await sys.spawn(fixture('probe'));
  // It writes (if it found none) in a turn after `ready`: ask until that is done.
  let a = await status(first);
  await within((async () => { while (a === 'none') a = await status(first); })(), WAIT, 'the first actor to write the cache');
  t.true(['written', 'accepted', 'rejected'].includes(a!), String(a));
  const next = await sys.spawn(fixture('probe'));
  // A cache that another process wrote under other V8 flags stays rejected (and unused).
  t.is(await status(next), a === 'rejected' ? 'rejected' : 'accepted');
});
