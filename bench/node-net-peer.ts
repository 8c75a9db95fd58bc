// The forked side of bench/node-net.ts: connects to the bench's Unix stream socket and
// echoes every byte it reads. Exits when the bench disconnects the IPC channel.
import net from 'node:net';

const sock = net.connect(process.argv[2]);
sock.on('data', (d) => sock.write(d));
sock.on('error', () => process.exit(1));
sock.on('connect', () => process.send!({ r: 'ready' }));
process.on('disconnect', () => {
  sock.destroy();
  process.exit(0);
});
