// A system killed with SIGKILL leaves its directory behind. The next `pidgeon
// start`, or a command that finds no such system, removes the dead ones (proven
// dead by their locks) and never a live one.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { Launcher, fixture, run, tempDir } from './cli-helpers.js';
import { startPeer } from '../helpers/peer.js';

/** A private XDG_RUNTIME_DIR with a SIGKILLed system 'victim' and a live 'alive'. */
async function systems(t: ExecutionContext): Promise<{ env: Record<string, string>; base: string }> {
  const xdg = tempDir('pidgeon-xdg-');
  t.teardown(() => fs.rmSync(xdg, { recursive: true, force: true }));
  fs.chmodSync(xdg, 0o700);
  const base = path.join(xdg, `pidgeon-${process.getuid!()}`);
  const victim = await startPeer(t, path.join(base, 'victim'), undefined, 'victim');
  await startPeer(t, path.join(base, 'alive'), undefined, 'alive');
  await victim.kill('SIGKILL');
  t.true(fs.existsSync(path.join(base, 'victim', 'sock', String(victim.pid))), 'SIGKILL left the socket behind');
  return { env: { XDG_RUNTIME_DIR: xdg, PIDGEON_DIR: '' }, base };
}

test('a command that finds no such system removes dead systems and lists the live ones', async (t) => {
  const { env, base } = await systems(t);
  const r = await run(['ps', '--system', 'nope'], 30_000, env);
  t.is(r.code, 1);
  t.regex(r.stderr, /^pidgeon: no system 'nope' here \(.*live systems: alive\) \[ENOSYSTEM\]\n$/);
  t.false(fs.existsSync(path.join(base, 'victim')), 'the dead system is gone');
  t.true(fs.existsSync(path.join(base, 'alive', 'sock')), 'the live one is kept');
});

test('pidgeon start removes dead systems before it starts its own', async (t) => {
  const { env, base } = await systems(t);
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'tree.json');
  fs.writeFileSync(file, JSON.stringify({ system: 'fresh', children: [{ id: 'e', module: fixture('echo.js') }] }));
  const l = new Launcher([file], env);
  t.teardown(() => l.kill());
  await l.waitFor(/tree is up/);
  t.false(fs.existsSync(path.join(base, 'victim')), 'the dead system is gone');
  t.true(fs.existsSync(path.join(base, 'alive', 'sock')), 'the live one is kept');
  t.true(fs.existsSync(path.join(base, 'fresh', 'sock')), 'the new system runs');
  l.proc.kill('SIGINT');
  t.is((await l.exit()).code, 0);
});
