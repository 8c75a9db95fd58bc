// stats() counts the user's messages apart from the runtime's own: an actor asked
// and told by its parent reports exactly those in `user`, while its `ready`, watches
// and `info` requests go to `runtime`.
import test from 'ava';
import { fixture, startSystem } from '../helpers/actors.js';

test('user and runtime messages are counted apart, in the actor and in its parent', async (t) => {
  const { sys } = await startSystem(t);
  const echo = await sys.spawn(fixture('echo'));
  const before = sys.stats();
  for (let i = 0; i < 3; i++) t.is(await sys.ask(echo, i, { timeout: 20_000 }), i);
  sys.send(echo, 'told');
  sys.send(echo, 'told again');
  t.is(await sys.ask(echo, 'last', { timeout: 20_000 }), 'last'); // the two sends are in before it
  const info = await sys.info(echo) as { stats: { user: { received: number; sent: number }; runtime: { received: number; sent: number } } };
  // 4 asks + 2 sends in; 4 replies + 2 replies to the sends (echo replies to a send with a send) out.
  t.deepEqual(info.stats.user, { received: 6, sent: 6 });
  t.true(info.stats.runtime.received >= 1, 'info at least (init came on stdin)');
  t.true(info.stats.runtime.sent >= 1, 'ready at least');
  const after = sys.stats();
  t.is(after.user.sent - before.user.sent, 6);
  t.is(after.user.received - before.user.received, 6);
  t.true(after.runtime.received > before.runtime.received, 'the info reply is the runtime\'s');
});
