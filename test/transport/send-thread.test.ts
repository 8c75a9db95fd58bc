// The native sending thread (native/send_thread.cc) on its own: datagrams posted
// while the receiver does not read wait in the thread's blocking sendmsg and arrive
// in order once it reads; the thread owns copies of the bytes and dups of the fds
// (the caller may reuse and close its own at once); a vanished receiver is reported
// as an errno; closing a blocked thread never hangs the process.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { native } from '../../runtime/transport/native.js';
import { makePipe } from '../helpers/pipe.js';
import { until, within } from '../helpers/wait.js';

interface Sink { path: string; got: Buffer[]; fds: number[]; start(): void; close(): void; arrived(n: number): Promise<void> }

function sink(t: ExecutionContext, bufsize = 1 << 16): Sink {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-st-'));
  const p = path.join(dir, 's');
  const fd = native.socketBind(p, bufsize);
  const got: Buffer[] = [];
  const fds: number[] = [];
  let waiter: { n: number; resolve: () => void } | null = null;
  const rec = new native.Receiver(fd, 65536, 16, (buf, meta, f, count) => {
    const m = meta as Int32Array;
    for (let i = 0; i < (count ?? 0); i++) {
      got.push(Buffer.from(buf!.subarray(m[i * 6], m[i * 6] + m[i * 6 + 1])));
      for (let k = 0; k < m[i * 6 + 5]; k++) fds.push(f![fds.length]);
    }
    if (waiter && got.length >= waiter.n) waiter.resolve();
  });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    rec.close();
    native.closeFd(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(close);
  return {
    path: p, got, fds, close,
    start: () => rec.start(),
    arrived: (n) => within(new Promise<void>((resolve) => { waiter = { n, resolve }; if (got.length >= n) resolve(); }), 30_000, `${n} datagrams`),
  };
}

test('datagrams posted while the receiver does not read arrive in order once it does', async (t) => {
  const s = sink(t);
  const reports: number[] = [];
  const st = new native.SendThread(s.path, 1 << 16, (sent, _bytes, errno) => { t.is(errno, 0); reports.push(sent); });
  t.teardown(() => st.close());
  const N = 3000; // far more than the kernel queue holds: the thread blocks
  const buf = Buffer.alloc(512);
  for (let i = 0; i < N; i++) {
    buf.writeUInt32LE(i, 0);
    st.post(buf); // the same buffer every time: the thread keeps its own copy
  }
  s.start();
  await s.arrived(N);
  t.deepEqual(s.got.map((b) => b.readUInt32LE(0)), Array.from({ length: N }, (_, i) => i));
  await within(new Promise<void>((r) => { const i = setInterval(() => { if (reports.reduce((a, b) => a + b, 0) === N) { clearInterval(i); r(); } }, 5); }), 10_000, 'all reported');
  t.true(reports.length < N, 'progress reports are coalesced');
});

test('the thread dups the fds it is given: the caller may close its own right after post', async (t) => {
  const s = sink(t);
  const st = new native.SendThread(s.path, 1 << 16, () => {});
  t.teardown(() => st.close());
  const pipe = makePipe(t);
  st.post(Buffer.from('fd'), [pipe.writeFd]);
  pipe.closeWriteEnd(); // before the datagram is even received
  s.start();
  await s.arrived(1);
  t.is(s.fds.length, 1);
  fs.writeSync(s.fds[0], 'through the passed fd');
  fs.closeSync(s.fds[0]);
  t.is((await pipe.readAll()).toString(), 'through the passed fd');
});

test('a receiver that goes away is reported as an errno (ECONNREFUSED)', async (t) => {
  const s = sink(t, 4096);
  const errors: number[] = [];
  const done = new Promise<void>((resolve) => {
    const st = new native.SendThread(s.path, 4096, (_sent, _bytes, errno) => { if (errno) { errors.push(errno); st.close(); resolve(); } });
    for (let i = 0; i < 500; i++) st.post(Buffer.alloc(1024));
  });
  s.close(); // never read: the blocked sender learns of the close
  await within(done, 10_000, 'the error report');
  t.is(native.errname(errors[0]), 'ECONNREFUSED');
});

test('closing a thread blocked in sendmsg stops its reports and lets the process exit', async (t) => {
  const s = sink(t);
  let closed = false;
  let late = 0;
  const st = new native.SendThread(s.path, 1 << 16, () => { if (closed) late++; });
  for (let i = 0; i < 2000; i++) st.post(Buffer.alloc(1024));
  // The receiver does not read: the thread fills its queue and blocks. It reports
  // only near the end of its work, so nothing has been reported yet.
  const probe = native.socketConnect(s.path, 1 << 16);
  t.teardown(() => native.closeFd(probe));
  // Full when a non-blocking send of our own is refused (EAGAIN).
  await until(() => native.sendv(probe, Buffer.alloc(1)) === -os.constants.errno.EAGAIN, 10_000, 'the receiver queue full');
  st.close();
  closed = true;
  s.start();
  // A negative check: no report may come once the receiver reads and frees the thread.
  await new Promise((r) => setTimeout(r, 300));
  t.is(late, 0, 'no report after close');
});

test('connecting to a path nobody is bound at throws with the errno', (t) => {
  const err = t.throws(() => new native.SendThread(path.join(os.tmpdir(), `pidgeon-none-${process.pid}`), 4096, () => {}));
  t.is((err as { code?: string }).code, 'ENOENT');
});
