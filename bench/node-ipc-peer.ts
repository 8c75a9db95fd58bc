// The forked side of the Node IPC benchmark (bench/node-ipc.ts). It echoes payloads
// (mode 'echo') or counts them (mode 'count'): a string payload is a small message,
// or base64 of a binary one when `decode` is set (decoded here, as a real receiver
// of binary data would have to); a Uint8Array payload arrives as is ('advanced'
// serialization). Control messages are objects with a `c` field.
type Control =
  | { c: 'mode'; mode: 'echo' | 'count'; decode: boolean }
  | { c: 'sync' }
  | { c: 'end' };

let mode: 'echo' | 'count' = 'echo';
let decode = false;
let count = 0;
let bytes = 0;

function reply(m: unknown): void {
  process.send!(m);
}

process.on('message', (m: unknown) => {
  if (typeof m === 'string') {
    if (mode === 'echo') return void process.send!(m);
    count++;
    bytes += decode ? Buffer.from(m, 'base64').length : m.length;
    return;
  }
  if (m instanceof Uint8Array) {
    if (mode === 'echo') return void process.send!(m);
    count++;
    bytes += m.length;
    return;
  }
  const c = m as Control;
  switch (c.c) {
    case 'mode':
      mode = c.mode;
      decode = c.decode;
      count = 0;
      bytes = 0;
      return reply({ r: 'mode' });
    case 'sync':
      count = 0;
      bytes = 0;
      return reply({ r: 'sync' });
    case 'end':
      return reply({ r: 'end', count, bytes });
  }
});
process.on('disconnect', () => process.exit(0));
reply({ r: 'ready' });
