// A spawn that fails while loading the actor module (a syntax error, a throw at
// the top level, in the module or in one it imports) or in init: the ESPAWN error
// names the file, line and column in one line and carries the source line; the
// probe that finds a SyntaxError's place never runs the user's code.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processesOf, rejection, startSystem } from '../helpers/actors.js';

const RUNTIME = fileURLToPath(new URL('../../runtime/index.js', import.meta.url));

/** Write actor modules (plain ES modules: a syntax error cannot go through tsc). */
function modules(t: ExecutionContext, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-load-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text.replaceAll('RUNTIME', JSON.stringify(RUNTIME)));
  return dir;
}

const actor = 'import { defineActor } from RUNTIME;\nexport default defineActor({ receive() {} });\n';

interface Case { files: Record<string, string>; spawn: string; at: [file: string, line: number, column: number]; source: string; message: RegExp }

const located = test.macro({
  async exec(t, c: Case) {
    const dir = modules(t, c.files);
    const { sys } = await startSystem(t);
    const err = await rejection(sys.spawn(path.join(dir, c.spawn), { args: { port: 99999 } }), 'the spawn');
    t.is(err.code, 'ESPAWN');
    t.deepEqual([err.location?.file, err.location?.line, err.location?.column], [path.join(dir, c.at[0]), c.at[1], c.at[2]]);
    t.is(err.location?.source, c.source);
    t.regex(err.message, c.message);
    t.true(err.message.endsWith(` at ${path.join(dir, c.at[0])}:${c.at[1]}:${c.at[2]}`), err.message);
    t.false(err.message.includes('\n'), 'one line');
    t.false(/ESPAWN|SpawnError/.test(err.message), 'no doubled prefix');
    t.deepEqual(processesOf(sys.dir), [], 'no process left');
  },
  title: (name) => `ESPAWN names file, line and column: ${name}`,
});

test('a syntax error in the module', located, {
  files: { 'bad.mjs': `${actor}const x = 1;\nlet y = x +* 2;\n` },
  spawn: 'bad.mjs', at: ['bad.mjs', 4, 12], source: 'let y = x +* 2;',
  message: /^cannot load actor module \S+bad\.mjs: SyntaxError: Unexpected token '\*' at /,
});

test('a syntax error on the first line (the probe\'s own prefix does not shift the column)', located, {
  files: { 'first.mjs': `const a = 1 +* 2; ${actor}` },
  spawn: 'first.mjs', at: ['first.mjs', 1, 14], source: `const a = 1 +* 2; import { defineActor } from ${JSON.stringify(RUNTIME)};`,
  message: /^cannot load actor module \S+first\.mjs: SyntaxError: /,
});

test('a syntax error in a module it imports', located, {
  files: { 'main.mjs': `import './dep.mjs';\n${actor}`, 'dep.mjs': 'export const f = () => {\n  return (1 +;\n};\n' },
  spawn: 'main.mjs', at: ['dep.mjs', 2, 14], source: '  return (1 +;',
  message: /^cannot load actor module \S+main\.mjs: SyntaxError: .* at \S+dep\.mjs:2:14$/,
});

test('a throw at the top level', located, {
  files: { 'throws.mjs': `${actor}const cfg = undefined;\nexport const port = cfg.port;\n` },
  spawn: 'throws.mjs', at: ['throws.mjs', 4, 25], source: 'export const port = cfg.port;',
  message: /^cannot load actor module \S+throws\.mjs: TypeError: Cannot read properties of undefined \(reading 'port'\) at /,
});

test('a throw in init', located, {
  files: {
    'init.mjs': 'import { defineActor } from RUNTIME;\nexport default defineActor({\n  init(ctx, args) {\n    throw new RangeError(`port out of range: ${args.port}`);\n  },\n  receive() {},\n});\n',
  },
  spawn: 'init.mjs', at: ['init.mjs', 4, 11], source: '    throw new RangeError(`port out of range: ${args.port}`);',
  message: /^actor \S+init\.mjs failed in init: RangeError: port out of range: 99999 at /,
});

test('finding where a SyntaxError is runs none of the modules\' code', async (t) => {
  const dir = modules(t, {
    'main.mjs': `import fs from 'node:fs';\nimport './dep.mjs';\nfs.writeFileSync(new URL('./ran', import.meta.url), 'x');\n${actor}`,
    'dep.mjs': `import fs from 'node:fs';\nfs.writeFileSync(new URL('./ran-dep', import.meta.url), 'x');\nexport const f = () => {\n  return (1 +;\n};\n`,
  });
  const { sys } = await startSystem(t);
  const err = await rejection(sys.spawn(path.join(dir, 'main.mjs')), 'the spawn');
  t.is(err.location?.file, path.join(dir, 'dep.mjs'));
  t.deepEqual(fs.readdirSync(dir).sort(), ['dep.mjs', 'main.mjs']);
});

test('a module that does not export an actor fails with ESPAWN naming the module', async (t) => {
  const dir = modules(t, { 'plain.mjs': 'export const x = 1;\n' });
  const { sys } = await startSystem(t);
  const err = await rejection(sys.spawn(path.join(dir, 'plain.mjs')), 'the spawn');
  t.is(err.code, 'ESPAWN');
  t.regex(err.message, /^cannot load actor module \S+plain\.mjs: BadArgumentError: \S+plain\.mjs must `export default defineActor/);
  t.is(err.location, undefined);
});
