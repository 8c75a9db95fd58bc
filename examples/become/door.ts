// door: a state machine written with ctx.become / ctx.unbecome. The behaviour
// stack mirrors the states:
//
//   locked (the module's receive) --unlock--> unlocked --open--> open
//   locked <--lock-- unlocked <--close-- open
//
// `become` pushes the next state, `unbecome` pops back to the previous one.
// Requests a state cannot handle yet (walking through a closed door) are stashed,
// and unstashAll() replays them, in order, whenever the state changes.
import { defineActor, type ActorContext, type Ask, type Receive } from 'pidgeon';

/** What the door accepts: requests, each asked and answered with a sentence. */
export type DoorMsg = Ask<
  | { type: 'unlock'; code: string }
  | { type: 'lock' }
  | { type: 'open' }
  | { type: 'close' }
  | { type: 'walk'; who: string }
  | { type: 'state' },
  string
>;
type Ctx = ActorContext<DoorMsg>;

let code = '';
let stashed = 0;
const names = ['locked']; // the behaviour stack's names, for the 'state' answer

/** Push state `name` with behaviour `next`, or pop back (no arguments); then replay
 * what was waiting for a change of state. */
function change(ctx: Ctx, name?: string, next?: Receive<DoorMsg>): void {
  if (name && next) {
    ctx.become(next);
    names.push(name);
  } else {
    ctx.unbecome();
    names.pop();
  }
  stashed = 0;
  ctx.unstashAll(); // each stashed message is handled again, by the new state
}

/** Answers every state has in common; false if `msg` is not one of them. */
function common(ctx: Ctx, msg: DoorMsg): boolean {
  if (msg.type !== 'state') return false;
  const waiting = stashed ? `, ${stashed} waiting` : '';
  ctx.reply(`${names[names.length - 1]} (stack: ${names.join(' > ')}${waiting})`);
  return true;
}

/** Keep a request for later: the ask that sent it stays unanswered until then. */
function wait(ctx: Ctx): void {
  stashed++;
  ctx.stash();
}

const locked: Receive<DoorMsg> = (ctx, msg) => {
  if (common(ctx, msg)) return;
  if (msg.type === 'unlock') {
    if (msg.code !== code) return void ctx.reply('wrong code: still locked');
    ctx.reply('unlocked');
    return change(ctx, 'unlocked', unlocked);
  }
  if (msg.type === 'walk') return wait(ctx);
  ctx.reply(`cannot ${msg.type}: the door is locked`);
};

const unlocked: Receive<DoorMsg> = (ctx, msg) => {
  if (common(ctx, msg)) return;
  if (msg.type === 'open') {
    ctx.reply('opened');
    return change(ctx, 'open', open);
  }
  if (msg.type === 'lock') {
    ctx.reply('locked');
    return change(ctx); // pop back to `locked`
  }
  if (msg.type === 'walk') return wait(ctx);
  ctx.reply(`cannot ${msg.type}: the door is unlocked but closed`);
};

const open: Receive<DoorMsg> = (ctx, msg) => {
  if (common(ctx, msg)) return;
  if (msg.type === 'walk') return void ctx.reply(`${msg.who} walked through`);
  if (msg.type === 'close') {
    ctx.reply('closed');
    return change(ctx); // pop back to `unlocked`
  }
  ctx.reply(`cannot ${msg.type}: the door is open`);
};

export default defineActor<DoorMsg, { code: string }>({
  init(_ctx, args) {
    code = args.code;
  },
  receive: locked,
});
