// Compile the TypeScript (runtime, tests, benchmarks, examples) into dist/.
// Run from npm scripts; uses the project's own typescript.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
let tsc;
try {
  tsc = path.join(path.dirname(createRequire(path.join(root, 'package.json')).resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  console.error('pidgeon: typescript is not installed; run `npm install` in the pidgeon checkout');
  process.exit(1);
}
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
process.exit(r.status ?? 1);
