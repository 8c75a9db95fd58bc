// Operating a running tree: ls and finding the system by itself, ps in tree order
// with user/runtime counts, logs (files and the foreground's name prefixes), kill
// (the supervisor restarts), and start --daemon with its exit status kept.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { Launcher, fixture, pidExists, run, tempDir } from './cli-helpers.js';
import { until } from '../helpers/wait.js';

/** A private systems base, so that other systems on the host are not seen. */
function privateBase(): Record<string, string> {
  return { XDG_RUNTIME_DIR: tempDir('pidgeon-xdg-'), PIDGEON_DIR: '' };
}

const opsTree = (system: string) => ({
  system, strategy: 'one_for_one', intensity: 5, period: 5000,
  children: [
    { id: 'talker', module: fixture('chatty.js'), name: 'talker' },
    { id: 'sub', supervisor: { strategy: 'one_for_one', children: [
      { id: 'e2', module: fixture('echo.js'), name: 'e2', restart: 'transient' },
      { id: 'quiet', module: fixture('chatty.js') }, // last: its hello means the whole tree is up
    ] } },
  ],
});

function treeFile(tree: unknown): string {
  const file = path.join(tempDir(), 'tree.json');
  fs.writeFileSync(file, JSON.stringify(tree));
  return file;
}

async function launch(t: ExecutionContext, args: string[], env: Record<string, string>, up = /tree is up/): Promise<Launcher> {
  const l = new Launcher(args, env);
  t.teardown(() => l.kill());
  await l.waitFor(up);
  return l;
}

interface Row { pid: number | null; name: string | null; id: string | null; label: string; branch: string; status: string; restarts: number | null; userIn: number; userOut: number; runtimeIn: number; cpu: number | null; rss: number | null }

test('ls, ps, logs, kill and stop on a system found by itself; foreground output prefixed', async (t) => {
  const env = privateBase();
  const none = await run(['ps'], 30_000, env);
  t.is(none.code, 1);
  t.regex(none.stderr, /no system is running.*\[ENOSYSTEM\]/);

  // Each actor's lines in the foreground carry its name (even with --quiet).
  const l = await launch(t, [treeFile(opsTree('opsa')), '--quiet'], env, /^quiet +\| hello from chatty$/m);
  t.regex(l.output, /^talker +\| hello from talker$/m);
  t.notRegex(l.output, /started +talker/, '--quiet hides the launcher\'s own lines');

  const ls = await run(['ls', '--json'], 30_000, env);
  t.is(ls.code, 0, ls.stderr);
  const [sys] = JSON.parse(ls.stdout);
  t.like(sys, { name: 'opsa', running: true, status: 'running', launcherPid: l.proc.pid, daemon: false, actors: 5 });
  t.regex((await run(['ls'], 30_000, env)).stdout, /^opsa +running +\d+ +foreground/m);

  for (let i = 0; i < 2; i++) t.is((await run(['send', 'talker', '{"say":"oops","err":true}', '--ask'], 30_000, env)).stdout.trim(), '"said"');
  const ps = await run(['ps'], 30_000, env);
  t.is(ps.code, 0, ps.stderr);
  t.regex(ps.stdout, /^NAME +ID +PID +STATUS +↺ +CPU +MEM +UPTIME +IN +OUT +QUEUED +DROPS +DEAD +RT IN\/OUT$/m);
  const [header, ...lines] = ps.stdout.trimEnd().split('\n');
  const names = lines.map((line) => line.slice(0, header.indexOf(' ID ')).trimEnd());
  t.deepEqual(names, ['pidgeon.launcher', '└─ supervisor (top)', '   ├─ talker', '   └─ sub', '      ├─ e2', '      └─ quiet']);
  const rows = JSON.parse((await run(['ps', '--json'], 30_000, env)).stdout) as Row[];
  const talker = rows.find((r) => r.name === 'talker')!;
  t.like(talker, { id: 'talker', status: 'running', restarts: 0, userIn: 2, userOut: 2 });
  t.true(talker.runtimeIn > 0, 'the runtime\'s own messages are counted apart');
  t.true(talker.rss! > 0 && talker.cpu! >= 0);
  t.like(rows.find((r) => r.id === 'quiet'), { name: null, label: 'quiet' });

  const logs = await run(['logs', 'talker'], 30_000, env);
  t.is(logs.code, 0, logs.stderr);
  t.regex(logs.stdout, new RegExp(`Z talker\\[${talker.pid}\\] out hello from talker\\n.*talker\\[${talker.pid}\\] err oops`));
  const all = await run(['logs', '--lines', '3'], 30_000, env);
  t.is(all.stdout.trim().split('\n').length, 3);
  const noLog = await run(['logs', 'nobody'], 30_000, env);
  t.is(noLog.code, 1);
  t.regex(noLog.stderr, /no log for 'nobody'.*logs: .*talker.*\[ENOACTOR\]/);

  const killed = await run(['kill', 'talker'], 30_000, env);
  t.is(killed.code, 0, killed.stderr);
  await l.waitFor(/^talker +\| hello from talker[\s\S]*^talker +\| hello from talker$/m); // the restarted one
  const again = JSON.parse((await run(['ps', '--json'], 30_000, env)).stdout) as Row[];
  t.like(again.find((r) => r.name === 'talker'), { restarts: 1, status: 'running' });
  t.is((await run(['kill', String(l.proc.pid)], 30_000, env)).code, 2, 'the launcher is not killed');
  t.regex((await run(['kill', 'nobody'], 30_000, env)).stderr, /\[ENOACTOR\]/);

  // A second system: now a command must be told which.
  const other = await launch(t, [treeFile({ system: 'opsb', children: [{ id: 'e', module: fixture('echo.js') }] })], env);
  const many = await run(['ps'], 30_000, env);
  t.is(many.code, 2);
  t.regex(many.stderr, /several systems are running \(opsa, opsb\): choose one with --system NAME \[EMANYSYSTEMS\]/);
  t.is((await run(['stop', '--system', 'opsb'], 30_000, env)).code, 0);
  await other.exit();

  t.is((await run(['stop'], 30_000, env)).code, 0);
  t.is((await l.exit()).code, 0);
  const after = JSON.parse((await run(['ls', '--json'], 30_000, env)).stdout);
  t.like(after.find((s: { name: string }) => s.name === 'opsa'), { running: false, status: 'exited 0', exitCode: 0 });
});

