// Typed errors of pidgeon. Every error the runtime throws or rejects with is a
// PidgeonError with a stable `code`; tests and callers match on `code`, never on
// message text. One class per code; the table of codes is in docs/errors.md.

/** An actor's address as errors carry it (the transport's Address, restated here so
 * that errors.ts imports nothing). */
export interface ErrorAddress {
  pid: number;
  instance: string;
  name?: string;
}

/** Where in a source file an error comes from (line and column count from 1). */
export interface ErrorLocation {
  file: string;
  line: number;
  column: number;
  /** The text of that line. */
  source: string;
}

/** What every pidgeon error may carry besides its message. */
export interface PidgeonErrorOptions {
  /** The error this one wraps (kept as the standard `cause`). */
  cause?: unknown;
  /** The actor the error is about. */
  address?: ErrorAddress;
  /** The place in a user's source file it comes from. */
  location?: ErrorLocation;
}

/** Base class: every pidgeon error has a `code`, maybe an `address`, maybe a `cause`,
 * and maybe the `location` in a user's source file it comes from. */
export class PidgeonError extends Error {
  readonly code: string;
  address?: ErrorAddress;
  location?: ErrorLocation;
  constructor(code: string, message: string, options: PidgeonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.address) this.address = options.address;
    if (options.location) this.location = options.location;
  }
}

/** A PidgeonError whose code is its class's: each subclass only names its code. */
abstract class CodedError extends PidgeonError {
  static readonly code: string;
  constructor(message: string, options: PidgeonErrorOptions = {}) {
    super((new.target as unknown as typeof CodedError).code, message, options);
  }
}

/** EDEADACTOR: the destination is not alive, or a newer process holds its pid, or it
 * died before it replied. */
export class DeadActorError extends CodedError { static override readonly code = 'EDEADACTOR'; }

/** ENOCONNECTION: the actor's node is unreachable (Erlang's `noconnection`): its
 * link went down, its proxy died, or this process is not in a cluster. */
export class NoConnectionError extends CodedError { static override readonly code = 'ENOCONNECTION'; }

/** EREMOTEFD: file descriptors cannot be sent to an actor on another node. */
export class RemoteFdError extends CodedError { static override readonly code = 'EREMOTEFD'; }

/** ETIMEDOUT: an `ask` or a spawn handshake ran past its timeout. */
export class TimeoutError extends CodedError { static override readonly code = 'ETIMEDOUT'; }

/** EMAILBOXFULL: a destination's send queue passed its hard limit (the caller ignored
 * `send() === false` and `drain`). */
export class MailboxFullError extends CodedError { static override readonly code = 'EMAILBOXFULL'; }

/** EMSGSIZE: a message is larger than the mailbox's `maxMessageSize`. */
export class MessageTooLargeError extends CodedError { static override readonly code = 'EMSGSIZE'; }

/** EUNSAFEDIR: the system directory is owned by another user, is group/world-writable,
 * or is not a directory. */
export class UnsafeDirectoryError extends CodedError { static override readonly code = 'EUNSAFEDIR'; }

/** EPLATFORM: not Linux, or the kernel lacks a facility pidgeon needs, or the addon
 * cannot be loaded. */
export class PlatformError extends CodedError { static override readonly code = 'EPLATFORM'; }

/** ECLOSED: the mailbox or actor system was already closed. */
export class ClosedError extends CodedError { static override readonly code = 'ECLOSED'; }

/** EBADARG: an argument of a public call (or of a `pidgeon` command) has the wrong
 * type or range. */
export class BadArgumentError extends CodedError { static override readonly code = 'EBADARG'; }

/** ENAMETAKEN: a name is already registered by a live actor of the system. */
export class NameTakenError extends CodedError { static override readonly code = 'ENAMETAKEN'; }

/** ESPAWN: a child actor failed to start (module not found, a syntax error or a
 * throw while loading, init threw, exited early); `cause` is the child's error with
 * its name, message and stack, and `location` the file, line and column it names. */
export class SpawnError extends CodedError { static override readonly code = 'ESPAWN'; }

