// pong: answers every ball with the counter one higher.
import { defineActor, type Ask } from 'pidgeon';

/** What pong accepts: a ball (the counter), asked; the answer is the counter plus one. */
export type PongMsg = Ask<number, number>;

export default defineActor<PongMsg>({
  receive(ctx, count) {
    ctx.reply(count + 1); // answers the ask that brought the ball
  },
});
