// The pidgeon command: help, errors, and a real tree started, inspected, poked and
// stopped from "another terminal".
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { Launcher, fixture, leftovers, pidExists, run, tempDir } from './cli-helpers.js';

function writeTree(dir: string, tree: unknown): string {
  const file = path.join(dir, 'tree.json');
  fs.writeFileSync(file, JSON.stringify(tree));
  return file;
}

/** Start `pidgeon start` on `tree` in a fresh directory; resolves once the tree is up. */
async function startTree(t: ExecutionContext, tree: unknown): Promise<{ l: Launcher; file: string; sysDir: string }> {
  const dir = tempDir();
  const sysDir = path.join(dir, 'sys');
  const file = writeTree(dir, tree);
  const l = new Launcher([file, '--dir', sysDir]);
  t.teardown(() => l.kill());
  await l.waitFor(/tree is up/);
  return { l, file, sysDir };
}

const echoTree = (extra: Record<string, unknown> = {}) => ({
  system: 'clitest',
  strategy: 'one_for_one',
  intensity: 3,
  period: 5000,
  ...extra,
  children: [
    { id: 'echo', module: fixture('echo.js'), name: 'echo' },
    { id: 'sub', supervisor: { strategy: 'rest_for_one', children: [{ id: 'e2', module: fixture('echo.js'), name: 'e2', shutdown: 1000 }] } },
  ],
});

test('--help and every command\'s --help print usage and exit 0', async (t) => {
  const top = await run(['--help']);
  t.is(top.code, 0);
  t.regex(top.stdout, /usage: pidgeon <command>/);
  for (const cmd of ['start', 'ps', 'tree', 'send', 'stop', 'ls', 'logs', 'kill', 'top']) {
    const r = await run([cmd, '--help']);
    t.is(r.code, 0, cmd);
    t.regex(r.stdout, new RegExp(`usage: pidgeon ${cmd}`), cmd);
    t.regex(r.stdout, /example/, cmd);
  }
});

test('an unknown command or option is a one-line error with a non-zero exit', async (t) => {
  const r = await run(['frobnicate']);
  t.is(r.code, 2);
  t.is(r.stderr.trim().split('\n').length, 1);
  const o = await run(['ps', '--bogus']);
  t.not(o.code, 0);
  t.regex(o.stderr, /\[EBADARG\]/);
  for (const pool of ['x', '-1', '1.5']) {
    const p = await run(['start', 'nowhere.json', `--pool=${pool}`]);
    t.is(p.code, 2, `--pool ${pool}`);
    t.regex(p.stderr, /pool.*\[EBADARG\]/);
  }
});

test('an unknown system or name is a clear one-line error', async (t) => {
  const dir = tempDir();
  const r = await run(['ps', '--dir', path.join(dir, 'nope')]);
  t.is(r.code, 1);
  t.regex(r.stderr, /\[ENOSYSTEM\]/);
  t.is(r.stderr.trim().split('\n').length, 1);
});

const badTrees: [string, (f: string) => unknown, RegExp][] = [
  ['unknown field', (f) => ({ children: [{ id: 'a', module: f, colour: 'red' }] }), /tree\.children\[0\]\.colour/],
  ['missing module', () => ({ children: [{ id: 'a', module: './no/such/module.js' }] }), /tree\.children\[0\]\.module/],
  ['bad strategy', (f) => ({ strategy: 'one_for_some', children: [{ id: 'a', module: f }] }), /tree\.strategy/],
  ['duplicate id', (f) => ({ children: [{ id: 'a', module: f }, { id: 'a', module: f }] }), /tree\.children\[1\]\.id/],
  ['bad restart', (f) => ({ children: [{ id: 'a', module: f, restart: 'sometimes' }] }), /tree\.children\[0\]\.restart/],
  ['nested bad shutdown', (f) => ({ children: [{ id: 's', supervisor: { children: [{ id: 'a', module: f, shutdown: -1 }] } }] }), /tree\.children\[0\]\.supervisor\.children\[0\]\.shutdown/],
];

for (const [what, make, path_] of badTrees) {
  test(`a bad tree (${what}) is refused before anything starts`, async (t) => {
    const dir = tempDir();
    const file = writeTree(dir, make(fixture('echo.js')));
    const sysDir = path.join(dir, 'sys');
    const r = await run(['start', file, '--dir', sysDir]);
    t.is(r.code, 2);
    t.regex(r.stderr, /\[EBADSPEC\]/);
    t.regex(r.stderr, path_);
    t.false(fs.existsSync(sysDir), 'nothing was started');
  });
}

