#!/usr/bin/env node
// The `pidgeon` command: start a supervised tree, and inspect and poke a running
// system from another terminal (ps, tree, send, stop), like Samba's smbstatus
// and smbcontrol.
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

const usage = `usage: pidgeon <command> [options]

commands:
  start <tree>          start a supervised actor tree in the foreground
  ps                    list the live actors of a system
  tree                  draw a system's supervision tree
  send <name|pid> <json> [--ask]   send a message (print the reply with --ask)
  stop [name|pid]       stop one actor, or the whole tree
  scale <sup> <n>       start or terminate simple_one_for_one instances to reach n
  start-child <sup> <json>   add a child (spec, or instance args) to a supervisor
  restart <name|pid>    restart a supervised actor through its supervisor
  --version, -V         print pidgeon's version

Every command takes --system NAME (default 'default'; for start: the tree's
"system", else the tree file's name) and --dir PATH (the system directory; default
\${XDG_RUNTIME_DIR:-/tmp}/pidgeon-$UID/NAME, or $PIDGEON_DIR).
'pidgeon <command> --help' shows a command's options and examples.

examples:
  pidgeon start ./tree.json
  pidgeon ps --system oplock-demo
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
};

// The package's own package.json: this file is dist/runtime/cli/main.js in the
// checkout and in node_modules/pidgeon alike.
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

main(process.argv.slice(2)).then(
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

/** Exit codes (docs/cli.md): 2 for bad usage or a bad tree, 3 when the actor
 * addressed is dead or died before answering, 1 for any other error. */
function exitCodeOf(err: PidgeonError): number {
  if (err.code === 'EBADSPEC' || err.code === 'EBADARG') return 2;
  if (err.code === 'EDEADACTOR') return 3;
  return 1;
}
