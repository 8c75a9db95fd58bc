// The system directory is created 0700 and refused when unsafe; stale sockets and
// lockfiles of crashed processes are swept, live ones are left alone.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Mailbox, listLive, listPids, sweepDeadSystems } from '../../runtime/transport/index.js';
import { startPeer } from '../helpers/peer.js';
import { freshSystemDir, lockFile, sockFile } from '../helpers/sysdir.js';

const code = (err: unknown): string | undefined => (err as { code?: string } | undefined)?.code;

function tmpdir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-sysdir-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a new system directory is created with mode 0700 and sock/ and lock/', async (t) => {
  const base = tmpdir(t);
  const dir = path.join(base, 'a', 'sys');
  const mb = Mailbox.open({ system: 't', dir });
  t.teardown(() => mb.closeNow());
  t.is(fs.statSync(dir).mode & 0o777, 0o700);
  t.is(fs.statSync(path.join(dir, 'sock')).mode & 0o777, 0o700);
  t.is(fs.statSync(path.join(dir, 'lock')).mode & 0o777, 0o700);
  t.true(fs.existsSync(path.join(dir, 'sock', String(process.pid))));
  t.true(fs.existsSync(path.join(dir, 'lock', String(process.pid))));
  await mb.close();
  t.false(fs.existsSync(path.join(dir, 'sock', String(process.pid))));
  t.false(fs.existsSync(path.join(dir, 'lock', String(process.pid))));
});

const refusedMode = test.macro({
  exec(t: ExecutionContext, mode: number) {
    const dir = tmpdir(t);
    fs.chmodSync(dir, mode);
    const err = t.throws(() => Mailbox.open({ system: 't', dir }));
    t.is(code(err), 'EUNSAFEDIR');
    t.deepEqual(fs.readdirSync(dir), [], 'nothing was created in it');
  },
  title: (_, mode: number) => `a system directory with mode 0${mode.toString(8)} is refused with EUNSAFEDIR`,
});
for (const mode of [0o777, 0o770, 0o730, 0o720, 0o702, 0o1777]) test(refusedMode, mode);

const acceptedMode = test.macro({
  exec(t: ExecutionContext, mode: number) {
    const dir = tmpdir(t);
    fs.chmodSync(dir, mode);
    const mb = Mailbox.open({ system: 't', dir });
    t.teardown(() => mb.closeNow());
    t.true(fs.existsSync(path.join(dir, 'lock', String(process.pid))));
    t.is(fs.statSync(dir).mode & 0o777, mode, 'an existing directory keeps its mode');
  },
  title: (_, mode: number) => `an existing system directory with mode 0${mode.toString(8)} is accepted`,
});
for (const mode of [0o700, 0o750, 0o755]) test(acceptedMode, mode);

test('a system directory owned by another user is refused with EUNSAFEDIR', (t) => {
  let dir: string;
  if (process.getuid!() === 0) {
    dir = tmpdir(t);
    fs.chownSync(dir, 65534, 65534);
  } else {
    dir = '/'; // owned by root, not by us
  }
  const err = t.throws(() => Mailbox.open({ system: 't', dir }));
  t.is(code(err), 'EUNSAFEDIR');
});

test('a symlink as the system directory is refused with EUNSAFEDIR, even to a safe directory', (t) => {
  const base = tmpdir(t);
  const real = path.join(base, 'real');
  fs.mkdirSync(real, { mode: 0o700 });
  const link = path.join(base, 'link');
  fs.symlinkSync(real, link);
  t.is(code(t.throws(() => Mailbox.open({ system: 't', dir: link }))), 'EUNSAFEDIR');
  t.deepEqual(fs.readdirSync(real), []);
});

test('a regular file as the system directory is refused with EUNSAFEDIR', (t) => {
  const file = path.join(tmpdir(t), 'file');
  fs.writeFileSync(file, '');
  t.is(code(t.throws(() => Mailbox.open({ system: 't', dir: file }))), 'EUNSAFEDIR');
});

test('an unsafe sock/ or lock/ inside a safe system directory is refused with EUNSAFEDIR', (t) => {
  for (const sub of ['sock', 'lock']) {
    const dir = tmpdir(t);
    fs.mkdirSync(path.join(dir, sub));
    fs.chmodSync(path.join(dir, sub), 0o777);
    t.is(code(t.throws(() => Mailbox.open({ system: 't', dir }))), 'EUNSAFEDIR', `${sub}/ mode 0777`);
  }
  const dir = tmpdir(t);
  fs.mkdirSync(path.join(dir, 'lock'), { mode: 0o700 });
  fs.symlinkSync(path.join(dir, 'lock'), path.join(dir, 'sock'));
  t.is(code(t.throws(() => Mailbox.open({ system: 't', dir }))), 'EUNSAFEDIR', 'sock/ as a symlink');
});

test('an invalid system name is refused with EBADARG', (t) => {
  const err = t.throws(() => Mailbox.open({ system: '../evil' }));
  t.is(code(err), 'EBADARG');
});

test('a second mailbox in the same directory and process is refused', (t) => {
  const dir = tmpdir(t);
  const mb = Mailbox.open({ system: 't', dir });
  t.teardown(() => mb.closeNow());
  t.is(code(t.throws(() => Mailbox.open({ system: 't', dir }))), 'EMAILBOX');
});

