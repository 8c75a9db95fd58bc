// Type tests of typed actors: compiled by the build (a broken rule breaks the
// build) and, by protocol.test.ts, against the published .d.ts as a user's file.
// Each `// @ts-expect-error TSnnnn` line names the error the next line must give;
// protocol.test.ts removes the comments and checks each line fails with that code.
// Nothing here runs: every value is declared.
import type {
  ActorContext, ActorRef, ActorSystem, Ask, ProtocolOf, ArgsOf, Receive, Replies, ReplyOf,
} from 'pidgeon';
import { defineActor } from 'pidgeon';

/** true iff A and B are the same type (not merely assignable both ways). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function expectType<T extends true>(): T | void {}

type CounterMsg =
  | { type: 'add'; n: number }
  | Ask<{ type: 'get' }, number>
  | Ask<{ type: 'label' }, string | undefined>
  | Ask<{ type: 'sum'; of: number[] }, { sum: number; at: Date }>;

declare const system: ActorSystem;
declare const counter: ActorRef<CounterMsg>;
declare const untyped: ActorRef;

// ---- send: only messages the actor accepts ----
system.send(counter, { type: 'add', n: 1 });
system.send(counter, { type: 'get' }); // an askable message may be sent too
// @ts-expect-error TS2322 a message type the actor does not accept
system.send(counter, { type: 'reset' });
// @ts-expect-error TS2345 a field of the wrong type
system.send(counter, { type: 'add', n: '1' });
// @ts-expect-error TS2353 a field the message does not have
system.send(counter, { type: 'add', n: 1, by: 'me' });
// @ts-expect-error TS2345 not a message at all
system.send(counter, 42);

// ---- ask: the declared reply, exactly ----
const got = system.ask(counter, { type: 'get' });
expectType<Equal<typeof got, Promise<number>>>();
const label = system.ask(counter, { type: 'label' }, { timeout: 100 });
expectType<Equal<typeof label, Promise<string | undefined>>>();
expectType<Equal<ReplyOf<CounterMsg, { type: 'get' }>, number>>();
const sum = system.ask(counter, { type: 'sum', of: [1, 2] }); // an array literal in the message
expectType<Equal<typeof sum, Promise<{ sum: number; at: Date }>>>();
const of = [1, 2];
const sum2 = system.ask(counter, { type: 'sum', of });
expectType<Equal<typeof sum2, Promise<{ sum: number; at: Date }>>>();
// @ts-expect-error TS2322 an array of the wrong element type
void system.ask(counter, { type: 'sum', of: ['1'] });
// @ts-expect-error TS2322 a tell-only message cannot be asked
void system.ask(counter, { type: 'add', n: 1 });
// @ts-expect-error TS2322 not a message of the protocol
void system.ask(counter, { type: 'nope' });

// ---- untyped refs keep working: anything goes, ask answers unknown ----
system.send(untyped, { anything: true });
system.send(untyped, 42);
const u = system.ask(untyped, 'ping');
expectType<Equal<typeof u, Promise<unknown>>>();
declare const address: { pid: number; instance: string };
system.send(address, 'a bare address is an untyped ref');

// ---- assignability: contravariant refs ----
const asUntyped: ActorRef = counter; // typed -> untyped
const asTyped: ActorRef<CounterMsg> = untyped; // untyped -> typed (unchecked)
const adderOnly: ActorRef<{ type: 'add'; n: number }> = counter; // accepts more: fine
// @ts-expect-error TS2322 a ref that accepts less cannot stand for one that accepts more
const tooMuch: ActorRef<CounterMsg | { type: 'reset' }> = counter;
void [asUntyped, asTyped, adderOnly, tooMuch];
const named = { ...counter, name: 'counter' }; // a copy keeps its protocol
// @ts-expect-error TS2322 checked through the copy too
system.send(named, { type: 'reset' });

// ---- defineActor<Protocol, Args>: receive, reply, become, self ----
const Counter = defineActor<CounterMsg, { start: number }>({
  init(ctx, args) {
    expectType<Equal<typeof args, { start: number }>>();
    expectType<Equal<typeof ctx.self, ActorRef<CounterMsg>>>();
    // @ts-expect-error TS2339 args are checked inside init
    void args.stop;
  },
  receive(ctx, msg) {
    expectType<Equal<typeof msg, CounterMsg>>();
    if (msg.type === 'get') ctx.reply(1);
    if (msg.type === 'label') ctx.reply(undefined);
    // @ts-expect-error TS2345 a reply the protocol does not declare
    ctx.reply(true);
    const later = ctx.replyLater();
    // @ts-expect-error TS2345 replyLater is checked too
    later(true);
    ctx.send(ctx.self, { type: 'add', n: 1 });
    // @ts-expect-error TS2345 a message to itself is checked
    ctx.send(ctx.self, { type: 'add', n: 'one' });
    const next: Receive<CounterMsg> = (c, m) => { if (m.type === 'get') c.reply(2); };
    ctx.become(next);
    // @ts-expect-error TS2345 a behaviour for another protocol
    ctx.become((_c: ActorContext<{ type: 'other' }>, _m: { type: 'other' }) => {});
  },
});
expectType<Equal<ProtocolOf<typeof Counter>, CounterMsg>>();
expectType<Equal<ArgsOf<typeof Counter>, { start: number }>>();
expectType<Equal<Replies<CounterMsg>, number | string | undefined | { sum: number; at: Date }>>();

// Inferred from the annotations, as untyped code writes it: replies are unchecked
// when the protocol declares no Ask.
const Pong = defineActor({
  receive(ctx, n: number) {
    ctx.reply(n + 1);
  },
});
expectType<Equal<ProtocolOf<typeof Pong>, number>>();

// ---- spawn<typeof Module>: args checked, a typed ref back ----
async function spawning(): Promise<void> {
  const c = await system.spawn<typeof Counter>('./counter.js', { args: { start: 10 } });
  expectType<Equal<typeof c, ActorRef<CounterMsg>>>();
  // @ts-expect-error TS2322 args of the wrong type
  await system.spawn<typeof Counter>('./counter.js', { args: { start: 'ten' } });
  // @ts-expect-error TS2554 args are required when init needs them
  await system.spawn<typeof Counter>('./counter.js');
  // @ts-expect-error TS2345 ... also when other options are given
  await system.spawn<typeof Counter>('./counter.js', { name: 'counter' });
  const p = await system.spawn<CounterMsg>(new URL('file:///counter.js')); // a protocol alone
  expectType<Equal<typeof p, ActorRef<CounterMsg>>>();
  const any = await system.spawn('./whatever.js', { args: 'anything' }); // untyped
  expectType<Equal<typeof any, ActorRef>>();
  const found = system.lookup<CounterMsg>('counter');
  expectType<Equal<typeof found, ActorRef<CounterMsg> | undefined>>();
  const sup = await system.supervise({ strategy: 'one_for_one', children: [] });
  await system.which(sup);
  // The dynamic-child calls: a spec, or a simple_one_for_one instance's args.
  const kid = await system.startChild(sup, { id: 'k', module: './k.js', backoff: { min: 10, max: 100 } });
  expectType<Equal<typeof kid, ActorRef>>();
  await system.startChild(sup, ['extra', 'args']);
  await system.terminateChild(sup, kid);
  const info = await system.whichChildren(sup);
  expectType<Equal<(typeof info)[number]['state'], 'running' | 'restarting' | 'stopped'>>();
  const spec = await system.getChildSpec(sup, 'k');
  expectType<Equal<typeof spec.id, string>>();
  // @ts-expect-error TS2322 maxChildren is a number
  await system.supervise({ strategy: 'simple_one_for_one', maxChildren: 'many', children: [] });
  system.monitor(c); // typed refs go where any ref does
}
void spawning;

// ---- inside an actor: ctx.spawn, ctx.ask, ctx.lookup ----
export const Parent = defineActor<Ask<{ type: 'total' }, number>>({
  async receive(ctx) {
    const c = await ctx.spawn<typeof Counter>('./counter.js', { args: { start: 1 } });
    const n = await ctx.ask(c, { type: 'get' });
    expectType<Equal<typeof n, number>>();
    ctx.reply(n);
    // @ts-expect-error TS2322 tell-only, through ctx.ask
    await ctx.ask(c, { type: 'add', n: 1 });
    const again = ctx.lookup<CounterMsg>('counter');
    // @ts-expect-error TS2322 through a typed lookup
    if (again) ctx.send(again, { type: 'reset' });
  },
});
