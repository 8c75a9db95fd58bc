// pong: answers every ball with the counter one higher.
import { defineActor } from '../../runtime/index.js';

export default defineActor({
  receive(ctx, count: number) {
    ctx.reply(count + 1); // answers the ask that brought the ball
  },
});
