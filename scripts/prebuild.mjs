// Release prebuilds: `prebuild` builds and strips the addon against Node-API and packs
// it as a tarball (for a release upload); we also unpack it where node-gyp-build looks
// (prebuilds/<platform>-<arch>/node.napi.node), so a package published with prebuilds/
// installs without a compiler.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('npx', ['--yes', 'prebuild@13', '--strip', '--runtime', 'napi', '--backend', 'node-gyp']);
const dir = path.join(root, 'prebuilds');
const tarball = fs.readdirSync(dir).filter((f) => f.endsWith(`-napi-v8-${process.platform}-${process.arch}.tar.gz`)).sort().pop();
if (!tarball) {
  console.error('prebuild: no tarball was written');
  process.exit(1);
}
const out = path.join(dir, `${process.platform}-${process.arch}`);
fs.mkdirSync(out, { recursive: true });
const tmp = fs.mkdtempSync(path.join(dir, '.unpack-'));
run('tar', ['-xzf', path.join(dir, tarball), '-C', tmp]);
fs.copyFileSync(path.join(tmp, 'build', 'Release', 'pidgeon.node'), path.join(out, 'node.napi.node'));
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`prebuild: ${path.relative(root, path.join(out, 'node.napi.node'))} (and prebuilds/${tarball})`);
