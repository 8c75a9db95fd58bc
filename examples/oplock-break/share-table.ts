// The share-mode table of the oplock-break demo (smbd's locking.tdb in miniature):
// who holds an exclusive oplock on which file. It watches every holder, so a dead
// holder's oplocks vanish on its death notice, not after a timeout.
import { defineActor, type ActorRef } from '../../runtime/index.js';

interface Entry { holder: ActorRef; label: string }

const table = new Map<string, Entry>();
const watched = new Set<string>();
const key = (r: ActorRef) => `${r.pid}:${r.instance}`;

export default defineActor({
  receive(ctx, msg: any) {
    switch (msg?.type) {
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
