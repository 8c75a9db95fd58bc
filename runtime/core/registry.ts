// The name registry of a system, kept by the kernel: a name is owned by holding an
// abstract socket name derived from the system directory (unique, and released when
// the owner dies), and published as names/<name> holding "pid instance" for lookups.
// A lookup checks the owner's lockfile, so a dead owner's entry is never returned.
import fs from 'node:fs';
import path from 'node:path';
import { claimName, releaseName, probePeer, type Address } from '../transport/index.js';
import { BadArgumentError, NameTakenError } from '../errors.js';

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._:-]{0,63}$/;

/** Check an actor name: letters, digits, `.`, `_`, `:`, `-`, at most 64 characters. */
export function checkActorName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new BadArgumentError(`actor name must match ${NAME_RE} (got ${JSON.stringify(name)})`);
  }
  return name;
}

/** The registry of one system directory, as seen from one process. */
export class Registry {
  private readonly namesDir: string;
  private readonly prefix: string;
  private readonly held = new Map<string, number>();

  constructor(dir: string) {
    this.namesDir = path.join(dir, 'names');
    fs.mkdirSync(this.namesDir, { mode: 0o700, recursive: true });
    const st = fs.statSync(dir);
    this.prefix = `pidgeon/${st.dev}:${st.ino}/`;
  }

  /** Register `name` for `self`; throws ENAMETAKEN if a live actor holds it. */
  register(name: string, self: Address): void {
    checkActorName(name);
    if (this.held.has(name)) return;
    const fd = claimName(this.prefix + name);
    if (fd === null) {
      throw new NameTakenError(`name '${name}' is registered by a live actor`, { address: this.lookup(name) });
    }
    this.held.set(name, fd);
    const file = path.join(this.namesDir, name);
    const tmp = path.join(this.namesDir, `.${name}.${self.pid}.tmp`);
    fs.writeFileSync(tmp, `${self.pid} ${self.instance}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file); // atomic: readers see the old owner or us, never half
  }

  /** Give a name up (also happens by itself when this process dies). */
  unregister(name: string, self: Address): void {
    const fd = this.held.get(name);
    if (fd === undefined) return;
    const file = path.join(this.namesDir, name);
    try {
      const [pid, instance] = fs.readFileSync(file, 'utf8').trim().split(' ');
      if (Number(pid) === self.pid && instance === self.instance) fs.unlinkSync(file);
    } catch { /* already gone */ }
    this.held.delete(name);
    releaseName(fd);
  }

  /** Release every name this process holds. */
  unregisterAll(self: Address): void {
    for (const name of [...this.held.keys()]) this.unregister(name, self);
  }

  /** Remove the entry of `name` if no live actor holds the name (its owner died
   * without unregistering: SIGKILL). Done while holding the name ourselves, so no
   * new owner can be publishing its entry meanwhile. */
  clearIfDead(name: string): void {
    if (this.held.has(name)) return;
    const fd = claimName(this.prefix + name);
    if (fd === null) return; // a live owner: its entry is current
    try {
      fs.unlinkSync(path.join(this.namesDir, name));
    } catch { /* none left */ }
    releaseName(fd);
  }

  /** The live actor registered as `name`, or undefined. */
  lookup(name: string): Address | undefined {
    checkActorName(name);
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.namesDir, name), 'utf8');
    } catch {
      return undefined;
    }
    const [pidText, instance] = text.trim().split(' ');
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0 || !instance) return undefined;
    const p = probePeer(path.dirname(this.namesDir), pid);
    if (p.state !== 'alive' || p.instance !== instance) return undefined;
    return { pid, instance, name };
  }

  /** Every registered name with a live owner. */
  list(): Address[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.namesDir).filter((n) => !n.startsWith('.'));
    } catch {
      return [];
    }
    const out: Address[] = [];
    for (const n of names) {
      if (!NAME_RE.test(n)) continue;
      const a = this.lookup(n);
      if (a) out.push(a);
    }
    return out;
  }

  /** Names this process holds. */
  heldNames(): string[] {
    return [...this.held.keys()];
  }
}
