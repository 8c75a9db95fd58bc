// TypeScript actor modules and tree files run without a loader set up by the user:
// Node's own type stripping where it has it, else tsx from the user's project,
// else one line (ETYPESCRIPT) that names what to install. Serial: one test changes
// the working directory.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeStripsTypes } from '../../runtime/core/typescript.js';
import { processesOf, rejection, startSystem } from '../helpers/actors.js';
import { Launcher, root, run } from '../cli/cli-helpers.js';
import type Counter from '../fixtures/typescript/counter.js';

const source = (name: string) => path.join(root, 'test/fixtures/typescript', name);
const RUNTIME = fileURLToPath(new URL('../../runtime/index.js', import.meta.url));

/** The fixtures copied outside the project: no tsx can be found from there. */
function outside(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-ts-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const f of ['counter.ts', 'tree.ts']) {
    fs.writeFileSync(path.join(dir, f), fs.readFileSync(source(f), 'utf8').replace("from 'pidgeon'", `from ${JSON.stringify(RUNTIME)}`));
  }
  return dir;
}

test.serial('spawn runs a .ts actor module from its source, typed messages and all', async (t) => {
  const { sys } = await startSystem(t);
  const counter = await sys.spawn<typeof Counter>(source('counter.ts'), { args: { start: 10 } });
  sys.send(counter, { type: 'add', n: 5 });
  const n: number = await sys.ask(counter, { type: 'get' });
  t.is(n, 15);
});

test.serial('pidgeon start tree.ts starts a tree of .ts modules', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-tstree-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const l = new Launcher([source('tree.ts'), '--dir', path.join(dir, 'sys')]);
  t.teardown(() => l.kill());
  await l.waitFor(/tree is up/);
  const r = await run(['send', 'counter', '{"type":"get"}', '--ask', '--dir', path.join(dir, 'sys')]);
  t.is(r.stdout.trim(), '41');
  l.proc.kill('SIGINT');
  t.is((await l.exit()).code, 0);
});

test.serial('without type stripping or tsx, spawn of a .ts module fails at once with ETYPESCRIPT naming what to install', async (t) => {
  const dir = outside(t);
  const { sys } = await startSystem(t);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    if (nodeStripsTypes()) {
      const c = await sys.spawn(path.join(dir, 'counter.ts'), { args: { start: 1 } });
      t.is(await sys.ask(c, { type: 'get' }), 1, 'this Node runs TypeScript by itself');
      return;
    }
    const err = await rejection(sys.spawn(path.join(dir, 'counter.ts'), { args: { start: 1 } }), 'the spawn');
    t.is(err.code, 'ETYPESCRIPT');
    t.is(err.message, `cannot run TypeScript module ${path.join(dir, 'counter.ts')}: Node ${process.version} does not strip types; `
      + 'install tsx in your project (npm install --save-dev tsx) or use Node >= 22.18');
    t.deepEqual(processesOf(sys.dir), [], 'nothing was started');
  } finally {
    process.chdir(cwd);
  }
});

test.serial('without type stripping or tsx, pidgeon start tree.ts is one ETYPESCRIPT line, exit code 1', async (t) => {
  if (nodeStripsTypes()) return t.pass('this Node runs TypeScript by itself: covered by the tests above');
  const dir = outside(t);
  const r = await run(['start', path.join(dir, 'tree.ts'), '--dir', path.join(dir, 'sys')], 30_000, {}, dir);
  t.is(r.code, 1);
  t.is(r.stderr, `pidgeon: cannot run TypeScript module ${path.join(dir, 'tree.ts')}: Node ${process.version} does not strip types; `
    + 'install tsx in your project (npm install --save-dev tsx) or use Node >= 22.18 [ETYPESCRIPT]\n');
});
