// The pack check's program: spawn an actor from the installed package, ask it, shut down.
import { ActorSystem } from 'pidgeon';

const system = await ActorSystem.start({ name: 'pack-check', dir: process.argv[2] });
const counter = await system.spawn(new URL('./counter.mjs', import.meta.url), { name: 'counter', args: { start: 40 } });
system.send(counter, { type: 'add', n: 2 });
const count = await system.ask(counter, { type: 'get' }, { timeout: 10_000 });
await system.shutdown();
console.log(count === 42 ? 'program: ok 42' : `program: wrong count ${count}`);
process.exitCode = count === 42 ? 0 : 1;
