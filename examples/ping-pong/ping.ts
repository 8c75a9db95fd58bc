// ping: on { rally: rounds, pong }, bounces a counter off pong `rounds` times (one
// ask per round trip) and answers with the final count and the time it took.
import { defineActor, type ActorRef } from '../../runtime/index.js';

interface Rally { rounds: number; pong: ActorRef }

export default defineActor({
  async receive(ctx, { rounds, pong }: Rally) {
    const start = process.hrtime.bigint();
    let count = 0;
    // Replies to our asks do not queue behind this message: awaiting them here is fine.
    for (let i = 0; i < rounds; i++) count = (await ctx.ask(pong, count)) as number;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    ctx.reply({ count, ms });
  },
});
