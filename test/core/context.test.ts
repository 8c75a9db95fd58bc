// Inside an actor: become/unbecome (a stack, effective from the next message),
// stash/unstashAll (stashed messages come back first, in their original order,
// asks included), ctx.spawn (the child is a child of the actor's process),
// ctx.sender and ctx.reply to a plain send.
import test from 'ava';
import fs from 'node:fs';
import type { ActorRef } from '../../runtime/index.js';
import { fixture, startSystem, within, WAIT } from '../helpers/actors.js';

test('become/unbecome/stash: a state machine handles a known sequence in the expected order', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const door = await sys.spawn(fixture('fsm'));
  const script = ['knock', 'write:1', 'write:2', 'open', 'write:3', 'close', 'write:4', 'lock', 'write:5', 'knock',
    'unlock', 'open', 'unbecome-twice', 'knock'];
  for (const m of script) sys.send(door, m);
  const log = await sys.ask(door, { op: 'log' }, { timeout: 20_000 });
  t.deepEqual(log, [
    'closed:knock',
    'closed:write:1', 'closed:write:2', // stashed
    'closed:open', // become(opened) from the next message; stash comes back first
    'opened:write:1', 'opened:write:2', 'opened:write:3',
    'opened:close', // unbecome: back to closed
    'closed:write:4', // stashed
    'closed:lock', // become(locked)
    'locked:write:5', 'locked:knock', // stashed behind write:4
    'locked:unlock', // unbecome + unstashAll: write:4, write:5, knock come back, in order
    'closed:write:4', 'closed:write:5', // stashed again (closed)
    'closed:knock',
    'closed:open',
    'opened:write:4', 'opened:write:5',
    'opened:unbecome-twice', // three unbecomes stop at the module's receive
    'closed:knock',
  ]);
  const replies: any[] = [];
  for (let i = 0; i < 14; i++) replies.push(await inbox.take((m) => m && typeof m.state === 'string', `reply ${i + 1}`));
  t.deepEqual(replies.map((r) => `${r.state}/${r.msg}`), [
    'closed/knock', 'closed/open', 'opened/write:1', 'opened/write:2', 'opened/write:3', 'opened/close', 'closed/lock',
    'locked/unlock', 'closed/knock', 'closed/open', 'opened/write:4', 'opened/write:5', 'opened/unbecome-twice', 'closed/knock',
  ]);
  t.deepEqual(inbox.pending((m) => m && typeof m.state === 'string'), []);
});

test('a stashed ask is answered when the message is handled again', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const door = await sys.spawn(fixture('fsm'));
  const asked = sys.ask(door, 'write:9', { timeout: 20_000 });
  let settled = false;
  void asked.then(() => { settled = true; }, () => { settled = true; });
  sys.send(door, 'knock');
  await inbox.take((m) => m?.msg === 'knock', 'knock reply');
  t.false(settled, 'the stashed ask is still pending');
  sys.send(door, 'open');
  t.deepEqual(await within(asked, WAIT, 'the stashed ask'), { state: 'opened', msg: 'write:9' });
  t.deepEqual(await inbox.take((m) => m?.msg === 'open', 'open reply'), { state: 'closed', msg: 'open' });
});

test('ctx.spawn starts a child of the actor\'s own process', async (t) => {
  const { sys, dir } = await startSystem(t);
  const parent = await sys.spawn(fixture('probe'));
  const child = await sys.ask(parent, { op: 'spawn', module: fixture('echo').href }, { timeout: 20_000 }) as ActorRef;
  const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'latin1');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  t.is(ppid, parent.pid);
  t.deepEqual(await sys.ask(child, { hi: 'grandchild' }, { timeout: 20_000 }), { hi: 'grandchild' });
  const info = await sys.info(parent) as any;
  t.deepEqual(info.children.map((c: any) => c.pid), [child.pid]);
  t.is(info.parent.pid, process.pid);
  t.truthy(dir);
});

test('ctx.reply to a plain send reaches the sender as a message, with from = the actor', async (t) => {
  const { sys, inbox } = await startSystem(t);
  const echo = await sys.spawn(fixture('echo'));
  sys.send(echo, { plain: 1 });
  const r = await inbox.takeWithMeta((m) => m?.plain === 1, 'reply to a plain send');
  t.is(r.meta.from.pid, echo.pid);
  t.is(r.meta.from.instance, echo.instance);
});
