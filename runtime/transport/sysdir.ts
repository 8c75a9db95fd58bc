// The system directory: where it is, creating and checking it, and reading other
// processes' lockfiles (alive? which instance?) and removing stale ones.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { native } from './native.js';
import { BadArgumentError, MailboxError, UnsafeDirectoryError } from '../errors.js';
import { instanceToString } from './wire.js';

const SYSTEM_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/** Check a system name: letters, digits, `.`, `_`, `-`, at most 64 characters. */
export function checkSystemName(system: unknown): string {
  if (typeof system !== 'string' || !SYSTEM_NAME_RE.test(system)) {
    throw new BadArgumentError(`system name must match ${SYSTEM_NAME_RE} (got ${JSON.stringify(system)})`);
  }
  return system;
}

/** `dir`, else $PIDGEON_DIR, else ${XDG_RUNTIME_DIR:-/tmp}/pidgeon-$UID/<system>. */
export function resolveSystemDir(system: string, dir?: string): string {
  if (dir !== undefined) {
    if (typeof dir !== 'string' || dir === '') throw new BadArgumentError('dir must be a non-empty path');
    return path.resolve(dir);
  }
  const fromEnv = process.env.PIDGEON_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  const base = process.env.XDG_RUNTIME_DIR || os.tmpdir();
  return path.join(base, `pidgeon-${process.getuid?.() ?? 0}`, checkSystemName(system));
}

export const sockPath = (dir: string, pid: number): string => `${dir}/sock/${pid}`;
export const lockPath = (dir: string, pid: number): string => `${dir}/lock/${pid}`;

function dirError(err: unknown, dir: string): Error {
  const code = (err as { code?: string }).code;
  if (code === 'EDIROWNER') return new UnsafeDirectoryError(`system directory ${dir} is owned by another user; refusing to use it`, { cause: err });
  if (code === 'EDIRMODE') return new UnsafeDirectoryError(`system directory ${dir} is writable by group or others; refusing to use it (chmod 700)`, { cause: err });
  if (code === 'ENOTDIR') return new UnsafeDirectoryError(`system directory ${dir} is not a directory`, { cause: err });
  return new MailboxError(`cannot prepare system directory ${dir}: ${(err as Error).message}`, { cause: err });
}

/** The per-user directory that holds the systems of the default location. */
export function systemsBase(): string {
  return path.join(process.env.XDG_RUNTIME_DIR || os.tmpdir(), `pidgeon-${process.getuid?.() ?? 0}`);
}

const JOIN_ATTEMPTS = 32;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Create (mode 0700) or validate the system directory with its sock/ and lock/, and
 * join the system: the returned fd holds a read lock on system.lock for this
 * process's life (close it with `leaveSystemDir`), so that no cleaner removes the
 * directory of a live system. Under the default location the per-user parent
 * (pidgeon-$UID) must be ours too: in a shared /tmp another user could create it
 * first and swap what is inside. */
export function joinSystemDir(dir: string): number {
  const parent = path.dirname(dir);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = native.sysdirJoin(dir);
      if (path.basename(parent) === `pidgeon-${process.getuid?.() ?? 0}`) {
        try {
          checkSystemDir(parent);
        } catch (err) {
          native.lockfileRelease(fd);
          throw err;
        }
      }
      return fd;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EAGAIN') throw err instanceof UnsafeDirectoryError ? err : dirError(err, dir);
      // A cleaner is removing this (dead) system's directory: it holds the lock for
      // a few milliseconds at most. Wait 1 ms between later attempts, ~30 ms in all.
      if (attempt >= JOIN_ATTEMPTS) throw new MailboxError(`system directory ${dir} is being removed by another process; try again`, { cause: err });
      if (attempt >= 4) Atomics.wait(pause, 0, 0, 1);
    }
  }
}

/** Leave the system joined with `joinSystemDir`. */
export function leaveSystemDir(fd: number): void {
  native.lockfileRelease(fd);
}

/** Remove every system directory under `systemsBase()` that no live process is a
 * member of (proven by the system lock and the lockfiles, never by a guess); a
 * live system is never touched. Returns the names removed and the names alive. */
export function sweepDeadSystems(base = systemsBase()): { removed: string[]; live: string[] } {
  const out = { removed: [] as string[], live: [] as string[] };
  let names: string[];
  try {
    checkSystemDir(base);
    names = fs.readdirSync(base);
  } catch {
    return out; // no systems yet, or a directory that is not safe to touch
  }
  for (const name of names.sort()) {
    if (!SYSTEM_NAME_RE.test(name)) continue;
    let removed = false;
    try {
      removed = native.sysdirRemoveIfDead(path.join(base, name));
    } catch {
      continue; // not a directory of ours, or a racing cleaner: not ours to report
    }
    (removed ? out.removed : out.live).push(name);
  }
  return out;
}

/** Validate an existing system directory without creating anything. */
export function checkSystemDir(dir: string): void {
  try {
    native.sysdirCheck(dir);
  } catch (err) {
    throw dirError(err, dir);
  }
}

export type PeerState = 'missing' | 'alive' | 'stale';

/** Read a process's lockfile: is it alive, and which instance is it? */
export function probePeer(dir: string, pid: number): { state: PeerState; instance: string } {
  const [state, inst] = native.lockfileProbe(lockPath(dir, pid));
  return { state: state === 0 ? 'missing' : state === 1 ? 'alive' : 'stale', instance: instanceToString(inst) };
}

/** Remove `pid`'s socket and lockfile if nobody holds the lock. True if removed. */
export function removeIfStale(dir: string, pid: number): boolean {
  try {
    return native.staleRemove(lockPath(dir, pid), sockPath(dir, pid));
  } catch {
    return false; // a racing cleaner or a permission problem: not ours to report here
  }
}

function pidsIn(sub: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(sub);
  } catch {
    return [];
  }
  return names.filter((n) => /^[1-9][0-9]*$/.test(n)).map(Number);
}

/** Every pid with a lockfile or a socket in the directory. */
export function listPids(dir: string): number[] {
  return [...new Set([...pidsIn(`${dir}/lock`), ...pidsIn(`${dir}/sock`)])].sort((a, b) => a - b);
}

/** Remove every stale socket and lockfile; returns how many pids were cleaned. */
export function sweepStale(dir: string, selfPid: number): number {
  let removed = 0;
  for (const pid of listPids(dir)) {
    if (pid === selfPid) continue;
    const { state } = probePeer(dir, pid);
    if (state !== 'alive' && removeIfStale(dir, pid)) removed++;
  }
  return removed;
}

/** Live processes of the system: pid and instance, from their held lockfiles. */
export function listLive(dir: string): { pid: number; instance: string }[] {
  const out: { pid: number; instance: string }[] = [];
  for (const pid of pidsIn(`${dir}/lock`)) {
    const p = probePeer(dir, pid);
    if (p.state === 'alive' && p.instance !== '0000000000000000') out.push({ pid, instance: p.instance });
  }
  return out;
}