test('opening a mailbox sweeps the stale files of a crashed process and keeps those of a live one', async (t) => {
  const dir = freshSystemDir(t);
  const crashed = await startPeer(t, dir);
  const live = await startPeer(t, dir);
  await crashed.kill('SIGKILL');
  t.true(fs.existsSync(sockFile(dir, crashed.pid)));
  t.true(fs.existsSync(lockFile(dir, crashed.pid)));
  t.deepEqual(listPids(dir), [crashed.pid, live.pid].sort((a, b) => a - b));
  t.deepEqual(listLive(dir), [{ pid: live.pid, instance: live.address.instance }]);
  const mb = Mailbox.open({ system: 'test', dir });
  t.teardown(() => mb.closeNow());
  t.false(fs.existsSync(sockFile(dir, crashed.pid)));
  t.false(fs.existsSync(lockFile(dir, crashed.pid)));
  t.true(fs.existsSync(sockFile(dir, live.pid)));
  t.true(fs.existsSync(lockFile(dir, live.pid)));
  t.deepEqual(listPids(dir), [process.pid, live.pid].sort((a, b) => a - b));
  // The live peer is reachable.
  mb.send(live.address, Buffer.from('hi'));
  t.is((await live.next('message')).len, 2);
});

test('under the default location, a per-user directory writable by others is refused', (t) => {
  const base = tmpdir(t);
  const perUser = path.join(base, `pidgeon-${process.getuid!()}`);
  fs.mkdirSync(perUser);
  fs.chmodSync(perUser, 0o777);
  const saved = { xdg: process.env.XDG_RUNTIME_DIR, dir: process.env.PIDGEON_DIR };
  process.env.XDG_RUNTIME_DIR = base;
  delete process.env.PIDGEON_DIR;
  t.teardown(() => {
    if (saved.xdg === undefined) delete process.env.XDG_RUNTIME_DIR;
    else process.env.XDG_RUNTIME_DIR = saved.xdg;
    if (saved.dir !== undefined) process.env.PIDGEON_DIR = saved.dir;
  });
  const err = t.throws(() => Mailbox.open({ system: 'peruser' }));
  t.is((err as { code?: string }).code, 'EUNSAFEDIR');
});

// Dead systems' directories: SIGKILLed systems leave theirs behind; sweepDeadSystems
// removes them, proven dead by the system lock and the lockfiles, never a live one.
test('sweepDeadSystems removes the directory of a SIGKILLed system and keeps a live one', async (t) => {
  const base = tmpdir(t);
  const victim = await startPeer(t, path.join(base, 'victim'), undefined, 'victim');
  await startPeer(t, path.join(base, 'alive'), undefined, 'alive');
  await victim.kill('SIGKILL');
  t.true(fs.existsSync(path.join(base, 'victim', 'lock', String(victim.pid))), 'SIGKILL left the lockfile behind');
  const r = sweepDeadSystems(base);
  t.deepEqual(r, { removed: ['victim'], live: ['alive'] });
  t.false(fs.existsSync(path.join(base, 'victim')));
  t.is(listLive(path.join(base, 'alive')).length, 1, 'the live system is untouched');
});

test('sweepDeadSystems never removes the directory of this process\'s own system', (t) => {
  const base = tmpdir(t);
  const mb = Mailbox.open({ system: 'own', dir: path.join(base, 'own') });
  t.teardown(() => mb.closeNow());
  t.deepEqual(sweepDeadSystems(base), { removed: [], live: ['own'] });
  t.true(fs.existsSync(sockFile(path.join(base, 'own'), process.pid)));
  // Probing our own system lock must not have dropped it (closing any fd of a file
  // drops this process's fcntl locks on it).
  t.deepEqual(sweepDeadSystems(base), { removed: [], live: ['own'] });
});

test('sweepDeadSystems removes a directory left by a version without system locks', (t) => {
  const base = tmpdir(t);
  const dir = path.join(base, 'old');
  for (const sub of ['sock', 'lock', 'names']) fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  fs.writeFileSync(path.join(dir, 'lock', '999999'), '00000000000000aa\n');
  fs.writeFileSync(path.join(dir, 'names', 'kv'), '999999 00000000000000aa');
  t.deepEqual(sweepDeadSystems(base), { removed: ['old'], live: [] });
  t.false(fs.existsSync(dir));
});

test('sweepDeadSystems keeps a dead system whose directory holds something not ours', (t) => {
  const base = tmpdir(t);
  const dir = path.join(base, 'mixed');
  fs.mkdirSync(path.join(dir, 'sock', 'subdir'), { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  t.deepEqual(sweepDeadSystems(base), { removed: [], live: [] }, 'neither removed nor reported live');
  t.true(fs.existsSync(path.join(dir, 'sock', 'subdir')));
});

test('a system can be joined again right after its dead directory was removed', async (t) => {
  const base = tmpdir(t);
  const dir = path.join(base, 'again');
  const mb = Mailbox.open({ system: 'again', dir });
  await mb.close();
  t.deepEqual(sweepDeadSystems(base).removed, ['again']);
  const mb2 = Mailbox.open({ system: 'again', dir });
  t.teardown(() => mb2.closeNow());
  t.true(fs.existsSync(sockFile(dir, process.pid)));
  t.true(fs.existsSync(lockFile(dir, process.pid)));
});
