// Large messages in sealed memfds (runtime/transport/memfd.ts, native/memfd.cc):
// 16 and 64 MiB bodies arrive byte-exact and in order among small ones, in one
// datagram each; user fds ride with the memfd; a hostile same-uid sender's memfd
// that is unsealed, of the wrong size, not a memfd, or missing is dropped and
// counted, and the receiver lives on with no fd leaked; a receiver or a sender
// killed mid-stream leaks no fd on the surviving side; and a stream of big messages
// does not grow RSS without bound (the mappings are released).
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { BodyMaker, sha256 } from '../helpers/bodies.js';
import { Inbox, openMailbox } from '../helpers/mailbox.js';
import { startPeer, type Peer } from '../helpers/peer.js';
import { fdCount, makePipe } from '../helpers/pipe.js';
import type { SendReply } from '../helpers/protocol.js';
import { freshSystemDir } from '../helpers/sysdir.js';
import { until, within } from '../helpers/wait.js';
import { sockPath } from '../../runtime/transport/sysdir.js';
import type { DeadLetter, MailboxStats } from '../../runtime/transport/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
/** Both sides send anything from 1 MiB in a memfd (the default threshold is higher). */
const MEMFD = { memfdThreshold: MiB };
const HOSTILE = fileURLToPath(new URL('../../../test/fixtures/hostile-memfd.py', import.meta.url));

/** Mappings of received (or dead-lettered) memfds this process still holds. */
function memfdMappings(pid = process.pid): number {
  return fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter((l) => l.includes('/memfd:pidgeon-msg')).length;
}

/** Collect garbage until the memfd mappings of this process are gone (finalizers
 * of external buffers run after the collection that finds them dead). */
async function releaseMappings(ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (memfdMappings() > 0 && Date.now() < end) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

test.serial('16 MiB and 64 MiB messages arrive byte-exact and in order among small ones, one datagram each', async (t) => {
  t.timeout(120_000);
  const dir = freshSystemDir(t);
  // A 64 MiB message waits for nothing but maxQueueBytes (64 MiB by default, and
  // small messages may be queued before it).
  const mb = openMailbox(t, dir, { maxQueueBytes: 256 * MiB, ...MEMFD });
  const peer = await startPeer(t, dir, MEMFD);
  const lens = [100, 16 * MiB, 7, 300, 64 * MiB, 50, 16 * MiB + 5, 4, 2 * MiB, 64 * MiB, 9];
  const big = lens.filter((n) => n >= MiB).length;
  await peer.request({ cmd: 'mode', mode: 'sequence', expect: lens.length });
  const maker = new BodyMaker();
  const before = mb.stats();
  for (let i = 0; i < lens.length; i++) {
    if (!mb.send(peer.address, maker.make(i, lens[i]))) await within(mb.drained(peer.address), 60_000, 'drain');
  }
  const done = await peer.next('sequenceDone', 90_000);
  t.is(done.report.error, undefined);
  t.is(done.report.count, lens.length);
  t.is(done.report.sha256, maker.digest());
  const st = mb.stats();
  // Small messages coalesce into batches; each big one is exactly one datagram.
  t.true(st.datagramsSent - before.datagramsSent <= big + (lens.length - big), 'no fragments');
  t.is(st.bytesSent - before.bytesSent >= lens.filter((n) => n >= MiB).reduce((a, b) => a + b, 0), true);
  const ps = await peer.request<MailboxStats>({ cmd: 'stats' });
  t.deepEqual(ps.dropped, { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 0, badMemfd: 0 });
  t.is(ps.datagramsReceived, st.datagramsSent - before.datagramsSent);
});

test.serial('a 64 MiB message from the peer arrives intact; its fd is closed at once and its mapping released once collected', async (t) => {
  t.timeout(60_000);
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, MEMFD);
  const inbox = new Inbox(mb);
  const peer = await startPeer(t, dir, MEMFD);
  const fds = fdCount(process.pid);
  const sent = await peer.request<SendReply>({ cmd: 'send', to: mb.address, size: 64 * MiB });
  let msg: { body: Buffer } | null = await inbox.next(30_000);
  t.is(msg.body.length, 64 * MiB);
  t.is(sha256(msg.body), sent.sha256);
  t.is(fdCount(process.pid), fds, 'the memfd was closed right after mapping');
  t.is(memfdMappings(), 1);
  msg = null;
  await releaseMappings();
  t.is(memfdMappings(), 0);
});

