// The little protocol between bench/pidgeon-transport.ts and its forked peer, carried
// in the mailboxes themselves so that control messages stay in order with payloads.
// Control messages are one-byte bodies; payloads are longer.
export const PEER_CONTROL = {
  echo: 0x45,   // 'E': echo every payload back to its sender
  count: 0x43,  // 'C': count payloads (and reset the counters)
  sync: 0x53,   // 'S': reset the counters
  end: 0x4e,    // 'N': reply with the counters
} as const;
/** Replies: 'A' (one byte) to echo/count/sync; 'R' + f64 count + f64 bytes to end. */
export const PEER_ACK = 0x41;
export const PEER_REPORT = 0x52;
export const PEER_REPORT_SIZE = 17;
