// Chaos: supervised workers SIGKILLed at random while messages stream to them.
// Every death is one DOWN (reason SIGKILL) and one restart; every live incarnation
// gets every message sent to it, in order, none twice; what was sent to a killed
// incarnation after its death is a dead letter, never delivered to its successor.
import test from 'ava';
import type { ActorRef, DeadLetterNotice } from '../../runtime/index.js';
import { Downs, fixture, kill, rng, startSystem, within, WAIT } from '../helpers/actors.js';
import { Tree } from '../helpers/supervision.js';

const IDS = ['w0', 'w1', 'w2'];
const KILLS = 10;
const BURST = 300;

test('SIGKILL random supervised workers under load: one DOWN per death, no loss or reordering to live receivers', async (t) => {
  const { sys } = await startSystem(t);
  const tree = new Tree(sys);
  const downs = new Downs(sys);
  const random = rng(t);
  await sys.supervise({
    strategy: 'one_for_one', intensity: KILLS * 2, period: 60_000,
    children: IDS.map((id) => ({ id, module: fixture('seqsink'), restart: 'permanent' as const })),
  }, { reportTo: sys.self });
  await tree.until(() => tree.settled(IDS, []), 'all workers up');

  const sent = new Map<string, number>(); // `${pid}:${instance}` -> messages sent to that incarnation
  const key = (r: ActorRef) => `${r.pid}:${r.instance}`;
  const burst = async (ref: ActorRef) => {
    let n = sent.get(key(ref)) ?? 0;
    for (let i = 0; i < BURST; i++) {
      if (!sys.send(ref, { seq: n++ })) await sys.drained(ref);
    }
    sent.set(key(ref), n);
  };
  const report = (ref: ActorRef) => sys.ask(ref, 'report', { timeout: 20_000 }) as Promise<{ received: number; violations: string[] }>;

  const killed: ActorRef[] = [];
  for (let k = 0; k < KILLS; k++) {
    const refs = IDS.map((id) => tree.current(id)!);
    await Promise.all(refs.map(burst));
    // Everything sent so far has reached each live incarnation, in order.
    for (const r of refs) {
      const rep = await report(r);
      t.deepEqual(rep.violations, [], `worker ${r.pid}`);
      t.is(rep.received, sent.get(key(r)) ?? -1, `worker ${r.pid} got all it was sent`);
    }
    const victim = refs[Math.floor(random() * refs.length)];
    const monitor = sys.monitor(victim);
    // Keep streaming to everyone while the victim dies.
    const streaming = Promise.all(refs.map(burst));
    kill(victim.pid);
    killed.push(victim);
    const down = await downs.of(monitor, `DOWN of ${victim.pid}`);
    t.deepEqual(down.reason, { signal: 'SIGKILL' });
    await streaming;
    await tree.until(() => tree.settled(IDS, killed.map((r) => r.pid)), `restart after kill ${k}`);
    t.is(downs.count(monitor), 1, 'one DOWN per death');
    // A message for the dead incarnation is a dead letter, not its successor's.
    const letter = within(new Promise<DeadLetterNotice>((r) => sys.once('deadLetter', r)), WAIT, 'the dead letter');
    sys.send(victim, { seq: 0 });
    const d = await letter;
    t.is(d.error.code, 'EDEADACTOR');
    t.is(d.to.pid, victim.pid);
  }
  for (const id of IDS) {
    const r = tree.current(id)!;
    const rep = await report(r);
    t.deepEqual(rep.violations, []);
    t.is(rep.received, sent.get(key(r)) ?? 0, `the last ${id} got all it was sent`);
  }
  t.is(tree.events.filter((e) => e.event === 'exited').length, KILLS, 'one exit event per kill');
  t.is(tree.events.filter((e) => e.event === 'restarting').length, KILLS, 'one restart per kill');
});
