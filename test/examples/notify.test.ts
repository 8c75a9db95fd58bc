// examples/notify: the notifier fans events out by prefix, drops a killed
// subscriber on its death notice, and never sends it a dead letter.
import test from 'ava';
import { namePids, runExample } from './run-example.js';

test('the example fans out by prefix and drops the killed subscriber', async (t) => {
  const r = await runExample(t, 'notify');
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  t.false(r.leftover, 'no process outlives the example');
  t.deepEqual(namePids(r.stdout).trimEnd().split('\n'), [
    'alice (pid P1) subscribed to /share/docs/',
    'bob (pid P2) subscribed to /share/',
    'carol (pid P3) subscribed to /share/media/ and /home/carol/',
    'table: 3 subscribers (alice /share/docs/; bob /share/; carol /share/media/,/home/carol/); dead letters: 0',
    'CREATE /share/docs/report.txt -> alice, bob',
    '  alice got CREATE /share/docs/report.txt',
    '  bob got CREATE /share/docs/report.txt',
    'MODIFY /share/media/song.ogg -> bob, carol',
    '  bob got MODIFY /share/media/song.ogg',
    '  carol got MODIFY /share/media/song.ogg',
    'DELETE /home/carol/notes -> carol',
    '  carol got DELETE /home/carol/notes',
    'CREATE /tmp/scratch -> nobody',
    'killing bob (pid P2) with SIGKILL',
    'notifier got the death notice and dropped bob; table size now 2',
    'MODIFY /share/docs/report.txt -> alice',
    '  alice got MODIFY /share/docs/report.txt',
    'table: 2 subscribers (alice /share/docs/; carol /share/media/,/home/carol/); dead letters: 0',
    'done',
  ]);
});
