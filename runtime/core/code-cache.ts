// Loading the runtime bundle with a V8 code cache (issue 10: an actor's start). The
// build bundles the whole runtime into one CommonJS file (dist/runtime/core/
// runtime.cjs) whose ES module faces (index.js, child-main.js, ...) all take it from
// here, so every importer shares one instance. Node 20 caches no compiled code for
// ES modules; a script compiled with vm.Script can take V8's cached data, which also
// holds the functions a warm process had compiled, so a new process neither parses
// the runtime nor compiles its start path again (about 10 ms of each start here).
//
// The cache is a file beside the bundle, named by the bundle's content hash (the
// build's), the V8 version and the architecture: V8 itself only checks the source's
// length and its flags. An actor process writes it once it is warm (codeCacheWarm in
// bundle-hooks.ts), if there was none; to a temporary name, then renamed, so a reader
// sees all of it or nothing. A cache V8 rejects (other V8 flags: an inherited
// --max-old-space-size, --cpu-prof) is used by none and left alone; where the package
// cannot be written (a read-only install), processes compile as Node would.
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

/** The cache file of `bundle` under build hash `key`, for this V8 and architecture. */
export function codeCacheFile(bundle: string, key: string): string {
  const v8 = process.versions.v8.replace(/[^0-9A-Za-z.-]/g, '_');
  return `${bundle}.${key}.${v8}.${process.arch}.v8cache`;
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
    save: () => (codeCache.status === 'none' ? (codeCache.status = writeCache(file, script)) : codeCache.status),
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
  try {
    fs.writeFileSync(tmp, script.createCachedData(), { flag: 'wx', mode: 0o644 });
    fs.renameSync(tmp, file);
    return 'written';
  } catch {
    try { fs.unlinkSync(tmp); } catch { /* not there */ }
    return 'unwritable';
  }
}
