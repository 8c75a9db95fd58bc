// pidgeon: an actor runtime where every actor is an OS process with a native
// Unix-datagram mailbox. This is the package's public entry point.
export * from './errors.js';
export * from './core/index.js';
export * from './supervision/index.js';
export { type Address, formatAddress } from './transport/index.js';
