// A bad field of a JSON tree file, pointed at in the file: `tree.children[1].restart`
// is found by walking the file's text key by key (each key searched after the one
// before it), so the error can name the line as well as the field.
import fs from 'node:fs';
import path from 'node:path';
import { BadSpecError, type ErrorLocation } from '../errors.js';

/** Where `specPath` (e.g. `tree.children[0].colour`) is in the JSON text, if found. */
export function locateField(text: string, specPath: string): { line: number; column: number } | undefined {
  const keys = specPath.replace(/\[(\d+)\]/g, '.#$1').split('.').slice(1);
  let at = 0;
  for (const k of keys) {
    if (k.startsWith('#')) {
      // The n-th element: skip n objects at this level by counting opening braces after '['.
      const open = text.indexOf('[', at);
      if (open < 0) return undefined;
      let depth = 0;
      let seen = -1;
      let i = open + 1;
      for (; i < text.length; i++) {
        const c = text[i];
        if (c === '"') { i = skipString(text, i); continue; }
        if (c === '{' || c === '[') { if (depth++ === 0 && ++seen === Number(k.slice(1))) break; } else if (c === '}' || c === ']') { if (depth-- === 0) return undefined; }
      }
      at = i;
      continue;
    }
    const i = text.indexOf(JSON.stringify(k), at);
    if (i < 0) return undefined;
    at = i;
  }
  if (keys.length === 0) return undefined;
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j;
  }
  return text.length;
}

/** A BadSpecError about a JSON tree file, with its file and line added. */
export function withTreeLine(err: unknown, file: string): unknown {
  if (!(err instanceof BadSpecError) || err.location || !file.endsWith('.json')) return err;
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch {
    return err;
  }
  const at = locateField(text, err.path);
  if (!at) return err;
  const location: ErrorLocation = { file: abs, ...at, source: text.split('\n')[at.line - 1] };
  err.message += ` (${abs}:${at.line})`;
  err.location = location;
  return err;
}
