// A pipe for fd-passing tests. Node has no pipe(2): make a FIFO with mkfifo, open
// the read end non-blocking (so the write end's open does not block), open the
// write end, and unlink the name. Reading goes through a net.Socket on the read
// end: 'end' comes when every copy of the write end, in every process, is closed.
import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { within } from './wait.js';

export interface TestPipe {
  /** The write end: send it, then close it here with closeWriteEnd(). */
  readonly writeFd: number;
  closeWriteEnd(): void;
  /** Everything written until every write end is closed (EOF), within `ms`. */
  readAll(ms?: number): Promise<Buffer>;
}

export function makePipe(t: ExecutionContext): TestPipe {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-fifo-'));
  const fifo = path.join(dir, 'p');
  const r = spawnSync('mkfifo', ['-m', '600', fifo]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
  const readFd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writeFd = fs.openSync(fifo, fs.constants.O_WRONLY);
  fs.rmSync(dir, { recursive: true });
  const reader = new net.Socket({ fd: readFd, readable: true, writable: false });
  const chunks: Buffer[] = [];
  const ended = new Promise<Buffer>((resolve, reject) => {
    reader.on('data', (c: Buffer) => chunks.push(c));
    reader.on('end', () => resolve(Buffer.concat(chunks)));
    reader.on('error', reject);
  });
  let writeOpen = true;
  const closeWriteEnd = () => {
    if (writeOpen) fs.closeSync(writeFd);
    writeOpen = false;
  };
  t.teardown(() => {
    closeWriteEnd();
    reader.destroy();
  });
  return {
    writeFd,
    closeWriteEnd,
    readAll: (ms = 15_000) => within(ended, ms, 'EOF on the pipe (every copy of its write end closed)'),
  };
}

/** Open fds of a process (entries in /proc/<pid>/fd). */
export function fdCount(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}
