// The share-mode table of the oplock-break demo (smbd's locking.tdb in miniature):
// who holds an exclusive oplock on which file. It watches every holder, so a dead
// holder's oplocks vanish on its death notice, not after a timeout.
import { defineActor, type ActorRef, type Ask, type DownMessage } from 'pidgeon';
import type { ClientMsg } from './client.js';

/** The answer to an open: granted, or who holds the oplock (to send it a break). */
export type OpenAnswer = { granted: true } | { granted: false; holder: ActorRef<ClientMsg>; holderLabel: string };
/** What the share-mode table accepts: opens and releases by clients, a dump, and the
 * DOWN notices of the holders it watches. */
export type ShareTableMsg =
  | Ask<{ type: 'open'; file: string; label: string }, OpenAnswer>
  | Ask<{ type: 'release'; file: string }, { released: true }>
  | Ask<{ type: 'dump' }, { file: string; holder: string; pid: number }[]>
  | DownMessage;

interface Entry { holder: ActorRef<ClientMsg>; label: string }

const table = new Map<string, Entry>();
const watched = new Set<string>();
const key = (r: ActorRef) => `${r.pid}:${r.instance}`;

export default defineActor<ShareTableMsg>({
  receive(ctx, msg) {
    switch (msg?.type) { // `?.`: `pidgeon send` can deliver anything, null included
      case 'open': {
        const me = ctx.sender!;
        const e = table.get(msg.file);
        // A holder that is no longer alive holds nothing (its death notice may still be on its way).
        if (!e || key(e.holder) === key(me) || !ctx.system.isAlive(e.holder)) {
          table.set(msg.file, { holder: me, label: msg.label });
          if (!watched.has(key(me))) {
            watched.add(key(me));
            ctx.monitor(me);
          }
          return void ctx.reply({ granted: true });
        }
        return void ctx.reply({ granted: false, holder: e.holder, holderLabel: e.label });
      }
      case 'release': {
        const e = table.get(msg.file);
        if (e && key(e.holder) === key(ctx.sender!)) table.delete(msg.file);
        return void ctx.reply({ released: true });
      }
      case 'DOWN': {
        watched.delete(key(msg.ref));
        for (const [file, e] of table) {
          if (key(e.holder) === key(msg.ref)) {
            table.delete(file);
            // An orderly stop (the demo's end) is not news; a crash or a kill is.
            if (msg.reason !== 'normal' && msg.reason !== 'shutdown') {
              console.log(`    share-table: client ${e.label} (pid ${msg.ref.pid}) is gone; its oplock on ${file} is released`);
            }
          }
        }
        return;
      }
      case 'dump':
        return void ctx.reply([...table].map(([file, e]) => ({ file, holder: e.label, pid: e.holder.pid })));
    }
  },
});
