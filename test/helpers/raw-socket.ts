// A raw datagram socket connected to one mailbox, bypassing pidgeon's sending side:
// for forged and hostile datagrams. A full receive queue (EAGAIN; the kernel's
// max_dgram_qlen is small) is waited out on a writability watch, not by spinning.
import type { ExecutionContext } from 'ava';
import { native, type NativeWritableWatch } from '../../runtime/transport/native.js';
import { sockPath } from '../../runtime/transport/sysdir.js';
import { WAIT, within } from './actors.js';

const EAGAIN = -11;
const ENOBUFS = -105;

export class RawSocket {
  private readonly fd: number;
  private readonly watch: NativeWritableWatch;
  private wake: ((status: number) => void) | null = null;
  private closed = false;
  /** How often a send had to wait for room. */
  waits = 0;

  /** Connect to the socket of `pid` in the system directory `dir` (closed at teardown). */
  constructor(t: ExecutionContext, dir: string, pid: number) {
    this.fd = native.socketConnect(sockPath(dir, pid), 4 << 20);
    if (this.fd < 0) throw new Error(`connect: ${native.errname(this.fd)}`);
    this.watch = new native.WritableWatch(this.fd, (status) => { this.wake?.(status); });
    t.teardown(() => this.close());
  }

  /** Send one datagram, waiting (bounded) while the receiver's queue is full. */
  async send(datagram: Uint8Array | Uint8Array[]): Promise<void> {
    for (;;) {
      const r = native.sendv(this.fd, datagram);
      if (r >= 0) return;
      if (r !== EAGAIN && r !== ENOBUFS) throw new Error(`sendv: ${native.errname(r)}`);
      this.waits++;
      const writable = new Promise<number>((resolve) => { this.wake = resolve; });
      this.watch.arm();
      const status = await within(writable, WAIT, 'room in the receiver\'s queue');
      this.wake = null;
      if (status < 0) throw new Error(`poll: ${native.errname(status)}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watch.close();
    native.closeFd(this.fd);
  }
}
