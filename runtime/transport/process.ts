// Process-tree guarantees: a child dies with its parent, and a launcher adopts
// orphaned descendants so none outlives the tree.
import { native } from './native.js';

/** Ask the kernel to send `signal` to this process when its parent dies. Returns
 * false when the parent (expected pid) is already gone. */
export function setParentDeathSignal(signal = 9, expectedParentPid = process.ppid): boolean {
  return native.setParentDeathSignal(signal, expectedParentPid) === 0;
}

/** Become a subreaper: orphaned descendants are re-parented to this process. */
export function setChildSubreaper(): boolean {
  return native.setChildSubreaper() === 0;
}
