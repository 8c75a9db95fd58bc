// Kernel-arbitrated names. Holding an abstract AF_UNIX socket name proves ownership:
// the kernel lets one process bind it and releases it when that process dies, so a
// registered name never outlives its owner and needs no registry process.
import { errnoCause, native } from './native.js';
import { MailboxError } from '../errors.js';

/** Claim `key` (unique per network namespace). Returns the fd that holds it, or null
 * when a live process holds it already; throws EMAILBOX (`cause.code` says why) when
 * the name cannot be bound. Close the fd to release the name. */
export function claimName(key: string): number | null {
  const fd = native.nameClaim(key);
  if (fd >= 0) return fd;
  if (native.errname(fd) === 'EADDRINUSE') return null;
  throw new MailboxError(`cannot claim name ${key}: ${native.errname(fd)}`, { cause: errnoCause(fd, 'bind') });
}

/** Release a name claimed with `claimName`. */
export function releaseName(fd: number): void {
  native.closeFd(fd);
}

/** Close an fd received with a message (or any fd the caller owns). */
export function closeFd(fd: number): void {
  native.closeFd(fd);
}
