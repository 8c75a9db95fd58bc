// session: serves one client connection, as an smbd child process serves the one
// client its parent accepted. The sessions supervisor (simple_one_for_one, restart
// 'temporary') starts one per connection; the connection's file descriptor arrives
// with { type: 'serve' }; the session speaks a line protocol (each line comes back
// upper-cased, `quit` ends it) and exits normally when its client disconnects.
import net from 'node:net';
import readline from 'node:readline';
import { defineActor, type Ask } from 'pidgeon';

/** The hand-off: the accepted socket's fd rides with it; `startMs` is how long the
 * listener took from accept to here (start a session, reach it). */
export type SessionMsg = Ask<{ type: 'serve'; startMs: number }, { pid: number }>;

/** The connection's number (the listener counts them) and the client's address. */
export interface SessionArgs { n: number; peer: string }

// A listener that dies between starting us and handing us the socket leaves us with
// nothing to serve: give up after this long rather than idle forever.
const HANDOFF_TIMEOUT = 10_000;

let n = 0;
let socket: net.Socket | null = null;
let orphaned: NodeJS.Timeout | null = null;

export default defineActor<SessionMsg, SessionArgs | undefined>({
  init(ctx, args) {
    n = args?.n ?? 0; // started by hand (`pidgeon scale`): no connection number, and no socket either
    orphaned = setTimeout(() => ctx.stop({ shutdown: 'no connection handed over' }), HANDOFF_TIMEOUT);
  },
  receive(ctx, msg) {
    if (msg.type !== 'serve' || ctx.fds.length !== 1 || socket !== null) return;
    clearTimeout(orphaned!);
    // Our own duplicate of the accepted socket, kept past this receive by takeFds();
    // from here on the net.Socket owns (and closes) it.
    const [fd] = ctx.takeFds();
    const s = (socket = new net.Socket({ fd, readable: true, writable: true }));
    s.on('error', () => {}); // a reset shows up as 'close' too
    s.once('close', () => ctx.stop()); // the client is gone: so is its session
    s.write(`hello from session ${n} (pid ${process.pid}, started in ${msg.startMs.toFixed(1)} ms)\n`);
    readline.createInterface({ input: s, crlfDelay: Infinity }).on('line', (line) => {
      if (line === 'quit') s.end('bye\n');
      else s.write(`${n}: ${line.toUpperCase()}\n`);
    });
    ctx.reply({ pid: process.pid }); // the listener may close its copy now
  },
  terminate() {
    socket?.destroy();
  },
});
