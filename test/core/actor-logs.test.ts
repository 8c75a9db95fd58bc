// Under a launcher (PIDGEON_LOG_DIR set before the system starts), an actor's
// output goes to its log file whether it was started cold or taken from the warm
// pool; `logName` picks the file; a bad `logName` is refused.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixture, startSystem, until, WAIT } from '../helpers/actors.js';

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-actor-logs-'));
process.env.PIDGEON_LOG_DIR = logDir; // this test file's own process (ava worker) only
test.after.always(() => fs.rmSync(logDir, { recursive: true, force: true }));

const read = (file: string) => (fs.existsSync(path.join(logDir, file)) ? fs.readFileSync(path.join(logDir, file), 'utf8') : '');

test('cold and pooled actors both log into their own file, under their name or logName', async (t) => {
  const { sys } = await startSystem(t, { pool: { size: 1 } });
  const cold = await sys.spawn(fixture('chatty'), { logName: 'first' }); // the pool starts with this spawn
  await until(() => sys.stats().pool.idle === 1, WAIT, 'the pool to hold a ready process');
  const warm = await sys.spawn(fixture('chatty'), { name: 'talker', logName: 'ignored' }); // a name wins
  t.is(sys.stats().pool.idle, 0, 'the second spawn took the pooled process');
  for (const [ref, say] of [[cold, 'from cold'], [warm, 'from warm']] as const) {
    t.is(await sys.ask(ref, { say }), 'said');
    t.is(await sys.ask(ref, { say: `${say} on stderr`, err: true }), 'said');
  }
  await until(() => /from warm on stderr/.test(read('talker.log')) && /from cold on stderr/.test(read('first.log')), WAIT, 'both log files');
  t.regex(read('first.log'), new RegExp(`first\\[${cold.pid}\\] out hello from chatty\\n[^\\n]*first\\[${cold.pid}\\] out from cold\\n`));
  t.regex(read('talker.log'), new RegExp(`talker\\[${warm.pid}\\] out hello from talker\\n[^\\n]*talker\\[${warm.pid}\\] out from warm\\n`));
  t.regex(read('talker.log'), new RegExp(`talker\\[${warm.pid}\\] err from warm on stderr`));
  t.false(fs.existsSync(path.join(logDir, 'ignored.log')));
});

test('a bad logName is refused before any process starts', async (t) => {
  const { sys } = await startSystem(t);
  for (const logName of ['', 5, null]) {
    t.throws(() => void sys.spawn(fixture('chatty'), { logName: logName as string }), { code: 'EBADARG', message: /logName/ });
  }
  t.is(sys.children.list().length, 0);
});
