// A pooled process's warm-up (spawn-pool.ts), run while it waits for its hand-off:
// a throwaway system in a private directory of its own opens a mailbox, sends a
// message to itself, receives it and shuts down, and a throwaway actor module that
// imports the runtime is loaded the way a hand-off's module will be. V8 compiles functions when they
// first run; without this, the module loader, the mailbox open, the first send and
// the first receive of the actor-to-be would all be compiled on the spawn's critical
// path (measured: 10 ms a pooled spawn without, about 4 with). Nothing of it is visible to the system the
// process will join: another directory, another mailbox, closed before the hand-off.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { importModule } from './bundle-hooks.js';

/** What the warm-up needs of a system (an ActorSystem). */
interface WarmSystem {
  readonly self: unknown;
  send(to: never, msg: unknown): boolean;
  once(event: 'message', f: () => void): unknown;
  shutdown(options: { timeout: number }): Promise<void>;
}

const WARM_PREFIX = 'pidgeon-warm-';

/** The warm-up's directory of process `pid`: named by pid, so that the parent, which
 * reaps the process, removes it if the process was killed before it could. */
export function warmUpDir(pid: number): string {
  return path.join(os.tmpdir(), `${WARM_PREFIX}${pid}`);
}

/** Remove the warm-up directory a reaped idle process may have left (killed midway). */
export function removeWarmUpDir(pid: number): void {
  try { fs.rmSync(warmUpDir(pid), { recursive: true, force: true }); } catch { /* not ours to keep */ }
}

/** Remove warm-up directories of processes that are gone. Their parent removes them
 * on reaping; when the parent died too (the whole tree killed at once), nobody
 * would: the next warm-up on the machine does. A directory whose pid is alive
 * (a warm-up under way, or the number reused) is left alone. */
function sweepDeadWarmUps(tmp: string): void {
  let names: string[];
  try { names = fs.readdirSync(tmp); } catch { return; }
  for (const name of names) {
    if (!name.startsWith(WARM_PREFIX)) continue;
    const pid = Number(name.slice(WARM_PREFIX.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    try { fs.rmSync(path.join(tmp, name), { recursive: true, force: true }); } catch { /* not ours to remove */ }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, someone else's
  }
}

/** `entry`: the URL of the package entry an actor module imports. */
export async function warmUp(entry: string, start: (dir: string) => Promise<WarmSystem>): Promise<void> {
  let dir: string | undefined;
  try {
    sweepDeadWarmUps(os.tmpdir());
    dir = warmUpDir(process.pid);
    fs.rmSync(dir, { recursive: true, force: true }); // an earlier process of this pid's
    fs.mkdirSync(dir, { mode: 0o700 });
    const module = path.join(dir, 'warm-up-actor.mjs');
    fs.writeFileSync(module, `import { defineActor } from ${JSON.stringify(entry)};\nexport default defineActor({ receive() {} });\n`);
    await importModule(pathToFileURL(module).href);
    const sys = await start(dir);
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000); // never hold the pool up
        sys.once('message', () => { clearTimeout(timer); resolve(); });
        sys.send(sys.self as never, { type: 'warm-up', payload: 'x'.repeat(40) });
      });
    } finally {
      await sys.shutdown({ timeout: 1000 });
    }
  } catch {
    // A warm-up that fails costs speed only: the real spawn reports real errors.
  } finally {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  }
}
