// Bench actor (section api): counts { type: 'seq' } messages; answers the ask
// { type: 'count' } with the count so far (messages are handled in arrival order, so
// the answer covers everything sent before the ask).
import { defineActor } from '../../runtime/index.js';

let count = 0;

export default defineActor({
  receive(ctx, msg: { type: string }) {
    if (msg.type === 'seq') count++;
    else if (msg.type === 'count') ctx.reply(count);
  },
});
