// Reference rung: Node core's own fastest round trip between two processes — `net`
// over a Unix stream socket, raw bytes, no framing — i.e. libuv + Node's stream
// machinery without N-API. It marks the floor any transport between two Node
// event loops starts from. The peer is bench/node-net-peer.ts.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchDist } from './lib/paths.js';
import { forkTracked, nextMessage, reap, withTimeout } from './lib/proc.js';
import { timedPingPong } from './lib/pingpong.js';
import type { RttSubject } from './lib/types.js';

const PEER = path.join(benchDist, 'node-net-peer.js');
const isReady = (m: unknown): m is { r: 'ready' } => typeof m === 'object' && m !== null && (m as { r: string }).r === 'ready';

export function nodeNetRttSubject(): RttSubject {
  let dir = '';
  let server: net.Server | null = null;
  let conn: net.Socket | null = null;
  let child: ChildProcess | null = null;
  let size = 64;
  let onBytes: (n: number) => void = () => {};
  const close = async (): Promise<void> => {
    conn?.destroy();
    conn = null;
    if (child) {
      if (child.connected) child.disconnect();
      await reap(child);
      child = null;
    }
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    server = null;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = '';
  };
  return {
    id: 'node-net',
    label: 'Node net (stream)',
    describe: 'Node core: net over a Unix stream socket, 64 raw bytes each way, no framing (the floor between two Node event loops)',
    async open(opts) {
      size = opts.smallSize;
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-net-'));
      const sockPath = path.join(dir, 's');
      try {
        const accepted = new Promise<net.Socket>((resolve) => {
          server = net.createServer((s) => resolve(s));
        });
        await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(sockPath, resolve));
        child = forkTracked(PEER, [sockPath]);
        await nextMessage(child, isReady, 10_000, 'node-net peer start');
        conn = await withTimeout(accepted, 10_000, 'node-net accept');
        conn.on('data', (d) => onBytes(d.length));
      } catch (err) {
        await close();
        throw err;
      }
    },
    async measure(durationMs, warmupMs) {
      const body = Buffer.alloc(size, 0x70);
      let got = 0;
      const pp = timedPingPong(() => conn!.write(body), durationMs, warmupMs, 'node-net round trips');
      onBytes = (n) => {
        got += n;
        if (got < size) return; // a stream may split a message
        got -= size;
        pp.reply();
      };
      try {
        return await pp.done;
      } finally {
        onBytes = () => {};
      }
    },
    close,
  };
}
