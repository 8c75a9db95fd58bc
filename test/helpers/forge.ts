// Forged datagrams for the receiver's checks: a Forge builds them as one address
// would send them to another, and the tables list every way one can be bad (used by
// test/transport/inbound.test.ts, with processes and without).
import { randomBytes } from 'node:crypto';
import type { Address, MailboxStats } from '../../runtime/transport/index.js';
import {
  HEADER_SIZE, KIND_BATCH, KIND_FRAGMENT, KIND_MESSAGE, MAX_DATAGRAM, OFF_BODY_LEN, OFF_KIND, OFF_MAGIC,
  OFF_NFDS, OFF_VERSION, fillHeader, headerTemplate, instanceFromString,
} from '../../runtime/transport/wire.js';

/** A drop counter of the mailbox's stats. */
export type Drop = keyof MailboxStats['dropped'];

/** Builds datagrams as `from` would send them to `to`. */
export class Forge {
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

/** Little-endian u32s, back to back. */
export const u32 = (...v: number[]) => {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32LE(x, 4 * i));
  return b;
};
/** `b`, changed in place by `f`. */
export const patch = (b: Buffer, f: (b: Buffer) => void): Buffer => {
  f(b);
  return b;
};

/** A datagram sequence the receiver must drop, and the counter it must add to. */
export interface BadCase {
  title: string;
  drop: Drop;
  /** How many of that kind the datagrams add up to. */
  times?: number;
  make(f: Forge): Buffer[];
}

/** The receiver's maxMessageSize in the bad cases. */
export const MAX_MESSAGE = 1024 * 1024;
export const body100 = Buffer.alloc(100, 0x61);

/** Every way a datagram (or a sequence of them) is malformed, spoofed, misdelivered
 * or oversize. */
export const badCases: BadCase[] = [
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

/** A datagram carrying one fd that the receiver must drop (and close the fd). */
export interface FdCase {
  title: string;
  /** The datagram, as the test process (the sender) forges it; it carries one fd. */
  make(f: Forge): Buffer;
}

/** Drops whose fds must be closed. */
export const fdCases: FdCase[] = [
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

