// Where things are: the package root (found from this file, in bench/ or dist/bench/),
// the benchmark sources and its output folder bench/out/ (gitignored).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'binding.gyp'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the package root');
    dir = up;
  }
  return dir;
}

export const root = findRoot();
/** Benchmark sources (C, this folder's .ts). */
export const benchSrc = path.join(root, 'bench');
/** Build products and raw results; gitignored. */
export const benchOut = path.join(root, 'bench', 'out');
/** Compiled benchmark modules (peers are forked from here). */
export const benchDist = path.join(root, 'dist', 'bench');
