// The life of an actor process (child-main.js runs it): die with the parent, read
// the hand-off (module and init arguments) from stdin, open the mailbox, load the
// actor module, run init, report ready (or the error), then handle messages until
// stopped. Exits with code 0 for 'normal' and 'shutdown', 1 otherwise, after
// telling its watchers why.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { setParentDeathSignal } from '../transport/index.js';
import { ActorSystem } from './system.js';
import { isActorDefinition } from './actor.js';
import { isNormalReason, type ExitReason } from './reasons.js';
import { decode } from './codec.js';
import { serializeError } from './serialized-error.js';
import { BadArgumentError } from '../errors.js';
import { locateError } from './load-error.js';
import { defaultExport } from './typescript.js';
import { isInitPayload, type InitPayload } from './payloads.js';
import { warmUp } from './pool-warmup.js';
import { codeCacheWanted, codeCacheWarm, importModule } from './bundle-hooks.js';

/** Run this process as an actor process; returns once it has begun (the actor then
 * runs until it stops, and the process exits then). */
export async function runActorProcess(): Promise<void> {
  const env = process.env;
  const [parentPid, parentInstance] = (env.PIDGEON_PARENT ?? '').split(':');
  // A pooled process (spawn-pool.ts) starts without a module: its hand-off names it.
  const pooled = env.PIDGEON_POOLED === '1';
  if (!env.PIDGEON_DIR || !env.PIDGEON_SYSTEM || (!env.PIDGEON_MODULE && !pooled) || !parentInstance) {
    process.stderr.write('pidgeon: child-main.js is started by ActorSystem.spawn, not by hand\n');
    process.exit(2);
  }
  // No orphans: if the parent is gone (or goes), so are we.
  if (!setParentDeathSignal(9, Number(parentPid))) process.exit(1);
  // Ctrl-C reaches the whole process group: the launcher stops the tree in order.
  process.on('SIGINT', () => {});

  const parent = { pid: Number(parentPid), instance: parentInstance };
  // A pooled process waits here, runtime loaded and no mailbox yet (so it is nobody's
  // actor and nobody can send to it), for its parent to name its module; a process
  // started for an actor finds its hand-off on stdin already, written at launch. Either
  // way no round trip with the parent: `ready` tells it our address.
  const handed = pooled ? await poolHandOff() : readHandOff(pooled);
  // The same environment as a process started for this actor (child-process.ts).
  const module = env.PIDGEON_MODULE = handed.module;
  if (handed.init.name !== null) env.PIDGEON_NAME = handed.init.name;
  delete env.PIDGEON_POOLED;
  // The loader reads and compiles the module (file reads go to libuv's pool) while the
  // mailbox opens below. Its code runs after that anyway (an import settles in a later
  // turn); a failure is reported in begin().
  const early = importModule<{ default?: unknown }>(pathToFileURL(module).href);
  early.catch(() => {});
  const system = ActorSystem.startChild({ name: env.PIDGEON_SYSTEM, dir: env.PIDGEON_DIR }, parent);
  system.module = module;
  // Our own children come from a pool too if our parent's did (started at our first spawn).
  system.children.usePool(Number(env.PIDGEON_POOL_SIZE) || 0, false);
  let exiting = false;

  async function exit(reason: ExitReason): Promise<void> {
    if (exiting) return;
    exiting = true;
    // Never hang on the way out: a stuck terminate() or flush ends in a hard exit.
    setTimeout(() => process.exit(exitCode(reason)), 10_000).unref();
    const actor = system.actor;
    actor?.halt(); // no message is handled after the stop, not even while terminate() runs
    if (actor?.def.terminate && (isNormalReason(reason) || (typeof reason === 'object' && 'error' in reason))) {
      try {
        await actor.def.terminate(actor.ctx, reason);
      } catch (err) {
        process.stderr.write(`pidgeon: terminate() threw: ${(err as Error)?.stack ?? err}\n`);
      }
    }
    try {
      await system.closeWith(reason);
    } finally {
      process.exit(exitCode(reason));
    }
  }
  system.exitHook = exit;

  process.on('SIGTERM', () => void exit('shutdown'));
  process.on('uncaughtException', (err) => {
    if (!started) return void failStart(err);
    process.stderr.write(`pidgeon: actor ${process.pid} crashed: ${err?.stack ?? err}\n`);
    void exit({ error: err instanceof Error ? err : new Error(String(err)) });
  });
  process.on('unhandledRejection', (err) => {
    if (!started) return void failStart(err);
    process.stderr.write(`pidgeon: actor ${process.pid} crashed (unhandled rejection): ${(err as Error)?.stack ?? err}\n`);
    void exit({ error: err instanceof Error ? err : new Error(String(err)) });
  });

  let started = false;

  // How far the start got: a failure while loading the module or in init.
  let phase: 'load' | 'init' = 'load';

  async function failStart(err: unknown): Promise<void> {
    if (exiting) return;
    exiting = true;
    // A nested spawn's error (a supervisor's child) already says where it came from.
    const nested = (err as { code?: unknown })?.code === 'ESPAWN';
    const location = nested ? undefined : locateError(err, module);
    try {
      system.sendSystem(parent, 'initFailed', { error: serializeError(err), phase, location: location ?? null });
    } catch { /* parent gone: PDEATHSIG will end us anyway */ }
    await system.mailbox.close({ timeout: 2000 });
    process.exit(1);
  }

  async function begin(payload: InitPayload): Promise<void> {
    if (payload.name) system.register(payload.name);
    const def = defaultExport(await early);
    if (!isActorDefinition(def)) {
      throw new BadArgumentError(`${module} must \`export default defineActor({ receive })\``);
    }
    phase = 'init';
    const runtime = system.hostActor(def, (err) => {
      process.stderr.write(`pidgeon: actor ${process.pid} crashed: ${(err as Error)?.stack ?? err}\n`);
      void exit({ error: err instanceof Error ? err : new Error(String(err)) });
    }, payload.mailboxCapacity ?? undefined);
    if (def.init) await def.init(runtime.ctx, payload.args);
    // The first actor process of a build keeps its compiled start path for those
    // after it (code-cache.ts; a few ms, once): after one request to itself, so that
    // the send and receive paths are compiled too, and before `ready`, because a
    // parent may kill its child the moment it is ready.
    if (codeCacheWanted()) {
      await system.info(system.self, { timeout: 1000 }).catch(() => {});
      codeCacheWarm();
    }
    system.sendSystem(parent, 'ready', null);
    started = true;
    runtime.start();
  }
  void begin(handed.init).catch(failStart);
}

