// subscriber: subscribes to path prefixes at the notifier during init (so it is in
// the table before anyone learns it exists) and reports each change it is told of.
import { defineActor, type ActorRef } from 'pidgeon';
import type { NotifierMsg } from './notifier.js';

/** What a subscriber accepts: the changes it subscribed to (tell-only). */
export type SubscriberMsg = { type: 'notify'; path: string; action: string };
/** What a subscriber tells its `reportTo` for each change. */
export interface GotReport { type: 'got'; label: string; action: string; path: string }

interface Args { label: string; notifier: ActorRef<NotifierMsg>; prefixes: string[]; reportTo: ActorRef<GotReport> }
let args: Args;

export default defineActor<SubscriberMsg, Args>({
  async init(ctx, a) {
    args = a;
    for (const prefix of a.prefixes) await ctx.ask(a.notifier, { type: 'subscribe', label: a.label, prefix });
  },
  receive(ctx, msg) {
    // A real subscriber would invalidate a cache or wake a client; we report back.
    ctx.send(args.reportTo, { type: 'got', label: args.label, action: msg.action, path: msg.path });
  },
});
