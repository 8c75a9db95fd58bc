// Comedy (npm `comedy`, a Node.js multi-process actor framework) as a column of
// section api: a forked actor that counts and echoes, driven through comedy's own API
// (createChild with mode 'forked', send, sendAndReceive). Loaded only if installed.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { withTimeout } from './proc.js';
import type { OnewayEnds } from './api-load.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Comedy = (options?: Record<string, unknown>) => any;

/** The actor: comedy sends its class's source to the forked process, so it must be
 * self-contained. */
class ComedyBenchActor {
  n = 0;
  seq(): void { this.n++; }
  getCount(): number { return this.n; }
  echo(m: unknown): unknown { return m; }
}

export function loadComedy(): { comedy: Comedy; version: string } {
  const require = createRequire(import.meta.url);
  const comedy = require('comedy') as Comedy;
  const version = (require('comedy/package.json') as { version: string }).version;
  return { comedy, version };
}

export class ComedyPair {
  private constructor(private readonly system: any, readonly actor: any) {}

  static async open(): Promise<ComedyPair> {
    const { comedy } = loadComedy();
    // test: true silences comedy's logging; config: {} skips looking for actors.json.
    const system = comedy({ test: true, config: {} });
    try {
      const root = await withTimeout(Promise.resolve(system.rootActor()), 30_000, 'comedy root actor');
      const actor = await withTimeout(Promise.resolve(root.createChild(ComedyBenchActor, { mode: 'forked' })), 30_000, 'comedy forked actor');
      return new ComedyPair(system, actor);
    } catch (err) {
      await withTimeout(Promise.resolve(system.destroy()), 10_000, 'comedy destroy').catch(() => undefined);
      throw err;
    }
  }

  ask(msg: unknown): Promise<unknown> {
    return Promise.resolve(this.actor.sendAndReceive('echo', msg));
  }

  /** One-way ends: comedy's send() returns a promise and has no high-water mark, so
   * the loop awaits the promise of every 256th send (drained) to bound what is queued;
   * delivery order of send and sendAndReceive is not guaranteed, so count() asks
   * again until the count stops short of nothing (up to 10 s). */
  ends(): OnewayEnds & { expect(n: number): void } {
    let last: Promise<unknown> = Promise.resolve();
    let k = 0;
    let expected = 0;
    return {
      expect: (n) => { expected = n; },
      send: (m) => {
        expected++;
        last = Promise.resolve(this.actor.send('seq', m));
        return ++k % 256 !== 0;
      },
      drained: () => last.then(() => undefined),
      count: async () => {
        await last;
        const until = performance.now() + 10_000;
        for (;;) {
          const n = Number(await this.actor.sendAndReceive('getCount'));
          if (n >= expected || performance.now() > until) return n;
          await new Promise((r) => setTimeout(r, 1));
        }
      },
    };
  }

  async close(): Promise<void> {
    await withTimeout(Promise.resolve(this.system.destroy()), 10_000, 'comedy destroy');
  }
}
