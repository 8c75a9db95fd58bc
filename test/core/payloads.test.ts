// The payload checks without processes: each op's check accepts payloads of its
// shape (extra fields allowed) and refuses everything else that can come off the
// wire: wrong types, wrong field types, missing fields, deep nesting.
import test from 'ava';
import {
  isChildExitPayload, isInitFailedPayload, isInitPayload, isNothing, isReasonPayload, isWatchChildPayload, isWireReason,
  type PayloadCheck,
} from '../../runtime/core/payloads.js';
import { INIT_HAND_OFF, RUNTIME_OPS, bogusFor, type RuntimeOp } from '../helpers/runtime-ops.js';

// The check each op is registered with (children.ts, relations.ts, deathwatch.ts,
// system.ts, supervisor-actor.ts), and the hand-off's init (child-main.ts).
const CHECKS: Record<string, PayloadCheck<unknown>> = {
  ready: isNothing, watch: isNothing, unwatch: isNothing, link: isNothing, unlink: isNothing,
  info: isNothing, which: isNothing, init: isInitPayload, initFailed: isInitFailedPayload, stop: isReasonPayload,
  farewell: isReasonPayload, 'watch-child': isWatchChildPayload, 'child-exit': isChildExitPayload,
};

const fits = test.macro({
  exec(t, op: RuntimeOp) {
    const check = CHECKS[op.op];
    for (const [i, p] of op.valid.entries()) t.true(check(p), `valid payload #${i}`);
    for (const [i, p] of op.valid.entries()) {
      if (typeof p === 'object' && p !== null) t.true(check({ ...p, extra: 1 }), `valid payload #${i} with an extra field`);
    }
    for (const [i, p] of bogusFor(op).entries()) t.false(check(p), `bogus payload #${i}`);
  },
  title: (_, op: RuntimeOp) => `the payload check of '${op.op}' takes its shape and nothing else`,
});
for (const op of [...RUNTIME_OPS, INIT_HAND_OFF]) test(fits, op);

test('every op in the table has its check', (t) => {
  t.deepEqual([...RUNTIME_OPS, INIT_HAND_OFF].map((o) => o.op).sort(), Object.keys(CHECKS).sort());
});

// [reason as it came off the wire, accepted]
const wireReasons: [unknown, boolean][] = [
  ['normal', true], ['shutdown', true], ['noproc', true], [{ code: 0 }, true], [{ signal: 'SIGTERM' }, true],
  [{ error: new Error('x') }, true], [{ error: { name: 'Error', message: 'x' } }, true],
  ['killed', false], ['', false], [null, false], [undefined, false], [0, false], [[], false], [['normal'], false],
  [{}, false], [{ code: '1' }, false], [{ signal: 9 }, false], [{ error: 'x' }, false], [{ error: { name: 'E' } }, false],
  [{ error: null }, false],
];
for (const [r, ok] of wireReasons) {
  test(`isWireReason(${String(JSON.stringify(r))}${r instanceof Object && 'error' in r && (r as { error: unknown }).error instanceof Error ? ' (an Error)' : ''}) is ${ok}`, (t) => {
    t.is(isWireReason(r), ok);
  });
}
