// `pidgeon top` in a real terminal (tmux): it draws the tree, refits on resize, quits
// on q with exit code 0 and gives the terminal back (normal screen, cursor shown).
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Launcher, cli, fixture, tempDir } from './cli-helpers.js';

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const pane = (s: string) => tmux('capture-pane', '-p', '-t', s);

/** Resolves once the pane shows what `re` matches (checked every 50 ms, at most `ms`). */
async function paneShows(s: string, re: RegExp, ms = 20_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = pane(s);
    if (re.test(text)) return text;
    if (Date.now() > end) throw new Error(`tmux pane never showed ${re}; it shows:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('top draws the tree in a terminal, follows a resize, and q restores the terminal', async (t) => {
  if (spawnSync('tmux', ['-V']).error) t.fail('tmux is not installed: this test needs the tmux command (apt-get install -y tmux)');
  const dir = tempDir();
  const sysDir = path.join(dir, 'sys');
  const file = path.join(dir, 'tree.json');
  fs.writeFileSync(file, JSON.stringify({ system: 'toptest', children: [
    { id: 'w', module: fixture('echo.js'), name: 'worker-with-a-long-name' },
    { id: 'sub', supervisor: { children: [{ id: 'inner', module: fixture('echo.js') }] } },
  ] }));
  const l = new Launcher([file, '--dir', sysDir]);
  t.teardown(() => l.kill());
  await l.waitFor(/tree is up/);

  const s = `pidgeon-top-${process.pid}`;
  const done = path.join(dir, 'exit');
  const cmd = `${process.execPath} ${cli} top --dir ${sysDir} --interval 200; echo "top exit $?" > ${done}; printf 'TOP-DONE\\n'; sleep 60`;
  execFileSync('tmux', ['new-session', '-d', '-s', s, '-x', '150', '-y', '30', cmd], { env: { ...process.env, NO_COLOR: '' } });
  t.teardown(() => { spawnSync('tmux', ['kill-session', '-t', s]); });

  const first = await paneShows(s, /worker-with-a-long-name[\s\S]*inner/);
  t.regex(first, /pidgeon top +system toptest/);
  t.regex(first, /NAME +PID +STATUS +↺ +CPU +MEM +IN\/S +OUT\/S/);
  t.regex(first, /└─ sub[\s\S]*└─ inner/);

  tmux('resize-window', '-t', s, '-x', '40', '-y', '20');
  const narrow = await paneShows(s, /^(?![\s\S]*UPTIME)[\s\S]*└─ sub/); // the last column is cut away
  for (const line of narrow.split('\n')) t.true(line.length <= 40, `fits in 40 columns: ${line}`);

  tmux('send-keys', '-t', s, 'q');
  const after = await paneShows(s, /TOP-DONE/);
  t.is(fs.readFileSync(done, 'utf8').trim(), 'top exit 0');
  t.notRegex(after, /pidgeon top/, 'the alternate screen is gone: the normal screen is back');
  t.is(tmux('display-message', '-p', '-t', s, '#{cursor_flag} #{alternate_on}').trim(), '1 0', 'cursor shown, alternate screen off');
});
