// `pidgeon scale`, `pidgeon start-child` and `pidgeon restart` end to end: a real
// tree under `pidgeon start`, the commands run as separate processes, their effect
// checked by a member process that asks the supervisors (whichChildren).
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { ActorSystem, type ActorRef } from '../../runtime/index.js';
import { Launcher, fixture, run, tempDir } from './cli-helpers.js';

const echo = fixture('echo.js');

const tree = {
  system: 'childcli',
  name: 'top',
  children: [
    { id: 'echo', module: echo, name: 'echo' },
    { id: 'tmp', module: echo, name: 'tmp', restart: 'temporary' },
    { id: 'pool', supervisor: { strategy: 'simple_one_for_one', name: 'pool', maxChildren: 4, children: [{ id: 'w', module: echo, args: ['base'] }] } },
  ],
};

/** A running tree and a member system of it (both cleaned up). */
async function startTree(t: ExecutionContext) {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sysDir = path.join(dir, 'sys');
  const file = path.join(dir, 'tree.json');
  fs.writeFileSync(file, JSON.stringify(tree));
  const l = new Launcher([file, '--dir', sysDir]);
  t.teardown(() => l.kill());
  await l.waitFor(/tree is up/);
  const sys = await ActorSystem.start({ name: 'childcli', dir: sysDir });
  t.teardown(() => sys.shutdown());
  const cmd = (...args: string[]) => run([...args, '--dir', sysDir]);
  const ref = (name: string): ActorRef => sys.lookup(name)!;
  return { sys, cmd, ref };
}

const oneLine = (t: ExecutionContext, stderr: string, code: string) => {
  const lines = stderr.trim().split('\n');
  t.is(lines.length, 1, stderr);
  t.regex(lines[0], new RegExp(`^pidgeon: .* \\[${code}\\]$`));
};

test('scale, start-child and restart --help print usage with examples and exit 0', async (t) => {
  for (const c of ['scale', 'start-child', 'restart']) {
    const r = await run([c, '--help']);
    t.is(r.code, 0, c);
    t.regex(r.stdout, new RegExp(`^usage: pidgeon ${c} `), c);
    t.regex(r.stdout, /examples:/, c);
  }
  t.regex((await run(['--help'])).stdout, /scale <sup> <n>[\s\S]*start-child[\s\S]*restart <name\|pid>/);
});

test('pidgeon scale: up to n and down to n (newest first); refuses non-simple supervisors, other actors and bad n', async (t) => {
  const { sys, cmd, ref } = await startTree(t);
  const up = await cmd('scale', 'pool', '3', '--args', '["x"]');
  t.is(up.code, 0, up.stderr);
  t.regex(up.stdout, /^pool \(pid \d+\): 0 → 3 children\n$/);
  const kids = await sys.whichChildren(ref('pool'));
  t.deepEqual(kids.map((c) => c.id), ['w#1', 'w#2', 'w#3']);
  t.deepEqual((await sys.getChildSpec(ref('pool'), 'w#1')).args, ['base', 'x']);
  const down = await cmd('scale', 'pool', '1');
  t.is(down.code, 0, down.stderr);
  t.regex(down.stdout, /3 → 1 children/);
  t.deepEqual((await sys.whichChildren(ref('pool'))).map((c) => c.id), ['w#1'], 'the newest were terminated');
  const over = await cmd('scale', 'pool', '5');
  t.is(over.code, 1);
  oneLine(t, over.stderr, 'EMAXCHILDREN');
  for (const [args, code, exit] of [[['top', '2'], 'ENOSUPERVISOR', 1], [['echo', '2'], 'ENOSUPERVISOR', 1], [['pool', '-1'], 'EBADARG', 2], [['nobody', '1'], 'ENOACTOR', 1]] as const) {
    const r = await cmd('scale', ...args);
    t.is(r.code, exit, args.join(' '));
    oneLine(t, r.stderr, code);
  }
});

test('pidgeon start-child: a spec to a one_for_one supervisor, args to a simple_one_for_one one; its errors', async (t) => {
  const { sys, cmd, ref } = await startTree(t);
  const r = await cmd('start-child', 'top', JSON.stringify({ id: 'extra', module: path.relative(process.cwd(), echo), name: 'extra' }));
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`^started child 'extra' of top \\(pid ${ref('top').pid}\\): pid ${ref('extra').pid}\\n$`));
  t.deepEqual((await sys.whichChildren(ref('top'))).map((c) => c.id), ['echo', 'tmp', 'pool', 'extra']);
  const inst = await cmd('start-child', 'pool', '{"k":1}');
  t.is(inst.code, 0, inst.stderr);
  t.regex(inst.stdout, /^started child 'w#1' of pool/);
  for (const [json, code, exit] of [
    [JSON.stringify({ id: 'extra', module: echo }), 'EALREADY', 1],
    [JSON.stringify({ id: 'bad', module: echo, restart: 'never' }), 'EBADSPEC', 2],
    ['{not json', 'EBADARG', 2],
  ] as const) {
    const e = await cmd('start-child', 'top', json);
    t.is(e.code, exit, json);
    oneLine(t, e.stderr, code);
  }
});

test('pidgeon restart: through the supervisor, for a permanent child, a temporary one and an instance; ENOSUPERVISOR for the top', async (t) => {
  const { sys, cmd, ref } = await startTree(t);
  for (const name of ['echo', 'tmp']) {
    const before = ref(name);
    const r = await cmd('restart', name);
    t.is(r.code, 0, r.stderr);
    const after = ref(name);
    t.not(after.pid, before.pid, name);
    t.regex(r.stdout, new RegExp(`^restarted ${name} \\(pid ${before.pid}\\) \\(child '${name}' of supervisor pid ${ref('top').pid}\\): now pid ${after.pid}\\n$`));
  }
  // The temporary child's spec went with it (OTP), so it was started again at the end.
  t.deepEqual((await sys.whichChildren(ref('top'))).map((c) => [c.id, c.state]), [['echo', 'running'], ['pool', 'running'], ['tmp', 'running']]);
  const w = await sys.startChild(ref('pool'), ['mine']);
  const r = await cmd('restart', String(w.pid));
  t.is(r.code, 0, r.stderr);
  const kids = await sys.whichChildren(ref('pool'));
  t.is(kids.length, 1);
  t.not(kids[0].ref!.pid, w.pid);
  t.deepEqual((await sys.getChildSpec(ref('pool'), kids[0].ref!)).args, ['base', 'mine'], 'the same args, not appended twice');
  const top = await cmd('restart', 'top');
  t.is(top.code, 1);
  oneLine(t, top.stderr, 'ENOSUPERVISOR');
  const none = await cmd('restart', 'nobody');
  t.is(none.code, 1);
  oneLine(t, none.stderr, 'ENOACTOR');
});
