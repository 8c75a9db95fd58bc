// Diagnostic rung between raw C and the Mailbox: round trips through the addon alone
// (runtime/transport/native.ts: socketBind/socketConnect, native.sendv and
// native.Receiver, with the Mailbox's receive arena of 16 slots of 256 KiB) with
// Node's event loop on both sides, and nothing else: no Mailbox, header, batching,
// EventEmitter or microtask flush. "C, event-loop shaped" vs this = what waking a
// Node process through libuv and N-API costs; this vs pidgeon = the Mailbox's
// JavaScript. The peer is bench/native-loop-peer.ts.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { native, type NativeReceiver } from '../runtime/transport/native.js';
import { benchDist } from './lib/paths.js';
import { forkTracked, nextMessage, reap } from './lib/proc.js';
import { timedPingPong } from './lib/pingpong.js';
import type { RttSubject } from './lib/types.js';

const PEER = path.join(benchDist, 'native-loop-peer.js');
const SLOT_SIZE = 256 * 1024;
const SLOTS = 16;
const isReply = (r: string) => (m: unknown): m is { r: string } => typeof m === 'object' && m !== null && (m as { r: string }).r === r;

export function nativeRttSubject(): RttSubject {
  let dir = '';
  let rx = -1;
  let tx = -1;
  let child: ChildProcess | null = null;
  let receiver: NativeReceiver | null = null;
  let onDatagram: () => void = () => {};
  let body = Buffer.alloc(64);
  const close = async (): Promise<void> => {
    receiver?.close();
    receiver = null;
    if (child) {
      if (child.connected) child.disconnect();
      await reap(child);
      child = null;
    }
    if (rx >= 0) native.closeFd(rx);
    if (tx >= 0) native.closeFd(tx);
    rx = tx = -1;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = '';
  };
  return {
    id: 'addon',
    label: 'Node + addon only',
    describe: 'native.sendv() and native.Receiver (the Mailbox\'s 16 x 256 KiB arena) from plain callbacks, no Mailbox',
    async open(opts) {
      body = Buffer.alloc(opts.smallSize, 0x70);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-native-'));
      try {
        rx = native.socketBind(path.join(dir, 'a'), 4 << 20);
        child = forkTracked(PEER, [dir, String(SLOT_SIZE), String(SLOTS)]);
        await nextMessage(child, isReply('ready'), 10_000, 'native-loop peer start');
        tx = native.socketConnect(path.join(dir, 'b'), 4 << 20);
        if (tx < 0) throw new Error(`connect failed: ${native.errname(tx)}`);
        const connected = nextMessage(child, isReply('connected'), 10_000, 'native-loop peer connect');
        child.send({ c: 'connect' });
        await connected;
        receiver = new native.Receiver(rx, SLOT_SIZE, SLOTS, (buf, meta, _fds, count = 0) => {
          if (buf === null || typeof meta === 'number') throw new Error(`receive failed: ${meta}`);
          for (let i = 0; i < count * 6; i += 6) onDatagram();
        });
        receiver.start();
      } catch (err) {
        await close();
        throw err;
      }
    },
    async measure(durationMs, warmupMs) {
      const pp = timedPingPong(() => native.sendv(tx, body), durationMs, warmupMs, 'native-loop round trips');
      onDatagram = pp.reply;
      try {
        return await pp.done;
      } finally {
        onDatagram = () => {};
      }
    },
    close,
  };
}
