// The package check CI runs: `npm pack` (prepack builds dist/ and both prebuilds),
// look inside the tarball, then install it into empty projects the way users do:
//
//   normal         npm install (npm runs pidgeon's install script, `node-gyp-build`, which
//                  finds the prebuild and compiles nothing)
//   no-compiler    the same with a PATH that has node, npm, sh, python3, make... but no
//                  cc/gcc/g++/c++/clang (checked: `g++` is not found in it)
//   ignore-scripts npm install --ignore-scripts (what npm's allowScripts hold-back amounts to)
//
// and in each run test/package/program.mjs (imports 'pidgeon', spawns an actor, asks
// it), `npx pidgeon --version`, and `npx pidgeon start tree.json` (waits for "tree is
// up", sends SIGINT to the launcher, expects npx's exit code 0, the actors stopped in
// reverse start order, and no process left). The SIGINT goes to the launcher's pid:
// `npm exec` does not pass a SIGINT sent to it on, and a Ctrl-C to the whole process
// group also ends npm itself by the signal, whatever the launcher's exit code. Installs use --prefer-offline: nothing is needed that `npm ci` has
// not already fetched. Everything happens in one temporary directory, removed at the
// end (`--tarball FILE` checks that tarball instead of packing). Prints progress lines and ends with `pack-check: PASS` or `pack-check: FAIL`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const fixtures = path.join(root, 'test', 'package');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const COMPILERS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'clang++', 'aarch64-linux-gnu-gcc', 'aarch64-linux-gnu-g++', 'x86_64-linux-gnu-gcc', 'x86_64-linux-gnu-g++'];
// What npm, node-gyp-build and node-gyp's configure step may call; no compiler.
const TOOLS = ['node', 'npm', 'npx', 'sh', 'bash', 'env', 'python3', 'make', 'tar', 'gzip', 'uname', 'cat', 'ls', 'rm', 'mkdir', 'cp', 'mv', 'ln', 'chmod', 'touch',
  'sed', 'grep', 'awk', 'tr', 'head', 'tail', 'cut', 'sort', 'wc', 'find', 'xargs', 'mktemp', 'expr', 'printf', 'test', 'true', 'false', 'dirname', 'basename', 'readlink', 'which', 'id'];
const EM = { x64: 62, arm64: 183 }; // ELF e_machine: EM_X86_64, EM_AARCH64

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pidgeon-pack-check-'));
const started = Date.now();
let failures = 0;
const say = (line) => console.log(`pack-check: ${line}`);
const ok = (what) => say(`ok    ${what}`);
const bad = (what, detail = '') => {
  failures++;
  say(`FAIL  ${what}${detail ? `\n${detail.replace(/^/gm, '    ')}` : ''}`);
};
const check = (cond, what, detail) => (cond ? ok(what) : bad(what, typeof detail === 'function' ? detail() : detail));

// Child processes get a clean environment: no npm_* variables of an outer `npm run`.
function baseEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Run to completion with a time bound; output is kept, not shown. */
function run(cmd, args, { cwd = root, env = baseEnv(), timeout = 120_000 } = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    let timedOut = false;
    const t = setTimeout(() => { timedOut = true; killGroup(p.pid); }, timeout);
    p.on('error', (err) => { out += String(err); });
    p.on('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, out, timedOut }); });
  });
}

function killGroup(pid) {
  try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
}

const tail = (s, n = 30) => s.trimEnd().split('\n').slice(-n).join('\n');

