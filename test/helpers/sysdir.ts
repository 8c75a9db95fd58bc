// A fresh system directory per test, removed when the test ends.
import type { ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A new, not yet existing system directory below a private mkdtemp directory. */
export function freshSystemDir(t: ExecutionContext): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-t-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  return path.join(base, 'sys');
}

export const sockFile = (dir: string, pid: number): string => path.join(dir, 'sock', String(pid));
export const lockFile = (dir: string, pid: number): string => path.join(dir, 'lock', String(pid));
