// The `pidgeon` command (cli/main.js runs it): start a supervised tree, and
// inspect and poke a running system from another terminal (ps, tree, send, stop),
// like Samba's smbstatus and smbcontrol.
import fs from 'node:fs';
import { PidgeonError } from '../errors.js';
import { formatLocation } from '../core/load-error.js';
import { start, startHelp } from './start.js';
import { ps, psHelp } from './ps.js';
import { tree, treeHelp } from './tree.js';
import { send, sendHelp } from './send.js';
import { stop, stopHelp } from './stop.js';
import { scale, scaleHelp } from './scale.js';
import { startChild, startChildHelp } from './start-child.js';
import { restart, restartHelp } from './restart.js';
import { ls, lsHelp } from './ls.js';
import { logs, logsHelp } from './logs.js';
import { kill, killHelp } from './kill.js';
import { top, topHelp } from './top.js';

const usage = `usage: pidgeon <command> [options]

commands:
  start <tree>          start a supervised actor tree (--daemon: in the background)
  ls                    list the systems running here (and how stopped ones ended)
  ps                    list the actors of a system: status, CPU, memory, messages
  top                   a live view of a system's actors (q quits)
  logs [name]           an actor's (or every actor's) output; -f follows it
  tree                  draw a system's supervision tree
  send <name|pid> <json> [--ask]   send a message (print the reply with --ask)
  stop [name|pid]       stop one actor, or the whole tree
  scale <sup> <n>       start or terminate simple_one_for_one instances to reach n
  start-child <sup> <json>   add a child (spec, or instance args) to a supervisor
  restart <name|pid>    restart a supervised actor through its supervisor
  kill <name|pid>       SIGKILL one actor (its supervisor restarts it)
  --version, -V         print pidgeon's version

Every command takes --system NAME and --dir PATH (the system directory; default
\${XDG_RUNTIME_DIR:-/tmp}/pidgeon-$UID/NAME, or $PIDGEON_DIR). Without them, a
command finds the system by itself when exactly one runs (for start: the tree's
"system", else the tree file's name).
'pidgeon <command> --help' shows a command's options and examples.

examples:
  pidgeon start ./tree.json --daemon
  pidgeon ls
  pidgeon ps
  pidgeon logs -f
  pidgeon send client-a '{"type":"status"}' --ask --system oplock-demo`;

const commands: Record<string, [(argv: string[]) => Promise<number>, string]> = {
  start: [start, startHelp],
  ps: [ps, psHelp],
  tree: [tree, treeHelp],
  send: [send, sendHelp],
  stop: [stop, stopHelp],
  scale: [scale, scaleHelp],
  'start-child': [startChild, startChildHelp],
  restart: [restart, restartHelp],
  ls: [ls, lsHelp],
  logs: [logs, logsHelp],
  kill: [kill, killHelp],
  top: [top, topHelp],
};

// The package's own package.json, three levels up: from dist/runtime/cli/cli.js,
// and from the bundle dist/runtime/core/runtime.cjs, in the checkout and in
// node_modules/pidgeon alike.
function version(): string {
  return JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V') return console.log(version()), 0;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    const topic = cmd === 'help' ? rest[0] : undefined;
    console.log(topic && commands[topic] ? commands[topic][1] : usage);
    return cmd === undefined ? 2 : 0;
  }
  const c = commands[cmd];
  if (!c) {
    console.error(`pidgeon: unknown command '${cmd}' (try 'pidgeon --help')`);
    return 2;
  }
  return c[0](rest);
}

/** Run the command line `argv` (without node and the script); sets process.exitCode. */
export function runCli(argv: string[]): Promise<void> {
  return main(argv).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      if (err instanceof PidgeonError) {
        console.error(`pidgeon: ${err.message} [${err.code}]`);
        if (err.location) console.error(formatLocation(err.location));
        process.exitCode = exitCodeOf(err);
      } else {
        console.error(`pidgeon: ${(err as Error)?.stack ?? err}`);
        process.exitCode = 1;
      }
    },
  );
}

/** Exit codes (docs/cli.md): 2 for bad usage or a bad tree, 3 when the actor
 * addressed is dead or died before answering, 1 for any other error. */
function exitCodeOf(err: PidgeonError): number {
  if (err.code === 'EBADSPEC' || err.code === 'EBADARG' || err.code === 'EMANYSYSTEMS') return 2;
  if (err.code === 'EDEADACTOR') return 3;
  return 1;
}
