// What proxies send each other over NATS: one NATS message carries a batch of
// frames (coalesced per event-loop turn), as msgpack `[fromNode, session, frames]`.
import { Packr } from 'msgpackr/pack';

export const F_DATA = 0;   // [0, fromPid, fromInstance, toPid, toInstance, run bytes (core/codec.ts RunWriter)]
export const F_WATCH = 1;  // [1, watcherPid, watcherInstance, targetPid, targetInstance]
export const F_DOWN = 2;   // [2, targetPid, targetInstance, watcherPid, watcherInstance, reason]
export const F_FAILED = 3; // [3, senderPid, senderInstance, toPid, toInstance, run bytes, reason]
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
