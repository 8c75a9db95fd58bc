// Which system a command talks to (`--system NAME`, `--dir PATH`, $PIDGEON_DIR), and
// joining it as a short-lived member to ask its actors questions.
import fs from 'node:fs';
import { nodeOfSystem } from './cluster-view.js';
import { ActorSystem } from '../core/index.js';
import {
  checkSystemDir, checkSystemName, listLive, probePeer, resolveSystemDir, sweepDeadSystems, type Address,
} from '../transport/index.js';
import { BadArgumentError, NoActorError, NoSystemError } from '../errors.js';
import type { Parsed } from './args.js';
import { listSystems, theRunningSystem } from './systems.js';

/** The launcher registers itself under this name so `pidgeon stop` can find it. */
export const LAUNCHER_NAME = 'pidgeon.launcher';

export interface Target {
  system: string;
  dir: string;
}

/** The system named by the options (default 'default'). */
export function targetSystem(p: Parsed, fallbackName = 'default'): Target {
  const system = checkSystemName(typeof p.options.system === 'string' ? p.options.system : fallbackName);
  const dir = resolveSystemDir(system, typeof p.options.dir === 'string' ? p.options.dir : undefined);
  return { system, dir };
}

/** Remove the directories of dead systems (SIGKILLed ones leave theirs behind);
 * returns the names of the live ones. */
export function liveSystems(): string[] {
  return sweepDeadSystems().live;
}

/** An existing system: its directory must exist and be safe. Without --system,
 * --dir or $PIDGEON_DIR: the one running system (systems.ts). */
export function existingSystem(p: Parsed): Target {
  if (p.options.system === undefined && p.options.dir === undefined && !process.env.PIDGEON_DIR) {
    const only = theRunningSystem();
    checkSystemDir(only.dir);
    return { system: only.name, dir: only.dir };
  }
  const t = targetSystem(p);
  if (!fs.existsSync(t.dir)) {
    const live = listSystems().filter((s) => s.live.length > 0).map((s) => s.name);
    const known = live.length ? `live systems: ${live.join(', ')}` : 'no live systems';
    throw new NoSystemError(`no system '${t.system}' here (no directory ${t.dir}; ${known})`);
  }
  checkSystemDir(t.dir);
  return t;
}

/** Join the system as a plain member process (closed with `shutdown`). */
export async function join(t: Target): Promise<ActorSystem> {
  // On the system's node, if it is in a cluster (so that name@node refs work).
  const node = nodeOfSystem(t.dir);
  const sys = await ActorSystem.start({ name: t.system, dir: t.dir, ...(node ? { node } : {}) });
  return sys;
}

/** Resolve `name|pid` to a live actor's address. */
export function resolveActor(sys: ActorSystem, t: Target, what: string): Address {
  if (/^[1-9][0-9]*$/.test(what)) {
    const pid = Number(what);
    const p = probePeer(t.dir, pid);
    if (p.state !== 'alive') throw new NoActorError(`no live actor with pid ${pid} in system '${t.system}'`);
    return { pid, instance: p.instance };
  }
  let ref: Address | undefined;
  try {
    ref = sys.lookup(what);
  } catch (err) {
    if (err instanceof BadArgumentError) throw new NoActorError(`'${what}' is neither a pid nor a valid actor name`);
    throw err;
  }
  if (!ref) throw new NoActorError(`no live actor named '${what}' in system '${t.system}'`);
  return ref;
}

/** Live processes of the system other than ourselves. */
export function livePeers(sys: ActorSystem): Address[] {
  return listLive(sys.dir).filter((a) => a.pid !== sys.self.pid);
}
