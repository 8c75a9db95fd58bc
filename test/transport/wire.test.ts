// The receiver's wire checks: every malformed, spoofed, misdelivered or oversize
// datagram is dropped and counted, its fds are closed, and the mailbox keeps
// working. The raw datagrams come from a real second process (the peer writes them
// into the test's socket with the addon, bypassing its own mailbox), so the kernel's
// SCM_CREDENTIALS name the peer.
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { native } from '../../runtime/transport/native.js';
import { sockPath } from '../../runtime/transport/sysdir.js';
import type { Address, MailboxStats } from '../../runtime/transport/index.js';
import {
  HEADER_SIZE, KIND_BATCH, KIND_FRAGMENT, KIND_MESSAGE, MAX_DATAGRAM, OFF_BODY_LEN, OFF_KIND, OFF_MAGIC,
  OFF_NFDS, OFF_VERSION, fillHeader, headerTemplate, instanceFromString,
} from '../../runtime/transport/wire.js';
import { sha256 } from '../helpers/bodies.js';
import { Inbox, openMailbox } from '../helpers/mailbox.js';
import { startPeer } from '../helpers/peer.js';
import { makePipe } from '../helpers/pipe.js';
import type { SendReply } from '../helpers/protocol.js';
import { freshSystemDir } from '../helpers/sysdir.js';

type Drop = keyof MailboxStats['dropped'];

/** Builds datagrams as `from` would send them to `to`. */
class Forge {
  constructor(readonly from: Address, readonly to: Address) {}
  header(kind: number, bodyLen: number, o: { msgId?: number; index?: number; count?: number; total?: number; nfds?: number; pid?: number; toInstance?: string } = {}): Buffer {
    const h = headerTemplate(o.pid ?? this.from.pid, instanceFromString(this.from.instance), instanceFromString(o.toInstance ?? this.to.instance));
    fillHeader(h, kind, o.nfds ?? 0, bodyLen, o.msgId ?? 7, o.index ?? 0, o.count ?? 1, o.total ?? bodyLen);
    return h;
  }
  message(body: Buffer, o: Parameters<Forge['header']>[2] = {}): Buffer {
    return Buffer.concat([this.header(KIND_MESSAGE, body.length, o), body]);
  }
  fragment(index: number, count: number, body: Buffer, total: number, o: Parameters<Forge['header']>[2] = {}): Buffer {
    return Buffer.concat([this.header(KIND_FRAGMENT, body.length, { ...o, index, count, total }), body]);
  }
  batch(entries: Buffer): Buffer {
    return Buffer.concat([this.header(KIND_BATCH, entries.length), entries]);
  }
}

const u32 = (...v: number[]) => {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32LE(x, 4 * i));
  return b;
};
const patch = (b: Buffer, f: (b: Buffer) => void): Buffer => {
  f(b);
  return b;
};

interface BadCase {
  title: string;
  drop: Drop;
  /** How many of that kind the datagrams add up to. */
  times?: number;
  make(f: Forge): Buffer[];
}

const MAX_MESSAGE = 1024 * 1024;
const body100 = Buffer.alloc(100, 0x61);

