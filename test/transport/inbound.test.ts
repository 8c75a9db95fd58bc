// The receiver's checks (runtime/transport/inbound.ts): every malformed, spoofed,
// misdelivered or oversize datagram is dropped and counted, its fds are closed, and
// the mailbox keeps working. First without processes: receive batches built here, as
// the native Receiver hands them over, go straight into an Inbound. Then with a real
// second process: the peer writes the raw datagrams into the test's socket with the
// addon, bypassing its own mailbox, so the kernel's SCM_CREDENTIALS name the peer.
import test, { type ExecutionContext } from 'ava';
import { native } from '../../runtime/transport/native.js';
import { sockPath } from '../../runtime/transport/sysdir.js';
import type { MailboxStats } from '../../runtime/transport/index.js';
import { sha256 } from '../helpers/bodies.js';
import { Forge, MAX_MESSAGE, badCases, body100, fdCases, u32, type BadCase, type FdCase } from '../helpers/forge.js';
import { Inbox, openMailbox } from '../helpers/mailbox.js';
import { startPeer } from '../helpers/peer.js';
import { makePipe } from '../helpers/pipe.js';
import type { SendReply } from '../helpers/protocol.js';
import { freshSystemDir } from '../helpers/sysdir.js';
import fs from 'node:fs';
import { Inbound, type InboundCounters, type InboundMessage } from '../../runtime/transport/inbound.js';
import { Reassembly } from '../../runtime/transport/reassembly.js';
import { MAX_DATAGRAM, instanceFromString } from '../../runtime/transport/wire.js';
import { MailboxError } from '../../runtime/errors.js';
import { until } from '../helpers/wait.js';

// ---- without processes -------------------------------------------------------------

const SENDER = { pid: 4242, instance: '00000000000000aa' };
const SELF = { pid: process.pid, instance: '0123456789abcdee' };
const UID = process.getuid?.() ?? 0;
const row = native.receiveRow;

/** One datagram as the kernel would hand it over. */
interface Arrival {
  bytes: Buffer;
  fds?: number[];
  /** The kernel's credentials (default: the sender's pid, our uid). */
  pid?: number;
  uid?: number;
  noCredentials?: boolean;
}

/** An Inbound for SELF with its counters, what it delivered and reported. */
function inbound(reassemblyTimeout = 60_000) {
  const counters: InboundCounters = {
    received: 0, bytesReceived: 0, datagramsReceived: 0,
    dropped: { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 0, badMemfd: 0 },
  };
  const reassembly = new Reassembly({ maxMessageSize: MAX_MESSAGE, maxTotalBytes: 256 * MAX_MESSAGE, timeoutMs: reassemblyTimeout },
    (why) => { counters.dropped[why]++; });
  const delivered: InboundMessage[] = [];
  const errors: MailboxError[] = [];
  const onMessage: ((m: InboundMessage) => void)[] = [];
  const instance = instanceFromString(SELF.instance);
  const ib = new Inbound({ message: (m) => { delivered.push(m); for (const f of onMessage) f(m); }, error: (e) => errors.push(e) },
    counters, reassembly, Number(instance & 0xffffffffn), Number(instance >> 32n), 64 << 20);
  /** Hand `arrivals` over as one receive batch: bytes back to back, one row each. */
  const receive = (arrivals: Arrival[]) => {
    const meta = new Int32Array(arrivals.length * row.stride);
    const fds: number[] = [];
    const bytes: Buffer[] = [];
    let off = 0;
    arrivals.forEach((a, i) => {
      // A datagram larger than the receive slot is cut to it, and flagged.
      const data = a.bytes.subarray(0, MAX_DATAGRAM);
      const r = i * row.stride;
      meta[r + row.offset] = off;
      meta[r + row.length] = data.length;
      meta[r + row.pid] = a.pid ?? SENDER.pid;
      meta[r + row.uid] = a.uid ?? UID;
      meta[r + row.flags] = (a.bytes.length > MAX_DATAGRAM ? native.receiveFlags.truncated : 0) |
        (a.noCredentials ? native.receiveFlags.noCredentials : 0);
      meta[r + row.fds] = a.fds?.length ?? 0;
      fds.push(...(a.fds ?? []));
      bytes.push(data);
      off += data.length;
    });
    ib.onBatch(Buffer.concat(bytes), meta, Int32Array.from(fds), arrivals.length);
  };
  return { parser: ib, counters, reassembly, delivered, errors, onMessage, receive };
}

