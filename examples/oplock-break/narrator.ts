// The narrator of the oplock-break demo: drives the clients through three cases and
// tells what happens, with timings. Then it asks the launcher to stop the tree.
//   1. the holder answers the break;
//   2. the holder is slow: B waits, and client C is not blocked meanwhile;
//   3. the holder is killed (SIGKILL) mid-break: B proceeds at once on the death
//      notice, where Samba's smbd would wait up to 70 s; the supervisor restarts it.
import { defineActor, type ActorContext, type ActorRef } from 'pidgeon';
import type { ClientMsg, OpenResult } from './client.js';

/** What the narrator accepts: the cue it sends itself to start. */
type NarratorMsg = { type: 'go' };
type Ctx = ActorContext<NarratorMsg>;

const t0 = Date.now();
const say = (s: string) => console.log(`[${String(Date.now() - t0).padStart(5)} ms] ${s}`);

function need(ctx: Ctx, name: string): ActorRef<ClientMsg> {
  const r = ctx.lookup<ClientMsg>(name);
  if (!r) throw new Error(`${name} is not running`);
  return r;
}

const HOW: Record<OpenResult['how'], string> = { granted: 'directly', 'after-break': "after A's break reply", 'holder-died': "on A's death notice" };

async function run(ctx: Ctx): Promise<void> {
  const a = need(ctx, 'client-a');
  const b = need(ctx, 'client-b');
  const c = need(ctx, 'client-c');
  const open = (who: ActorRef<ClientMsg>, file: string) => ctx.ask(who, { type: 'open', file }, { timeout: 90_000 });

  say('— case 1: the holder answers the break —');
  await ctx.ask(a, { type: 'config', flushMs: 40, hang: false });
  let r = await open(a, 'report.docx');
  say(`A opened report.docx: exclusive oplock (${r.waitedMs} ms)`);
  r = await open(b, 'report.docx');
  say(`B opened report.docx ${HOW[r.how]}, after ${r.waitedMs} ms (A flushed and released first)`);

  say('— case 2: the holder is slow; other clients are not blocked —');
  await ctx.ask(a, { type: 'config', flushMs: 1500 });
  await open(a, 'budget.xlsx');
  say('A opened budget.xlsx; A is slow to flush (1.5 s)');
  const pb = open(b, 'budget.xlsx');
  const rc = await open(c, 'notes.txt');
  say(`C opened notes.txt in ${rc.waitedMs} ms while B is still waiting for A`);
  r = await pb;
  say(`B opened budget.xlsx ${HOW[r.how]}, after ${r.waitedMs} ms`);

  say('— case 3: the holder is killed mid-break —');
  await ctx.ask(a, { type: 'config', flushMs: 40, hang: true });
  await open(a, 'plan.txt');
  say('A opened plan.txt; A will hang when asked to break');
  const seen = ctx.ask(a, { type: 'notify-break', file: 'plan.txt' }, { timeout: 30_000 });
  const pb3 = open(b, 'plan.txt');
  await seen;
  const killedAt = Date.now();
  process.kill(a.pid, 'SIGKILL');
  say(`kill -9 client A (pid ${a.pid}) while B waits for its break reply`);
  r = await pb3;
  const after = Date.now() - killedAt;
  say(`B opened plan.txt ${HOW[r.how]}, ${after} ms after the kill: a pidfd death notice, not a timeout`);
  say('   (Samba lets B wait up to 70 s for a dead holder\'s break reply)');

  for (let i = 0; i < 500; i++) {
    const again = ctx.lookup('client-a');
    if (again && again.pid !== a.pid) {
      say(`the supervisor restarted client A as pid ${again.pid} (${Date.now() - killedAt} ms after the kill)`);
      return;
    }
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('client-a was not restarted within 10 s');
}

export default defineActor<NarratorMsg>({
  init(ctx) {
    ctx.send(ctx.self, { type: 'go' });
  },
  async receive(ctx, msg) {
    if (msg?.type !== 'go') return; // `pidgeon send` can deliver anything
    await run(ctx);
    say('demo finished: stopping the tree');
    const launcher = ctx.lookup('pidgeon.launcher');
    if (launcher) void ctx.system.stop(launcher, { timeout: 'infinity' });
    else ctx.stop();
  },
});
