// The forked side of the pidgeon transport benchmark (bench/pidgeon-transport.ts):
// opens its own Mailbox in the bench's system directory, reports its address over
// the fork IPC channel (set-up only), then echoes or counts what arrives in the
// mailbox (protocol: bench/lib/peer-protocol.ts). Exits when the bench disconnects
// the IPC channel, or with the bench (parent-death signal).
import { Mailbox, setParentDeathSignal } from '../runtime/transport/index.js';
import { PEER_ACK, PEER_CONTROL, PEER_REPORT, PEER_REPORT_SIZE } from './lib/peer-protocol.js';

function main(): void {
  const [dir, system, options] = process.argv.slice(2);
  try { setParentDeathSignal(); } catch { /* best effort */ }
  const mb = Mailbox.open({ ...(options ? JSON.parse(options) as object : {}), system, dir });
  let echo = true;
  let count = 0;
  let bytes = 0;
  const ack = Uint8Array.of(PEER_ACK);
  mb.on('message', (m) => {
    const b = m.body;
    if (b.length > 1) {
      if (echo) mb.send(m.from, b);
      else {
        count++;
        bytes += b.length;
      }
      return;
    }
    switch (b[0]) {
      case PEER_CONTROL.echo: echo = true; break;
      case PEER_CONTROL.count: echo = false; count = 0; bytes = 0; break;
      case PEER_CONTROL.sync: count = 0; bytes = 0; break;
      case PEER_CONTROL.end: {
        const r = Buffer.alloc(PEER_REPORT_SIZE);
        r[0] = PEER_REPORT;
        r.writeDoubleLE(count, 1);
        r.writeDoubleLE(bytes, 9);
        mb.send(m.from, r);
        return;
      }
      default: return;
    }
    mb.send(m.from, ack);
  });
  mb.on('error', (err) => { console.error('pidgeon bench peer:', err); });
  process.on('disconnect', () => {
    mb.close({ timeout: 500 }).finally(() => process.exit(0));
  });
  process.send!({ r: 'ready', address: mb.address });
}

main();
