// worker: serves client connections it is handed by the listener, as an smbd child
// serves the connection its parent accepted. Each connection arrives as a file
// descriptor riding on a { type: 'serve' } message; the worker wraps it in a
// net.Socket and speaks a line protocol: every line comes back upper-cased,
// `quit` ends the session.
import net from 'node:net';
import readline from 'node:readline';
import { defineActor, type Ask } from 'pidgeon';

/** What a worker accepts: a connection to serve (its fd rides with the message);
 * the answer says the worker has taken the fd. */
export type WorkerMsg = Ask<{ type: 'serve' }, { id: string; pid: number }>;

let id = '';
const clients = new Set<net.Socket>();

function serve(socket: net.Socket): void {
  clients.add(socket);
  socket.on('close', () => clients.delete(socket));
  socket.on('error', () => {}); // a client that vanishes is not our problem
  socket.write(`hello from ${id} (pid ${process.pid})\n`);
  readline.createInterface({ input: socket, crlfDelay: Infinity }).on('line', (line) => {
    if (line === 'quit') socket.end('bye\n');
    else socket.write(`${id}: ${line.toUpperCase()}\n`);
  });
}

export default defineActor<WorkerMsg, { id: string }>({
  init(_ctx, args) {
    id = args.id;
  },
  receive(ctx, msg) {
    if (msg.type !== 'serve' || ctx.fds.length !== 1) return;
    // Our own duplicate of the listener's accepted socket. takeFds() keeps it open
    // past this receive; from here on the socket owns (and will close) it.
    const [fd] = ctx.takeFds();
    serve(new net.Socket({ fd, readable: true, writable: true }));
    ctx.reply({ id, pid: process.pid }); // the listener may now close its copy
  },
  terminate() {
    for (const socket of clients) socket.destroy();
  },
});
