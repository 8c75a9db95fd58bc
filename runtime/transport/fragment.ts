// Fragmenting: a message too large for one datagram leaves as `count` datagrams of
// kind fragment, in order, all with the same message id; each says its index, the
// count and the whole message's length, and fds ride on fragment 0 only.
// `reassembly.ts` is the receiving end.
import { HEADER_SIZE, KIND_FRAGMENT, MAX_DATAGRAM, fillHeader, type Datagram } from './wire.js';

/** Where fragments go, in order (a PeerChannel). */
export interface FragmentSink {
  /** Send `d` now or queue it; true when it was queued. */
  submit(d: Datagram, owned: boolean): boolean;
  /** Set when a send failed and the sink gave up: stop sending. */
  readonly closed: boolean;
}

/** Body bytes per fragment on a socket whose send buffer is `sndbuf` bytes: the kernel
 * refuses a datagram larger than the sender's buffer (minus its overhead). */
export function fragmentBodySize(sndbuf: number): number {
  return Math.max(4096, Math.min(MAX_DATAGRAM, Math.floor(sndbuf / 4)) - HEADER_SIZE);
}

/** Send `body` (longer than `fragmentBody`) to `sink` as the fragments of message
 * `msgId`, headers from `template`. */
export function sendFragments(
  sink: FragmentSink, template: Buffer, msgId: number, body: Uint8Array, fds: number[] | undefined, fragmentBody: number,
): void {
  const count = Math.ceil(body.length / fragmentBody);
  const headers = Buffer.allocUnsafe(HEADER_SIZE * count);
  // Once one fragment has to wait, copy the whole message once (the caller may reuse
  // its buffer after send() returns): the waiting fragments are views of the copy,
  // and if the peer dies the dead letter is the whole message, not its unsent tail.
  let whole: Uint8Array = body;
  for (let i = 0; i < count; i++) {
    const h = headers.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE);
    template.copy(h, 0, 0, HEADER_SIZE);
    const start = i * fragmentBody;
    const end = Math.min(body.length, start + fragmentBody);
    fillHeader(h, KIND_FRAGMENT, i === 0 ? fds?.length ?? 0 : 0, end - start, msgId, i, count, body.length);
    // The message counts once, on its last fragment.
    const d: Datagram = { parts: [h, whole.subarray(start, end)], fds: i === 0 ? fds : undefined, bytes: HEADER_SIZE + end - start, messages: i === count - 1 ? 1 : 0, kind: KIND_FRAGMENT, whole };
    if (sink.submit(d, true) && whole === body) {
      whole = Buffer.from(body);
      d.parts[1] = whole.subarray(start, end);
      d.whole = whole;
    }
    if (sink.closed) return;
  }
}
