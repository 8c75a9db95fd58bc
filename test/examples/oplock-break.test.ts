// The main demo runs under the launcher, tells its three cases and ends by itself.
import test from 'ava';
import path from 'node:path';
import { Launcher, leftovers, tempDir } from '../cli/cli-helpers.js';

test('npm run demo: the oplock-break demo runs its three cases and ends with exit code 0', async (t) => {
  const sysDir = path.join(tempDir('pidgeon-demo-'), 'sys');
  const l = new Launcher(['dist/examples/oplock-break/tree.js', '--dir', sysDir]);
  t.teardown(() => l.kill());
  const { code } = await l.exit(90_000);
  t.is(code, 0, l.output);
  const out = l.output;
  t.regex(out, /B opened report\.docx after A's break reply/);
  t.regex(out, /C opened notes\.txt in \d+ ms while B is still waiting/);
  t.regex(out, /B opened budget\.xlsx after A's break reply, after \d+ ms/);
  const m = out.match(/B opened plan\.txt on A's death notice, (\d+) ms after the kill/);
  t.truthy(m, out);
  // Well under any timeout: the death notice, not the 70 s break timeout.
  t.true(Number(m![1]) < 10_000);
  t.regex(out, /the supervisor restarted client A as pid \d+/);
  t.regex(out, /exited\s+client-a\s+pid \d+\s+killed by SIGKILL/);
  t.regex(out, /tree stopped/);
  t.deepEqual(leftovers(sysDir), []);
});
