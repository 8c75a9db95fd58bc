// `pidgeon restart <name|pid>`: restart a supervised actor through its supervisor
// (terminateChild, then restartChild), so that the supervisor knows and counts
// nothing against its intensity.
import { BadArgumentError } from '../errors.js';
import { extraArgs, supervisorFlags } from '../supervision/index.js';
import { intOption, parseArgs } from './args.js';
import { label, supervisorOf } from './supervisors.js';
import { existingSystem, join, resolveActor } from './system-dir.js';

export const restartHelp = `usage: pidgeon restart <name|pid> [--timeout MS] [--system NAME] [--dir PATH]

Restart a supervised actor through its supervisor: the supervisor stops it by its
shutdown spec (terminateChild) and starts it again from its kept spec
(restartChild); a temporary child or a simple_one_for_one instance is started
again from the same spec and args. The new process has a new pid. An actor that
no supervisor runs is refused [ENOSUPERVISOR]. --timeout (default 60000) bounds
the stop and the start each.

examples:
  pidgeon restart cache-2 --system kvdemo
  pidgeon restart 12345`;

export async function restart(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir', 'timeout'] });
  if (p.options.help) return console.log(restartHelp), 0;
  if (p.positionals.length !== 1) throw new BadArgumentError('restart needs one <name|pid>');
  const timeout = intOption(p, 'timeout', 60_000);
  const t = existingSystem(p);
  const sys = await join(t);
  try {
    const ref = resolveActor(sys, t, p.positionals[0]);
    const sup = await supervisorOf(sys, ref);
    const o = { timeout };
    const spec = await sys.getChildSpec(sup, ref, o);
    const simple = (await supervisorFlags(sys, sup)).strategy === 'simple_one_for_one';
    await sys.terminateChild(sup, ref, o);
    let fresh;
    if (simple) {
      const template = (await sys.getChildSpec(sup, spec.id.replace(/#\d+$/, ''), o)).args;
      fresh = await sys.startChild(sup, extraArgs(template, spec.args), o);
    } else if (spec.restart === 'temporary') {
      fresh = await sys.startChild(sup, spec, o); // its spec was dropped with it
    } else {
      fresh = await sys.restartChild(sup, spec.id, o);
    }
    console.log(`restarted ${label(ref)} (child '${spec.id}' of supervisor pid ${sup.pid}): now pid ${fresh.pid}`);
    return 0;
  } finally {
    await sys.shutdown();
  }
}