test('start --daemon returns once the tree is up; stop stops it; its exit code stays visible', async (t) => {
  const env = privateBase();
  const file = treeFile(opsTree('opsd'));
  const started = await run(['start', file, '--daemon'], 30_000, env);
  t.is(started.code, 0, started.stderr);
  const pid = Number(/launcher pid (\d+)/.exec(started.stdout)![1]);
  t.teardown(() => { if (pidExists(pid)) process.kill(pid, 'SIGKILL'); });
  t.true(pidExists(pid));
  const ls = JSON.parse((await run(['ls', '--json'], 30_000, env)).stdout);
  t.like(ls[0], { name: 'opsd', running: true, daemon: true, launcherPid: pid });
  const again = await run(['start', file, '--daemon'], 30_000, env);
  t.is(again.code, 1);
  t.regex(again.stderr, /\[ERUNNING\]/);
  const logs = await run(['logs', 'talker'], 30_000, env);
  t.regex(logs.stdout, /out hello from talker/);
  t.is((await run(['stop'], 30_000, env)).code, 0);
  const state = path.join(env.XDG_RUNTIME_DIR, `pidgeon-${process.getuid!()}`, 'opsd', 'launcher.json');
  await until(() => JSON.parse(fs.readFileSync(state, 'utf8')).exitCode === 0, 10_000, 'the daemon recorded its exit');
  const ps = await run(['ps', '--system', 'opsd'], 30_000, env);
  t.regex(ps.stdout, new RegExp(`no live actors in system 'opsd' \\(its launcher, pid ${pid}, exited with code 0 at `));
  t.like(JSON.parse((await run(['ls', '--json'], 30_000, env)).stdout)[0], { running: false, exitCode: 0 });
  const bad = await run(['start', treeFile({ children: [{ id: 'a', module: fixture('echo.js'), colour: 1 }] }), '--daemon'], 30_000, env);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /tree\.children\[0\]\.colour.*\[EBADSPEC\]/);
});
