// `pidgeon start` of a tree whose actor module (or the tree module itself) fails to
// load: one line that names the file, line and column, then the source line with a
// caret, as Node shows it; the documented exit code; nothing said twice.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Launcher, fixture, run, tempDir } from './cli-helpers.js';

const RUNTIME = fileURLToPath(new URL('../../runtime/index.js', import.meta.url));

function files(t: ExecutionContext, all: Record<string, string>): string {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(all)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

test('a syntax error in a child\'s module: one line naming file:line:col, the source line, exit code 1', async (t) => {
  const dir = files(t, {
    'bad.mjs': `import { defineActor } from ${JSON.stringify(RUNTIME)};\nexport default defineActor({ receive() {} });\nlet y = 1 +* 2;\n`,
    'tree.json': JSON.stringify({ system: 'loadtest', children: [
      { id: 'ok', module: fixture('echo.js') },
      { id: 'sub', supervisor: { children: [{ id: 'bad', module: './bad.mjs' }] } },
    ] }),
  });
  const l = new Launcher([path.join(dir, 'tree.json'), '--dir', path.join(dir, 'sys')]);
  t.teardown(() => l.kill());
  const { code } = await l.exit();
  t.is(code, 1);
  const bad = path.join(dir, 'bad.mjs');
  const lines = l.output.split('\n');
  const i = lines.findIndex((s) => s.includes('the tree failed to start'));
  t.true(i >= 0, l.output);
  t.regex(lines[i], new RegExp(`the tree failed to start: child 'sub' failed to start: child 'bad' failed to start: cannot load actor module ${bad}: SyntaxError: Unexpected token '\\*' at ${bad}:3:12$`));
  t.deepEqual(lines.slice(i + 1, i + 4), [`${bad}:3:12`, '    let y = 1 +* 2;', `${' '.repeat(4 + 11)}^`]);
  t.false(/ESPAWN: |SpawnError: .*SpawnError/.test(l.output), 'no doubled prefix');
  t.is(lines.filter((s) => s === '    let y = 1 +* 2;').length, 1, 'the source line is shown once');
});

test('a syntax error in a tree module: one EBADSPEC line naming file:line:col, the source line, exit code 2', async (t) => {
  const dir = files(t, { 'tree.mjs': 'export default {\n  children: [ { id: "a", module: "./a.mjs" ] };\n' });
  const tree = path.join(dir, 'tree.mjs');
  const r = await run(['start', tree, '--dir', path.join(dir, 'sys')]);
  t.is(r.code, 2);
  t.is(r.stdout, '');
  t.deepEqual(r.stderr.split('\n'), [
    `pidgeon: tree: cannot load ${tree}: SyntaxError: Unexpected token ']' at ${tree}:2:44 [EBADSPEC]`,
    `${tree}:2:44`,
    '    children: [ { id: "a", module: "./a.mjs" ] };',
    `${' '.repeat(4 + 43 - 2)}^`, // the line is shown without its 2-space indent
    '',
  ]);
});
