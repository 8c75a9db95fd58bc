// listener: accepts TCP connections and hands each one to a worker, as smbd's
// parent process does: the accepted socket's file descriptor travels to the worker
// with a message (SCM_RIGHTS), and the listener closes its own copy. Workers are
// chosen round-robin among the supervisor's live children, asked afresh for each
// connection so that a restarted worker (new pid) is used at once.
import net from 'node:net';
import { defineActor, type ActorContext, type ActorRef, type Ask, type PidgeonError } from 'pidgeon';
import type { WorkerMsg } from './worker.js';

/** What the listener accepts: a question for the port it listens on. */
export type ListenerMsg = Ask<{ type: 'port' }, number>;

let server: net.Server;
let next = 0;

async function handOff(ctx: ActorContext<ListenerMsg>, supervisor: ActorRef, socket: net.Socket): Promise<void> {
  // pauseOnConnect: nothing has been read from the socket, so the worker sees it all.
  const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
  try {
    const workers = (await ctx.system.which(supervisor)).filter((c) => c.ref !== null);
    for (let tries = 0; tries < workers.length; tries++) {
      // `which` knows addresses, not protocols: we know what the supervisor runs.
      const worker: ActorRef<WorkerMsg> = workers[next++ % workers.length].ref!;
      try {
        // The worker gets its own duplicate of fd; its reply says it has taken it.
        await ctx.ask(worker, { type: 'serve' }, { fds: [fd], timeout: 5000 });
        return;
      } catch (err) {
        // A worker that died since `which` answered: try the next one.
        if ((err as PidgeonError).code !== 'EDEADACTOR') throw err;
      }
    }
    throw new Error('no live worker');
  } catch (err) {
    console.error(`listener: dropping a connection: ${(err as Error).message}`);
  } finally {
    socket.destroy(); // our copy only: the worker's keeps the connection open
  }
}

export default defineActor<ListenerMsg, { supervisor: ActorRef }>({
  async init(ctx, { supervisor }) {
    server = net.createServer({ pauseOnConnect: true }, (socket) => void handOff(ctx, supervisor, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve); // port 0: the kernel picks a free port
    });
  },
  receive(ctx, msg) {
    if (msg.type === 'port') ctx.reply((server.address() as net.AddressInfo).port);
  },
  terminate() {
    server.close();
  },
});
