// The fds given to `send`: checked where the caller can see the error, before
// anything is queued.
import fs from 'node:fs';
import { native } from './native.js';
import { BadArgumentError } from '../errors.js';

/** Throw EBADARG unless `fds` is a short enough array of open file descriptors. */
export function checkFds(fds: unknown): void {
  if (!Array.isArray(fds) || fds.length > native.maxFdsPerDatagram ||
      !fds.every((fd) => Number.isInteger(fd) && fd >= 0)) {
    throw new BadArgumentError(`fds must be an array of at most ${native.maxFdsPerDatagram} non-negative integers`);
  }
  // A closed fd is refused here, where the caller can see it, not later in a queue
  // where it would fail the datagram (or another file would have taken its number).
  for (let i = 0; i < fds.length; i++) {
    try {
      fs.fstatSync(fds[i]);
    } catch (err) {
      throw new BadArgumentError(`fds[${i}] (${fds[i]}) is not an open file descriptor`, { cause: err });
    }
  }
}
