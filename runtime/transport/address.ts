// Addresses: `{ pid, instance }` names one incarnation of one process. The instance
// (a random 64-bit id from the lockfile, as 16 hex digits) defeats pid reuse. In a
// cluster an address also names its node (host); without one it is of this node.

/** The address of one mailbox (one process). */
export interface Address {
  readonly pid: number;
  readonly instance: string;
  readonly name?: string;
  /** The cluster node the process runs on (absent: this node). */
  readonly node?: string;
}

/** Node names: a NATS subject token (no dots, no wildcards), at most 64 characters. */
export const NODE_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

const INSTANCE_RE = /^[0-9a-f]{16}$/;
// The instance and the node checked last: a stream of sends to one actor tests its
// strings once (strings are immutable, so an equal one is as good as checked).
let lastInstance = '';
let lastNode = '';

/** True when `a` has the shape of an address (pid and 16-hex-digit instance). */
export function isAddress(a: unknown): a is Address {
  if (typeof a !== 'object' || a === null) return false;
  const o = a as { pid?: unknown; instance?: unknown; node?: unknown };
  if (typeof o.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 0 || typeof o.instance !== 'string') return false;
  if (o.node !== undefined && o.node !== lastNode) {
    if (typeof o.node !== 'string' || !NODE_RE.test(o.node)) return false;
    lastNode = o.node;
  }
  if (o.instance === lastInstance) return true;
  if (!INSTANCE_RE.test(o.instance)) return false;
  lastInstance = o.instance;
  return true;
}

/** Same process incarnation? (names are ignored) */
export function sameAddress(a: Address, b: Address): boolean {
  return a.pid === b.pid && a.instance === b.instance;
}

/** A short printable form: `pid/instance` (or `name@pid`), and `@node` if it has one. */
export function formatAddress(a: Address): string {
  const local = a.name ? `${a.name}@${a.pid}` : `${a.pid}/${a.instance.slice(0, 8)}`;
  return a.node ? `${local}@${a.node}` : local;
}
