// `npm test`: compile, run ava with TAP output, and end with the one summary line
// CI reads: `tests: N passed, N failed`. Exits non-zero if anything failed, if ava
// itself failed, or if no test ran. Extra arguments go to ava (e.g. a file glob).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-ts.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) {
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}
// The architecture check (no import cycle, layers point down, file sizes) counts as
// one test of the suite.
const arch = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-architecture.mjs')], { stdio: 'inherit', cwd: root });
const archOk = arch.status === 0;

// The cross-host tests (test/cluster/) run nats-server: install it if we can, else say
// how; those tests then fail with the same advice.
const hasNats = () => ['/usr/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(':')].some((d) => d && fs.existsSync(path.join(d, 'nats-server')));
if (!hasNats()) {
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  const install = ['install', '-y', '-o', 'DPkg::Lock::Timeout=300', 'nats-server'];
  if (process.getuid?.() === 0 && (apt(install) || (apt(['update']) && apt(install))) && hasNats()) console.log('installed nats-server for the cluster tests (apt-get install -y nats-server)');
  else console.log("tests need nats-server: run 'sudo apt-get install -y nats-server'");
}

const avaCli = path.join(root, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
const child = spawn(process.execPath, [avaCli, '--tap', ...process.argv.slice(2)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
let passed = archOk ? 1 : 0;
let failed = archOk ? 0 : 1;
const rl = readline.createInterface({ input: child.stdout });
rl.on('line', (line) => {
  console.log(line);
  if (/^not ok \d+/.test(line)) {
    if (!/#\s*TODO/i.test(line)) failed++;
  } else if (/^ok \d+/.test(line)) {
    if (/#\s*SKIP/i.test(line)) failed++; // a skipped test is a defect here
    else passed++;
  }
});
child.on('close', (code) => {
  rl.close();
  if (code !== 0 && failed === 0) failed = 1; // ava failed without a failing test line (crash, timeout)
  console.log(`tests: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
});
