// Bench actor: on { type: 'run', target, count } asks `target` `count` times in a
// row and answers with the per-ask round trips in microseconds.
import { defineActor, type ActorRef } from '../../runtime/index.js';

export default defineActor({
  async receive(ctx, msg: { type: string; target: ActorRef; count: number; warmup: number }) {
    if (msg.type !== 'run') return;
    const payload = 'x'.repeat(48);
    for (let i = 0; i < msg.warmup; i++) await ctx.ask(msg.target, payload);
    const out = new Float64Array(msg.count);
    for (let i = 0; i < msg.count; i++) {
      const t = performance.now();
      await ctx.ask(msg.target, payload);
      out[i] = (performance.now() - t) * 1000;
    }
    ctx.reply(out);
  },
});