const cases: BadCase[] = [
  { title: 'random garbage', drop: 'malformed', make: () => [randomBytes(200)] },
  { title: 'an empty datagram', drop: 'malformed', make: () => [Buffer.alloc(0)] },
  { title: 'a truncated header (20 of 48 bytes)', drop: 'malformed', make: (f) => [f.message(body100).subarray(0, 20)] },
  { title: 'a header alone, one byte short', drop: 'malformed', make: (f) => [f.message(Buffer.alloc(0)).subarray(0, HEADER_SIZE - 1)] },
  { title: 'bad magic', drop: 'malformed', make: (f) => [patch(f.message(body100), (b) => b.writeUInt32LE(0xdeadbeef, OFF_MAGIC))] },
  { title: 'an unknown version', drop: 'malformed', make: (f) => [patch(f.message(body100), (b) => { b[OFF_VERSION] = 99; })] },
  { title: 'an unknown kind', drop: 'malformed', make: (f) => [patch(f.message(body100), (b) => { b[OFF_KIND] = 9; })] },
  { title: 'a body length longer than the datagram', drop: 'malformed', make: (f) => [patch(f.message(body100), (b) => b.writeUInt32LE(101, OFF_BODY_LEN))] },
  { title: 'a body length shorter than the datagram', drop: 'malformed', make: (f) => [patch(f.message(body100), (b) => b.writeUInt32LE(99, OFF_BODY_LEN))] },
  { title: 'a huge body length', drop: 'malformed', make: (f) => [patch(f.message(body100), (b) => b.writeUInt32LE(0xffffffff, OFF_BODY_LEN))] },
  { title: 'an fd count without fds', drop: 'malformed', make: (f) => [patch(f.message(body100), (b) => b.writeUInt16LE(1, OFF_NFDS))] },
  { title: 'a fragment that is not the first one, with no message begun', drop: 'malformed', make: (f) => [f.fragment(1, 3, body100, 300)] },
  { title: 'a fragment index past the count', drop: 'malformed', make: (f) => [f.fragment(5, 3, body100, 300)] },
  { title: 'a first fragment that claims a count of 1', drop: 'malformed', make: (f) => [f.fragment(0, 1, body100, 100)] },
  { title: 'a fragment index that skips one', drop: 'malformed', make: (f) => [f.fragment(0, 3, body100, 300), f.fragment(2, 3, body100, 300)] },
  { title: 'a fragment index repeated', drop: 'malformed', make: (f) => [f.fragment(0, 3, body100, 300), f.fragment(0, 3, body100, 300)] },
  { title: 'a fragment count that changes mid-message', drop: 'malformed', make: (f) => [f.fragment(0, 3, body100, 300), f.fragment(1, 4, body100, 300)] },
  { title: 'a total length the fragments overrun', drop: 'malformed', make: (f) => [f.fragment(0, 3, body100, 250), f.fragment(1, 3, body100, 250), f.fragment(2, 3, body100, 250)] },
  { title: 'a total length larger than the fragments can hold', drop: 'malformed', make: (f) => [f.fragment(0, 3, body100, 100 * 3 + 1)] },
  { title: 'a last fragment that leaves the message short', drop: 'malformed', make: (f) => [f.fragment(0, 2, body100, 200), f.fragment(1, 2, body100.subarray(0, 50), 200)] },
  {
    title: 'a new message id before the last fragment', drop: 'malformed',
    make: (f) => [f.fragment(0, 2, body100, 200, { msgId: 1 }), f.fragment(1, 2, body100, 200, { msgId: 2 })],
    // the second one is a non-first fragment of an unknown message: dropped too
    times: 2,
  },
  { title: 'an empty batch', drop: 'malformed', make: (f) => [f.batch(Buffer.alloc(0))] },
  { title: 'a batch entry that runs past the end', drop: 'malformed', make: (f) => [f.batch(Buffer.concat([u32(3), Buffer.from('abc'), u32(10), Buffer.from('abc')]))] },
  { title: 'a batch with a stray trailing byte', drop: 'malformed', make: (f) => [f.batch(Buffer.concat([u32(3), Buffer.from('abc'), Buffer.from([0])]))] },
  { title: 'a spoofed sender pid (the receiver\'s own)', drop: 'spoofed', make: (f) => [f.message(body100, { pid: f.to.pid })] },
  { title: 'a spoofed sender pid (the real one + 1)', drop: 'spoofed', make: (f) => [f.message(body100, { pid: f.from.pid + 1 })] },
  { title: 'a spoofed sender pid in a fragment', drop: 'spoofed', make: (f) => [f.fragment(0, 2, body100, 200, { pid: 1 })] },
  { title: 'another receiver instance', drop: 'misdelivered', make: (f) => [f.message(body100, { toInstance: '0123456789abcdef' })] },
  { title: 'a datagram larger than the receive slot', drop: 'oversize', make: (f) => [f.message(Buffer.alloc(MAX_DATAGRAM))] },
  {
    title: 'a fragmented message larger than maxMessageSize', drop: 'oversize',
    make: (f) => [f.fragment(0, Math.ceil((MAX_MESSAGE + 1) / 100), body100, MAX_MESSAGE + 1)],
  },
];

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
    const expected = { malformed: 0, spoofed: 0, oversize: 0, misdelivered: 0, incomplete: 0, [c.drop]: c.times ?? 1 };
    t.deepEqual(s.dropped, expected);
    t.is(s.fragmentsPending, 0, 'no reassembly state is left behind');
  },
  title: (_, c: BadCase) => `dropped and counted (${(c as BadCase).drop}): ${(c as BadCase).title}`,
});

for (const c of cases) test(dropped, c);

test('a burst of 200 bad datagrams between good messages loses no good message', async (t) => {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir, { maxMessageSize: MAX_MESSAGE });
  const inbox = new Inbox(mb);
  const peer = await startPeer(t, dir);
  const forge = new Forge(peer.address, mb.address);
  // Single-datagram cases only: each is one drop and leaves no reassembly state.
  const bad = cases.filter((c) => c.drop === 'malformed').map((c) => c.make(forge)).filter((d) => d.length === 1).map((d) => d[0]);
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

interface FdCase {
  title: string;
  /** The datagram, as the test process (the sender) forges it; it carries one fd. */
  make(f: Forge): Buffer;
}

const fdCases: FdCase[] = [
  { title: 'bad magic', make: (f) => patch(f.message(body100, { nfds: 1 }), (b) => b.writeUInt32LE(1, OFF_MAGIC)) },
  { title: 'a wrong fd count', make: (f) => f.message(body100, { nfds: 2 }) },
  { title: 'a spoofed sender pid', make: (f) => f.message(body100, { nfds: 1, pid: f.from.pid + 1 }) },
  { title: 'another receiver instance', make: (f) => f.message(body100, { nfds: 1, toInstance: '0123456789abcdef' }) },
  { title: 'a batch', make: (f) => patch(f.batch(Buffer.concat([u32(3), Buffer.from('abc')])), (b) => b.writeUInt16LE(1, OFF_NFDS)) },
  { title: 'a fragment out of order', make: (f) => f.fragment(1, 2, body100, 200, { nfds: 1 }) },
  { title: 'an oversize datagram', make: (f) => f.message(Buffer.alloc(MAX_DATAGRAM), { nfds: 1 }) },
  { title: 'a first fragment of a message that never completes', make: (f) => f.fragment(0, 2, body100, 200, { nfds: 1 }) },
  {
    title: 'a first fragment of a message over maxMessageSize',
    make: (f) => f.fragment(0, Math.ceil((64 * 1024 * 1024 + 1) / 100), body100, 64 * 1024 * 1024 + 1, { nfds: 1 }),
  },
];

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
