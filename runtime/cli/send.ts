// `pidgeon send`: send a JSON message to an actor by name or pid, optionally
// waiting for its reply (like smbcontrol).
import { BadArgumentError } from '../errors.js';
import { intOption, parseArgs } from './args.js';
import { toJson } from './format.js';
import { existingSystem, join, resolveActor } from './system-dir.js';

export const sendHelp = `usage: pidgeon send <name|pid> <json> [--ask] [--timeout MS] [--system NAME] [--dir PATH]

Send a message (JSON) to an actor. With --ask, wait for its reply and print it
as JSON (default timeout 5000 ms; the ask fails at once if the actor dies).

examples:
  pidgeon send share-table '{"type":"dump"}' --ask --system oplock-demo
  pidgeon send 12345 '"ping"'`;

export async function send(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { values: ['system', 'dir', 'timeout'], flags: ['ask'] });
  if (p.options.help) return console.log(sendHelp), 0;
  if (p.positionals.length !== 2) throw new BadArgumentError('send needs <name|pid> and <json>');
  const [who, text] = p.positionals;
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (err) {
    throw new BadArgumentError(`message is not valid JSON: ${(err as Error).message}`);
  }
  const timeout = intOption(p, 'timeout', 5000);
  const t = existingSystem(p);
  const sys = await join(t);
  try {
    const ref = resolveActor(sys, t, who);
    if (p.options.ask) {
      const reply = await sys.ask(ref, msg, { timeout });
      console.log(toJson(reply, 2));
    } else {
      let lost: Error | null = null;
      sys.on('deadLetter', (d) => { lost = d.error; });
      sys.send(ref, msg);
      await sys.drained(ref);
      if (lost) throw lost;
      console.log(`sent to ${ref.name ?? ref.pid} (pid ${ref.pid})`);
    }
    return 0;
  } finally {
    await sys.shutdown();
  }
}
