// Bench actor: answers every ask with its message.
import { defineActor } from '../../runtime/index.js';

export default defineActor({
  receive(ctx, msg) {
    ctx.reply(msg);
  },
});
