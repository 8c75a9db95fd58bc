// `pidgeon scale <sup> <n>`: start or terminate instances of a simple_one_for_one
// supervisor until it has n.
import { BadArgumentError, NoSupervisorError } from '../errors.js';
import { supervisorFlags } from '../supervision/index.js';
import { intOption, parseArgs } from './args.js';
import { label, parseJson, resolveSupervisor } from './supervisors.js';
import { existingSystem, join } from './system-dir.js';

export const scaleHelp = `usage: pidgeon scale <supervisor> <n> [--args JSON] [--timeout MS] [--system NAME] [--dir PATH]

Start or terminate instances of a simple_one_for_one supervisor (by name or pid)
until it has n children. New instances get the template's args, combined with
--args as startChild does (arrays appended, objects merged). Instances are
terminated newest first, each by its shutdown spec. --timeout (default 60000)
bounds each start and each terminate.

examples:
  pidgeon scale pool 8 --system jobs
  pidgeon scale pool 0 --system jobs
  pidgeon scale 12345 3 --args '{"queue":"low"}'`;

export async function scale(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir', 'timeout', 'args'] });
  if (p.options.help) return console.log(scaleHelp), 0;
  if (p.positionals.length !== 2) throw new BadArgumentError('scale needs <supervisor> and <n>');
  const [who, count] = p.positionals;
  if (!/^(0|[1-9][0-9]*)$/.test(count)) throw new BadArgumentError(`<n> must be a non-negative integer (got '${count}')`);
  const n = Number(count);
  const args = typeof p.options.args === 'string' ? parseJson(p.options.args, '--args') : undefined;
  const timeout = intOption(p, 'timeout', 60_000);
  const t = existingSystem(p);
  const sys = await join(t);
  try {
    const sup = await resolveSupervisor(sys, t, who);
    const flags = await supervisorFlags(sys, sup);
    if (flags.strategy !== 'simple_one_for_one') {
      throw new NoSupervisorError(`${label(sup)} is a ${flags.strategy} supervisor; scale needs a simple_one_for_one one`);
    }
    const children = await sys.whichChildren(sup, { timeout });
    const from = children.length;
    for (let i = from; i < n; i++) await sys.startChild(sup, args, { timeout });
    for (const c of children.slice(n).reverse()) await sys.terminateChild(sup, c.ref ?? c.id, { timeout });
    console.log(`${label(sup)}: ${from} → ${n} children`);
    return 0;
  } finally {
    await sys.shutdown();
  }
}
