// Where an actor module failed to load or init: the file, line and column, and the
// source line, as Node shows them for an uncaught error. A thrown error names its
// place in its stack; a SyntaxError from import() does not, so a probe process
// (syntax-probe.ts) lets Node print it; esbuild (tsx) puts it in the message.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { ErrorLocation as SourceLocation } from '../errors.js';

const PROBE = fileURLToPath(new URL('../core/syntax-probe.js', import.meta.url));
// pidgeon's own files, compiled and (through source maps) their sources.
const RUNTIME_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const OWN_DIRS = [RUNTIME_DIR, path.join(path.dirname(path.dirname(RUNTIME_DIR)), 'runtime')].map((d) => d + path.sep);
// node:child_process only when a probe runs: this file is in every actor's start.
const childProcess = () => createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
const PREFIX = 'throw 0;'; // what the probe's hook puts before each module

/** Find where `err`, raised while loading or initialising `module`, comes from. */
export function locateError(err: unknown, module: string): SourceLocation | undefined {
  if (!(err instanceof Error)) return undefined;
  const esbuild = /(\/[^\s:]+):(\d+):(\d+): ERROR: /.exec(err.message);
  if (esbuild) return at(esbuild[1], Number(esbuild[2]), Number(esbuild[3]));
  const frame = userFrame(err.stack ?? '');
  if (frame) return frame;
  if (err.name === 'SyntaxError') return probeSyntax(module);
  return undefined;
}

/** ` at file:line:col` for the end of a one-line message ('' without a location). */
export function atLocation(loc: SourceLocation | undefined): string {
  return loc ? ` at ${loc.file}:${loc.line}:${loc.column}` : '';
}

/** Node's way of showing a location: `file:line:col`, the line, a caret under it. */
export function formatLocation(loc: SourceLocation): string {
  const lead = /^\s*/.exec(loc.source)![0].length;
  const caret = ' '.repeat(Math.max(0, loc.column - 1 - lead));
  return `${loc.file}:${loc.line}:${loc.column}\n    ${loc.source.trim()}\n    ${caret}^`;
}

// The first stack frame in a file of the user's (not Node's, not pidgeon's).
function userFrame(stack: string): SourceLocation | undefined {
  for (const m of stack.matchAll(/(file:\/\/[^\s)]+|\/[^\s():]+):(\d+):(\d+)\)?$/gm)) {
    const file = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
    if (OWN_DIRS.some((d) => file.startsWith(d))) continue;
    const loc = at(file, Number(m[2]), Number(m[3]));
    if (loc) return loc;
  }
  return undefined;
}

function at(file: string, line: number, column: number): SourceLocation | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const source = text.split(/\r?\n/)[line - 1];
  return source === undefined ? undefined : { file, line, column, source };
}

// Let Node report the SyntaxError in a process that cannot run the user's code.
function probeSyntax(module: string): SourceLocation | undefined {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('PIDGEON_')) delete env[k];
  const r = childProcess().spawnSync(process.execPath, [...process.execArgv, PROBE, pathToFileURL(module).href], {
    env, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines = (r.stderr ?? '').split('\n');
  const head = /^(file:\/\/\S+|\/\S+):(\d+)$/.exec(lines[0] ?? '');
  if (!head || lines.length < 3) return undefined;
  const file = head[1].startsWith('file:') ? fileURLToPath(head[1]) : head[1];
  const line = Number(head[2]);
  let column = lines[2].indexOf('^') + 1;
  if (line === 1 && lines[1].startsWith(PREFIX)) column -= PREFIX.length;
  return at(file, line, Math.max(1, column));
}