test.serial('a message with user fds and its memfd: the receiver gets the user fds, the body intact', async (t) => {
  t.timeout(60_000);
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, MEMFD);
  const peer = await startPeer(t, dir, MEMFD);
  await peer.request({ cmd: 'mode', mode: 'fdWrite' });
  const pipe = makePipe(t);
  const body = randomBytes(4 * MiB);
  const peerFds = fdCount(peer.pid);
  mb.send(peer.address, body, { fds: [pipe.writeFd] });
  pipe.closeWriteEnd(); // the message carries its own copy
  const got = await peer.next('message', 30_000);
  t.is(got.nfds, 1, 'the memfd is not among the fds the receiver sees');
  t.is(got.len, body.length);
  t.is(got.sha256, sha256(body));
  const written = await pipe.readAll(30_000);
  t.is(sha256(written), sha256(body), 'the peer wrote the body into the passed pipe');
  t.is(fdCount(peer.pid), peerFds);
});

/** Run the hostile sender once against `peer`. */
function hostile(t: ExecutionContext, dir: string, peer: Peer, which: string, len: number): Promise<void> {
  return within(new Promise<void>((resolve, reject) => {
    const child = spawn('python3', [HOSTILE, sockPath(dir, peer.pid), peer.address.instance, which, String(len)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += String(d); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`hostile-memfd.py ${which}: exit ${code}: ${err}`))));
  }), 30_000, `hostile sender '${which}'`).then(() => { t.log(`hostile ${which} sent`); });
}

const hostileCase = test.macro({
  async exec(t: ExecutionContext, which: string, drop: 'badMemfd' | 'malformed') {
    const dir = freshSystemDir(t);
    const mb = openMailbox(t, dir, MEMFD);
    const peer = await startPeer(t, dir, MEMFD);
    const fds = fdCount(peer.pid);
    await hostile(t, dir, peer, which, 2 * MiB);
    // A message of ours after it: once it arrives, the hostile datagram (queued
    // before it) has been handled.
    mb.send(peer.address, Buffer.from('after'));
    const after = await peer.next('message', 30_000);
    t.is(after.len, 5);
    const st = await peer.request<MailboxStats>({ cmd: 'stats' });
    t.is(st.dropped[drop], 1);
    t.is(st.received, 1, 'only our message was delivered');
    t.is(fdCount(peer.pid), fds, 'the passed fd was closed');
    t.is(memfdMappings(peer.pid), 0, 'nothing was mapped');
  },
  title: (_, which: string, drop: string) => `a hostile memfd datagram (${which}) is dropped as ${drop}, the receiver lives on, no fd leaks`,
});

test(hostileCase, 'unsealed', 'badMemfd');
test(hostileCase, 'no-write-seal', 'badMemfd');
test(hostileCase, 'short', 'badMemfd');
test(hostileCase, 'long', 'badMemfd');
test(hostileCase, 'pipe', 'badMemfd');
test(hostileCase, 'devnull', 'badMemfd');
test(hostileCase, 'no-fd', 'malformed');
test(hostileCase, 'fd-count', 'malformed');

test('a well-formed memfd datagram from a foreign sender is delivered (the hostile helper is sound)', async (t) => {
  const dir = freshSystemDir(t);
  openMailbox(t, dir, MEMFD);
  const peer = await startPeer(t, dir, MEMFD);
  const fds = fdCount(peer.pid);
  await hostile(t, dir, peer, 'good', 2 * MiB);
  const got = await peer.next('message', 30_000);
  const pattern = Buffer.alloc(2 * MiB);
  for (let i = 0; i < pattern.length; i++) pattern[i] = ((i % 256) * 7 + 3) & 0xff;
  t.is(got.len, 2 * MiB);
  t.is(got.sha256, sha256(pattern));
  t.is(fdCount(peer.pid), fds);
});

