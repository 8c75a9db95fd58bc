// A pooled process's warm-up (core/pool-warmup.ts) runs a throwaway system in a
// directory of its own under the temporary directory: it must leave nothing behind
// there or in the real system's directory, whether the idle process is handed out,
// killed while idle (its parent removes what it left), or reaped at shutdown; and a
// warm-up that cannot run (no temporary directory) costs speed only. This file's
// processes get a temporary directory of their own (TMPDIR, inherited by the pool),
// so other test files' pools cannot be mistaken for ours; the tests run one at a
// time because they change it.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixture, isReaped, kill, processesOf, startSystem, until, within, WAIT } from '../helpers/actors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-test-warmup-'));
process.env.TMPDIR = tmp;
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const probe = fixture('probe');
const leftovers = () => fs.readdirSync(tmp).filter((f) => f.startsWith('pidgeon-warm-'));

test.serial('warm-ups leave nothing behind: handed out, killed while idle, reaped at shutdown', async (t) => {
  process.env.TMPDIR = tmp;
  t.is(os.tmpdir(), tmp);
  const { sys, dir } = await startSystem(t, { pool: { size: 2 } });
  await until(() => sys.stats().pool.idle === 2, WAIT, 'a full pool');
  t.deepEqual(leftovers(), [], 'each warm-up removed its directory before saying it loaded');
  const others = (sub: string) => fs.readdirSync(path.join(dir, sub)).filter((f) => !f.startsWith(String(process.pid)));
  t.deepEqual(others('sock'), [], 'the warm-up system never opened in the real directory');

  const ref = await sys.spawn(probe, { name: 'warmed' });
  t.deepEqual(await sys.ask(ref, { op: 'pid' }), { pid: ref.pid, name: 'warmed' });
  t.is(sys.stats().received >= 0, true);

  // An idle process killed mid-warm-up (the refill started by the spawn above).
  await until(() => sys.stats().pool.starting === 1 || sys.stats().pool.idle === 2, WAIT, 'a refill');
  const starting = [...((sys.children as unknown as { byPid: Map<number, { idle: boolean; pid: number; state: string }> }).byPid.values())]
    .filter((c) => c.idle && c.state !== 'exited').map((c) => c.pid);
  for (const pid of starting) kill(pid);
  await until(() => sys.stats().pool.idle === 2, WAIT, 'the pool to refill after the kills');
  for (const pid of starting) t.true(isReaped(pid), `${pid} reaped`);

  await within(sys.shutdown({ timeout: 2000 }), WAIT, 'shutdown');
  t.deepEqual(processesOf(dir), []);
  // A warm-up killed midway cannot clean up after itself: its parent did, on reaping it.
  t.deepEqual(leftovers(), []);
});

test.serial('no usable temporary directory: the warm-up is skipped and pooled spawns work as before', async (t) => {
  process.env.TMPDIR = tmp;
  const { sys } = await startSystem(t, { pool: { size: 1 } });
  await until(() => sys.stats().pool.idle === 1, WAIT, 'a full pool');
  // The replacement of a killed idle process starts with the environment of now.
  const broken = path.join(tmp, 'does-not-exist');
  process.env.TMPDIR = broken;
  const idle = [...((sys.children as unknown as { byPid: Map<number, { idle: boolean; pid: number; state: string }> }).byPid.values())]
    .filter((c) => c.idle && c.state !== 'exited').map((c) => c.pid);
  t.is(idle.length, 1);
  kill(idle[0]);
  await until(() => isReaped(idle[0]) && sys.stats().pool.idle === 1, WAIT, 'a replacement without warm-up');
  const ref = await sys.spawn(probe, { name: 'unwarmed' });
  t.deepEqual(await sys.ask(ref, { op: 'pid' }), { pid: ref.pid, name: 'unwarmed' });
  process.env.TMPDIR = tmp;
  await within(sys.shutdown({ timeout: 2000 }), WAIT, 'shutdown');
  t.false(fs.existsSync(broken));
});

test.serial('a warm-up removes the warm-up directories of dead processes (a tree killed whole), never a live one', async (t) => {
  process.env.TMPDIR = tmp;
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited and reaped: gone
  const deadDir = path.join(tmp, `pidgeon-warm-${dead}`);
  const liveDir = path.join(tmp, `pidgeon-warm-${process.ppid}`); // ava's main process: alive
  const otherDir = path.join(tmp, 'pidgeon-warm-notapid');
  for (const d of [deadDir, liveDir, otherDir]) {
    fs.mkdirSync(path.join(d, 'sock'), { recursive: true });
    fs.writeFileSync(path.join(d, 'warm-up-actor.mjs'), '');
  }
  const { sys } = await startSystem(t, { pool: { size: 1 } });
  await until(() => sys.stats().pool.idle === 1, WAIT, 'a full pool');
  t.false(fs.existsSync(deadDir), 'the dead process\'s directory is gone');
  t.true(fs.existsSync(liveDir), 'a live process\'s directory stays');
  t.true(fs.existsSync(otherDir), 'a name that is not a pid stays');
  await within(sys.shutdown({ timeout: 2000 }), WAIT, 'shutdown');
  for (const d of [liveDir, otherDir]) fs.rmSync(d, { recursive: true, force: true });
  t.deepEqual(leftovers(), []);
});
