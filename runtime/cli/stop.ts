// `pidgeon stop`: an orderly stop of one actor, or of the whole tree (by asking the
// launcher that runs it to shut down in order).
import { formatReason } from '../core/index.js';
import { BadArgumentError, NoActorError } from '../errors.js';
import { intOption, parseArgs } from './args.js';
import { existingSystem, join, LAUNCHER_NAME, resolveActor } from './system-dir.js';

export const stopHelp = `usage: pidgeon stop [name|pid] [--timeout MS] [--system NAME] [--dir PATH]

Without a target: ask the launcher ('pidgeon start') to shut the whole tree down
in order and wait until it has. With a target: send that actor a stop request;
after --timeout ms (default 5000) it is killed. A supervised actor may be
restarted by its supervisor, as its restart type says.

examples:
  pidgeon stop --system oplock-demo
  pidgeon stop client-a --system oplock-demo`;

export async function stop(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir', 'timeout'] });
  if (p.options.help) return console.log(stopHelp), 0;
  if (p.positionals.length > 1) throw new BadArgumentError('stop takes at most one target');
  const timeout = intOption(p, 'timeout', 5000);
  const t = existingSystem(p);
  const sys = await join(t);
  try {
    if (p.positionals.length === 1) {
      const ref = resolveActor(sys, t, p.positionals[0]);
      const reason = await sys.stop(ref, { timeout });
      console.log(`${ref.name ?? ref.pid} (pid ${ref.pid}) stopped: ${formatReason(reason)}`);
      return 0;
    }
    const launcher = sys.lookup(LAUNCHER_NAME);
    if (!launcher) throw new NoActorError(`no launcher is running system '${t.system}'; name an actor to stop`);
    // The launcher stops its tree in order, however long its shutdown specs say.
    const reason = await sys.stop(launcher, { timeout: 'infinity' });
    console.log(`system '${t.system}' stopped (launcher pid ${launcher.pid}: ${formatReason(reason)})`);
    return 0;
  } finally {
    await sys.shutdown();
  }
}
