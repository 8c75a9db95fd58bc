// `pidgeon start-child <sup> <json>`: add a child to a running supervisor (a child
// spec), or start an instance of a simple_one_for_one one (its args).
import { BadArgumentError } from '../errors.js';
import { intOption, parseArgs } from './args.js';
import { label, parseJson, resolveSupervisor } from './supervisors.js';
import { existingSystem, join } from './system-dir.js';

export const startChildHelp = `usage: pidgeon start-child <supervisor> <json> [--timeout MS] [--system NAME] [--dir PATH]

Start a child under a running supervisor (by name or pid), as system.startChild
does: <json> is a child spec ({"id", "module", ...}; a relative module path is
taken from this directory), or, for a simple_one_for_one supervisor, the new
instance's args. It is started, appended to the supervisor's children and
restarted by its strategy. Prints the child's id and pid. --timeout default 60000.

examples:
  pidgeon start-child top '{"id":"cache-3","module":"./cache.js","args":{"mb":64}}' --system kvdemo
  pidgeon start-child pool '{"queue":"high"}' --system jobs`;

export async function startChild(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir', 'timeout'] });
  if (p.options.help) return console.log(startChildHelp), 0;
  if (p.positionals.length !== 2) throw new BadArgumentError('start-child needs <supervisor> and <json>');
  const spec = parseJson(p.positionals[1], 'the child spec');
  const timeout = intOption(p, 'timeout', 60_000);
  const t = existingSystem(p);
  const sys = await join(t);
  try {
    const sup = await resolveSupervisor(sys, t, p.positionals[0]);
    const ref = await sys.startChild(sup, spec, { timeout });
    const id = (await sys.whichChildren(sup, { timeout })).find((c) => c.ref?.pid === ref.pid)?.id ?? '?';
    console.log(`started child '${id}' of ${label(sup)}: pid ${ref.pid}`);
    return 0;
  } finally {
    await sys.shutdown();
  }
}
