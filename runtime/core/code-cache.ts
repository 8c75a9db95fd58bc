// Loading the runtime bundle with a V8 code cache (issue 10: an actor's start). The
// build bundles the whole runtime into one CommonJS file (dist/runtime/core/
// runtime.cjs) whose ES module faces (index.js, child-main.js, ...) all take it from
// here, so every importer shares one instance. Node 20 caches no compiled code for
// ES modules; a script compiled with vm.Script can take V8's cached data, which also
// holds the functions a warm process had compiled, so a new process neither parses
// the runtime nor compiles its start path again (about 10 ms of each start here).
//
// The cache is a file beside the bundle, named by the bundle's content hash (the
// build's: V8 itself checks only the source's length), the V8 version, the
// architecture and the process's Node flags (V8 rejects a cache made under other
// flags: each set of flags, e.g. an inherited --max-old-space-size or --cpu-prof, has
// a cache of its own instead of spoiling the others'). An actor process writes it
// once it is warm (codeCacheWarm in bundle-hooks.ts) if there was none, or if V8
// rejected the one there (damaged); to a temporary name, then renamed, so a reader
// sees all of it or nothing (what a writer killed mid-write left, the next writer
// removes). Where the package cannot be written (a read-only install), processes
// compile as Node would.
//
// The build appends the loading of its bundle to a copy of this file
// (dist/runtime/core/runtime.js), the one module all faces import: one ES module to
// resolve and compile on the way to the bundle, and no other import than node's.
import { createRequire } from 'node:module';
import type { BundleHooks, CodeCacheStatus } from './bundle-hooks.js';

// Builtins through require: an ES module import of a builtin builds its ES face.
const require = createRequire(import.meta.url);
const fs = require('node:fs') as typeof import('node:fs');
const path = require('node:path') as typeof import('node:path');
const vm = require('node:vm') as typeof import('node:vm');
// bundle-hooks.ts's BUNDLE_HOOKS (not imported: this file stands alone).
const BUNDLE_HOOKS = Symbol.for('pidgeon.bundle');

/** The cache file of `bundle` under build hash `key`, for this V8, architecture
 * and set of Node flags (execArgv and NODE_OPTIONS). */
export function codeCacheFile(bundle: string, key: string): string {
  const v8 = process.versions.v8.replace(/[^0-9A-Za-z.-]/g, '_');
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0');
  return `${bundle}.${key}.${v8}.${process.arch}.${flags === '' ? 'default' : fnv1a(flags)}.v8cache`;
}

// 32-bit FNV-1a, hex: a name for a set of flags (not a guard: V8 checks the flags).
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Run CommonJS bundle `bundle` (its build hash `key`) with the code cache, and
 * return its exports. Throws what the bundle's top level throws (e.g. PlatformError
 * for a missing addon). */
export function loadBundle(bundle: string, key: string): unknown {
  // esbuild writes ASCII only: latin1 is the same text, read without UTF-8 decoding.
  const source = fs.readFileSync(bundle, 'latin1');
  const file = codeCacheFile(bundle, key);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(file);
  } catch { /* none yet */ }
  // Node's own CommonJS wrapper: the bundle would run alike under require().
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: bundle, cachedData });
  const codeCache: BundleHooks['codeCache'] = {
    status: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted',
    file,
    wanted: () => codeCache.status === 'none' || codeCache.status === 'rejected',
    save: () => (codeCache.wanted() ? (codeCache.status = writeCache(file, script)) : codeCache.status),
  };
  const hooks: BundleHooks = { import: (specifier) => import(specifier), codeCache };
  (globalThis as { [BUNDLE_HOOKS]?: BundleHooks })[BUNDLE_HOOKS] = hooks;
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  return module.exports;
}

function writeCache(file: string, script: import('node:vm').Script): CodeCacheStatus {
  const tmp = `${file}.${process.pid}.tmp`;
  removeDeadWriters(file);
  try {
    fs.writeFileSync(tmp, script.createCachedData(), { flag: 'wx', mode: 0o644 });
    fs.renameSync(tmp, file);
    return 'written';
  } catch {
    try { fs.unlinkSync(tmp); } catch { /* not there */ }
    return 'unwritable';
  }
}

// What writers killed mid-write left: `<file>.<pid>.tmp` of pids that are gone.
function removeDeadWriters(file: string): void {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (!m || isAlive(Number(m[1]))) continue;
    try { fs.unlinkSync(path.join(dir, name)); } catch { /* another writer took it */ }
  }
}

// pool-warmup.ts has the same check; this file imports nothing of the runtime (the
// build copies it into dist/runtime/core/runtime.js as the bundle's loader).
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