/** A pooled process: load and warm up what an actor module imports, tell the parent
 * we have loaded (fd 3), then read the hand-off. */
async function poolHandOff(): Promise<{ module: string; init: InitPayload }> {
  // What an actor module imports ('pidgeon': the package's entry, supervision with
  // it) is loaded now, while we wait, not after the hand-off.
  const entry = new URL('../index.js', import.meta.url).href;
  await importModule(entry);
  await warmUp(entry, (dir) => ActorSystem.start({ name: 'pidgeon-warm-up', dir }));
  codeCacheWarm();
  try {
    fs.writeSync(3, 'L');
    fs.closeSync(3);
  } catch { /* no fd 3: not started by a pool */ }
  return readHandOff(true);
}

/** The hand-off from stdin: a u32 length and the codec's encoding of `{ module,
 * init }`. Exit quietly if the parent closes stdin without one (a pool shutting
 * down; a parent that died at once). A blocking read: this process has nothing else
 * to do until it comes (no mailbox, no timers), and waking from a read(2) is a few
 * µs where Node's stdin stream costs milliseconds of code that runs for the first
 * time on the spawn's critical path. */
function readHandOff(pooled: boolean): { module: string; init: InitPayload } {
  const head = Buffer.alloc(4);
  let got: Buffer | null = null;
  if (readFully(head)) {
    const body = Buffer.alloc(head.readUInt32LE(0));
    if (readFully(body)) got = body;
  }
  let h: { module?: unknown; init?: unknown } | undefined;
  try {
    if (got) h = decode(got) as typeof h;
  } catch { /* not a hand-off */ }
  if (!h || typeof h.module !== 'string' || h.module === '' || !isInitPayload(h.init)) {
    if (!pooled) process.stderr.write('pidgeon: no hand-off on stdin: child-main.js is started by ActorSystem.spawn, not by hand\n');
    process.exit(pooled ? 0 : 2);
  }
  return { module: h.module, init: h.init };
}

function readFully(buf: Buffer): boolean {
  for (let off = 0; off < buf.length;) {
    let n: number;
    try {
      n = fs.readSync(0, buf, off, buf.length - off, null);
    } catch (err) {
      // stdin left non-blocking by someone: wait for it without spinning.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      continue;
    }
    if (n === 0) return false;
    off += n;
  }
  return true;
}

function exitCode(reason: ExitReason): number {
  return isNormalReason(reason) ? 0 : 1;
}
