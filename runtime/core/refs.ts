// Typed actor references: a protocol (the union of messages an actor accepts, its
// asks marked with the reply they get) carried by `ActorRef<P>` so that the compiler
// checks `send` and `ask`. Types only: at run time a ref is its `Address`.
import type { Address } from '../transport/index.js';

// Phantom keys: never present at run time, so no message or ref carries them.
declare const protocol: unique symbol;
declare const reply: unique symbol;

/** A reference to an actor that accepts the messages `P`: its process address, and
 * its registered name if any. `ActorRef` alone (`P` = any) accepts anything. The
 * protocol sits in a parameter position, so refs are contravariant (Akka's
 * `ActorRef[-T]`): a ref that accepts more can stand where one accepting less is
 * needed. A bare `Address` is assignable to any `ActorRef<P>` (unchecked). */
export type ActorRef<P = any> = Address & { readonly [protocol]?: (msg: P) => void };

/** A message `M` that is asked, answered with an `R`: a member of a protocol,
 * `type Msg = { type: 'add'; n: number } | Ask<{ type: 'get' }, number>`. */
export type Ask<M, R> = M & { readonly [reply]?: () => R };

/** true for a protocol that checks nothing (any or unknown). */
type Untyped<P> = unknown extends P ? true : false;

/** The reply declared by one protocol member, never if it is tell-only. */
type MemberReply<X> = typeof reply extends keyof X
  ? NonNullable<X[typeof reply & keyof X]> extends () => infer R ? R : never
  : never;

/** `X` with its arrays (itself, or its fields') also accepted readonly: `ask` infers
 * its message as a `const` literal (so that `type: 'get'` stays a literal and picks
 * the right member), and there an array literal is a readonly tuple. */
type Loose<X> = X extends readonly (infer E)[]
  ? readonly E[]
  : X extends object ? { [K in keyof X]: X[K] extends readonly (infer E)[] ? readonly E[] : X[K] } : X;

/** The members of protocol `P` that may be asked (declared with `Ask`). */
export type Askable<P> = Untyped<P> extends true ? any : P extends unknown ? (typeof reply extends keyof P ? Loose<P> : never) : never;

/** What asking message `M` of an actor with protocol `P` answers: the replies of
 * the members `M` matches (unknown for an untyped actor). */
export type ReplyOf<P, M> = Untyped<P> extends true ? unknown : P extends unknown ? (M extends Loose<P> ? MemberReply<P> : never) : never;

/** Every reply protocol `P` declares. */
type DeclaredReplies<P> = P extends unknown ? MemberReply<P> : never;
/** What `ctx.reply` accepts: every reply `P` declares; unknown (unchecked) if `P` is
 * untyped or declares no `Ask` (there `reply` is an ordinary message to the sender). */
export type Replies<P> = Untyped<P> extends true ? unknown : [DeclaredReplies<P>] extends [never] ? unknown : DeclaredReplies<P>;
