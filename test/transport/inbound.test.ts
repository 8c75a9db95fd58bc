// The receiver's checks (runtime/transport/inbound.ts): every malformed, spoofed, misdelivered or oversize
// datagram is dropped and counted, its fds are closed, and the mailbox keeps
// working. The raw datagrams come from a real second process (the peer writes them
// into the test's socket with the addon, bypassing its own mailbox), so the kernel's
// SCM_CREDENTIALS name the peer.
import test, { type ExecutionContext } from 'ava';
import { native } from '../../runtime/transport/native.js';
import { sockPath } from '../../runtime/transport/sysdir.js';
import type { MailboxStats } from '../../runtime/transport/index.js';
import { sha256 } from '../helpers/bodies.js';
import { Forge, MAX_MESSAGE, badCases, body100, fdCases, type BadCase, type FdCase } from '../helpers/forge.js';
import { Inbox, openMailbox } from '../helpers/mailbox.js';
import { startPeer } from '../helpers/peer.js';
import { makePipe } from '../helpers/pipe.js';
import type { SendReply } from '../helpers/protocol.js';
import { freshSystemDir } from '../helpers/sysdir.js';

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
