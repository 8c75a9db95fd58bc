// The forked side of bench/native-loop.ts: binds `<dir>/b`, connects to `<dir>/a`
// and echoes every datagram with the addon's sendv from its Receiver callback. No
// Mailbox, no headers, no lockfiles: the addon and Node's event loop only.
import path from 'node:path';
import { native } from '../runtime/transport/native.js';

const [dir, slotSize, slots] = process.argv.slice(2);
native.setParentDeathSignal(9, process.ppid);
const rx = native.socketBind(path.join(dir, 'b'), 4 << 20);
let tx = -1;
const receiver = new native.Receiver(rx, Number(slotSize), Number(slots), (buf, meta, _fds, count = 0) => {
  if (buf === null || typeof meta === 'number') throw new Error(`receive failed: ${meta}`);
  for (let i = 0; i < count * 6; i += 6) native.sendv(tx, buf.subarray(meta[i], meta[i] + meta[i + 1]));
});
process.on('message', (m: { c: string }) => {
  if (m.c === 'connect') {
    tx = native.socketConnect(path.join(dir, 'a'), 4 << 20);
    if (tx < 0) throw new Error(`connect failed: ${native.errname(tx)}`);
    receiver.start();
    process.send!({ r: 'connected' });
  }
});
process.on('disconnect', () => {
  receiver.close();
  native.closeFd(rx);
  if (tx >= 0) native.closeFd(tx);
  process.exit(0);
});
process.send!({ r: 'ready' });
