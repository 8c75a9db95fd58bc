// Fork a peer process (test/fixtures/peer.ts) with its own mailbox in the test's
// system directory, and talk to it: commands with replies, and a queue of the
// events it reports. Every peer is SIGKILLed (if still running) and reaped when
// the test ends.
import type { ExecutionContext } from 'ava';
import { fork, type ChildProcess } from 'node:child_process';
import type { Address } from '../../runtime/transport/index.js';
import type { PeerCommand, PeerConfig, PeerEvent } from './protocol.js';
import { within } from './wait.js';

const FIXTURE = new URL('../fixtures/peer.js', import.meta.url);

type EventOf<T extends PeerEvent['type']> = Extract<PeerEvent, { type: T }>;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running peer process. */
export class Peer {
  readonly child: ChildProcess;
  readonly pid: number;
  address!: Address;
  /** Resolves when the process has exited and been reaped. */
  readonly exited: Promise<Exit>;
  private exit: Exit | null = null;
  private fatal: string | null = null;
  private stderr = '';
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly events: PeerEvent[] = [];
  private readonly waiters: { type: string; resolve: (e: PeerEvent) => void; reject: (e: Error) => void }[] = [];

  constructor(child: ChildProcess) {
    this.child = child;
    this.pid = child.pid!;
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': by then stderr and the IPC channel are drained too.
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        const err = this.gone();
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        for (const w of this.waiters.splice(0)) w.reject(err);
        resolve(this.exit);
      });
    });
    child.on('message', (e: PeerEvent) => this.onEvent(e));
    // Keep the end of stderr for the error message when the peer dies unexpectedly.
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-4000);
    });
  }

  private gone(): Error {
    const how = this.exit ? `exited (code ${this.exit.code}, signal ${this.exit.signal})` : 'is gone';
    const why = this.fatal ?? this.stderr.trim();
    return new Error(`peer ${this.pid} ${how}${why ? `: ${why}` : ''}`);
  }

  private onEvent(e: PeerEvent): void {
    if (e.type === 'fatal') {
      this.fatal = e.error;
      return;
    }
    if (e.type === 'reply') {
      const p = this.pending.get(e.id);
      if (!p) return;
      this.pending.delete(e.id);
      if (e.error) p.reject(Object.assign(new Error(`peer: ${e.error.message}`), { code: e.error.code }));
      else p.resolve(e.result);
      return;
    }
    const i = this.waiters.findIndex((w) => w.type === e.type);
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(e);
    else this.events.push(e);
  }

  /** Send a command and wait (at most `ms`) for its reply. */
  request<T = unknown>(command: PeerCommand, ms = 30_000): Promise<T> {
    if (this.exit) return Promise.reject(this.gone());
    const id = this.nextId++;
    const p = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    this.child.send({ ...command, id });
    return within(p, ms, `the peer's reply to '${command.cmd}'`);
  }

  /** Send a command without waiting for its reply (e.g. 'exit': the reply may
   * arrive after the process's exit event). */
  tell(command: PeerCommand): void {
    this.child.send({ ...command, id: 0 });
  }

  /** The next event of `type` the peer reported (queued ones first), within `ms`. */
  next<T extends PeerEvent['type']>(type: T, ms = 30_000): Promise<EventOf<T>> {
    const i = this.events.findIndex((e) => e.type === type);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0] as EventOf<T>);
    if (this.exit) return Promise.reject(this.gone());
    const p = new Promise<PeerEvent>((resolve, reject) => this.waiters.push({ type, resolve, reject }));
    return within(p as Promise<EventOf<T>>, ms, `a '${type}' event from peer ${this.pid}`);
  }

  /** How many events of `type` are queued (reported but not yet taken with next()). */
  queued(type: PeerEvent['type']): number {
    return this.events.filter((e) => e.type === type).length;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** Send `signal` and wait until the process is reaped. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', ms = 10_000): Promise<Exit> {
    if (this.exit === null) this.child.kill(signal);
    return within(this.exited, ms, `peer ${this.pid} to exit after ${signal}`);
  }
}

/** Fork a peer with a mailbox in `dir` and wait until it is ready. */
export async function startPeer(
  t: ExecutionContext,
  dir: string,
  options?: PeerConfig['options'],
  system = 'test',
): Promise<Peer> {
  const config: PeerConfig = { system, dir, options };
  const child = fork(FIXTURE, [JSON.stringify(config)], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, PIDGEON_DIR: '' },
  });
  const peer = new Peer(child);
  t.teardown(async () => {
    if (peer.running) child.kill('SIGKILL');
    await within(peer.exited, 10_000, `peer ${peer.pid} to be reaped`);
  });
  const ready = await peer.next('ready', 20_000);
  peer.address = ready.address;
  return peer;
}
