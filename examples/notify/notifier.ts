// notifier: Samba's notifyd in miniature. It keeps a table of subscriptions
// (subscriber -> path prefixes) and fans each change event out to every subscriber
// with a matching prefix. It monitors each subscriber, and the death notice (a DOWN
// message) drops a dead one from the table, so no event is ever sent to a corpse.
import { defineActor, type ActorRef, type Ask, type DownMessage } from 'pidgeon';
import type { SubscriberMsg } from './subscriber.js';

export interface ChangeEvent { path: string; action: string }
/** What the notifier accepts: subscriptions, changes to fan out (answered with who
 * was told), a look at its table, and the DOWN notices of its monitors. */
export type NotifierMsg =
  | Ask<{ type: 'subscribe'; label: string; prefix: string }, { subscribed: string }>
  | Ask<{ type: 'change' } & ChangeEvent, string[]>
  | Ask<{ type: 'table' }, { subscribers: string[]; deadLetters: number }>
  | DownMessage;
/** What the notifier tells its `reportTo`: it dropped a dead subscriber. */
export interface DroppedReport { type: 'dropped'; label: string; size: number }

interface Subscription { ref: ActorRef<SubscriberMsg>; label: string; prefixes: string[] }

const table = new Map<string, Subscription>(); // keyed by pid:instance
const key = (ref: ActorRef) => `${ref.pid}:${ref.instance}`;
let reportTo: ActorRef<DroppedReport> | null = null;
let deadLetters = 0;

export default defineActor<NotifierMsg, { reportTo?: ActorRef<DroppedReport> } | undefined>({
  init(ctx, args) {
    reportTo = args?.reportTo ?? null;
    ctx.system.on('deadLetter', () => deadLetters++); // should stay 0
  },
  receive(ctx, msg) {
    switch (msg.type) {
      case 'subscribe': {
        const ref = ctx.sender!;
        let sub = table.get(key(ref));
        if (!sub) {
          sub = { ref, label: msg.label, prefixes: [] };
          table.set(key(ref), sub);
          ctx.monitor(ref); // one DOWN message when it exits, however it exits
        }
        sub.prefixes.push(msg.prefix);
        return void ctx.reply({ subscribed: msg.prefix });
      }
      case 'change': {
        const event: ChangeEvent = { path: msg.path, action: msg.action };
        const to: string[] = [];
        for (const sub of table.values()) {
          if (!sub.prefixes.some((p) => msg.path.startsWith(p))) continue;
          ctx.send(sub.ref, { type: 'notify', ...event });
          to.push(sub.label);
        }
        return void ctx.reply(to); // who was told
      }
      case 'table':
        return void ctx.reply({
          subscribers: [...table.values()].map((s) => `${s.label} ${s.prefixes.join(',')}`),
          deadLetters,
        });
      case 'DOWN': {
        const sub = table.get(key(msg.ref));
        if (!sub) return;
        table.delete(key(msg.ref));
        if (reportTo) ctx.send(reportTo, { type: 'dropped', label: sub.label, size: table.size });
      }
    }
  },
});
