// An actor of the pack check's tree: replies with what it receives.
import { defineActor } from 'pidgeon';

export default defineActor({
  receive(ctx, msg) { ctx.reply(msg); },
});
