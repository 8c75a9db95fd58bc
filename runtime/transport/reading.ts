// Whether a mailbox reads its socket, and keeps the process alive while it waits:
// the native receiver's poll does both while it reads; paused (flow control), a
// timer holds the event loop instead, so a process waiting for its own queue to
// drain does not exit for lack of work.
import type { NativeReceiver } from './native.js';

export class Reading {
  private paused = false;
  private refed = true;
  private keepAlive: NodeJS.Timeout | null = null;

  constructor(private readonly receiver: NativeReceiver) {}

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.receiver.stop();
    this.keepAlive = setInterval(() => {}, 1 << 30);
    if (!this.refed) this.keepAlive.unref();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.clearKeepAlive();
    this.receiver.start();
  }

  setRef(on: boolean): void {
    this.refed = on;
    this.receiver.setRef(on);
    if (this.keepAlive) {
      if (on) this.keepAlive.ref();
      else this.keepAlive.unref();
    }
  }

  close(): void {
    this.clearKeepAlive();
    this.receiver.close();
  }

  private clearKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
  }
}
