// `pidgeon send --ask` to an actor that dies while answering: one line with the
// error code and the death reason, exit code 3, no stack trace, nothing twice.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { Launcher, fixture, run, tempDir } from './cli-helpers.js';

async function echoTree(t: import('ava').ExecutionContext): Promise<string> {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sysDir = path.join(dir, 'sys');
  const file = path.join(dir, 'tree.json');
  fs.writeFileSync(file, JSON.stringify({
    system: 'sendtest',
    children: [
      { id: 'a', module: fixture('echo.js'), name: 'crasher', restart: 'temporary' },
      { id: 'b', module: fixture('echo.js'), name: 'exiter', restart: 'temporary' },
    ],
  }));
  const l = new Launcher([file, '--dir', sysDir]);
  t.teardown(() => l.kill());
  await l.waitFor(/tree is up/);
  return sysDir;
}

const dies = test.macro({
  async exec(t, name: string, msg: unknown, reason: RegExp) {
    const sysDir = await echoTree(t);
    const r = await run(['send', name, JSON.stringify(msg), '--ask', '--dir', sysDir]);
    t.is(r.code, 3);
    t.is(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    t.is(lines.length, 1, r.stderr);
    t.regex(lines[0], new RegExp(`^pidgeon: ${name} \\(pid \\d+\\) died before answering: ${reason.source} \\[EDEADACTOR\\]$`));
    t.false(/\n\s+at /.test(r.stderr), 'no stack trace');
  },
  title: (what) => `send --ask to an actor that ${what}: one line with the reason and EDEADACTOR, exit code 3`,
});

test('throws while answering', dies, 'crasher', { crash: true }, /error: TypeError: crash on purpose/);
test('exits while answering', dies, 'exiter', { exit: 7 }, /exit code 7/);

test('send --ask to an actor that answers prints the reply as JSON and exits 0', async (t) => {
  const sysDir = await echoTree(t);
  const r = await run(['send', 'crasher', '{"n":1}', '--ask', '--dir', sysDir]);
  t.is(r.code, 0);
  t.deepEqual(JSON.parse(r.stdout), { n: 1 });
  t.is(r.stderr, '');
});
