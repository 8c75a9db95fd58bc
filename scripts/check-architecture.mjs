// Architecture checks over runtime/ (run by `npm test`; `node scripts/check-architecture.mjs`):
//   1. no import cycle, type-only imports included (`import type`, `export ... from`,
//      `import('./x.js')` types);
//   2. layers import only downwards: transport <- core <- supervision <- cluster <- cli
//      (errors.ts is below them all, index.ts above, bundle.ts above it);
//   3. no runtime file over MAX_LINES lines.
// Prints what it finds and exits 1 on any violation.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const runtime = path.join(root, 'runtime');
const MAX_LINES = 320;
const RANK = { 'errors.ts': 0, transport: 1, core: 2, supervision: 3, cluster: 3.5, cli: 4, 'index.ts': 5, 'bundle.ts': 6 };

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm;
function imports(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const out = new Set();
  for (const m of text.matchAll(SPEC)) {
    const target = path.resolve(path.dirname(file), m[1]).replace(/\.js$/, '.ts');
    if (target.startsWith(runtime)) out.add(target);
  }
  return [...out];
}

const rel = (f) => path.relative(runtime, f);
const layer = (f) => RANK[rel(f).split(path.sep)[0]];
const all = files(runtime);
const graph = new Map(all.map((f) => [f, imports(f)]));
const problems = [];

for (const [f, deps] of graph) {
  for (const d of deps) {
    if (!graph.has(d)) problems.push(`${rel(f)} imports ${rel(d)}, which does not exist`);
    else if (layer(d) > layer(f)) problems.push(`${rel(f)} imports ${rel(d)}: layers import only downwards`);
  }
  const lines = fs.readFileSync(f, 'utf8').split('\n').length;
  if (lines > MAX_LINES) problems.push(`${rel(f)} has ${lines} lines (at most ${MAX_LINES})`);
}

// Tarjan's strongly connected components: any with more than one file (or a
// self-import) is a cycle.
let index = 0;
const idx = new Map(), low = new Map(), stack = [], on = new Set();
function visit(v) {
  idx.set(v, index); low.set(v, index); index++;
  stack.push(v); on.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const scc = [];
    let w;
    do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) problems.push(`import cycle: ${scc.map(rel).sort().join(' <-> ')}`);
  }
}
for (const v of graph.keys()) if (!idx.has(v)) visit(v);

if (problems.length) {
  for (const p of problems) console.error(`architecture: ${p}`);
  process.exit(1);
}
console.log(`architecture: ${all.length} files, no import cycle, layers point down, none over ${MAX_LINES} lines`);
