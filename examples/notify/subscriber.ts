// subscriber: subscribes to path prefixes at the notifier during init (so it is in
// the table before anyone learns it exists) and reports each change it is told of.
import { defineActor, type ActorRef } from '../../runtime/index.js';

interface Args { label: string; notifier: ActorRef; prefixes: string[]; reportTo: ActorRef }
let args: Args;

export default defineActor<Args>({
  async init(ctx, a) {
    args = a;
    for (const prefix of a.prefixes) await ctx.ask(a.notifier, { type: 'subscribe', label: a.label, prefix });
  },
  receive(ctx, msg: { type: 'notify'; path: string; action: string }) {
    // A real subscriber would invalidate a cache or wake a client; we report back.
    ctx.send(args.reportTo, { type: 'got', label: args.label, action: msg.action, path: msg.path });
  },
});
