// ping-pong: the smallest pidgeon program. Two actors, each its own OS process with
// its own Unix-datagram mailbox, bounce a counter back and forth; we print the time
// per round trip. Shows ActorSystem.start, spawn, ask/reply and shutdown.
//
// Run: npm run example:ping-pong [-- ROUNDS]
import { ActorSystem } from 'pidgeon';
// Types only (erased at run time): this process does not load the actors' modules.
import type Ping from './ping.js';
import type Pong from './pong.js';

const rounds = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`usage: main.js [ROUNDS] (got ${process.argv[2]})`);

const system = await ActorSystem.start({ name: 'ping-pong' });
try {
  // Module paths are URLs relative to this file, so they work from dist/ too.
  // spawn<typeof Pong>: the ref is typed with pong's protocol, so ask/send are checked.
  const pong = await system.spawn<typeof Pong>(new URL('./pong.js', import.meta.url));
  const ping = await system.spawn<typeof Ping>(new URL('./ping.js', import.meta.url));
  console.log(`ping is pid ${ping.pid}, pong is pid ${pong.pid}`);

  await system.ask(ping, { rounds: 100, pong }); // warm up both processes
  const { count, ms } = await system.ask(ping, { rounds, pong }, { timeout: 60_000 });
  console.log(`${count} round trips in ${ms.toFixed(1)} ms: ${((ms * 1000) / count).toFixed(1)} µs per round trip`);
} finally {
  await system.shutdown(); // stops both children, removes our socket and lockfile
}
console.log('done');