// Processes (other than this one) whose command line or cwd mentions `dir`.
function processesUnder(dir) {
  const found = [];
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent) || Number(ent) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${ent}/cmdline`, 'utf8').replace(/\0/g, ' ');
      let cwd = '';
      try { cwd = fs.readlinkSync(`/proc/${ent}/cwd`); } catch { /* not ours to read */ }
      if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(`${ent}: ${cmdline.trim()}`);
    } catch { /* exited meanwhile */ }
  }
  return found;
}

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

// The executable file `name` in the current PATH (not a shell builtin), resolved.
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const f = path.join(dir || '.', name);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      if (fs.statSync(f).isFile()) return fs.realpathSync(f);
    } catch { /* not here */ }
  }
  return undefined;
}

// A directory of symlinks to the tools above, without any C/C++ compiler.
function noCompilerPath() {
  const bin = path.join(tmp, 'nocc-bin');
  fs.mkdirSync(bin);
  for (const tool of TOOLS) {
    let target;
    if (tool === 'node') target = process.execPath;
    else if (tool === 'python3') {
      // Through pyenv-style shims the command is a script: link the interpreter itself.
      const r = spawnSync('python3', ['-c', 'import os, sys; print(os.path.realpath(sys.executable))'], { encoding: 'utf8' });
      target = r.status === 0 ? r.stdout.trim() : undefined;
    } else {
      target = onPath(tool);
    }
    if (target) fs.symlinkSync(target, path.join(bin, tool));
  }
  return bin;
}

async function packTarball() {
  say('npm pack (prepack: clean dist/, compile TypeScript, prebuild linux-x64 and cross linux-arm64)');
  const dest = path.join(tmp, 'pack');
  fs.mkdirSync(dest);
  const r = await run('npm', ['pack', '--pack-destination', dest], { timeout: 600_000 });
  const tgz = fs.readdirSync(dest).find((f) => f.endsWith('.tgz'));
  check(r.code === 0 && tgz, `npm pack wrote ${tgz ?? 'nothing'}`, () => tail(r.out));
  return tgz ? path.join(dest, tgz) : undefined;
}

function inspectTarball(tgz) {
  const list = spawnSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  say(`tarball: ${list.length} files, ${(fs.statSync(tgz).size / 1024).toFixed(0)} kB`);
  for (const f of ['package.json', 'README.md', 'binding.gyp', 'dist/runtime/index.js', 'dist/runtime/index.d.ts', 'dist/runtime/cli/main.js', 'native/binding.cc']) {
    check(list.includes(f), `tarball has ${f}`);
  }
  const unwanted = list.filter((f) => /^(test|bench|build|examples|scripts|tools|docs|\.ci)\/|^dist\/(?!runtime\/)|\.map$|\.ts$(?<!\.d\.ts)|\.tar\.gz$/.test(f));
  check(unwanted.length === 0, 'tarball has no tests, benchmarks, build dirs, scripts, sources or maps', unwanted.join('\n'));
  const x = path.join(tmp, 'unpacked');
  fs.mkdirSync(x);
  spawnSync('tar', ['-xzf', tgz, '-C', x]);
  for (const [arch, em] of Object.entries(EM)) {
    const f = `prebuilds/linux-${arch}/node.napi.glibc.node`;
    if (!list.includes(f)) {
      bad(`tarball has ${f}`);
      continue;
    }
    const h = fs.readFileSync(path.join(x, 'package', f)).subarray(0, 20);
    const elf = h.length >= 20 && h.readUInt32BE(0) === 0x7f454c46 && h[4] === 2 && h[5] === 1; // ELF, 64-bit, little-endian
    const machine = elf ? h.readUInt16LE(18) : -1;
    check(elf && machine === em, `tarball has ${f}, an ELF64 for e_machine ${em}`, `e_machine is ${machine}`);
  }
}

async function installInto(mode, tgz, nocc) {
  const app = path.join(tmp, `app-${mode}`);
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: `pack-check-${mode}`, version: '1.0.0', private: true, type: 'module' }, null, 2));
  for (const f of fs.readdirSync(fixtures)) fs.copyFileSync(path.join(fixtures, f), path.join(app, f));
  const env = baseEnv(nocc ? { PATH: nocc } : {});
  if (nocc) {
    const found = COMPILERS.filter((c) => spawnSync('sh', ['-c', `command -v ${c}`], { env }).status === 0);
    check(found.length === 0, `[${mode}] no C/C++ compiler on PATH`, found.join(' '));
    const gxx = spawnSync('sh', ['-c', 'g++ --version'], { env, encoding: 'utf8' });
    check(gxx.status === 127, `[${mode}] \`g++ --version\` fails with 127 (not found): ${gxx.stderr.trim()}`);
    const tools = spawnSync('sh', ['-c', 'node --version && npm --version && python3 --version && make --version'], { env, encoding: 'utf8' });
    check(tools.status === 0, `[${mode}] node, npm, python3 and make are there`, tools.stderr);
  }
  const flags = mode === 'ignore-scripts' ? ['--ignore-scripts'] : ['--foreground-scripts'];
  const r = await run('npm', ['install', tgz, '--prefer-offline', '--no-audit', '--no-fund', ...flags], { cwd: app, env });
  check(r.code === 0, `[${mode}] npm install ${flags.join(' ')}`, () => tail(r.out));
  if (r.code !== 0) return undefined;
  const installed = path.join(app, 'node_modules', 'pidgeon');
  if (mode !== 'ignore-scripts') {
    check(new RegExp(`> pidgeon@${pkg.version} install\\n> node-gyp-build`).test(r.out), `[${mode}] pidgeon's install script (node-gyp-build) ran`, () => tail(r.out));
  }
  check(!fs.existsSync(path.join(installed, 'build')), `[${mode}] nothing was compiled (no node_modules/pidgeon/build): the prebuild serves`);
  return { app, env };
}

