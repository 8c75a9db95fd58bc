// The typed-actor rules as a user meets them: files that import 'pidgeon' (the
// package's self-reference, so the published dist/runtime/index.d.ts, not the
// sources) are checked with the project's own tsc. A wrong send must fail to
// compile, the right one must compile, and every `@ts-expect-error TSnnnn` of
// protocol.ts must stand for exactly that error on its line.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsc = path.join(path.dirname(createRequire(path.join(root, 'package.json')).resolve('typescript/package.json')), 'bin', 'tsc');
const typeTests = path.join(root, 'test', 'types', 'protocol.ts');

interface Diagnostic { file: string; line: number; code: string; text: string }
interface Check { status: number | null; output: string; errors: Diagnostic[] }

/** Type-check `files` (name -> source) as a user's project would, with strict
 * NodeNext settings. The directory is inside the package (under dist/) so that
 * `import ... from 'pidgeon'` resolves to the package itself. */
function typecheck(t: import('ava').ExecutionContext, files: Record<string, string>): Check {
  const dir = fs.mkdtempSync(path.join(root, 'dist', '.typecheck-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], skipLibCheck: true,
    },
    files: Object.keys(files),
  }));
  const r = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8', timeout: 60_000 });
  const output = `${r.stdout}${r.stderr}`;
  const errors: Diagnostic[] = [];
  for (const m of output.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/gm)) {
    errors.push({ file: path.basename(m[1]), line: Number(m[2]), code: m[3], text: m[4] });
  }
  return { status: r.status, output, errors };
}

const counter = (send: string) => `import type { ActorRef, ActorSystem, Ask } from 'pidgeon';
type CounterMsg = { type: 'add'; n: number } | Ask<{ type: 'get' }, number>;
declare const system: ActorSystem;
declare const counter: ActorRef<CounterMsg>;
${send}
export const count: number = await system.ask(counter, { type: 'get' });
`;

test('a message the actor accepts compiles', (t) => {
  const r = typecheck(t, { 'good.ts': counter("system.send(counter, { type: 'add', n: 1 });") });
  t.is(r.status, 0, r.output);
  t.deepEqual(r.errors, []);
});

test('a message the actor does not accept is a compile error (TS2345 on the send)', (t) => {
  const r = typecheck(t, { 'bad.ts': counter("system.send(counter, { type: 'add', n: 'one' });") });
  t.not(r.status, 0, 'tsc must fail');
  t.deepEqual(r.errors.map((e) => [e.file, e.line, e.code]), [['bad.ts', 5, 'TS2345']], r.output);
});

test('the type tests compile against the published declarations', (t) => {
  const r = typecheck(t, { 'protocol.ts': fs.readFileSync(typeTests, 'utf8') });
  t.is(r.status, 0, r.output);
});

test('each @ts-expect-error in the type tests stands for its own error', (t) => {
  // Blank each directive (keeping line numbers) and collect what the next line must give.
  const expected = new Map<number, string>();
  const lines = fs.readFileSync(typeTests, 'utf8').split('\n').map((line, i) => {
    const m = /^\s*\/\/ @ts-expect-error (TS\d+)\b/.exec(line);
    if (!m) return line;
    expected.set(i + 2, m[1]); // 1-based number of the following line
    return '';
  });
  t.true(expected.size >= 15, `found ${expected.size} directives`);
  t.false(lines.some((l) => /^\s*\/\/ @ts-expect-error/.test(l)), 'every directive names its error code');
  const r = typecheck(t, { 'protocol.ts': lines.join('\n') });
  t.not(r.status, 0);
  const got = new Map<number, Set<string>>();
  for (const e of r.errors) got.set(e.line, (got.get(e.line) ?? new Set()).add(e.code));
  const wrong = [...expected].filter(([line, code]) => !got.get(line)?.has(code))
    .map(([line, code]) => `line ${line}: expected ${code}, got ${[...(got.get(line) ?? [])].join(', ') || 'no error'}`);
  t.deepEqual(wrong, [], r.output);
  const stray = r.errors.filter((e) => !expected.has(e.line));
  t.deepEqual(stray, [], 'no error outside the expected lines');
});
