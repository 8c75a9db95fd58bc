// The peer table (runtime/transport/peers.ts) in the test process alone: who may be
// connected to, stale files removed on the way, and what happens to unsent messages
// and drain waiters when it closes. Sending to other processes is in mailbox.test.ts
// and peer.test.ts.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { PeerTable } from '../../runtime/transport/peers.js';
import { ClosedError, type PidgeonError } from '../../runtime/errors.js';
import type { Address } from '../../runtime/transport/index.js';
import { instanceFromString } from '../../runtime/transport/wire.js';
import { openMailbox } from '../helpers/mailbox.js';
import { freshSystemDir, lockFile, sockFile } from '../helpers/sysdir.js';

interface Letter {
  to: Address;
  body: string;
  code: string;
}

/** A peer table for the test process's own mailbox, with what it reports. */
function table(t: ExecutionContext) {
  const dir = freshSystemDir(t);
  const mb = openMailbox(t, dir);
  const letters: Letter[] = [];
  const drains: Address[] = [];
  const counters = { sent: 0, bytesSent: 0, datagramsSent: 0, coalesced: 0 };
  const peers = new PeerTable(dir, mb.address, instanceFromString(mb.address.instance),
    { batchCapacity: 64 * 1024, fragmentBody: 4096, highWaterMark: 1024, sendMode: 'thread' },
    {
      deadLetters: (to, bodies, error: PidgeonError) => { for (const b of bodies) letters.push({ to, body: Buffer.from(b).toString(), code: error.code }); },
      drain: (to) => drains.push(to),
    }, counters);
  t.teardown(() => peers.closeAll(new ClosedError('test over')));
  return { dir, self: mb.address, peers, letters, drains, counters };
}

const code = (err: unknown) => (err as { code?: string }).code;

test('a channel to oneself is connected and kept by pid', (t) => {
  const { peers, self } = table(t);
  const ch = peers.connect(self);
  t.deepEqual(ch.address, { pid: self.pid, instance: self.instance });
  t.is(peers.channels.get(self.pid), ch);
});

const refused: [string, (self: Address) => unknown, string][] = [
  ['not an address', () => ({ pid: 'x' }), 'EBADARG'],
  ['another incarnation of our own pid', (self) => ({ pid: self.pid, instance: 'ffffffffffffffff' }), 'EDEADACTOR'],
  ['a pid with no lockfile', () => ({ pid: 4_000_001, instance: '00000000000000aa' }), 'EDEADACTOR'],
];
for (const [title, to, expected] of refused) {
  test(`connect refuses ${title} (${expected})`, (t) => {
    const { peers, self } = table(t);
    t.is(code(t.throws(() => peers.connect(to(self) as Address))), expected);
    t.is(peers.channels.size, 0);
  });
}

test('connect to a dead process removes its stale socket and lockfile', (t) => {
  const { dir, peers } = table(t);
  const pid = 4_000_002;
  fs.writeFileSync(lockFile(dir, pid), '00000000000000aa\n');
  fs.writeFileSync(sockFile(dir, pid), '');
  t.is(code(t.throws(() => peers.connect({ pid, instance: '00000000000000aa' }))), 'EDEADACTOR');
  t.false(fs.existsSync(lockFile(dir, pid)));
  t.false(fs.existsSync(sockFile(dir, pid)));
  t.true(fs.existsSync(path.join(dir, 'lock')));
});

test('queued() counts the open batches; closeAll makes them dead letters with its error', async (t) => {
  const { peers, self, letters } = table(t);
  const ch = peers.connect(self);
  ch.append(Buffer.from('one'));
  ch.append(Buffer.from('two'));
  t.deepEqual(peers.queued(), { messages: 2, bytes: 2 * (3 + 4) });
  peers.closeAll(new ClosedError('closing'));
  t.deepEqual(letters, [
    { to: ch.address, body: 'one', code: 'ECLOSED' },
    { to: ch.address, body: 'two', code: 'ECLOSED' },
  ]);
  t.is(peers.channels.size, 0);
  t.deepEqual(peers.queued(), { messages: 0, bytes: 0 });
  await peers.idle();
});

test('whenDrained resolves at once without a full queue, and on closeAll with one', async (t) => {
  const { peers, self } = table(t);
  await peers.whenDrained(self); // no channel
  const ch = peers.connect(self);
  await peers.whenDrained(self); // a channel below the high-water mark
  ch.append(Buffer.alloc(2000)); // past the 1 KiB high-water mark, not yet flushed
  t.true(ch.full);
  let woken = false;
  const waiting = peers.whenDrained(self).then(() => { woken = true; });
  await Promise.resolve();
  t.false(woken);
  peers.closeAll(new ClosedError('closing'));
  await waiting;
  t.true(woken);
});