const forge = new Forge(SENDER, SELF);
const noDrops = { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 0, badMemfd: 0 };

const parsedDrop = test.macro({
  exec(t, c: BadCase) {
    const ib = inbound();
    t.teardown(() => ib.reassembly.stop());
    // The good message after the bad ones, in the same receive batch, still arrives.
    ib.receive([...c.make(forge).map((bytes) => ({ bytes })), { bytes: forge.message(Buffer.from('good')) }]);
    t.deepEqual(ib.delivered.map((m) => m.body.toString()), ['good']);
    t.deepEqual(ib.delivered[0].from, SENDER);
    t.deepEqual(ib.counters.dropped, { ...noDrops, [c.drop]: c.times ?? 1 });
    t.is(ib.reassembly.pending, 0, 'no reassembly state is left behind');
  },
  title: (_, c: BadCase) => `parsed, dropped and counted (${c.drop}): ${c.title}`,
});
for (const c of badCases) test(parsedDrop, c);

// Credentials are the kernel's: the forge cannot get them wrong, so these cases are
// only possible here.
const credentialCases: [string, Partial<Arrival>][] = [
  ['no credentials', { noCredentials: true }],
  ['another uid', { uid: UID + 1 }],
  ['a kernel pid other than the header\'s', { pid: SENDER.pid + 1 }],
];
for (const [title, arrival] of credentialCases) {
  test(`parsed, dropped and counted (spoofed): ${title}`, (t) => {
    const ib = inbound();
    ib.receive([{ bytes: forge.message(Buffer.from('x')), ...arrival }]);
    t.is(ib.delivered.length, 0);
    t.deepEqual(ib.counters.dropped, { ...noDrops, spoofed: 1 });
  });
}

interface GoodCase {
  title: string;
  arrivals: () => Arrival[];
  bodies: string[];
}
const ab = (s: string) => Buffer.from(s);
const goodCases: GoodCase[] = [
  { title: 'a message', arrivals: () => [{ bytes: forge.message(ab('hello')) }], bodies: ['hello'] },
  { title: 'an empty message', arrivals: () => [{ bytes: forge.message(ab('')) }], bodies: [''] },
  {
    title: 'a batch of three, in order', bodies: ['one', '', 'three'],
    arrivals: () => [{ bytes: forge.batch(Buffer.concat([u32(3), ab('one'), u32(0), u32(5), ab('three')])) }],
  },
  {
    title: 'a message in three fragments', bodies: ['abcdefghij'],
    arrivals: () => [
      { bytes: forge.fragment(0, 3, ab('abcd'), 10) }, { bytes: forge.fragment(1, 3, ab('efgh'), 10) }, { bytes: forge.fragment(2, 3, ab('ij'), 10) },
    ],
  },
  {
    title: 'messages, a batch and fragments mixed, in order', bodies: ['m1', 'b1', 'b2', 'f1f2', 'm2'],
    arrivals: () => [
      { bytes: forge.message(ab('m1')) }, { bytes: forge.batch(Buffer.concat([u32(2), ab('b1'), u32(2), ab('b2')])) },
      { bytes: forge.fragment(0, 2, ab('f1'), 4) }, { bytes: forge.fragment(1, 2, ab('f2'), 4) }, { bytes: forge.message(ab('m2')) },
    ],
  },
];