test.serial('a receiver killed mid-stream: unsent big messages become dead letters, no fd or mapping leaks in the sender', async (t) => {
  t.timeout(60_000);
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, MEMFD);
  // Before the peer: its stdio and IPC pipes close when it is reaped.
  const fds = fdCount(process.pid);
  const peer = await startPeer(t, dir, MEMFD);
  await peer.request({ cmd: 'mode', mode: 'quiet' });
  await peer.request({ cmd: 'pause' });
  const body = randomBytes(16 * MiB);
  const letters: DeadLetter[] = [];
  mb.on('deadLetter', (l) => letters.push(l));
  // The peer reads nothing: 10 datagrams fill its kernel queue, the rest wait in
  // the sending thread (up to maxQueueBytes).
  let accepted = 0;
  for (let i = 0; i < 13; i++) {
    try {
      mb.send(peer.address, body);
      accepted++;
    } catch (err) {
      t.is((err as { code?: string }).code, 'EMAILBOXFULL');
      break;
    }
  }
  t.true(mb.stats().queued > 0, 'some are queued');
  await peer.kill('SIGKILL');
  await until(() => letters.length > 0, 20_000, 'dead letters');
  await until(() => mb.stats().queued === 0, 10_000, 'the queue to be emptied');
  t.true(letters.length > 0 && letters.length <= accepted);
  // Each checked in a frame of its own: a suspended async function keeps its
  // registers, and a stale one would keep a mapping alive.
  const want = sha256(body);
  t.true(letters.every((l) => l.body.length === body.length && sha256(l.body) === want), 'every dead letter is the whole message');
  letters.length = 0;
  // The sending thread's socket closes when the thread notices (its send timeout).
  await until(() => fdCount(process.pid) <= fds, 10_000, 'the sender\'s fds back to where they were');
  t.is(fdCount(process.pid), fds);
  await releaseMappings();
  t.is(memfdMappings(), 0);
});

test.serial('a sender killed right after sending: what it sent arrives, and the receiver keeps no fd', async (t) => {
  t.timeout(60_000);
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, MEMFD);
  const inbox = new Inbox(mb);
  const fds = fdCount(process.pid);
  const peer = await startPeer(t, dir, MEMFD);
  const hashes: string[] = [];
  for (let i = 0; i < 4; i++) hashes.push((await peer.request<SendReply>({ cmd: 'send', to: mb.address, size: 16 * MiB })).sha256);
  await peer.kill('SIGKILL');
  // Each checked in a frame of its own (see above).
  const check = async (h: string) => sha256((await inbox.next(30_000)).body) === h;
  for (const h of hashes) t.true(await check(h));
  t.is(fdCount(process.pid), fds);
  await releaseMappings();
  t.is(memfdMappings(), 0);
});

test.serial('a stream of 100 big messages does not grow RSS without bound: the mappings are released', async (t) => {
  t.timeout(120_000);
  const COUNT = 100;
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, MEMFD);
  const peer = await startPeer(t, dir, MEMFD);
  let received = 0;
  let peakMaps = 0;
  let peakRss = 0;
  mb.on('message', (m) => {
    if (m.body.length === 16 * MiB) received++;
    if (received % 10 === 0) {
      peakMaps = Math.max(peakMaps, memfdMappings());
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
  });
  gc();
  const rss0 = process.memoryUsage.rss();
  for (let i = 0; i < COUNT; i++) await peer.request<SendReply>({ cmd: 'send', to: mb.address, size: 16 * MiB }, 30_000);
  await until(() => received === COUNT, 60_000, 'every message');
  t.log(`RSS ${(rss0 / MiB).toFixed(0)} MiB → peak ${(peakRss / MiB).toFixed(0)} MiB, at most ${peakMaps} mappings alive`);
  // 1.6 GB went through; without releases RSS would grow by as much.
  t.true(peakRss - rss0 < 600 * MiB, `RSS grew by ${((peakRss - rss0) / MiB).toFixed(0)} MiB`);
  await releaseMappings();
  t.is(memfdMappings(), 0);
});
