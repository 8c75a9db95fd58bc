// Release prebuilds: build the addon for linux-x64 and linux-arm64 with `prebuild`
// (a devDependency; it runs node-gyp against Node-API and strips the result) and put
// each where node-gyp-build looks for it, prebuilds/<platform>-<arch>/node.napi.glibc.node,
// so an installed package loads without a compiler or an install script.
//
//   node scripts/prebuild.mjs            # every architecture in ARCHES
//   node scripts/prebuild.mjs arm64      # only these
//
// arm64 is a cross build: node-gyp --arch=arm64 with the aarch64-linux-gnu toolchain
// (Debian: apt-get install g++-aarch64-linux-gnu). Node-API headers are the same for
// every architecture, so the host's headers serve. `prebuild` rebuilds build/, so the
// host architecture is built last and build/Release is left holding a host binary
// (node-gyp-build prefers build/Release over prebuilds/).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const ARCHES = ['x64', 'arm64'];
const CROSS = { arm64: 'aarch64-linux-gnu-', x64: 'x86_64-linux-gnu-' };

const fail = (msg) => {
  console.error(`prebuild: ${msg}`);
  process.exit(1);
};
if (process.platform !== 'linux') fail(`prebuilds are made on Linux, not ${process.platform}`);

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ARCHES;
for (const a of wanted) if (!CROSS[a]) fail(`unknown architecture '${a}' (known: ${ARCHES.join(', ')})`);
const order = [...wanted.filter((a) => a !== process.arch), ...wanted.filter((a) => a === process.arch)];

const bin = path.join(root, 'node_modules', 'prebuild', 'bin.js');
if (!fs.existsSync(bin)) fail("the 'prebuild' devDependency is missing; run `npm install` in the checkout");

// Headers of the running node, if it has them (a distribution's node under /usr);
// otherwise node-gyp downloads them, or uses npm's configured nodedir.
const env = { ...process.env };
const prefix = path.dirname(path.dirname(process.execPath));
if (!env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  env.npm_config_nodedir = prefix;
}

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
const run = (cmd, args, runEnv) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: runEnv });
  if (r.status !== 0) fail(`${path.basename(cmd)} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
};

const dir = path.join(root, 'prebuilds');
for (const arch of order) {
  const archEnv = { ...env };
  if (arch !== process.arch) {
    const t = CROSS[arch];
    if (!which(`${t}g++`)) fail(`cross compiler ${t}g++ not found (Debian: apt-get install g++-${t.slice(0, -1)})`);
    Object.assign(archEnv, { CC: `${t}gcc`, CXX: `${t}g++`, LINK: `${t}g++`, AR: `${t}ar`, STRIP: `${t}strip` });
  }
  console.log(`prebuild: building linux-${arch}${arch === process.arch ? '' : ` (cross, ${archEnv.CXX})`}`);
  run(process.execPath, [bin, '--strip', '--runtime', 'napi', '--backend', 'node-gyp', '--arch', arch], archEnv);

  const tarball = fs.readdirSync(dir).filter((f) => f.endsWith(`-napi-v8-linux-${arch}.tar.gz`)).sort().pop();
  if (!tarball) fail(`no tarball was written for linux-${arch}`);
  const out = path.join(dir, `linux-${arch}`);
  fs.mkdirSync(out, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(dir, '.unpack-'));
  try {
    run('tar', ['-xzf', path.join(dir, tarball), '-C', tmp]);
    fs.copyFileSync(path.join(tmp, 'build', 'Release', 'pidgeon.node'), path.join(out, 'node.napi.glibc.node'));
    fs.chmodSync(path.join(out, 'node.napi.glibc.node'), 0o755);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`prebuild: ${path.relative(root, path.join(out, 'node.napi.glibc.node'))} (and prebuilds/${tarball})`);
}
if (order.at(-1) !== process.arch) {
  // build/Release now holds a foreign binary that node-gyp-build would load first.
  fs.rmSync(path.join(root, 'build'), { recursive: true, force: true });
  console.log(`prebuild: removed build/ (it held a linux-${order.at(-1)} binary); \`npm run build\` rebuilds it for this machine`);
}
