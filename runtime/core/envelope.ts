// Envelopes: what one datagram message carries between actors, encoded with the
// codec as a small array so the common case (a user message) costs two elements.
import { encode, decode, decodeRun, type BatchDecoder, type BatchEncoder } from './codec.js';

export const T_MSG = 0;     // [0, body]                       fire-and-forget user message
export const T_ASK = 1;     // [1, id, body]                   user message expecting a reply
export const T_REPLY = 2;   // [2, id, ok, body]               reply (ok=false: body is an Error)
export const T_SYS = 3;     // [3, op, payload]                runtime message (not seen by receive)
export const T_SYSASK = 4;  // [4, id, op, payload]            runtime request expecting a reply

/** Runtime operations carried by T_SYS / T_SYSASK. */
export type SystemOp =
  | 'ready'       // child → parent: init done, receiving (its address: the sender's)
  | 'initFailed'  // child → parent: { error }
  | 'stop'        // request an orderly stop: { reason }
  | 'watch'       // "tell me your exit reason" (monitors, links)
  | 'unwatch'
  | 'link'        // the sender links to the receiver
  | 'unlink'
  | 'farewell'    // dying → watchers: { reason }
  | 'info'        // ask: pid, name, parent, uptime, stats
  | string;       // layers above add their own (e.g. supervisors' 'which')

export type Envelope =
  | [typeof T_MSG, unknown]
  | [typeof T_ASK, number, unknown]
  | [typeof T_REPLY, number, boolean, unknown]
  | [typeof T_SYS, SystemOp, unknown]
  | [typeof T_SYSASK, number, SystemOp, unknown];

/** Encode an envelope; send the result at once (it may share memory with the next). */
export function encodeEnvelope(env: Envelope): Buffer {
  // An unsendable value is named by its path in the user's part (`msg.f`), the body.
  return encode(env, env[env.length - 1]);
}

/** Encode an envelope with a batch's `encoder` (codec.ts); a user message, the
 * common case, skips building its envelope's array (the same bytes). Append the
 * result before encoding again (it may share memory with the next). */
export function encodeEnvelopeWith(encoder: BatchEncoder, env: Envelope): Uint8Array {
  return env[0] === T_MSG ? encoder.encodeTagged(T_MSG, env[1]) : encoder.encode(env, env[env.length - 1]);
}

/** `encodeEnvelopeWith` straight into `target[from, to)`: see BatchEncoder.encodeInto. */
export function encodeEnvelopeInto(encoder: BatchEncoder, env: Envelope, target: Buffer, from: number, to: number): number {
  return env[0] === T_MSG ? encoder.encodeInto(target, from, to, env[1], env[1], T_MSG) : encoder.encodeInto(target, from, to, env, env[env.length - 1], -1);
}

/** `encodeEnvelopeWith` for a message that starts afresh (right after the encoder's
 * `reset`), the first of a batch or one on its own: see BatchEncoder.encodeAlone. */
export function encodeEnvelopeAlone(encoder: BatchEncoder, env: Envelope): Uint8Array {
  return env[0] === T_MSG ? encoder.encodeAloneTagged(T_MSG, env[1]) : encoder.encodeAlone(env, env[env.length - 1]);
}

/** Decode an envelope; null if the body is not one. With `decoder`, the body is
 * entry `index` of batch datagram `batch` (see BatchDecoder; 0, -1: on its own),
 * the bytes `body[start, end)`. */
export function decodeEnvelope(body: Uint8Array, decoder?: BatchDecoder, batch = 0, index = -1, start = 0, end = body.length): Envelope | null {
  let v: unknown;
  try {
    v = decoder === undefined ? decode(start === 0 && end === body.length ? body : body.subarray(start, end)) : decoder.decode(body, batch, index, start, end);
  } catch {
    return null;
  }
  return asEnvelope(v);
}

/** The envelopes of one run (codec.ts RunWriter, decodeRun), in order; null for a
 * body that is not one. */
export function decodeEnvelopeRun(run: Uint8Array): (Envelope | null)[] {
  return decodeRun(run).map((d) => (d === undefined ? null : asEnvelope(d.value)));
}

function asEnvelope(v: unknown): Envelope | null {
  if (!Array.isArray(v) || typeof v[0] !== 'number') return null;
  switch (v[0]) {
    case T_MSG: return v.length === 2 ? (v as Envelope) : null;
    case T_ASK: return v.length === 3 && typeof v[1] === 'number' ? (v as Envelope) : null;
    case T_REPLY: return v.length === 4 && typeof v[1] === 'number' && typeof v[2] === 'boolean' ? (v as Envelope) : null;
    case T_SYS: return v.length === 3 && typeof v[1] === 'string' ? (v as Envelope) : null;
    case T_SYSASK: return v.length === 4 && typeof v[1] === 'number' && typeof v[2] === 'string' ? (v as Envelope) : null;
    default: return null;
  }
}
