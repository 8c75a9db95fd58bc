// A proxy: the process that carries this node's messages to one peer node over NATS
// (its own NATS connection, so cluster traffic uses more than one CPU, unlike
// ctdbd). Started on demand by the node agent, registered as `pidgeon:proxy:<peer>`.
import { defineActor, isNothing } from '../core/index.js';
import { AGENT_OPS, REMOTE_OPS } from '../core/remote.js';
import type { Address } from '../transport/index.js';
import { connectNats, subjects } from './nats.js';
import { PeerLink, type ProxyArgs } from './peer-link.js';
import { pack, unpack } from './frames.js';
import { BadArgumentError, deserializeRemoteError } from './remote-errors.js';
import { NoConnectionError } from '../errors.js';

let link: PeerLink | null = null;
let closeNats: (() => Promise<void>) | null = null;

const isTuple = (n: number) => (p: unknown): p is any[] => Array.isArray(p) && p.length === n && typeof p[0] === 'number' && typeof p[1] === 'string';
const isRecord = (p: unknown): p is Record<string, unknown> => typeof p === 'object' && p !== null;

export default defineActor({
  async init(ctx, a: ProxyArgs) {
    const nc = await connectNats(a.cluster, `pidgeon ${a.local} proxy for ${a.peer}`);
    closeNats = async () => { await nc.drain().catch(() => nc.close()); };
    const l = link = new PeerLink(ctx.system as any, nc, a);
    const sys = ctx.system;
    // A run of messages to one actor of the peer: one frame, kept whole to the end.
    sys.onSystem(REMOTE_OPS.relay, isTuple(3), (from: Address, p) => {
      if (p[2] instanceof Uint8Array && p[2].length > 0) l.relay(from, p as [number, string, Uint8Array]);
      else l.dropped++;
    });
    sys.onSystem(REMOTE_OPS.watch, isTuple(2), (from: Address, p) => l.watch(from, p as [number, string]));
    sys.onSystem(REMOTE_OPS.kill, isTuple(3), (from: Address, p) => l.kill(from, p as [number, string, string]));
    // Spawn and lookup on the peer: its agent answers.
    const ctl = async (req: Record<string, unknown>, timeout: number) => {
      const m = await nc.request(subjects.ctl(a.prefix, a.peer), pack({ ...req, from: a.local }), { timeout }).catch((err: Error) => {
        throw new NoConnectionError(`node '${a.peer}' does not answer: ${err.message}`, { cause: err });
      });
      const r = unpack(m.data) as { ok: boolean; value?: unknown; error?: unknown } | undefined;
      if (!r || typeof r.ok !== 'boolean') throw new BadArgumentError(`node '${a.peer}' sent a malformed answer`);
      if (!r.ok) throw deserializeRemoteError(r.error);
      return r.value;
    };
    sys.onSystemAsk(REMOTE_OPS.spawn, (p: unknown): p is { module: string; options: Record<string, unknown> } => isRecord(p) && typeof p.module === 'string' && isRecord(p.options),
      (_from, p) => ctl({ op: 'spawn', module: p.module, options: p.options }, typeof p.options.timeout === 'number' ? p.options.timeout + 2000 : 32_000));
    sys.onSystemAsk(REMOTE_OPS.lookup, (p: unknown): p is { name: string } => isRecord(p) && typeof p.name === 'string',
      (_from, p) => ctl({ op: 'lookup', name: p.name }, 5000));
    sys.onSystemAsk(AGENT_OPS.list, isNothing, () => ctl({ op: 'list' }, 5000));
    sys.onSystemAsk('proxy-info', isNothing, () => ({ peer: a.peer, session: l.session, dropped: l.dropped }));
    l.start();
  },
  receive() { /* everything comes as runtime messages */ },
  async terminate() {
    await link?.close();
    await closeNats?.();
  },
});
