// core/code-cache.ts: the runtime bundle runs with V8's code cache. Each load is a
// process of its own (fixtures/code-cache-run.ts), as V8 accepts a cache per
// process: no cache → one is written when asked; the next process accepts it, and
// import() works in a script built from it (Node 20 drops a cached script's own
// import callback: the loader's import is used); another build's key ignores it; a
// damaged one is rejected, still runs, and is replaced by a warm process; other
// Node flags get a cache of their own; an unwritable place writes nothing and
// throws nothing; writers racing leave one whole file.
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture, startSystem, WAIT } from '../helpers/actors.js';

const runner = fileURLToPath(new URL('../fixtures/code-cache-run.js', import.meta.url));
const BUNDLE = `
const hooks = globalThis[Symbol.for('pidgeon.bundle')];
exports.double = function double(n) { return n * 2; };
exports.importIt = (s) => hooks.import(s);
`;

interface Run { loaded: string; doubled: number; sep: string; saved: string | null; file?: string }

// The cache file of each bundle and key, as the runner named it (the name depends on
// the process's Node flags, and the runner's are not this test process's).
const files = new Map<string, string>();
const cacheOf = (bundle: string, key: string): string => files.get(`${bundle} ${key}`)!;

function run(bundle: string, key: string, save = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [runner, bundle, key, ...(save ? ['save'] : [])], { timeout: WAIT }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      const r = JSON.parse(stdout) as Run;
      files.set(`${bundle} ${key}`, r.file!);
      delete r.file;
      resolve(r);
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
  t.false(fs.existsSync(cacheOf(bundle, 'k1')), 'nothing written unless asked');
  t.deepEqual(await run(bundle, 'k1', true), { loaded: 'none', doubled: 42, sep: '/', saved: 'written' });
  t.true(fs.statSync(cacheOf(bundle, 'k1')).size > 0);
  t.deepEqual(await run(bundle, 'k1', true), { loaded: 'accepted', doubled: 42, sep: '/', saved: 'accepted' });
  t.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test("another build's key does not see the cache; a damaged cache is rejected, still runs, and is replaced", async (t) => {
  t.timeout(60_000);
  const { bundle } = bundleIn(t);
  await run(bundle, 'k1', true);
  t.is((await run(bundle, 'k2')).loaded, 'none');
  const file = cacheOf(bundle, 'k2');
  t.not(file, cacheOf(bundle, 'k1'));
  fs.writeFileSync(file, Buffer.alloc(4096, 0xab));
  t.deepEqual(await run(bundle, 'k2'), { loaded: 'rejected', doubled: 42, sep: '/', saved: null });
  t.deepEqual(fs.readFileSync(file), Buffer.alloc(4096, 0xab), 'not touched unless a warm process saves');
  t.deepEqual(await run(bundle, 'k2', true), { loaded: 'rejected', doubled: 42, sep: '/', saved: 'written' });
  t.is((await run(bundle, 'k2')).loaded, 'accepted');
});

test('processes with other Node flags keep a cache of their own, and spoil nobody\'s', async (t) => {
  t.timeout(60_000);
  const { dir, bundle } = bundleIn(t);
  await run(bundle, 'k1', true);
  const flagged = (save: boolean) => new Promise<Run>((resolve, reject) => {
    execFile(process.execPath, ['--max-old-space-size=300', runner, bundle, 'k1', ...(save ? ['save'] : [])], { timeout: WAIT }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as Run));
  });
  t.is((await flagged(true)).loaded, 'none');
  t.is((await flagged(false)).loaded, 'accepted');
  t.is((await run(bundle, 'k1')).loaded, 'accepted');
  t.is(fs.readdirSync(dir).filter((f) => f.endsWith('.v8cache')).length, 2);
});

test('where the cache cannot be written, nothing is and nothing throws', async (t) => {
  t.timeout(60_000);
  if (process.getuid?.() === 0) {
    // root writes through a mode of 0o500: a file in the cache's place that is a
    // directory makes the rename fail instead.
    const { bundle } = bundleIn(t);
    await run(bundle, 'k1');
    fs.mkdirSync(cacheOf(bundle, 'k1'));
    t.deepEqual(await run(bundle, 'k1', true), { loaded: 'none', doubled: 42, sep: '/', saved: 'unwritable' });
    t.deepEqual(fs.readdirSync(path.dirname(bundle)).filter((f) => f.endsWith('.tmp')), []);
    return;
  }
  const { dir, bundle } = bundleIn(t);
  fs.chmodSync(dir, 0o500);
  t.deepEqual(await run(bundle, 'k1', true), { loaded: 'none', doubled: 42, sep: '/', saved: 'unwritable' });
});

test('what a writer killed mid-write left is removed by the next writer; a live writer\'s file is kept', async (t) => {
  t.timeout(60_000);
  const { dir, bundle } = bundleIn(t);
  await run(bundle, 'k1');
  const file = cacheOf(bundle, 'k1');
  // A pid that is gone: a process of ours, reaped.
  const dead = await new Promise<number>((resolve) => {
    const p = spawn(process.execPath, ['-e', '0']);
    p.on('exit', () => resolve(p.pid!));
  });
  fs.writeFileSync(`${file}.${dead}.tmp`, 'half a cache');
  fs.writeFileSync(`${file}.${process.pid}.tmp`, 'being written');
  t.is((await run(bundle, 'k1', true)).saved, 'written');
  t.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [`${path.basename(file)}.${process.pid}.tmp`]);
  t.is((await run(bundle, 'k1')).loaded, 'accepted');
});

test('writers racing for the same cache leave one whole file, which the next process accepts', async (t) => {
  t.timeout(120_000);
  const { dir, bundle } = bundleIn(t);
  const runs = await Promise.all(Array.from({ length: 6 }, () => run(bundle, 'k1', true)));
  for (const r of runs) t.true(['written', 'accepted'].includes(r.saved!), r.saved!);
  t.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  t.is((await run(bundle, 'k1')).loaded, 'accepted');
});

test('an actor of the real build writes or finds the cache before it is ready; the next actor starts from it', async (t) => {
  t.timeout(120_000);
  const { sys } = await startSystem(t);
  const status = async (ref: Awaited<ReturnType<typeof sys.spawn>>) => sys.ask(ref, { op: 'codeCache' }, { timeout: WAIT }) as Promise<string | null>;
  const first = await sys.spawn(fixture('probe'));
  // It writes (if it found none) before it says ready: a parent may kill it then.
  const a = await status(first);
  t.true(['written', 'accepted'].includes(a!), String(a));
  const next = await sys.spawn(fixture('probe'));
  t.is(await status(next), 'accepted');
});
