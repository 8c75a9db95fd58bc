// The package's public surface is exactly the documented API: no internals
// (encoders, module resolution, restart policy) leak through `export *`, and
// importing the package alone gives a system with supervise and which.
import test from 'ava';
import * as pidgeon from '../runtime/index.js';

test('the package exports exactly the documented values', (t) => {
  t.deepEqual(Object.keys(pidgeon).sort(), [
    'ActorContext', 'ActorSystem', 'AlreadyRunningError', 'AlreadyStartedError', 'BadArgumentError', 'BadSpecError',
    'ChildPresentError', 'ChildRestartingError', 'ChildRunningError', 'ClosedError', 'DeadActorError', 'MailboxError', 'MailboxFullError',
    'ManySystemsError', 'MaxChildrenError', 'MessageTooLargeError', 'NameTakenError', 'NoActorError',
    'NoChildError', 'NoConnectionError', 'NoSupervisorError', 'NoSystemError', 'PidgeonError', 'PlatformError', 'RemoteFdError', 'ReplyError', 'SimpleOneForOneError', 'SpawnError', 'TimeoutError', 'TypeScriptError',
    'UnsafeDirectoryError', 'defineActor', 'formatAddress', 'formatReason', 'isNormalReason',
  ]);
});

test('importing the package is enough for system.supervise and system.which', (t) => {
  t.is(typeof pidgeon.ActorSystem.prototype.supervise, 'function');
  t.is(typeof pidgeon.ActorSystem.prototype.which, 'function');
  for (const m of ['startChild', 'terminateChild', 'restartChild', 'deleteChild', 'countChildren', 'whichChildren', 'getChildSpec'] as const) {
    t.is(typeof pidgeon.ActorSystem.prototype[m], 'function', m);
    t.is(typeof pidgeon.ActorContext.prototype[m], 'function', `ctx.${m}`);
  }
});

const codes = test.macro({
  exec(t, Cls: new (message: string) => pidgeon.PidgeonError, code: string) {
    const err = new Cls('x');
    t.is(err.code, code);
    t.is(err.name, Cls.name);
    t.true(err instanceof pidgeon.PidgeonError);
    t.true(err instanceof Error);
  },
  title: (_, Cls: { name: string }, code: string) => `${Cls.name} has code ${code}`,
});
for (const [Cls, code] of [
  [pidgeon.DeadActorError, 'EDEADACTOR'], [pidgeon.TimeoutError, 'ETIMEDOUT'], [pidgeon.MailboxFullError, 'EMAILBOXFULL'],
  [pidgeon.MessageTooLargeError, 'EMSGSIZE'], [pidgeon.UnsafeDirectoryError, 'EUNSAFEDIR'], [pidgeon.PlatformError, 'EPLATFORM'],
  [pidgeon.ClosedError, 'ECLOSED'], [pidgeon.BadArgumentError, 'EBADARG'], [pidgeon.NameTakenError, 'ENAMETAKEN'],
  [pidgeon.NoConnectionError, 'ENOCONNECTION'], [pidgeon.RemoteFdError, 'EREMOTEFD'],
  [pidgeon.SpawnError, 'ESPAWN'], [pidgeon.MailboxError, 'EMAILBOX'], [pidgeon.NoSystemError, 'ENOSYSTEM'],
  [pidgeon.NoActorError, 'ENOACTOR'], [pidgeon.AlreadyRunningError, 'ERUNNING'], [pidgeon.ReplyError, 'EREPLY'],
  [pidgeon.ChildPresentError, 'ECHILDPRESENT'], [pidgeon.ChildRunningError, 'ECHILDRUNNING'], [pidgeon.NoChildError, 'ENOCHILD'],
  [pidgeon.ChildRestartingError, 'ERESTARTING'], [pidgeon.MaxChildrenError, 'EMAXCHILDREN'], [pidgeon.SimpleOneForOneError, 'ESIMPLE'],
  [pidgeon.NoSupervisorError, 'ENOSUPERVISOR'],
] as const) test(codes, Cls, code);

test('AlreadyStartedError has code EALREADY and carries the running ref', (t) => {
  const ref = { pid: 1, instance: 'x' };
  const e = new pidgeon.AlreadyStartedError('already started', ref);
  t.is(e.code, 'EALREADY');
  t.is(e.ref, ref);
  t.true(e instanceof pidgeon.PidgeonError);
});

test('BadSpecError and TypeScriptError keep their own fields', (t) => {
  const b = new pidgeon.BadSpecError('spec.children[0].id', 'must be a string');
  t.is(b.code, 'EBADSPEC');
  t.is(b.path, 'spec.children[0].id');
  const ts = new pidgeon.TypeScriptError('no loader', { file: '/a.ts' });
  t.is(ts.code, 'ETYPESCRIPT');
  t.is(ts.file, '/a.ts');
});
