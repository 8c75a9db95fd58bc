// Compile the TypeScript (runtime, tests, benchmarks, examples) into dist/, then
// bundle the runtime with esbuild into one CommonJS file, dist/runtime/core/
// runtime.cjs, that core/code-cache.ts runs with V8's code cache: an actor process
// then neither resolves ~50 modules nor parses and compiles its start path again
// (issue 10: spawn cost is mostly loading the runtime). The entry points' files in
// dist/ (the package entry, the actor process's child-main, the supervisor and
// proxy modules, the launcher) become ES module faces of that one bundle, so the
// package entry a user module imports and the child-main that loads it are one
// instance. tsc's per-file output stays for the tests that import internals. Run
// from npm scripts; uses the project's own typescript.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

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
// The entry points, each with its namespace in runtime/bundle.ts; the two that run
// something on import (an actor process, the launcher) say what.
const FACES = [
  { source: 'runtime/index.ts', out: 'dist/runtime/index.js', ns: 'index' },
  { source: 'runtime/supervision/supervisor-actor.ts', out: 'dist/runtime/supervision/supervisor-actor.js', ns: 'supervisorActor' },
  { source: 'runtime/cluster/proxy.ts', out: 'dist/runtime/cluster/proxy.js', ns: 'proxy' },
  { source: 'runtime/core/child-main.ts', out: 'dist/runtime/core/child-main.js', run: 'await (await runtime.actorProcess()).runActorProcess();' },
  { source: 'runtime/cli/main.ts', out: 'dist/runtime/cli/main.js', run: 'void (await runtime.cli()).runCli(process.argv.slice(2));', shebang: true },
];
const dist = path.join(root, 'dist', 'runtime');
const core = path.join(dist, 'core');
// What an earlier build left that this one does not make again: chunks of the ESM
// build before the bundle, and code caches of earlier bundles.
for (const f of fs.existsSync(core) ? fs.readdirSync(core) : []) {
  if (/^chunk-.*\.js(\.map)?$/.test(f) || /^runtime\.cjs\..*\.v8cache(\..*\.tmp)?$/.test(f)) fs.rmSync(path.join(core, f));
}
// msgpackr and eventemitter3 are bundled in (every actor process loads them: as
// separate packages they cost 15-20 ms of each process start, resolving and
// loading their files); the rest stays external: NATS is imported lazily, and
// node-gyp-build finds the addon from the package's own directory.
const external = ['@nats-io/*', 'node-gyp-build', 'msgpackr-extract', 'pidgeon', 'esbuild', 'typescript', 'tsx'];
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', external, logLevel: 'warning' };

// The runtime, one CommonJS file: core/code-cache.ts runs it with V8's code cache
// (Node 20 caches no compiled code for ES modules), once per process.
const bundleFile = path.join(core, 'runtime.cjs');
await esbuild.build({
  ...common,
  entryPoints: ['runtime/bundle.ts'],
  outfile: bundleFile,
  format: 'cjs',
  // The runtime finds its sibling files from the bundle's URL as '../core/x.js',
  // '../cli/x.js' and so on.
  define: { 'import.meta.url': '__pidgeon_import_meta_url' },
  charset: 'ascii', // code-cache.ts reads it as latin1
  banner: { js: 'var __pidgeon_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  sourcemap: true,
});
// Inside the bundle an import() has no loader (core/bundle-hooks.ts): the one
// allowed is importModule's, used only outside the bundle.
const bundleBytes = fs.readFileSync(bundleFile);
const imports = bundleBytes.toString('latin1').match(/(?<![\w$.])import\(/g) ?? [];
if (imports.length !== 1) {
  console.error(`pidgeon: the bundle has ${imports.length} import() calls, not 1: use importModule() (runtime/core/bundle-hooks.ts)`);
  process.exit(1);
}
const key = createHash('sha256').update(bundleBytes).digest('hex').slice(0, 16);

// The names each exporting entry point exports (an ESM build that writes nothing,
// for its metafile), for the ES module faces below.
const probe = await esbuild.build({
  ...common,
  entryPoints: FACES.filter((f) => !f.run).map((f) => f.source),
  outdir: 'faces', outbase: 'runtime', format: 'esm', splitting: true, write: false, metafile: true,
});
const exportsOf = (source) => {
  const out = Object.values(probe.metafile.outputs).find((o) => o.entryPoint === source);
  if (!out) throw new Error(`build: no metafile output for ${source}`);
  return out.exports;
};

// Each entry point's file in dist/ becomes a face of the bundle: what tsc wrote
// there (per-file modules, still there for the tests of internals) would load a
// second runtime beside the bundle.
const HEAD = '// Generated by scripts/build-ts.mjs: a face of the runtime bundle (core/runtime.cjs).\n';
fs.writeFileSync(path.join(core, 'runtime.js'), HEAD + '// The loader is a copy of core/code-cache.js (runtime/core/code-cache.ts).\n' +
  fs.readFileSync(path.join(core, 'code-cache.js'), 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '') +
  `\nexport const runtime = loadBundle(require('node:url').fileURLToPath(new URL('./runtime.cjs', import.meta.url)), '${key}');\n`);
for (const face of FACES) {
  const from = path.relative(path.dirname(face.out), path.join(core, 'runtime.js')).replace(/^(?!\.)/, './');
  let text = (face.shebang ? '#!/usr/bin/env node\n' : '') + HEAD + `import { runtime } from '${from}';\n\n`;
  if (face.run) text += face.run + '\n';
  else {
    const names = exportsOf(face.source);
    const named = names.filter((n) => n !== 'default');
    text += face.ns === 'index' ? 'const m = runtime.index;\n' : `const m = await runtime.${face.ns}();\n`;
    if (named.length) text += `export const { ${named.join(', ')} } = m;\n`;
    if (names.includes('default')) text += 'export default m.default;\n';
  }
  fs.writeFileSync(path.join(root, face.out), text);
  fs.rmSync(path.join(root, face.out + '.map'), { force: true });
}
