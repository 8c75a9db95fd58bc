// The hosted actor's message loop without processes (a fake system records what the
// context asks of it): one message at a time in arrival order, async receive
// included; nothing before start; become, stash, a crash and a halt.
import test from 'ava';
import { ActorRuntime } from '../../runtime/core/actor-runtime.js';
import type { ActorDefinition, ContextHost, ContextSystem, QueuedMessage } from '../../runtime/core/context.js';

const from = { pid: 5, instance: '5' };
const msg = (m: unknown, askId?: number): QueuedMessage => ({ from, msg: m, askId, fds: [], fdsTaken: false });
const tick = () => new Promise((r) => setImmediate(r));

function host() {
  const log: unknown[][] = [];
  const h = {
    replyTo: (_to: unknown, id: number, ok: boolean, body: unknown) => { log.push(['reply', id, ok, body instanceof Error ? body.message : body]); return true; },
    send: (_to: unknown, m: unknown) => { log.push(['send', m]); return true; },
  } as unknown as ContextHost;
  return { h, log };
}

function runtime(def: ActorDefinition, crash: (err: unknown) => void = () => {}) {
  const { h, log } = host();
  return { rt: new ActorRuntime(def, h, h as unknown as ContextSystem, crash), log };
}

test('messages are handled one at a time, in arrival order, even when receive is async', async (t) => {
  const seen: string[] = [];
  const { rt } = runtime({
    async receive(_ctx, m: { id: string; ms: number }) {
      seen.push(`start ${m.id}`);
      await new Promise((r) => setTimeout(r, m.ms));
      seen.push(`end ${m.id}`);
    },
  });
  rt.start();
  rt.enqueue(msg({ id: 'a', ms: 30 }));
  rt.enqueue(msg({ id: 'b', ms: 0 }));
  await new Promise((r) => setTimeout(r, 80));
  t.deepEqual(seen, ['start a', 'end a', 'start b', 'end b']);
});

test('nothing is handled before start; what queued up is handled after it', async (t) => {
  const seen: unknown[] = [];
  const { rt } = runtime({ receive(_ctx, m) { seen.push(m); } });
  rt.enqueue(msg(1));
  rt.enqueue(msg(2));
  await tick();
  t.deepEqual(seen, []);
  t.is(rt.queueLength, 2);
  rt.start();
  await tick();
  t.deepEqual(seen, [1, 2]);
});

test('become applies from the next message; unbecome goes back, never below receive', async (t) => {
  const seen: string[] = [];
  const other = (_ctx: unknown, m: unknown) => { seen.push(`other ${m}`); };
  const { rt } = runtime({
    receive(ctx, m) {
      seen.push(`base ${m}`);
      if (m === 'switch') ctx.become(other);
    },
  });
  rt.start();
  for (const m of ['x', 'switch', 'y']) rt.enqueue(msg(m));
  await tick();
  rt.ctx.unbecome();
  rt.ctx.unbecome();
  rt.enqueue(msg('z'));
  await tick();
  t.deepEqual(seen, ['base x', 'base switch', 'other y', 'base z']);
});

test('stashed messages come back at the front, in their original order', async (t) => {
  const seen: unknown[] = [];
  let open = false;
  const { rt } = runtime({
    receive(ctx, m) {
      if (m === 'open') {
        open = true;
        return ctx.unstashAll();
      }
      if (!open) return ctx.stash();
      seen.push(m);
    },
  });
  rt.start();
  for (const m of [1, 2, 'open', 3]) rt.enqueue(msg(m));
  await tick();
  t.deepEqual(seen, [1, 2, 3]);
});

test('ctx.reply answers an ask once; a second reply goes to the sender as a message', async (t) => {
  const { rt, log } = runtime({
    receive(ctx, m) {
      ctx.reply(`${m}!`);
      ctx.reply('again');
    },
  });
  rt.start();
  rt.enqueue(msg('q', 9));
  await tick();
  t.deepEqual(log, [['reply', 9, true, 'q!'], ['send', 'again']]);
});

