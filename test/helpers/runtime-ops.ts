// Every runtime op (T_SYS / T_SYSASK), payloads of its shape, and payloads no op
// accepts: for the payload checks' table (test/core/payloads.test.ts), the
// process-level bogus-message test (test/core/bad-input.test.ts) and the fuzz test.

/** One runtime op, as the core registers it. */
export interface RuntimeOp {
  op: string;
  /** A request (T_SYSASK), answered; else a message (T_SYS). */
  request: boolean;
  /** Payloads of its shape. */
  valid: unknown[];
  /** Does its payload carry something (null and undefined do not fit)? */
  carries: boolean;
  /** Payloads that fit other ops but not this one. */
  invalid?: unknown[];
}

const address = { pid: 4242, instance: '0123456789abcdef' };
const nothing = [null, undefined];
const reasons = ['normal', 'shutdown', 'noproc', { code: 1 }, { signal: 'SIGKILL' }, { error: new RangeError('x') }, { error: { name: 'E', message: 'not an Error' } }];

/** The ops of an actor process (a plain process lacks none of them but 'which', a
 * supervisor's). */
export const RUNTIME_OPS: RuntimeOp[] = [
  { op: 'ready', request: false, valid: nothing, carries: false },
  { op: 'watch', request: false, valid: nothing, carries: false },
  { op: 'unwatch', request: false, valid: nothing, carries: false },
  { op: 'link', request: false, valid: nothing, carries: false },
  { op: 'unlink', request: false, valid: nothing, carries: false },
  {
    op: 'initFailed', request: false, carries: true,
    valid: [{ error: { name: 'Error', message: 'x' }, phase: 'init', location: null }, { error: { name: 'SyntaxError', message: 'y', stack: 's' }, phase: 'load', location: { file: '/a.js', line: 1, column: 2, source: 'x' } }],
  },
  { op: 'stop', request: false, carries: true, valid: reasons.map((reason) => ({ reason })) },
  { op: 'farewell', request: false, carries: true, valid: reasons.map((reason) => ({ reason })) },
  { op: 'watch-child', request: false, carries: true, valid: [{ child: address }] },
  {
    op: 'child-exit', request: false, carries: true, invalid: [{ child: address }, { child: address, reason: 'killed' }],
    valid: [{ child: address, reason: null }, ...reasons.map((reason) => ({ child: address, reason }))],
  },
  { op: 'info', request: true, valid: nothing, carries: false },
  { op: 'which', request: true, valid: nothing, carries: false },
];

/** What `init` carries in an actor process's hand-off (stdin, not a runtime op). */
export const INIT_HAND_OFF: RuntimeOp = {
  op: 'init', request: false, carries: true,
  valid: [{ args: null, name: null }, { args: { a: [1] }, name: 'w', mailboxCapacity: 5 }, { args: undefined, name: null, mailboxCapacity: null }],
};

/** Ops nobody registers ('hello' and 'init' were the start handshake's, before the
 * hand-off on stdin: a process that sends them now is someone else). */
export const UNKNOWN_OPS = ['', 'nonsense', 'constructor', '__proto__', 'toString', 'x'.repeat(300), 'hello', 'init'];

/** Nested `depth` deep (arrays, or objects `{ a: ... }`). */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = null;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** Payloads that fit no op: wrong types, wrong field types, missing fields, deep
 * nesting (1000 levels: the codec writes and reads that; deeper ones are not
 * decodable at all, see `deepBody`). */
export const BOGUS_PAYLOADS: unknown[] = [
  0, -1, 1.5, NaN, Infinity, 2n ** 70n, '', 'normal', true, false,
  [], [null], ['normal'], [{ reason: 'normal' }], {}, new Map([['reason', 'normal']]), new Date(0), Buffer.from('x'),
  { reason: 42 }, { reason: null }, { reason: 'killed' }, { reason: { code: '1' } }, { reason: { signal: 9 } }, { reason: { error: 'x' } },
  { error: null }, { error: 'x', phase: 'init' }, { error: { name: 1, message: 'x' } },
  { child: { pid: 'x' } }, { child: { pid: 1, instance: 'zz' } }, { child: { pid: -1, instance: '0123456789abcdef' } },
  { args: null, name: 7 }, { args: null, name: null, mailboxCapacity: 'x' }, { name: null },
  nested(1000, 'array'), nested(1000, 'object'),
];

/** What does not fit `op`: the bogus payloads, and nothing where it needs something. */
export function bogusFor(op: RuntimeOp): unknown[] {
  return [...BOGUS_PAYLOADS, ...(op.carries ? nothing : []), ...(op.invalid ?? [])];
}

/** A msgpack body nested too deep for any decoder's stack: `[[[[...null]]]]`. */
export function deepBody(depth = 200_000): Buffer {
  return Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.of(0xc0)]);
}
