// Typed errors of pidgeon. Every error the runtime throws or rejects with is a
// PidgeonError with a stable `code`; tests and callers match on `code`, never on
// message text. The table of codes is in docs/errors.md.

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

/** Base class: every pidgeon error has a `code`, maybe an `address`, maybe a `cause`,
 * and maybe the `location` in a user's source file it comes from. */
export class PidgeonError extends Error {
  readonly code: string;
  address?: ErrorAddress;
  location?: ErrorLocation;
  constructor(code: string, message: string, options: { cause?: unknown; address?: ErrorAddress; location?: ErrorLocation } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.address) this.address = options.address;
    if (options.location) this.location = options.location;
  }
}

/** EDEADACTOR: the destination is not alive, or a newer process holds its pid. */
export class DeadActorError extends PidgeonError {
  constructor(message: string, options: { cause?: unknown; address?: ErrorAddress } = {}) {
    super('EDEADACTOR', message, options);
  }
}

/** ETIMEDOUT: an `ask` or a spawn handshake ran past its timeout. */
export class TimeoutError extends PidgeonError {
  constructor(message: string, options: { cause?: unknown; address?: ErrorAddress } = {}) {
    super('ETIMEDOUT', message, options);
  }
}

/** EMAILBOXFULL: a destination's send queue passed its hard limit (the caller ignored
 * `send() === false` and `drain`). */
export class MailboxFullError extends PidgeonError {
  constructor(message: string, options: { cause?: unknown; address?: ErrorAddress } = {}) {
    super('EMAILBOXFULL', message, options);
  }
}

/** EMSGSIZE: a message is larger than the mailbox's `maxMessageSize`. */
export class MessageTooLargeError extends PidgeonError {
  constructor(message: string, options: { cause?: unknown; address?: ErrorAddress } = {}) {
    super('EMSGSIZE', message, options);
  }
}

/** EUNSAFEDIR: the system directory is owned by another user, is group/world-writable,
 * or is not a directory. */
export class UnsafeDirectoryError extends PidgeonError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('EUNSAFEDIR', message, options);
  }
}

/** EPLATFORM: not Linux, or the kernel lacks a facility pidgeon needs. */
export class PlatformError extends PidgeonError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('EPLATFORM', message, options);
  }
}

/** ECLOSED: the mailbox or actor system was already closed. */
export class ClosedError extends PidgeonError {
  constructor(message: string) {
    super('ECLOSED', message);
  }
}

/** EBADARG: an argument of a public call has the wrong type or range. */
export class BadArgumentError extends PidgeonError {
  constructor(message: string) {
    super('EBADARG', message);
  }
}

/** EBADSPEC: a supervisor or tree spec is invalid; `path` names the offending field. */
export class BadSpecError extends PidgeonError {
  readonly path: string;
  constructor(path: string, message: string, options: { cause?: unknown; location?: ErrorLocation } = {}) {
    super('EBADSPEC', `${path}: ${message}`, options);
    this.path = path;
  }
}

/** ENAMETAKEN: a name is already registered by a live actor of the system. */
export class NameTakenError extends PidgeonError {
  constructor(message: string, options: { address?: ErrorAddress } = {}) {
    super('ENAMETAKEN', message, options);
  }
}

/** ESPAWN: a child actor failed to start (module not found, a syntax error or a
 * throw while loading, init threw, exited early); `cause` is the child's error with
 * its name, message and stack, and `location` the file, line and column it names. */
export class SpawnError extends PidgeonError {
  constructor(message: string, options: { cause?: unknown; address?: ErrorAddress; location?: ErrorLocation } = {}) {
    super('ESPAWN', message, options);
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

/** EMAILBOX: an unexpected operating-system error in the mailbox; `cause` has the
 * errno `code` and `syscall`. */
export class MailboxError extends PidgeonError {
  constructor(message: string, options: { cause?: unknown; address?: ErrorAddress } = {}) {
    super('EMAILBOX', message, options);
  }
}
