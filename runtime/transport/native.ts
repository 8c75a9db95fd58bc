// Loads the C++ addon (native/) and types its exports. The only file that touches
// the addon directly; everything above goes through the transport's classes.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import { PlatformError } from '../errors.js';

/** Receive-batch callback: datagram bytes back to back, a row of `receiveRow.stride`
 * ints per datagram (offset, length, credential pid, credential uid, flags, fd count),
 * the fds, and the number of datagrams. `meta` and `fds` are reused by the next call:
 * read, don't keep. */
export type BatchCallback = (buf: Buffer | null, meta: Int32Array | number, fds?: Int32Array, count?: number) => void;

export interface NativeReceiver {
  start(): void;
  stop(): void;
  close(): void;
  setRef(on: boolean): void;
  pump(): void;
}
export interface NativeWritableWatch {
  arm(): void;
  close(): void;
}
/** A sending thread for one backed-up destination (native/send_thread.cc). */
export interface NativeSendThread {
  /** Queue one datagram (copied; its fds dup'ed) for a blocking send, in order. */
  post(datagram: Uint8Array | Uint8Array[], fds?: number[]): void;
  /** Stop: unsent datagrams are dropped, the thread exits by itself. */
  close(): void;
  /** Report what was sent since the last report now (the callback runs before this returns). */
  sync(): void;
}
export interface NativePidWatch {
  close(): void;
  setRef(on: boolean): void;
  kill(signal: number): number;
}

export interface NativeAddon {
  /** Join a system: the read-locked system.lock's fd (EAGAIN: a cleaner is at work). */
  sysdirJoin(dir: string): number;
  /** Remove a system directory that has no member; false if it is in use. */
  sysdirRemoveIfDead(dir: string): boolean;
  sysdirCheck(dir: string): void;
  lockfileCreate(path: string): { fd: number; instance: bigint };
  lockfileRelease(fd: number): number;
  lockfileProbe(path: string): [0 | 1 | 2, bigint];
  staleRemove(lockPath: string, sockPath: string): boolean;
  socketBind(path: string, bufsize: number): number;
  socketConnect(path: string, bufsize: number): number;
  socketSndbuf(fd: number): number;
  nameClaim(abstractName: string): number;
  sendv(fd: number, parts: Uint8Array | Uint8Array[], fds?: number[]): number;
  closeFd(fd: number): number;
  /** A sealed memfd (write, shrink, grow, seal) holding a copy of `body`: its fd, or -errno. */
  memfdCreate(body: Uint8Array): number;
  /** A Buffer over a read-only mapping of a received memfd of exactly `length` bytes
   * whose seals forbid write, shrink and grow (unmapped when collected), or -errno
   * (EMEMFDNOSEALS, EMEMFDUNSEALED, EMEMFDSIZE, or mmap's). The fd stays open. */
  memfdMap(fd: number, length: number): Buffer | number;
  setParentDeathSignal(signal: number, expectedParentPid: number): number;
  setChildSubreaper(): number;
  reapChild(pid: number): number;
  errname(negErrno: number): string;
  /** Most fds one datagram carries (the kernel's SCM_MAX_FD). */
  maxFdsPerDatagram: number;
  /** Most parts one `sendv` gathers. */
  maxIovecs: number;
  /** Where each field sits in a receive row, and the row's length. */
  receiveRow: Readonly<{ offset: number; length: number; pid: number; uid: number; flags: number; fds: number; stride: number }>;
  /** Bits of a receive row's flags. */
  receiveFlags: Readonly<{ truncated: number; controlTruncated: number; noCredentials: number }>;
  Receiver: new (fd: number, slotSize: number, slots: number, cb: BatchCallback) => NativeReceiver;
  WritableWatch: new (fd: number, cb: (status: number) => void) => NativeWritableWatch;
  PidWatch: new (pid: number, cb: (status: number) => void) => NativePidWatch;
  /** Connects a blocking socket to `path`; `cb` reports progress: datagrams and bytes
   * sent since the last report, and the first send error (-errno) or 0. */
  SendThread: new (path: string, bufsize: number, cb: (sent: number, bytes: number, errno: number) => void) => NativeSendThread;
}

function packageRoot(): string {
  // dist/runtime/transport/native.js or runtime/transport/native.ts: walk up to package.json.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'binding.gyp'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new PlatformError('pidgeon: cannot find the package root (binding.gyp) to load the addon');
    dir = up;
  }
  return dir;
}

const REBUILD =
  'To compile it: install a C++ toolchain (g++, make, python3), then run `npm rebuild pidgeon` ' +
  '(if npm held back its install script, first `npm install-scripts approve pidgeon`)';

/** The addon's file, as node-gyp-build finds it; the addon compiled in the package
 * (build/Release, node-gyp-build's first choice when neither PREBUILDS_ONLY nor
 * PIDGEON_PREBUILD is set) without loading node-gyp-build: every actor process
 * loads the addon, and that package cost each ~2 ms. */
function resolveAddon(root: string, require: NodeJS.Require): string {
  const local = path.join(root, 'build', 'Release', 'pidgeon.node');
  if (!process.env.PREBUILDS_ONLY && !process.env.PIDGEON_PREBUILD && fs.existsSync(local)) return local;
  const gypBuild = require('node-gyp-build') as { resolve(dir: string): string };
  return gypBuild.resolve(root);
}

function load(): NativeAddon {
  if (process.platform !== 'linux') {
    throw new PlatformError(
      `pidgeon: platform '${process.platform}' is not supported: it needs Linux ` +
        '(AF_UNIX datagram sockets with SCM_CREDENTIALS, recvmmsg, pidfd_open, PR_SET_PDEATHSIG)',
    );
  }
  const require = createRequire(import.meta.url);
  const root = packageRoot();
  let file: string;
  try {
    file = resolveAddon(root, require);
  } catch (err) {
    // No build/Release and no prebuilds/<platform>-<arch> that matches this machine.
    throw new PlatformError(
      `pidgeon: no native addon for linux-${process.arch} in ${root}: the package carries prebuilt ones ` +
        'for linux-x64 and linux-arm64 (glibc), anything else is compiled by its install script. ' +
        REBUILD,
      { cause: err },
    );
  }
  try {
    return require(file) as NativeAddon;
  } catch (err) {
    // Found but not loadable: built for another machine, or a libc too old for it.
    throw new PlatformError(
      `pidgeon: the native addon ${file} could not be loaded (${(err as Error).message.split('\n')[0]}). ` +
        REBUILD,
      { cause: err },
    );
  }
}

/** The addon, loaded once. */
export const native: NativeAddon = load();

/** The Error for a -errno that a hot-path call returned instead of throwing, shaped as
 * the addon's thrown ones (`.code` such as 'EAGAIN', `.errno`, `.syscall`): the
 * `cause` of the PidgeonError that reports it. */
export function errnoCause(negErrno: number, syscall: string): Error {
  const code = native.errname(negErrno);
  return Object.assign(new Error(`${code}: ${syscall}`), { code, errno: negErrno, syscall });
}
