// Compile the TypeScript (runtime, tests, benchmarks, examples) into dist/, then
// bundle the runtime's entry points (the package entry, the actor process's
// child-main, the supervisor module, the launcher) over it with esbuild: an actor
// process then loads a handful of files instead of ~50 (issue 10: spawn cost is
// mostly ES module loading). The bundles share their code through chunks in
// dist/runtime/core/, so the package entry a user module imports and the child-main
// that loads it are one module instance. tsc's per-file output stays for the tests
// that import internals. Run from npm scripts; uses the project's own typescript.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(path.join(root, 'package.json'));
let tsc;
try {
  tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  console.error('pidgeon: typescript is not installed; run `npm install` in the pidgeon checkout');
  process.exit(1);
}
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

let esbuild;
try {
  esbuild = await import(require.resolve('esbuild'));
} catch {
  // Without esbuild the per-file output works as well, only actor processes start slower.
  console.error('pidgeon: esbuild is not installed: the runtime is left unbundled (slower actor start)');
  process.exit(0);
}
// Chunks of an earlier build (their names are content hashes) would ship in the package.
const chunkDir = path.join(root, 'dist', 'runtime', 'core');
for (const f of fs.existsSync(chunkDir) ? fs.readdirSync(chunkDir) : []) if (/^chunk-.*\.js(\.map)?$/.test(f)) fs.rmSync(path.join(chunkDir, f));
// Chunks go to core/: the runtime finds its sibling files as '../core/x.js' and
// '../supervision/x.js' (and '../cluster/x.js'), which resolve alike from core/,
// supervision/, cluster/ and cli/.
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['runtime/index.ts', 'runtime/core/child-main.ts', 'runtime/supervision/supervisor-actor.ts', 'runtime/cluster/proxy.ts', 'runtime/cli/main.ts'],
  outbase: 'runtime',
  outdir: 'dist/runtime',
  chunkNames: 'core/chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // msgpackr and eventemitter3 are bundled in (every actor process loads them: as
  // separate packages they cost 15-20 ms of each process start, resolving and
  // loading their files); the rest stays external: NATS is imported lazily, and
  // node-gyp-build finds the addon from the package's own directory.
  external: ['@nats-io/*', 'node-gyp-build', 'msgpackr-extract', 'pidgeon', 'esbuild', 'typescript', 'tsx'],
  sourcemap: true,
  logLevel: 'warning',
});
