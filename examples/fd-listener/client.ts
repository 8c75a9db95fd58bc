// A line-protocol TCP client for main.ts: connect, read the greeting, send a line
// and read the answer, notice when the server side goes away.
import net from 'node:net';
import readline from 'node:readline';

export class Client {
  private readonly lines: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private ended = false;
  /** Resolves when the connection is closed (by either side). */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    readline.createInterface({ input: socket, crlfDelay: Infinity }).on('line', (line) => this.push(line));
    socket.on('error', () => {}); // a reset shows up as 'close' too
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.ended = true;
      this.waiter?.(null);
      resolve();
    }));
  }

  /** Connect and return the client with the server's greeting. */
  static async connect(port: number): Promise<{ client: Client; greeting: string }> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new Client(socket);
    return { client, greeting: await client.next() };
  }

  /** The connection is closed (by either side). */
  get isClosed(): boolean {
    return this.ended;
  }

  /** Send one line, return the answer. */
  request(line: string): Promise<string> {
    this.socket.write(`${line}\n`);
    return this.next();
  }

  close(): Promise<void> {
    this.socket.end();
    return this.closed;
  }

  private push(line: string): void {
    if (this.waiter) this.waiter(line);
    else this.lines.push(line);
  }

  private next(): Promise<string> {
    if (this.lines.length) return Promise.resolve(this.lines.shift()!);
    if (this.ended) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.waiter = (line) => {
        this.waiter = null;
        if (line === null) reject(new Error('connection closed'));
        else resolve(line);
      };
    });
  }
}
