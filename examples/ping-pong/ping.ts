// ping: on { rounds, pong }, bounces a counter off pong `rounds` times (one ask per
// round trip) and answers with the final count and the time it took.
import { defineActor, type ActorRef, type Ask } from 'pidgeon';
import type { PongMsg } from './pong.js';

/** What ping accepts: a rally against pong, answered with its count and duration. */
export type PingMsg = Ask<{ rounds: number; pong: ActorRef<PongMsg> }, { count: number; ms: number }>;

export default defineActor<PingMsg>({
  async receive(ctx, { rounds, pong }) {
    const start = process.hrtime.bigint();
    let count = 0;
    // Replies to our asks do not queue behind this message: awaiting them here is fine.
    for (let i = 0; i < rounds; i++) count = await ctx.ask(pong, count); // a number: PongMsg says so
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    ctx.reply({ count, ms });
  },
});
