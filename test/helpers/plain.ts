// A plain (non-actor) system process for tests (test/fixtures/plain.ts), forked
// into a test's system directory and driven over IPC; killed at teardown.
import type { ExecutionContext } from 'ava';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ActorRef } from '../../runtime/index.js';
import { fixture, kill, WAIT, within } from './actors.js';

/** The forked process: its address, and its IPC commands. */
export interface PlainProcess {
  proc: ChildProcess;
  ref: ActorRef;
  stats(): Promise<any>;
  sendSystem(to: ActorRef, op: string, payload: unknown): Promise<boolean>;
  /** A runtime request's answer, or `{ error: code }` if it was refused. */
  askSystem(to: ActorRef, op: string, payload: unknown): Promise<unknown>;
}

export async function startPlain(t: ExecutionContext, dir: string): Promise<PlainProcess> {
  // 'advanced' IPC carries what the codec does (undefined, Maps, BigInts, Dates).
  const proc = fork(fileURLToPath(fixture('plain')), [dir], { env: { ...process.env, PIDGEON_DIR: dir }, serialization: 'advanced' });
  t.teardown(() => { kill(proc.pid!); });
  const waiting = new Map<number, (m: { result?: unknown; error?: string }) => void>();
  let nextId = 1;
  const ready = new Promise<ActorRef>((resolve, reject) => {
    proc.on('message', (m: any) => {
      if (m.type === 'ready') return resolve(m.address);
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    });
    proc.once('exit', (code, signal) => reject(new Error(`plain process exited (${code ?? signal}) before it was ready`)));
  });
  const ref = await within(ready, WAIT, 'the plain process to start');
  const command = (c: object): Promise<{ result?: unknown; error?: string }> => {
    const id = nextId++;
    const p = new Promise<{ result?: unknown; error?: string }>((resolve) => waiting.set(id, resolve));
    proc.send({ id, ...c });
    return within(p, WAIT, `the plain process to answer ${(c as { cmd: string }).cmd}`);
  };
  return {
    proc, ref,
    stats: async () => (await command({ cmd: 'stats' })).result,
    sendSystem: async (to, op, payload) => (await command({ cmd: 'sendSystem', to, op, payload })).result as boolean,
    askSystem: async (to, op, payload) => {
      const r = await command({ cmd: 'askSystem', to, op, payload });
      return r.error !== undefined ? { error: r.error } : r.result;
    },
  };
}