/** EMAILBOX: an unexpected operating-system error in the mailbox; `cause` has the
 * errno `code` and `syscall` (see `errnoError`). */
export class MailboxError extends CodedError { static override readonly code = 'EMAILBOX'; }

/** ENOSYSTEM: a `pidgeon` command names a system that has no directory here. */
export class NoSystemError extends CodedError { static override readonly code = 'ENOSYSTEM'; }

/** EMANYSYSTEMS: a `pidgeon` command without `--system` found several running systems. */
export class ManySystemsError extends CodedError { static override readonly code = 'EMANYSYSTEMS'; }

/** ENOACTOR: a `pidgeon` command names an actor (name or pid) that is not alive, or
 * `pidgeon stop` finds no launcher. */
export class NoActorError extends CodedError { static override readonly code = 'ENOACTOR'; }

/** ERUNNING: `pidgeon start` of a system that already has a launcher. */
export class AlreadyRunningError extends CodedError { static override readonly code = 'ERUNNING'; }

/** EREPLY: `pidgeon send --ask`: the actor answered with an error and did not die. */
export class ReplyError extends CodedError { static override readonly code = 'EREPLY'; }

/** EALREADY: `startChild` with the id of a running child (OTP's already_started);
 * `ref` is the running child's address. */
export class AlreadyStartedError extends PidgeonError {
  readonly ref: ErrorAddress;
  constructor(message: string, ref: ErrorAddress, options: PidgeonErrorOptions = {}) {
    super('EALREADY', message, options);
    this.ref = ref;
  }
}

/** ECHILDPRESENT: `startChild` with the id of a kept child spec that is not running
 * (OTP's already_present): `restartChild` or `deleteChild` it. */
export class ChildPresentError extends CodedError { static override readonly code = 'ECHILDPRESENT'; }

/** ECHILDRUNNING: `restartChild` or `deleteChild` of a running child (OTP's running). */
export class ChildRunningError extends CodedError { static override readonly code = 'ECHILDRUNNING'; }

/** ENOCHILD: a supervisor has no child with that id (OTP's not_found). */
export class NoChildError extends CodedError { static override readonly code = 'ENOCHILD'; }

/** ERESTARTING: `restartChild` or `deleteChild` of a child waiting out its backoff
 * or a re-queued restart (OTP's restarting). */
export class ChildRestartingError extends CodedError { static override readonly code = 'ERESTARTING'; }

/** EMAXCHILDREN: `startChild` on a supervisor that keeps `maxChildren` children already. */
export class MaxChildrenError extends CodedError { static override readonly code = 'EMAXCHILDREN'; }

/** ESIMPLE: `restartChild` or `deleteChild` on a simple_one_for_one supervisor (OTP's
 * simple_one_for_one error): its instances are started and terminated, not kept. */
export class SimpleOneForOneError extends CodedError { static override readonly code = 'ESIMPLE'; }

/** ENOSUPERVISOR: `pidgeon restart` (or `scale`) of an actor that no supervisor
 * runs, or that is not a simple_one_for_one supervisor. */
export class NoSupervisorError extends CodedError { static override readonly code = 'ENOSUPERVISOR'; }

/** EBADSPEC: a supervisor or tree spec is invalid; `path` names the offending field. */
export class BadSpecError extends PidgeonError {
  readonly path: string;
  constructor(path: string, message: string, options: PidgeonErrorOptions = {}) {
    super('EBADSPEC', `${path}: ${message}`, options);
    this.path = path;
  }
}

/** ETYPESCRIPT: a TypeScript module cannot run: this Node does not strip types
 * (before 22.18) and the user's project has no tsx; `file` is the module. */
export class TypeScriptError extends PidgeonError {
  readonly file: string;
  constructor(message: string, options: { file: string }) {
    super('ETYPESCRIPT', message);
    this.file = options.file;
  }
}

/** An operating-system error as Node reports one: `code` is the errno name
 * ('ECONNREFUSED'), `syscall` the failing call. Used as the `cause` of EMAILBOX. */
export function errnoError(code: string, syscall: string, message = `${syscall} ${code}`): Error & { code: string; syscall: string } {
  return Object.assign(new Error(message), { code, syscall });
}
