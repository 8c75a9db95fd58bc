// An actor module, imported from the installed package by its name.
import { defineActor } from 'pidgeon';

let count = 0;
export default defineActor({
  init(ctx, args) { count = args?.start ?? 0; },
  receive(ctx, msg) {
    if (msg.type === 'add') count += msg.n;
    if (msg.type === 'get') ctx.reply(count);
  },
});
