// pidgeon: an actor runtime where every actor is an OS process with a native
// Unix-datagram mailbox. The package's public entry point: exactly the API that
// docs/guide.md documents, named one by one (internals stay internal).

// Systems, actors and their contexts.
export { ActorSystem, ActorContext, defineActor, isNormalReason, formatReason } from './core/index.js';
export type {
  SystemOptions, PoolOptions, SendOptions, AskOptions, SpawnOptions, SpawnParams, ShutdownSpec, MessageMeta, SystemEvents,
  DownNotice, DeadLetterNotice, ActorDefinition, Receive, ExitReason, DownMessage, ExitMessage,
} from './core/index.js';

// Typed references and protocols (types only).
export type { ActorRef, Ask, Askable, ReplyOf, Replies, ProtocolOf, ArgsOf } from './core/index.js';

// Supervision (loading it provides the implementation of system.supervise and
// system.which to the core; see docs/architecture.md).
import './supervision/index.js';
export type {
  SupervisorSpec, SuperviseOptions, ChildSpec, Strategy, RestartType, ChildInfo, ChildCount, ChildCallOptions, BackoffSpec, SupervisorEvent,
} from './supervision/index.js';

// Clusters over NATS (loading it lets ActorSystem.start take `cluster`; NATS itself
// loads only then; see docs/cluster.md).
import './cluster/index.js';
export type { ClusterOptions } from './core/options.js';

// Addresses as the transport knows them.
export { type Address, formatAddress } from './transport/index.js';

// Errors: one class per code (docs/errors.md).
export {
  PidgeonError, DeadActorError, TimeoutError, MailboxFullError, MessageTooLargeError, UnsafeDirectoryError,
  PlatformError, ClosedError, BadArgumentError, BadSpecError, NameTakenError, SpawnError, TypeScriptError,
  MailboxError, NoSystemError, ManySystemsError, NoActorError, AlreadyRunningError, ReplyError,
  AlreadyStartedError, ChildPresentError, ChildRunningError, NoChildError, ChildRestartingError, MaxChildrenError,
  SimpleOneForOneError, NoSupervisorError, NoConnectionError, RemoteFdError,
} from './errors.js';
export type { ErrorAddress, ErrorLocation, PidgeonErrorOptions } from './errors.js';
