// A child's output captured into its log file: line by line with time, name, pid
// and stream; a line split across chunks stays whole; the file rotates by size
// (never past maxBytes with short lines) and keeps `keep` old files.
import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../cli/cli-helpers.js';
import { captureOutput, logFileName, logNameOf, logSettings } from '../../runtime/core/child-output.js';

const tmp = () => tempDir('pidgeon-log-');

function runChild(script: string) {
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { proc, closed: new Promise<void>((r) => proc.on('close', () => r())) };
}

test('stdout and stderr lines land in NAME.log, prefixed; a partial last line is kept', async (t) => {
  const dir = tmp();
  const s = logSettings({ PIDGEON_LOG_DIR: dir })!;
  const { proc, closed } = runChild("process.stdout.write('one\\ntw'); setTimeout(() => { process.stdout.write('o\\n'); process.stderr.write('bad\\nlast'); }, 50)");
  captureOutput(proc, 'my actor', s);
  await closed;
  const lines = fs.readFileSync(path.join(dir, 'my_actor.log'), 'utf8').trimEnd().split('\n');
  const re = (stream: string, text: string) => new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z my actor\\[${proc.pid}\\] ${stream} ${text}$`);
  t.is(lines.length, 4);
  t.regex(lines[0], re('out', 'one'));
  t.regex(lines.find((l) => / out two$/.test(l)) ?? '', re('out', 'two'), 'the split line is whole');
  t.regex(lines.find((l) => / err bad$/.test(l)) ?? '', re('err', 'bad'));
  t.regex(lines.find((l) => / err last$/.test(l)) ?? '', re('err', 'last'));
});

test('the log rotates by size and keeps the newest files', async (t) => {
  const dir = tmp();
  const s = logSettings({ PIDGEON_LOG_DIR: dir, PIDGEON_LOG_MAX_BYTES: '4000', PIDGEON_LOG_FILES: '2' })!;
  const { proc, closed } = runChild("for (let i = 0; i < 400; i++) process.stdout.write('line ' + i + '\\n')");
  captureOutput(proc, 'rot', s);
  await closed;
  const files = fs.readdirSync(dir).sort();
  t.deepEqual(files, ['rot.log', 'rot.log.1', 'rot.log.2']);
  for (const f of files) t.true(fs.statSync(path.join(dir, f)).size <= 4000, `${f} is within maxBytes`);
  // Oldest first, the kept lines are consecutive and end with the last one.
  const kept = ['rot.log.2', 'rot.log.1', 'rot.log'].flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').trimEnd().split('\n'));
  const nums = kept.map((l) => Number(/ out line (\d+)$/.exec(l)![1]));
  t.is(nums[nums.length - 1], 399);
  t.deepEqual(nums, nums.map((_, i) => nums[0] + i));
  t.true(nums[0] > 0, 'the oldest lines were rotated away');
});

test('log names: registered name, else the supervisor\'s id, else the module file; safe file names', (t) => {
  t.is(logNameOf('/a/worker.js', 'w1', 'id'), 'w1');
  t.is(logNameOf('/a/worker.js', undefined, 'id'), 'id');
  t.is(logNameOf('/a/worker.ts', undefined, undefined), 'worker');
  t.is(logFileName('../x/y'), '__x_y.log');
  t.is(logSettings({}), null);
});