test('start, ps, tree, send, stop one actor, then stop the whole tree', async (t) => {
  const { l, sysDir } = await startTree(t, echoTree());

  const ps = await run(['ps', '--dir', sysDir, '--json']);
  t.is(ps.code, 0, ps.stderr);
  const rows = JSON.parse(ps.stdout) as { pid: number; name: string | null; parent: number | null }[];
  const names = rows.map((r) => r.name).filter(Boolean).sort();
  t.deepEqual(names, ['e2', 'echo', 'pidgeon.launcher']);
  t.is(rows.length, 5); // launcher, two supervisors, two workers
  const e2 = rows.find((r) => r.name === 'e2')!;

  const table = await run(['ps', '--dir', sysDir]);
  t.regex(table.stdout, /NAME\s+ID\s+PID\s+STATUS\s+↺\s+CPU\s+MEM\s+UPTIME\s+IN\s+OUT\s+QUEUED\s+DROPS\s+DEAD/);

  const tree = await run(['tree', '--dir', sysDir]);
  t.is(tree.code, 0);
  t.regex(tree.stdout, /└── \[sub\] supervisor/);
  t.regex(tree.stdout, /e2 echo\.js/);

  const ask = await run(['send', 'echo', '{"hello":[1,2]}', '--ask', '--dir', sysDir]);
  t.is(ask.code, 0, ask.stderr);
  t.deepEqual(JSON.parse(ask.stdout), { hello: [1, 2] });
  const byPid = await run(['send', String(e2.pid), '"x"', '--dir', sysDir]);
  t.is(byPid.code, 0);
  t.regex(byPid.stdout, /sent to/);
  const nobody = await run(['send', 'nobody', '1', '--dir', sysDir]);
  t.is(nobody.code, 1);
  t.regex(nobody.stderr, /\[ENOACTOR\]/);
  const badJson = await run(['send', 'echo', '{bad', '--dir', sysDir]);
  t.is(badJson.code, 2);
  t.regex(badJson.stderr, /\[EBADARG\]/);

  const stopOne = await run(['stop', 'e2', '--dir', sysDir]);
  t.is(stopOne.code, 0, stopOne.stderr);
  t.regex(stopOne.stdout, /stopped: shutdown/);
  // e2 is permanent: its supervisor restarts it.
  await l.waitFor(/restarting e2[\s\S]*started\s+e2/);

  const stopAll = await run(['stop', '--dir', sysDir]);
  t.is(stopAll.code, 0, stopAll.stderr);
  const { code } = await l.exit();
  t.is(code, 0);
  t.regex(l.output, /tree stopped/);
  t.deepEqual(leftovers(sysDir), []);
  for (const r of rows) t.false(pidExists(r.pid), `pid ${r.pid} is gone`);
});

test('Ctrl-C (SIGINT) stops the tree in order with exit code 0', async (t) => {
  const { l, sysDir } = await startTree(t, echoTree());
  l.proc.kill('SIGINT');
  const { code } = await l.exit();
  t.is(code, 0);
  // Reverse start order: e2 (inside sub) before sub, sub before echo.
  const order = [...l.output.matchAll(/ stopped\s+(\S+)\s+pid/g)].map((m) => m[1]);
  t.deepEqual(order, ['e2', 'sub', 'echo']);
  t.deepEqual(leftovers(sysDir), []);
});

test('a top supervisor that gives up makes the launcher exit non-zero', async (t) => {
  const { l, sysDir } = await startTree(t, { ...echoTree(), intensity: 0 });
  const r = await run(['send', 'echo', '{"exit":3}', '--dir', sysDir]);
  t.is(r.code, 0, r.stderr);
  const { code } = await l.exit();
  t.is(code, 1);
  t.regex(l.output, /exited\s+echo\s+pid \d+\s+exit code 3/);
  t.regex(l.output, /gave up/);
  t.deepEqual(leftovers(sysDir), []);
});

test('a second launcher for the same system is refused', async (t) => {
  const { l, file, sysDir } = await startTree(t, echoTree());
  const second = await run(['start', file, '--dir', sysDir]);
  t.is(second.code, 1);
  t.regex(second.stderr, /\[ERUNNING\]/);
  l.proc.kill('SIGTERM');
  t.is((await l.exit()).code, 0);
});
