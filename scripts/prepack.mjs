// `npm pack` / `npm publish` run this first: compile the TypeScript into a clean
// dist/ (no output left over from a deleted source file) and build the prebuilt
// addons for linux-x64 and linux-arm64, so the tarball installs without a compiler
// and without running an install script. Fails, and so stops the pack, if either
// step fails (e.g. no aarch64 cross compiler); see docs/releasing.md.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const step = (script) => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', script)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`prepack: scripts/${script} failed; nothing was packed`);
    process.exit(1);
  }
};

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
step('build-ts.mjs');
fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });
step('prebuild.mjs');
