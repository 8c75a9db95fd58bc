// `pidgeon kill`: SIGKILL one actor by name or pid (no stop request, no clean-up of
// its own); its supervisor sees it die and restarts it as its restart type says.
import { BadArgumentError } from '../errors.js';
import { parseArgs } from './args.js';
import { existingSystem, join, LAUNCHER_NAME, resolveActor } from './system-dir.js';

export const killHelp = `usage: pidgeon kill <name|pid> [--system NAME] [--dir PATH]

Kill an actor with SIGKILL, as a crash would. Its supervisor restarts it if its
restart type says so (permanent: always; transient: also, since SIGKILL is not a
normal exit; temporary: never). Its children die with it. The launcher cannot be
killed this way: 'pidgeon stop' stops the whole tree.

examples:
  pidgeon kill cache-1
  pidgeon kill 12345 --system oplock-demo`;

export async function kill(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir'] });
  if (p.options.help) return console.log(killHelp), 0;
  if (p.positionals.length !== 1) throw new BadArgumentError('kill needs exactly one <name|pid>');
  const t = existingSystem(p);
  const sys = await join(t);
  try {
    const ref = resolveActor(sys, t, p.positionals[0]);
    const launcher = sys.lookup(LAUNCHER_NAME);
    if (ref.pid === launcher?.pid) throw new BadArgumentError(`pid ${ref.pid} is the launcher; use 'pidgeon stop' to stop the tree`);
    process.kill(ref.pid, 'SIGKILL');
    console.log(`killed ${ref.name ?? 'actor'} (pid ${ref.pid}) with SIGKILL`);
    return 0;
  } finally {
    await sys.shutdown();
  }
}
