// Bench actor (section cluster): counts { type: 'seq', seq } messages and checks that
// they arrive in order (seq 0, 1, 2, ... since the last { type: 'reset' }); answers the
// ask { type: 'count' } with { count, outOfOrder, next } (messages are handled in
// arrival order, so the answer covers everything the asker sent before it).
import { defineActor } from '../../runtime/index.js';

let count = 0;
let outOfOrder = 0;
let next = 0;

export default defineActor({
  receive(ctx, msg: { type: string; seq?: number }) {
    if (msg.type === 'seq') {
      if (msg.seq !== next) outOfOrder++;
      next = (msg.seq ?? next) + 1;
      count++;
    } else if (msg.type === 'count') {
      ctx.reply({ count, outOfOrder, next });
    } else if (msg.type === 'reset') {
      count = 0;
      outOfOrder = 0;
      next = 0;
      ctx.reply(true);
    }
  },
});