async function exercise(mode, { app, env }) {
  const sysdir = path.join(tmp, `sys-${mode}`);
  const prog = await run(process.execPath, ['program.mjs', sysdir], { cwd: app, env, timeout: 60_000 });
  check(prog.code === 0 && /program: ok 42/.test(prog.out), `[${mode}] program.mjs: ${prog.out.trim().split('\n').pop()}`, () => tail(prog.out));

  const ver = await run('npx', ['pidgeon', '--version'], { cwd: app, env, timeout: 60_000 });
  check(ver.code === 0 && ver.out.trim() === pkg.version, `[${mode}] npx pidgeon --version: ${ver.out.trim()}`, () => tail(ver.out));

  await launcher(mode, app, env, path.join(tmp, `tree-${mode}`));
}

// `npx pidgeon start ./tree.json` in the background, SIGINT once the tree is up.
async function launcher(mode, app, env, sysdir) {
  const p = spawn('npx', ['pidgeon', 'start', './tree.json', '--dir', sysdir], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let onOut = () => {};
  p.stdout.on('data', (d) => { out += d; onOut(); });
  p.stderr.on('data', (d) => { out += d; onOut(); });
  const exited = new Promise((resolve) => p.on('close', (code, signal) => resolve({ code, signal })));
  const timer = setTimeout(() => killGroup(p.pid), 60_000); // the whole launcher step is bounded
  try {
    const up = await Promise.race([
      new Promise((resolve) => { onOut = () => { if (/tree is up/.test(out)) resolve(true); }; onOut(); }),
      exited.then(() => false),
    ]);
    check(up, `[${mode}] npx pidgeon start ./tree.json: "tree is up"`, () => tail(out));
    const pids = [...out.matchAll(/launcher pid (\d+)|started\s+\S+\s+pid (\d+)/g)].map((m) => Number(m[1] ?? m[2]));
    const launcherPid = Number(out.match(/launcher pid (\d+)/)?.[1]);
    if (up && launcherPid) process.kill(launcherPid, 'SIGINT');
    const { code, signal } = await exited;
    check(code === 0, `[${mode}] after SIGINT to the launcher, npx exited with code 0`, () => `code ${code}, signal ${signal}\n${tail(out)}`);
    const order = [...out.matchAll(/ stopped\s+(\S+)\s+pid/g)].map((m) => m[1]);
    check(order.join(',') === 'second,first', `[${mode}] stopped in order: ${order.join(', ')}`, () => tail(out));
    check(/tree stopped/.test(out), `[${mode}] "tree stopped"`, () => tail(out));
    const alive = pids.filter(pidAlive);
    const left = processesUnder(app);
    check(pids.length >= 3 && alive.length === 0 && left.length === 0, `[${mode}] launcher and ${pids.length - 1} actor processes all gone`, () => `alive: ${alive.join(' ')}\n${left.join('\n')}`);
    let entries = [];
    for (const sub of ['sock', 'lock']) {
      try { entries = entries.concat(fs.readdirSync(path.join(sysdir, sub))); } catch { /* none */ }
    }
    check(entries.length === 0, `[${mode}] the system directory is empty`, entries.join(' '));
  } finally {
    clearTimeout(timer);
    killGroup(p.pid);
  }
}

async function main() {
  say(`pidgeon ${pkg.version}, node ${process.version}, ${process.platform}-${process.arch}, in ${tmp}`);
  const given = process.argv.indexOf('--tarball'); // check an existing tarball instead of packing one
  const tgz = given > 0 ? path.resolve(process.argv[given + 1]) : await packTarball();
  if (!tgz) return;
  inspectTarball(tgz);
  const nocc = noCompilerPath();
  for (const [mode, pathDir] of [['normal', undefined], ['no-compiler', nocc], ['ignore-scripts', undefined]]) {
    say(`--- ${mode}`);
    const t0 = Date.now();
    const inst = await installInto(mode, tgz, pathDir);
    if (inst) await exercise(mode, inst);
    say(`--- ${mode} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

const cleanup = () => {
  for (const line of processesUnder(tmp)) {
    try { process.kill(Number(line.split(':')[0]), 'SIGKILL'); } catch { /* gone */ }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
};
process.on('SIGINT', () => { cleanup(); process.exit(130); });
try {
  await main();
} catch (err) {
  bad('unexpected error', err?.stack ?? String(err));
} finally {
  cleanup();
}
const secs = ((Date.now() - started) / 1000).toFixed(1);
say(failures === 0 ? `PASS (${secs} s)` : `FAIL: ${failures} check(s) failed (${secs} s)`);
process.exit(failures === 0 ? 0 : 1);
