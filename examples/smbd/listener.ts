// listener: accepts TCP connections and starts one session process per connection,
// as smbd's parent does: `startChild` on the sessions supervisor (simple_one_for_one)
// and then the accepted socket's fd to that new session (SCM_RIGHTS). Past the
// supervisor's maxChildren a client is told it is refused and disconnected.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { defineActor, type ActorContext, type ActorRef, type Ask, type PidgeonError } from 'pidgeon';
import type { SessionArgs, SessionMsg } from './session.js';

/** A question for the port the listener listens on. */
export type ListenerMsg = Ask<{ type: 'port' }, number>;

/** `sessions`: the sessions supervisor's registered name (looked up per connection,
 * so that a restarted supervisor is used at once); `port`: 0 lets the kernel pick. */
export interface ListenerArgs { sessions: string; port?: number }

let server: net.Server;
let connections = 0;

async function accept(ctx: ActorContext<ListenerMsg>, sessions: string, socket: net.Socket): Promise<void> {
  const t0 = performance.now();
  const n = ++connections;
  // pauseOnConnect: nothing has been read from the socket, so the session sees it all.
  const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
  socket.on('error', () => {});
  try {
    const sup = ctx.lookup(sessions);
    if (!sup) throw new Error(`no supervisor named '${sessions}'`);
    const args: SessionArgs = { n, peer: `${socket.remoteAddress}:${socket.remotePort}` };
    const session: ActorRef<SessionMsg> = await ctx.startChild(sup, args);
    // The session gets its own duplicate of fd; its reply says it has taken it.
    await ctx.ask(session, { type: 'serve', startMs: performance.now() - t0 }, { fds: [fd], timeout: 5000 });
    socket.destroy(); // our copy only: the session's keeps the connection open
  } catch (err) {
    const e = err as PidgeonError;
    if (e.code === 'EMAXCHILDREN') socket.end(`refused: too many clients (${e.message})\n`);
    else {
      console.error(`listener: dropping connection ${n}: ${e.message}`);
      socket.destroy();
    }
  }
}

export default defineActor<ListenerMsg, ListenerArgs>({
  async init(ctx, { sessions, port = 0 }) {
    server = net.createServer({ pauseOnConnect: true }, (socket) => void accept(ctx, sessions, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', 511, resolve);
    });
  },
  receive(ctx, msg) {
    if (msg.type === 'port') ctx.reply((server.address() as net.AddressInfo).port);
  },
  terminate() {
    server.close();
  },
});
