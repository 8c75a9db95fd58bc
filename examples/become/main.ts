// become: an actor that changes behaviour with ctx.become / ctx.unbecome and
// stashes what it cannot handle yet (see door.ts). Alice asks to walk through a
// locked door; her request waits in the door's stash, unanswered, through the
// unlock, and is answered the moment the door opens.
//
// Run: npm run example:become
import { ActorSystem } from 'pidgeon';
import type Door from './door.js';
import type { DoorMsg } from './door.js';

const system = await ActorSystem.start({ name: 'become' });
try {
  const door = await system.spawn<typeof Door>(new URL('./door.js', import.meta.url), { args: { code: '1234' } });
  const show = (what: string, answer: string) => console.log(`${what.padEnd(18)} -> ${answer}`);
  const say = async (what: string, msg: DoorMsg) => show(what, await system.ask(door, msg));

  await say('state?', { type: 'state' });
  // Not awaited: the door is locked, so the door stashes this ask instead of answering.
  const alice = system.ask(door, { type: 'walk', who: 'alice' }, { timeout: 10_000 });
  await say('state?', { type: 'state' });
  await say('open', { type: 'open' });
  await say('unlock with 0000', { type: 'unlock', code: '0000' });
  await say('unlock with 1234', { type: 'unlock', code: '1234' }); // replays alice: still closed
  await say('state?', { type: 'state' });
  await say('open', { type: 'open' }); // replays alice: now she can pass
  show('(alice, waiting)', await alice);
  await say('state?', { type: 'state' });
  await say('close', { type: 'close' }); // unbecome: back to unlocked
  await say('lock', { type: 'lock' }); // unbecome: back to locked
  await say('state?', { type: 'state' });
} finally {
  await system.shutdown();
}
console.log('done');
