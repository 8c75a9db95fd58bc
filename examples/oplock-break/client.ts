// A file-server client of the oplock-break demo. Opening a file another client holds
// means: send the holder a break request and wait for it to flush and release
// (Samba's oplock break), then open. If the holder dies meanwhile, the ask fails at
// once with EDEADACTOR (pidfd death notice) and the client proceeds.
import { defineActor, type ActorContext, type ActorRef, type Ask } from 'pidgeon';
import type { ShareTableMsg } from './share-table.js';

/** How an open went. */
export interface OpenResult { ok: boolean; how: 'granted' | 'after-break' | 'holder-died'; waitedMs: number }
interface Status { label: string; pid: number; flushMs: number; hangOnBreak: boolean }
/** What a client accepts (every message is asked). */
export type ClientMsg =
  | Ask<{ type: 'config'; flushMs?: number; hang?: boolean }, Omit<Status, 'pid'>>
  | Ask<{ type: 'open'; file: string }, OpenResult>
  | Ask<{ type: 'notify-break'; file: string }, { breakSeen: string }> // answered when a break for file arrives
  | Ask<{ type: 'break'; file: string }, { released: string }> // an oplock break from another client
  | Ask<{ type: 'status' }, Status>;
type Ctx = ActorContext<ClientMsg>;

let label = '?';
let flushMs = 20;
let hangOnBreak = false;
const watchers = new Map<string, ReturnType<Ctx['replyLater']>>();

function shareTable(ctx: Ctx): ActorRef<ShareTableMsg> {
  const t = ctx.lookup<ShareTableMsg>('share-table');
  if (!t) throw new Error('share-table is not running');
  return t;
}

async function open(ctx: Ctx, file: string): Promise<OpenResult> {
  const t0 = Date.now();
  let how: OpenResult['how'] = 'granted';
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await ctx.ask(shareTable(ctx), { type: 'open', file, label });
    if (r.granted) return { ok: true, how, waitedMs: Date.now() - t0 };
    console.log(`    client ${label}: ${file} is held by ${r.holderLabel}; sending an oplock break and waiting`);
    try {
      await ctx.ask(r.holder, { type: 'break', file }, { timeout: 70_000 }); // Samba's worst case
      how = 'after-break';
    } catch (err) {
      if ((err as { code?: string }).code !== 'EDEADACTOR') throw err;
      console.log(`    client ${label}: the holder died during the break (death notice), proceeding`);
      how = 'holder-died';
    }
  }
  return { ok: false, how, waitedMs: Date.now() - t0 };
}

export default defineActor<ClientMsg, { label: string }>({
  init(_ctx, args) {
    label = args.label;
  },
  async receive(ctx, msg) {
    switch (msg?.type) { // `?.`: `pidgeon send` can deliver anything, null included
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
