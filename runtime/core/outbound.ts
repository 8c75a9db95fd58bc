// Envelopes on their way out. Each destination has its own BatchEncoder (codec.ts),
// so the small messages coalesced into one batch datagram describe each object shape
// once per batch, not once per message. The encoder builds on its state only while
// this process's last message to the destination is still the last entry of the
// batch being filled (Mailbox.batchTail): a message that goes on its own, starts a
// batch, or follows someone else's entry is encoded afresh. A batch is delivered
// whole or not at all and the receiver starts afresh at each (BatchDecoder), so a
// lost or refused batch cannot leave the two sides disagreeing.
import type { Address, Mailbox } from '../transport/index.js';
import { BatchEncoder } from './codec.js';
import { T_REPLY, encodeEnvelope, encodeEnvelopeAlone, encodeEnvelopeInto, encodeEnvelopeWith, type Envelope } from './envelope.js';
import { newMessageCounts } from './stats.js';
import type { RemoteRoutes } from './remote.js';

/** Destinations whose encoder is kept; beyond that the oldest is dropped (its next
 * message is simply encoded afresh). */
const MAX_ENCODERS = 256;

interface DestinationEncoder {
  instance: string;
  encoder: BatchEncoder;
  /** Mailbox.lastEntry of the last message encoded with it; 0: start afresh. */
  tail: number;
}

/** Encodes envelopes per destination and hands them to the mailbox. */
export class Outbound {
  private readonly encoders = new Map<number, DestinationEncoder>();
  /** User and runtime messages, sent here and (by dispatch and asks) received. */
  readonly counts = newMessageCounts();
  /** @internal Routes to other nodes (in a cluster; see remote.ts). */
  remote: RemoteRoutes | null = null;

  constructor(private readonly mailbox: Mailbox) {}

  /** Encode `env` and send it (see Mailbox.send: false means "wait for drain";
   * throws EDEADACTOR when `to` is gone, EBADARG for what cannot be encoded).
   * `runtime`: counted as the runtime's (T_SYS, T_SYSASK, or a reply to one). */
  send(to: Address, env: Envelope, fds?: number[], runtime = env[0] > T_REPLY): boolean {
    const ok = to.node !== undefined && this.remote?.isRemote(to) ? this.remote.send(to, env, fds) : this.encodeAndSend(to, env, fds);
    if (runtime) this.counts.runtimeSent++;
    else this.counts.userSent++;
    return ok;
  }

  private encodeAndSend(to: Address, env: Envelope, fds: number[] | undefined): boolean {
    const mb = this.mailbox;
    // A message with fds travels on its own: no batch to share state with.
    if (fds !== undefined && fds.length > 0) return mb.send(to, encodeEnvelope(env), { fds });
    let d = this.encoders.get(to.pid);
    if (d === undefined || d.instance !== to.instance) d = this.add(to);
    const last = d.tail;
    d.tail = 0; // until the send succeeds: a throw below leaves the state unusable
    // Still following our own last entry (the common case in a burst): a plain tree
    // is written straight into the batch (no copy), if it fits there.
    const target = last === 0 ? null : mb.entryBuffer(to, last);
    if (target !== null) {
      const n = encodeEnvelopeInto(d.encoder, env, target, mb.entryStart, mb.entryEnd);
      if (n >= 0) {
        const ok = mb.commitEntry(n);
        d.tail = mb.lastEntry;
        return ok;
      }
    }
    const tail = mb.batchTail(to);
    const fresh = tail === 0 || tail !== last;
    if (fresh) d.encoder.reset();
    let body = fresh ? encodeEnvelopeAlone(d.encoder, env) : encodeEnvelopeWith(d.encoder, env);
    // It will not follow our last entry after all (too big, or the batch is full):
    // encoded afresh, it can go on its own or start the next batch.
    if (!fresh && !mb.joinsBatch(to, body.length)) {
      d.encoder.reset();
      body = encodeEnvelopeAlone(d.encoder, env);
    }
    const ok = mb.send(to, body);
    d.tail = mb.lastEntry;
    return ok;
  }

  private add(to: Address): DestinationEncoder {
    this.encoders.delete(to.pid);
    if (this.encoders.size >= MAX_ENCODERS) this.encoders.delete(this.encoders.keys().next().value!);
    const d: DestinationEncoder = { instance: to.instance, encoder: new BatchEncoder(), tail: 0 };
    this.encoders.set(to.pid, d);
    return d;
  }
}