test('a throw fails the ask with the error and reports the crash (whose exit halts the loop)', async (t) => {
  const crashes: unknown[] = [];
  const seen: unknown[] = [];
  let rt!: ActorRuntime;
  const made = runtime({
    receive(_ctx, m) {
      if (m === 'bad') throw new TypeError('broken');
      seen.push(m);
    },
  }, (err) => {
    crashes.push(err);
    rt.halt(); // as child-main's exit does
  });
  rt = made.rt;
  const log = made.log;
  rt.start();
  rt.enqueue(msg('bad', 4));
  rt.enqueue(msg('after'));
  await tick();
  t.deepEqual(log, [['reply', 4, false, 'broken']]);
  t.is(crashes.length, 1);
  t.deepEqual(seen, []);
});

test('after halt nothing queued is handled, and nothing new is queued', async (t) => {
  const seen: unknown[] = [];
  const { rt } = runtime({ receive(_ctx, m) { seen.push(m); } });
  rt.enqueue(msg(1));
  rt.halt();
  rt.start();
  rt.enqueue(msg(2));
  await tick();
  t.deepEqual(seen, []);
  t.is(rt.queueLength, 0);
});

function flowed(capacity: number) {
  const events: string[] = [];
  let awaiting = false;
  const flow = { pause: () => events.push('pause'), resume: () => events.push('resume'), awaitingReply: () => awaiting };
  let release: (() => void) | null = null;
  const seen: unknown[] = [];
  const def: ActorDefinition = {
    async receive(_ctx, m) {
      seen.push(m);
      await new Promise<void>((r) => { release = r; });
    },
  };
  const { h } = host();
  const rt = new ActorRuntime(def, h, h as unknown as ContextSystem, () => {}, flow, capacity);
  const step = async () => { const r = release; release = null; r?.(); await tick(); };
  return { rt, events, seen, step, setAwaiting: (on: boolean) => { awaiting = on; rt.reconsider(); } };
}

test('a full queue stops reading; reading resumes once it is half empty', async (t) => {
  const { rt, events, step } = flowed(4);
  rt.start();
  for (let i = 0; i < 5; i++) rt.enqueue(msg(i)); // 0 is being handled, 1..4 wait
  t.deepEqual(events, ['pause']);
  t.true(rt.throttled);
  t.is(rt.throttleCount, 1);
  await step(); // 1 taken: 3 wait
  t.deepEqual(events, ['pause']);
  await step(); // 2 taken: 2 wait = capacity / 2
  t.deepEqual(events, ['pause', 'resume']);
  t.false(rt.throttled);
  t.is(rt.queuePeak, 4);
});

test('while the actor awaits its own ask it reads on, up to 8 times its bound', async (t) => {
  const { rt, events, setAwaiting } = flowed(2);
  rt.start();
  for (let i = 0; i < 3; i++) rt.enqueue(msg(i));
  t.deepEqual(events, ['pause']);
  setAwaiting(true);
  t.deepEqual(events, ['pause', 'resume']);
  for (let i = 3; i < 17; i++) rt.enqueue(msg(i)); // 16 waiting = 8 × 2
  t.deepEqual(events, ['pause', 'resume', 'pause']);
  setAwaiting(false);
  t.deepEqual(events, ['pause', 'resume', 'pause'], 'still full for a non-waiting actor');
});

test('a halt resumes reading (the exit handshake must be read) and drops the queue', async (t) => {
  const { rt, events } = flowed(1);
  rt.start();
  rt.enqueue(msg(0));
  rt.enqueue(msg(1));
  t.deepEqual(events, ['pause']);
  rt.halt();
  t.deepEqual(events, ['pause', 'resume']);
  t.is(rt.queueLength, 0);
});

test('the definition sets the bound, spawn overrides it, and 1000 is the default', (t) => {
  const { h } = host();
  const sys = h as unknown as ContextSystem;
  const receive = () => {};
  t.is(new ActorRuntime({ receive }, h, sys, () => {}).capacity, 1000);
  t.is(new ActorRuntime({ receive, mailboxCapacity: 7 }, h, sys, () => {}).capacity, 7);
  t.is(new ActorRuntime({ receive, mailboxCapacity: 7 }, h, sys, () => {}, undefined, 9).capacity, 9);
});