const parsedGood = test.macro({
  exec(t, c: GoodCase) {
    const ib = inbound();
    t.teardown(() => ib.reassembly.stop());
    const arrivals = c.arrivals();
    ib.receive(arrivals);
    t.deepEqual(ib.delivered.map((m) => m.body.toString()), c.bodies);
    for (const m of ib.delivered) t.deepEqual(m.from, SENDER);
    t.deepEqual(ib.counters.dropped, noDrops);
    t.is(ib.counters.received, c.bodies.length);
    t.is(ib.counters.datagramsReceived, arrivals.length);
    t.is(ib.counters.bytesReceived, arrivals.reduce((n, a) => n + a.bytes.length, 0));
  },
  title: (_, c: GoodCase) => `parsed and delivered: ${c.title}`,
});
for (const c of goodCases) test(parsedGood, c);

test('a receive error is reported as EMAILBOX', (t) => {
  const ib = inbound();
  ib.parser.onBatch(null, -9);
  t.deepEqual(ib.errors.map((e) => e.code), ['EMAILBOX']);
  t.is(ib.delivered.length, 0);
});

const isOpen = (fd: number) => {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
};

// Serial: between an fd's close and the check, no other test may open one that
// reuses its number.
const parsedFdClosed = test.macro({
  async exec(t, c: FdCase) {
    const ib = inbound(30);
    t.teardown(() => ib.reassembly.stop());
    const fd = fs.openSync('/dev/null', 'r');
    t.teardown(() => { if (isOpen(fd)) fs.closeSync(fd); });
    ib.receive([{ bytes: c.make(forge), fds: [fd] }]);
    // At once, or when the partial message times out.
    await until(() => !isOpen(fd), 5000, 'the fd to be closed');
    t.is(ib.delivered.length, 0);
    t.is(Object.values(ib.counters.dropped).reduce((a, b) => a + b, 0), 1);
  },
  title: (_, c: FdCase) => `parsed: the fd of a dropped datagram is closed: ${c.title}`,
});
for (const c of fdCases) test.serial(parsedFdClosed, c);

test.serial('parsed: fds a listener does not take are closed after it returns; taken ones stay open', (t) => {
  const ib = inbound();
  const [left, taken] = [fs.openSync('/dev/null', 'r'), fs.openSync('/dev/null', 'r')];
  t.teardown(() => { for (const fd of [left, taken]) if (isOpen(fd)) fs.closeSync(fd); });
  ib.onMessage.push((m) => {
    t.true(m.fds.every(isOpen), 'open while the listener runs');
    if (m.body.toString() === 'take') m.takeFds();
  });
  ib.receive([{ bytes: forge.message(ab('leave'), { nfds: 1 }), fds: [left] }, { bytes: forge.message(ab('take'), { nfds: 1 }), fds: [taken] }]);
  t.deepEqual(ib.delivered.map((m) => m.body.toString()), ['leave', 'take']);
  t.false(isOpen(left));
  t.true(isOpen(taken));
});

// ---- with a peer process -----------------------------------------------------------

const dropped = test.macro({
  async exec(t: ExecutionContext, c: BadCase) {
    const dir = freshSystemDir(t);
    const mb = openMailbox(t, dir, { maxMessageSize: MAX_MESSAGE });
    const inbox = new Inbox(mb);
    const peer = await startPeer(t, dir);
    const forge = new Forge(peer.address, mb.address);
    const datagrams = c.make(forge);
    await peer.request({ cmd: 'inject', to: mb.address, datagrams: datagrams.map((d) => d.toString('base64')) });
    // A good message sent after the bad ones arrives after them (one sender's
    // datagrams stay in order in the receiver's queue).
    const good = await peer.request<SendReply>({ cmd: 'send', to: mb.address, size: 100 });
    const msg = await inbox.next();
    t.is(sha256(msg.body), good.sha256, 'the mailbox still works');
    t.is(inbox.length, 0);
    const s = mb.stats();
    t.is(s.received, 1, 'nothing of the bad datagrams was delivered');
    const expected = { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 0, badMemfd: 0, [c.drop]: c.times ?? 1 };
    t.deepEqual(s.dropped, expected);
    t.is(s.fragmentsPending, 0, 'no reassembly state is left behind');
  },
  title: (_, c: BadCase) => `dropped and counted (${(c as BadCase).drop}): ${(c as BadCase).title}`,
});

