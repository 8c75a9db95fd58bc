// A file-server client of the oplock-break demo. Opening a file another client holds
// means: send the holder a break request and wait for it to flush and release
// (Samba's oplock break), then open. If the holder dies meanwhile, the ask fails at
// once with EDEADACTOR (pidfd death notice) and the client proceeds.
import { defineActor, type ActorContext, type ActorRef } from '../../runtime/index.js';

let label = '?';
let flushMs = 20;
let hangOnBreak = false;
const watchers = new Map<string, (msg: unknown) => boolean>();

function shareTable(ctx: ActorContext): ActorRef {
  const t = ctx.lookup('share-table');
  if (!t) throw new Error('share-table is not running');
  return t;
}

async function open(ctx: ActorContext, file: string) {
  const t0 = Date.now();
  let how: 'granted' | 'after-break' | 'holder-died' = 'granted';
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = (await ctx.ask(shareTable(ctx), { type: 'open', file, label })) as { granted: boolean; holder?: ActorRef; holderLabel?: string };
    if (r.granted) return { ok: true, how, waitedMs: Date.now() - t0 };
    console.log(`    client ${label}: ${file} is held by ${r.holderLabel}; sending an oplock break and waiting`);
    try {
      await ctx.ask(r.holder!, { type: 'break', file }, { timeout: 70_000 }); // Samba's worst case
      how = 'after-break';
    } catch (err) {
      if ((err as { code?: string }).code !== 'EDEADACTOR') throw err;
      console.log(`    client ${label}: the holder died during the break (death notice), proceeding`);
      how = 'holder-died';
    }
  }
  return { ok: false, how, waitedMs: Date.now() - t0 };
}

export default defineActor({
  init(ctx, args: { label: string }) {
    label = args.label;
  },
  async receive(ctx, msg: any) {
    switch (msg?.type) {
      case 'config':
        flushMs = msg.flushMs ?? flushMs;
        hangOnBreak = msg.hang ?? hangOnBreak;
        return void ctx.reply({ label, flushMs, hangOnBreak });
      case 'open':
        return void ctx.reply(await open(ctx, msg.file));
      case 'notify-break': // answered when a break for msg.file arrives
        watchers.set(msg.file, ctx.replyLater());
        return;
      case 'break': {
        watchers.get(msg.file)?.({ breakSeen: msg.file });
        watchers.delete(msg.file);
        if (hangOnBreak) {
          console.log(`    client ${label}: break request for ${msg.file}... and client ${label} hangs (stuck I/O)`);
          return; // never answers
        }
        console.log(`    client ${label}: break request for ${msg.file}: flushing (${flushMs} ms), then releasing`);
        await new Promise((r) => setTimeout(r, flushMs));
        await ctx.ask(shareTable(ctx), { type: 'release', file: msg.file });
        return void ctx.reply({ released: msg.file });
      }
      case 'status':
        return void ctx.reply({ label, pid: process.pid, flushMs, hangOnBreak });
    }
  },
});
