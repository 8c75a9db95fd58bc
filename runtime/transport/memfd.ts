// Large messages in one copy: at or above `memfdThreshold` the body is written into
// a sealed memfd (native/memfd.cc) and one datagram of kind memfd carries only the
// header and the fd; the receiver checks the seals and the size, maps the file
// read-only and hands the mapping up as the body (unmapped when it is collected).
// Ownership: the memfd belongs to its Datagram until the datagram is sent, refused
// or taken back as a dead letter, then it is closed (`releaseMemfd`), exactly once.
import { native } from './native.js';
import { HEADER_SIZE, KIND_MEMFD, fillHeader, type Datagram } from './wire.js';

/** A datagram of kind memfd carrying `body` in a new sealed memfd, after the user's
 * `fds` (which must leave room for one more); null when no memfd can be made now
 * (EMFILE, ENOMEM): the message then goes as fragments instead. */
export function memfdDatagram(template: Buffer, msgId: number, body: Uint8Array, fds: number[] | undefined): Datagram | null {
  const memfd = native.memfdCreate(body);
  if (memfd < 0) return null;
  const all = fds === undefined ? [memfd] : [...fds, memfd];
  const h = Buffer.from(template);
  fillHeader(h, KIND_MEMFD, all.length, 0, msgId, 0, 1, body.length);
  // bytes: what the message pins (the memfd's pages), for the high-water mark.
  return { parts: [h], fds: all, bytes: HEADER_SIZE + body.length, messages: 1, kind: KIND_MEMFD, memfd };
}

/** Close the memfd a datagram owns, if any (once: the field is cleared). */
export function releaseMemfd(d: Datagram): void {
  if (d.memfd === undefined) return;
  native.closeFd(d.memfd);
  d.memfd = undefined;
}

/** The body of an unsent memfd datagram (for its dead letter), read back from the
 * memfd, which is then closed. */
export function takeMemfdBody(d: Datagram): Uint8Array {
  const len = d.bytes - HEADER_SIZE;
  const body = d.memfd === undefined ? -1 : native.memfdMap(d.memfd, len);
  releaseMemfd(d);
  return typeof body === 'number' ? new Uint8Array(0) : body;
}
