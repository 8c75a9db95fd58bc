// The worker_threads counterpart of bench/actors/api-ipc-child.ts (same messages,
// over the worker's MessagePort).
import { parentPort } from 'node:worker_threads';

let count = 0;
const port = parentPort!;
port.on('message', (m: { type?: string; id?: number; body?: unknown }) => {
  if (m.type === 'seq') count++;
  else if (m.type === 'count') port.postMessage({ id: m.id, count });
  else if (typeof m.id === 'number') port.postMessage({ id: m.id, body: m.body });
});
port.postMessage({ ready: true });
