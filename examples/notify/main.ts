// notify: Samba's notifyd. A notifier actor keeps a table of subscriptions and fans
// change events out to the subscribers whose path prefix matches. It monitors its
// subscribers: when one is killed, the death notice removes it from the table,
// and the next event is not sent to it (no dead letters, no timeouts, no polling).
//
// Run: npm run example:notify
import { ActorSystem, type ActorRef } from 'pidgeon';
import type Notifier from './notifier.js';
import type { DroppedReport } from './notifier.js';
import type Subscriber from './subscriber.js';
import type { GotReport, SubscriberMsg } from './subscriber.js';

const system = await ActorSystem.start({ name: 'notify' });

// Messages from our actors: subscribers' 'got' reports and the notifier's 'dropped'.
type Report = GotReport | DroppedReport;
const waiting: { test: (r: Report) => boolean; resolve: (r: Report) => void }[] = [];
const backlog: Report[] = [];
system.on('message', (msg) => {
  const r = msg as Report;
  const i = waiting.findIndex((w) => w.test(r));
  if (i >= 0) waiting.splice(i, 1)[0].resolve(r);
  else backlog.push(r);
});
/** The next report that passes `test` (already arrived, or still to come). */
function report(test: (r: Report) => boolean): Promise<Report> {
  const i = backlog.findIndex(test);
  if (i >= 0) return Promise.resolve(backlog.splice(i, 1)[0]);
  return new Promise((resolve) => waiting.push({ test, resolve }));
}

try {
  const notifier = await system.spawn<typeof Notifier>(new URL('./notifier.js', import.meta.url), { args: { reportTo: system.self } });
  const subscribers = new Map<string, ActorRef<SubscriberMsg>>();
  for (const [label, prefixes] of [['alice', ['/share/docs/']], ['bob', ['/share/']], ['carol', ['/share/media/', '/home/carol/']]] as const) {
    const args = { label, notifier, prefixes: [...prefixes], reportTo: system.self };
    subscribers.set(label, await system.spawn<typeof Subscriber>(new URL('./subscriber.js', import.meta.url), { args }));
    console.log(`${label} (pid ${subscribers.get(label)!.pid}) subscribed to ${prefixes.join(' and ')}`);
  }

  /** Publish one change; wait until every subscriber it went to has reported it. */
  async function change(action: string, path: string): Promise<void> {
    const to = await system.ask(notifier, { type: 'change', action, path }); // who was told: string[]
    console.log(`${action} ${path} -> ${to.length ? to.join(', ') : 'nobody'}`);
    for (const label of to) {
      await report((r) => r.type === 'got' && r.label === label && r.path === path && r.action === action);
      console.log(`  ${label} got ${action} ${path}`);
    }
  }
  async function table(): Promise<void> {
    const t = await system.ask(notifier, { type: 'table' });
    console.log(`table: ${t.subscribers.length} subscribers (${t.subscribers.join('; ')}); dead letters: ${t.deadLetters}`);
  }

  await table();
  await change('CREATE', '/share/docs/report.txt');
  await change('MODIFY', '/share/media/song.ogg');
  await change('DELETE', '/home/carol/notes');
  await change('CREATE', '/tmp/scratch');

  const bob = subscribers.get('bob')!;
  console.log(`killing bob (pid ${bob.pid}) with SIGKILL`);
  process.kill(bob.pid, 'SIGKILL');
  const dropped = (await report((r) => r.type === 'dropped')) as DroppedReport;
  console.log(`notifier got the death notice and dropped ${dropped.label}; table size now ${dropped.size}`);

  await change('MODIFY', '/share/docs/report.txt'); // bob would have matched /share/
  await table();
} finally {
  await system.shutdown();
}
console.log('done');
