// Addresses: `{ pid, instance }` names one incarnation of one process. The instance
// (a random 64-bit id from the lockfile, as 16 hex digits) defeats pid reuse.

/** The address of one mailbox (one process). */
export interface Address {
  readonly pid: number;
  readonly instance: string;
  readonly name?: string;
}

const INSTANCE_RE = /^[0-9a-f]{16}$/;

/** True when `a` has the shape of an address (pid and 16-hex-digit instance). */
export function isAddress(a: unknown): a is Address {
  if (typeof a !== 'object' || a === null) return false;
  const o = a as { pid?: unknown; instance?: unknown };
  return typeof o.pid === 'number' && Number.isInteger(o.pid) && o.pid > 0 &&
    typeof o.instance === 'string' && INSTANCE_RE.test(o.instance);
}

/** Same process incarnation? (names are ignored) */
export function sameAddress(a: Address, b: Address): boolean {
  return a.pid === b.pid && a.instance === b.instance;
}

/** A short printable form: `pid/instance` (or `name@pid`). */
export function formatAddress(a: Address): string {
  return a.name ? `${a.name}@${a.pid}` : `${a.pid}/${a.instance.slice(0, 8)}`;
}
