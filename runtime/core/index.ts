// The actor core: systems, actors, contexts, messages.
export { ActorSystem } from './system.js';
export type { SystemOptions, PoolOptions, MessageMeta, DownNotice, DeadLetterNotice, SystemEvents } from './system.js';
export type { SendOptions, AskOptions, SpawnParams, SpawnOptions, ShutdownSpec } from './options.js';
export { defineActor, isActorDefinition } from './actor.js';
export type { ActorDefinition, ActorRef, Receive, ProtocolOf, ArgsOf, DownMessage, ExitMessage } from './actor.js';
export { isNormalReason, formatReason } from './reasons.js';
export type { ExitReason } from './reasons.js';
export type { Ask, Askable, ReplyOf, Replies } from './refs.js';
export { ActorContext } from './context.js';
export { resolveModule } from './children.js';
export { encode, decode } from './codec.js';
export { serializeError, deserializeError } from './serialized-error.js';
export { checkActorName } from './registry.js';
export { MAX_TIMER_MS } from '../transport/index.js';
export { isNothing } from './payloads.js';
export type { SystemStats, CoreDrops } from './stats.js';
export { LOG_DIR_ENV, LOG_MAX_BYTES_ENV, LOG_FILES_ENV, logFileName } from './child-output.js';
