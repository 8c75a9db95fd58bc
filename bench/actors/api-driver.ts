// Bench actor (section api): the actor → actor figures. On { type: 'oneway', target }
// it runs the one-way loop of bench/lib/api-load.ts with ctx.send / ctx.system.drained
// against a counter actor and answers with the result; on { type: 'asks', target } it
// asks `target` one ask at a time for the duration and answers with the per-ask µs.
import { defineActor, type ActorRef } from '../../runtime/index.js';
import { askLoop, onewayLoop } from '../lib/api-load.js';

interface Run { type: 'oneway' | 'asks'; target: ActorRef; warmupMs: number; durationMs: number }

export default defineActor({
  async receive(ctx, msg: Run) {
    const sys = ctx.system;
    if (msg.type === 'oneway') {
      const r = await onewayLoop({
        send: (m) => ctx.send(msg.target, m),
        drained: () => sys.drained(msg.target),
        count: () => ctx.ask(msg.target, { type: 'count' }, { timeout: 60_000 }) as Promise<number>,
      }, msg.warmupMs, msg.durationMs);
      ctx.reply(r);
    } else if (msg.type === 'asks') {
      const samples = await askLoop((m) => ctx.ask(msg.target, m, { timeout: 10_000 }), msg.warmupMs, msg.durationMs);
      ctx.reply(samples);
    }
  },
});
