// The transport layer: typed mailboxes over the native addon.
export { Mailbox, InboundMessage } from './mailbox.js';
export type { MailboxOptions, MailboxStats, MailboxEvents, DeadLetter } from './mailbox.js';
export { type Address, NODE_RE, isAddress, sameAddress, formatAddress } from './address.js';
export { resolveSystemDir, systemsBase, sweepDeadSystems, checkSystemDir, listLive, listPids, probePeer, removeIfStale, sweepStale, checkSystemName } from './sysdir.js';
export { watchPid, type PidWatcher } from './pidwatch.js';
export { setParentDeathSignal, setChildSubreaper, reapOrphans, descendantsOf, procStat } from './process.js';
export { claimName, releaseName, closeFd } from './names.js';
// The batch entry framing (a u32 length and the bytes), for what the core frames alike.
export { BATCH_ENTRY_OVERHEAD, batchEntryEnd, writeBatchEntry } from './wire.js';
export { MAX_TIMER_MS } from './options.js';
