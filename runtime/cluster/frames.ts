// What proxies send each other over NATS: one NATS message carries a batch of
// frames (coalesced per event-loop turn), as msgpack `[fromNode, session, frames]`.
import { Packr } from 'msgpackr';

export const F_DATA = 0;   // [0, fromPid, fromInstance, toPid, toInstance, envelope bytes]
export const F_WATCH = 1;  // [1, watcherPid, watcherInstance, targetPid, targetInstance]
export const F_DOWN = 2;   // [2, targetPid, targetInstance, watcherPid, watcherInstance, reason]
export const F_FAILED = 3; // [3, senderPid, senderInstance, toPid, toInstance, envelope bytes, reason]
export const F_KILL = 4;   // [4, targetPid, targetInstance, signal]

export type Frame = unknown[];

const packr = new Packr({ useRecords: false, moreTypes: true });

export function packFrames(node: string, session: string, frames: Frame[]): Uint8Array {
  return packr.pack([node, session, frames]);
}

/** The frames of one NATS message, or null if it is not a batch of frames. */
export function unpackFrames(data: Uint8Array): { node: string; session: string; frames: Frame[] } | null {
  let v: unknown;
  try {
    v = packr.unpack(data);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== 3 || typeof v[0] !== 'string' || typeof v[1] !== 'string' || !Array.isArray(v[2])) return null;
  return { node: v[0], session: v[1], frames: v[2] as Frame[] };
}

export function pack(v: unknown): Uint8Array {
  return packr.pack(v);
}

export function unpack(data: Uint8Array): unknown {
  try {
    return packr.unpack(data);
  } catch {
    return undefined;
  }
}

/** A run of messages delivered as one runtime message: at most this many, and past
 * this many bytes no more are added. */
const RUN_MAX = 256;
const RUN_BYTES = 32 * 1024;

/** The end (exclusive) of the run of F_DATA frames from `frames[i]` on that have one
 * sender and one receiver (and carry bytes): they can be delivered together, in order. */
export function runEnd(frames: unknown[], i: number): number {
  const f = frames[i] as Frame;
  let bytes = 0;
  let j = i;
  while (j < frames.length && j - i < RUN_MAX && bytes < RUN_BYTES) {
    const g = frames[j];
    if (!(Array.isArray(g) && g[0] === F_DATA && g[1] === f[1] && g[2] === f[2] && g[3] === f[3] && g[4] === f[4] && g[5] instanceof Uint8Array)) break;
    bytes += g[5].length;
    j++;
  }
  return j;
}