for (const c of badCases) test(dropped, c);

test('a burst of 200 bad datagrams between good messages loses no good message', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { maxMessageSize: MAX_MESSAGE });
  const inbox = new Inbox(mb);
  const peer = await startPeer(t, dir);
  const forge = new Forge(peer.address, mb.address);
  // Single-datagram cases only: each is one drop and leaves no reassembly state.
  const bad = badCases.filter((c) => c.drop === 'malformed').map((c) => c.make(forge)).filter((d) => d.length === 1).map((d) => d[0]);
  t.true(bad.length >= 15);
  const datagrams = Array.from({ length: 200 }, (_, i) => bad[i % bad.length]);
  const hashes: string[] = [];
  for (let round = 0; round < 3; round++) {
    hashes.push((await peer.request<SendReply>({ cmd: 'send', to: mb.address, size: 1000 })).sha256);
    await peer.request({ cmd: 'inject', to: mb.address, datagrams: datagrams.map((d) => d.toString('base64')) });
  }
  hashes.push((await peer.request<SendReply>({ cmd: 'send', to: mb.address, size: 1000 })).sha256);
  for (const h of hashes) t.is(sha256((await inbox.next()).body), h);
  t.is(mb.stats().received, 4);
  t.is(mb.stats().dropped.malformed, 600, 'every bad datagram was counted');
  t.is(mb.stats().fragmentsPending, 0);
});

// ---- fds on dropped datagrams are closed -----------------------------------------

const fdClosed = test.macro({
  async exec(t: ExecutionContext, c: FdCase) {
    const dir = freshSystemDir(t);
    const mb = openMailbox(t, dir);
    const peer = await startPeer(t, dir, { reassemblyTimeout: 200 });
    const pipe = makePipe(t);
    const datagram = c.make(new Forge(mb.address, peer.address));
    const fd = native.socketConnect(sockPath(dir, peer.pid), 4 << 20);
    t.true(fd >= 0);
    t.teardown(() => native.closeFd(fd));
    t.true(native.sendv(fd, datagram, [pipe.writeFd]) > 0);
    pipe.closeWriteEnd();
    // EOF: the peer closed the copy it received (at once, or on reassembly timeout).
    t.is((await pipe.readAll()).length, 0);
    mb.send(peer.address, Buffer.from('still works'));
    t.is((await peer.next('message')).len, 11);
    const s = await peer.request<MailboxStats>({ cmd: 'stats' });
    t.is(s.received, 1);
    t.is(Object.values(s.dropped).reduce((a, b) => a + b, 0), 1);
  },
  title: (_, c: FdCase) => `the fd of a dropped datagram is closed: ${(c as FdCase).title}`,
});

for (const c of fdCases) test(fdClosed, c);

test('a datagram forged in another process\'s name is refused; a well-formed raw one is delivered', async (t) => {
  // The header pid must equal the sender's real pid (SCM_CREDENTIALS): a datagram
  // the peer forges in the test process's name is refused though all else is right.
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const inbox = new Inbox(mb);
  const peer = await startPeer(t, dir);
  const asTest = new Forge(mb.address, mb.address); // "from the test process to itself"
  await peer.request({ cmd: 'inject', to: mb.address, datagrams: [asTest.message(body100).toString('base64')] });
  const good = new Forge(peer.address, mb.address).message(Buffer.from('genuine'));
  await peer.request({ cmd: 'inject', to: mb.address, datagrams: [good.toString('base64')] });
  const msg = await inbox.next();
  t.is(msg.body.toString(), 'genuine');
  t.deepEqual(msg.from, peer.address);
  t.is(mb.stats().dropped.spoofed, 1);
  t.is(mb.stats().received, 1);
});
