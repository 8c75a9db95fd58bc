// fd-listener: Samba's smbd model. A listener actor accepts TCP connections and
// passes each accepted socket's file descriptor to one of three supervised worker
// actors (round-robin), which serves the client directly. We connect a few
// clients, SIGKILL one worker, and watch: its client loses its connection, the
// other clients do not notice, the supervisor starts a replacement (new pid), and
// the replacement serves new clients.
//
// Run: npm run example:fd-listener
import { ActorSystem, formatReason, type ActorRef, type SupervisorEvent } from 'pidgeon';
import { Client } from './client.js';
import type Listener from './listener.js';

const system = await ActorSystem.start({ name: 'fd-listener' });

// Supervisor events arrive as messages; keep them until main asks for one.
const events: SupervisorEvent[] = [];
let wake: (() => void) | null = null;
system.on('message', (msg) => {
  if ((msg as SupervisorEvent)?.type !== 'pidgeon.supervisor') return;
  events.push(msg as SupervisorEvent);
  wake?.();
});
async function supervisorEvent(event: SupervisorEvent['event'], id: string): Promise<SupervisorEvent> {
  for (;;) {
    const i = events.findIndex((e) => e.event === event && e.id === id);
    if (i >= 0) return events.splice(i, 1)[0];
    await new Promise<void>((resolve) => { wake = resolve; });
  }
}

const clients: Client[] = [];
try {
  const worker = new URL('./worker.js', import.meta.url);
  const supervisor = await system.supervise({
    strategy: 'one_for_one', intensity: 3, period: 5000,
    children: ['w1', 'w2', 'w3'].map((id) => ({ id, module: worker, args: { id }, restart: 'permanent' as const, shutdown: 2000 })),
  }, { reportTo: system.self });
  const listener = await system.spawn<typeof Listener>(new URL('./listener.js', import.meta.url), { args: { supervisor } });
  const port = await system.ask(listener, { type: 'port' }); // a number: ListenerMsg says so
  const workers = new Map((await system.which(supervisor)).map((c) => [c.id, c.ref as ActorRef]));
  console.log(`listener (pid ${listener.pid}) on 127.0.0.1:${port}; workers ${[...workers].map(([id, r]) => `${id}=${r.pid}`).join(' ')}`);

  async function connect(): Promise<Client> {
    const { client, greeting } = await Client.connect(port);
    clients.push(client);
    console.log(`client ${clients.length} connected: ${greeting}`);
    return client;
  }
  async function talk(client: Client, line: string): Promise<void> {
    console.log(`client ${clients.indexOf(client) + 1}: ${line} -> ${await client.request(line)}`);
  }

  const [c1, c2, c3] = [await connect(), await connect(), await connect()];
  for (const c of [c1, c2, c3]) await talk(c, 'hello');

  events.length = 0; // forget the start-up events: we wait for the restart's
  const victim = workers.get('w2')!;
  console.log(`killing w2 (pid ${victim.pid}) with SIGKILL`);
  process.kill(victim.pid, 'SIGKILL');
  await c2.closed;
  console.log('client 2: connection closed (its worker died)');
  console.log(`supervisor: w2 exited (${formatReason((await supervisorEvent('exited', 'w2')).reason!)})`);
  console.log(`supervisor: w2 restarted as pid ${(await supervisorEvent('started', 'w2')).ref!.pid}`);

  await talk(c1, 'still here?');
  await talk(c3, 'still here?');
  const [c4, c5, c6] = [await connect(), await connect(), await connect()];
  for (const c of [c4, c5, c6]) await talk(c, 'hello');
} finally {
  for (const c of clients) await c.close(); // c2's is closed already: a no-op
  await system.shutdown(); // listener first (last started), then the supervisor and its workers
}
console.log('done');
