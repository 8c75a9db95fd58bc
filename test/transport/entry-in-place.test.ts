// Batch entries written in place (Mailbox.entryBuffer / commitEntry, what the core's
// encoder uses to skip a copy): offered only right after one's own last entry of an
// open batch, never past the coalescing limit, the batch's room or the queue's
// bound; committed entries travel in order with the sent ones, count as sent, and
// pass the high-water mark as `send` would.
import test from 'ava';
import { Inbox, openMailbox } from '../helpers/mailbox.js';
import { freshSystemDir } from '../helpers/sysdir.js';
import { BATCH_ENTRY_OVERHEAD } from '../../runtime/transport/index.js';
import { HEADER_SIZE } from '../../runtime/transport/wire.js';
import type { Mailbox } from '../../runtime/transport/index.js';

/** Write `text` in place after the last entry of the open batch to ourselves. */
function writeInPlace(mb: Mailbox, text: string): boolean {
  const buf = mb.entryBuffer(mb.address, mb.lastEntry);
  if (buf === null) throw new Error('no room offered');
  const n = buf.write(text, mb.entryStart, mb.entryEnd - mb.entryStart);
  return mb.commitEntry(n);
}

test('entries written in place arrive in order with the sent ones and count as sent', async (t) => {
  const mb = openMailbox(t, freshSystemDir(t));
  const inbox = new Inbox(mb);
  const expected: string[] = [];
  for (let i = 0; i < 50; i++) {
    const text = `message ${i}`;
    expected.push(text);
    if (i % 5 === 0) mb.send(mb.address, Buffer.from(text));
    else writeInPlace(mb, text);
  }
  const got: string[] = [];
  for (let i = 0; i < 50; i++) got.push((await inbox.next(10_000)).body.toString());
  t.deepEqual(got, expected);
  const s = mb.stats();
  t.is(s.sent, 50);
  t.is(s.coalesced, 50);
  t.is(s.datagramsSent, 1, 'one batch datagram');
});

test('no room is offered without our own last entry of an open batch, or on a closed mailbox', (t) => {
  const mb = openMailbox(t, freshSystemDir(t));
  t.is(mb.entryBuffer(mb.address, 0), null, 'no batch open');
  mb.send(mb.address, Buffer.from('first'));
  const tail = mb.lastEntry;
  t.not(mb.entryBuffer(mb.address, tail), null);
  t.is(mb.entryBuffer(mb.address, tail + 1), null, 'another entry is the batch\'s last');
  t.is(mb.entryBuffer({ pid: mb.address.pid, instance: '0'.repeat(16) }, tail), null, 'another incarnation');
  mb.closeNow();
  t.is(mb.entryBuffer(mb.address, tail), null, 'closed');
});

test('the room offered stays within the coalescing limit, the batch and the queue\'s bound', (t) => {
  const mb = openMailbox(t, freshSystemDir(t), { coalesceLimit: 1000, batchCapacity: 4096, maxQueueBytes: 100_000 });
  mb.send(mb.address, Buffer.alloc(10));
  t.truthy(mb.entryBuffer(mb.address, mb.lastEntry));
  t.is(mb.entryEnd - mb.entryStart, 1000, 'the coalescing limit');
  // Fill the batch in place until less than the limit is left in it.
  while (mb.entryBuffer(mb.address, mb.lastEntry) !== null && mb.entryEnd - mb.entryStart === 1000) mb.commitEntry(1000);
  const room = mb.entryBuffer(mb.address, mb.lastEntry) === null ? 0 : mb.entryEnd - mb.entryStart;
  t.true(room < 1000);
  t.true(HEADER_SIZE + mb.stats().queuedBytes + BATCH_ENTRY_OVERHEAD + room <= 4096, 'never past the batch\'s capacity');

  const small = openMailbox(t, freshSystemDir(t), { maxQueueBytes: 300, coalesceLimit: 8192 });
  small.send(small.address, Buffer.alloc(100));
  t.truthy(small.entryBuffer(small.address, small.lastEntry));
  t.true(small.entryEnd - small.entryStart <= 300 - 100, 'within maxQueueBytes');
});

test('committing past the high-water mark says wait, and drain follows', async (t) => {
  const mb = openMailbox(t, freshSystemDir(t), { highWaterMark: 2000 });
  const inbox = new Inbox(mb);
  mb.send(mb.address, Buffer.from('start'));
  let ok = true;
  let n = 1;
  while (ok) {
    ok = writeInPlace(mb, 'x'.repeat(500));
    n++;
  }
  t.true(mb.stats().queuedBytes > 2000);
  await mb.drained(mb.address);
  for (let i = 0; i < n; i++) await inbox.next(10_000);
  t.is(mb.stats().received, n);
});
