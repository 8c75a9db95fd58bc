// `pidgeon send`: send a JSON message to an actor by name or pid, optionally
// waiting for its reply (like smbcontrol).
import { formatReason, type ActorSystem, type ExitReason } from '../core/index.js';
import type { Address } from '../transport/index.js';
import { BadArgumentError, DeadActorError, NoActorError, NoSystemError, PidgeonError, ReplyError } from '../errors.js';
import { intOption, parseArgs } from './args.js';
import { toJson } from './format.js';
import { existingSystem, join, resolveActor } from './system-dir.js';

export const sendHelp = `usage: pidgeon send <name|pid|name@node> <json> [--ask] [--timeout MS] [--system NAME] [--dir PATH]

Send a message (JSON) to an actor. With --ask, wait for its reply and print it
as JSON (default timeout 5000 ms). If the actor dies before it answers, the ask
fails at once with one line naming the death reason [EDEADACTOR], exit code 3.
name@node is an actor on another node of the system's cluster.

examples:
  pidgeon send share-table '{"type":"dump"}' --ask --system oplock-demo
  pidgeon send 12345 '"ping"'
  pidgeon send echo@host-b '{"hello":1}' --ask`;

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
    const at = who.lastIndexOf('@');
    const ref = at > 0 ? await remoteActor(sys, who.slice(0, at), who.slice(at + 1)) : resolveActor(sys, t, who);
    if (p.options.ask) {
      const reply = await askOrDeath(sys, ref, msg, timeout);
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

/** The actor registered as `name` on `node` of the cluster. */
async function remoteActor(sys: ActorSystem, name: string, node: string): Promise<Address> {
  if (!sys.node) throw new NoSystemError(`system '${sys.name}' is not in a cluster: ${name}@${node} names an actor on another node`);
  const ref = await sys.lookup(name, { node });
  if (!ref) throw new NoActorError(`no live actor named '${name}' on node '${node}'`);
  return ref;
}

// How long to wait for the exact death reason once the ask has failed: the DOWN
// comes as soon as the watched actor's parent reports (the monitor asked it to).
const REASON_WAIT_MS = 3000;

/** Ask, and if the actor dies instead of answering (its receive threw, it exited,
 * it was killed), fail with one line that says how it died. */
async function askOrDeath(sys: ActorSystem, ref: Address, msg: unknown, timeout: number): Promise<unknown> {
  const who = `${ref.name ?? 'actor'} (pid ${ref.pid})`;
  const death = new Promise<ExitReason>((resolve) => {
    sys.on('down', (n) => { if (n.ref.pid === ref.pid && n.ref.instance === ref.instance) resolve(n.reason); });
  });
  sys.monitor(ref); // so that its farewell, or its parent's report, tells us the reason
  try {
    return await sys.ask(ref, msg, { timeout });
  } catch (err) {
    // EDEADACTOR, or the error its receive threw (then it is crashing): wait for the DOWN.
    if (err instanceof PidgeonError && err.code !== 'EDEADACTOR') throw err;
    let timer: NodeJS.Timeout | undefined;
    const reason = await Promise.race([death, new Promise<null>((r) => { timer = setTimeout(() => r(null), REASON_WAIT_MS); })]);
    clearTimeout(timer);
    if (reason !== null) throw new DeadActorError(`${who} died before answering: ${formatReason(reason)}`, { address: ref, cause: err });
    if (err instanceof PidgeonError) throw err;
    const e = err instanceof Error ? err : new Error(String(err));
    throw new ReplyError(`${who} answered with an error: ${e.name}: ${e.message}`, { address: ref, cause: e });
  }
}
