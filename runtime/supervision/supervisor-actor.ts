// The supervisor: an actor module run in its own process (the process tree is the
// supervision tree). It hosts one DynamicSupervisor (supervisor.ts, supervisor-calls.ts):
// its exits and re-queued restarts come as messages, the dynamic-child calls as
// runtime requests, and all of them are handled one at a time.
import { defineActor, isNothing } from '../core/index.js';
import { OPS } from './dynamic.js';
import { DynamicSupervisor, type ChildKey, type StartPayload } from './supervisor-calls.js';
import { RETRY, type SupervisorArgs } from './supervisor.js';

export { SUPERVISOR_MODULE, type SupervisorArgs, type SupervisorEvent } from './supervisor.js';

let sup: DynamicSupervisor | null = null;

// The payloads of the requests (dynamic.ts validated the child spec).
const isRecord = (p: unknown): p is Record<string, unknown> => typeof p === 'object' && p !== null;
const isIdPayload = (p: unknown): p is { id: string } => isRecord(p) && typeof p.id === 'string';
const isRef = (r: unknown): boolean => isRecord(r) && typeof r.pid === 'number' && typeof r.instance === 'string';
const isKeyPayload = (p: unknown): p is ChildKey => isIdPayload(p) || (isRecord(p) && isRef(p.ref));
const isStartPayload = (p: unknown): p is StartPayload => isRecord(p) && 'spec' in p && (p.spec === null || isIdPayload(p.spec));

export default defineActor({
  async init(ctx, args: SupervisorArgs) {
    sup = new DynamicSupervisor(ctx, args.spec, args.reportTo);
    const s = sup;
    ctx.system.onSystemAsk('which', isNothing, () => s.which());
    ctx.system.onSystemAsk(OPS.start, isStartPayload, (_from, p) => s.serial(() => s.startChild(p)));
    ctx.system.onSystemAsk(OPS.terminate, isKeyPayload, (_from, p) => s.serial(() => s.terminateChild(p)));
    ctx.system.onSystemAsk(OPS.restart, isIdPayload, (_from, p) => s.serial(() => s.restartChild(p.id)));
    ctx.system.onSystemAsk(OPS.delete, isIdPayload, (_from, p) => s.serial(() => s.deleteChild(p.id)));
    ctx.system.onSystemAsk(OPS.count, isNothing, () => s.serial(() => s.count()));
    ctx.system.onSystemAsk(OPS.spec, isKeyPayload, (_from, p) => s.serial(() => s.childSpec(p)));
    ctx.system.onSystemAsk(OPS.flags, isNothing, () => s.flags());
    await s.serial(() => s.startAll());
  },
  async receive(_ctx, msg: any) {
    if (!sup || typeof msg !== 'object' || msg === null) return;
    const s = sup;
    if (msg.type === 'DOWN') return s.serial(() => s.onDown(msg.monitor, msg.reason));
    if (msg.type === RETRY && typeof msg.id === 'string') return s.serial(() => s.onRetry(msg.id, msg.counted === true));
  },
  async terminate() {
    await sup?.stopAll();
  },
});
