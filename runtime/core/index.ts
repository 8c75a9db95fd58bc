// The actor core: systems, actors, contexts, messages.
export { ActorSystem } from './system.js';
export type { SystemOptions, SendOptions, AskOptions, MessageMeta, DownNotice, DeadLetterNotice, SystemEvents } from './system.js';
export { defineActor, isActorDefinition, isNormalReason, formatReason } from './actor.js';
export type { ActorDefinition, ActorRef, ExitReason, Receive } from './actor.js';
export { ActorContext } from './context.js';
export type { SpawnOptions, ShutdownSpec } from './children.js';
export { resolveModule } from './children.js';
export { serializeError, deserializeError, encode, decode } from './codec.js';
export { checkActorName } from './registry.js';
