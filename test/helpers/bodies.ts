// Test message bodies: random content with a sequence number in the first four
// bytes, a deterministic size mix, and a checker that verifies order and content
// (a running sha256 over every body, compared with the sender's).
import { createHash, randomBytes, type Hash } from 'node:crypto';

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A small seeded PRNG (mulberry32): the same sizes on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export type SizeMix = 'small' | 'mixed' | { fixed: number };

/** `count` body sizes. 'mixed': mostly 4..300 B, 2 % of 10..60 KiB, and every
 * 1000th one of 256 KiB + 1 .. 640 KiB (fragmented). 'small': 4..200 B. */
export function sizes(mix: SizeMix, count: number, seed = 1): number[] {
  const rnd = prng(seed);
  const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    if (typeof mix === 'object') out[i] = mix.fixed;
    else if (mix === 'small') out[i] = between(4, 200);
    else if (i % 1000 === 500) out[i] = between(256 * 1024 + 1, 640 * 1024);
    else if (i % 50 === 7) out[i] = between(10 * 1024, 60 * 1024);
    else out[i] = between(4, 300);
  }
  return out;
}

const POOL_SIZE = 1 << 20;

/** Makes bodies: [u32 LE seq][random bytes]. */
export class BodyMaker {
  private readonly pool = randomBytes(POOL_SIZE + 640 * 1024);
  private readonly hash: Hash = createHash('sha256');
  /** Body number `seq` of `len` bytes (len >= 4); added to the running hash. */
  make(seq: number, len: number): Buffer {
    const b = Buffer.allocUnsafe(len);
    b.writeUInt32LE(seq >>> 0, 0);
    const off = (seq * 7919) % POOL_SIZE;
    this.pool.copy(b, 4, off, off + len - 4);
    this.hash.update(b);
    return b;
  }
  /** The sha256 of every body made so far, in order. */
  digest(): string {
    return this.hash.copy().digest('hex');
  }
}

/** What a receiver found in a sequence. */
export interface SequenceReport {
  count: number;
  sha256: string;
  /** The first out-of-order body, if any. */
  error?: string;
}

/** Receives bodies made by BodyMaker and checks that they come in order. */
export class SequenceChecker {
  count = 0;
  error: string | undefined;
  private readonly hash: Hash = createHash('sha256');
  add(body: Uint8Array): void {
    const seq = body.length >= 4 ? Buffer.from(body.buffer, body.byteOffset, 4).readUInt32LE(0) : -1;
    if (seq !== this.count && this.error === undefined) {
      this.error = `body #${this.count} (${body.length} bytes) carries sequence number ${seq}`;
    }
    this.hash.update(body);
    this.count++;
  }
  report(): SequenceReport {
    return { count: this.count, sha256: this.hash.copy().digest('hex'), ...(this.error ? { error: this.error } : {}) };
  }
}
