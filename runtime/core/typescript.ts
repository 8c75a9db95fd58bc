// TypeScript actor modules and tree files without a loader set up by the user: a
// Node that strips types (22.18 and later by default) runs them as they are; on
// older Node (20, the engine floor) pidgeon uses tsx when the user's project has
// it, and otherwise fails with one line that says what to install.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TypeScriptError } from '../errors.js';
import { importModule } from './bundle-hooks.js';

const TS_FILE = /\.(ts|mts|cts)$/;

/** Is `file` a TypeScript source file? */
export function isTypeScript(file: string): boolean {
  return TS_FILE.test(file);
}

/** Does this Node run TypeScript by itself (`process.features.typescript`, 22.10+)? */
export function nodeStripsTypes(): boolean {
  const f = (process.features as { typescript?: unknown }).typescript;
  return typeof f === 'string' && f !== '';
}

// Started under a TypeScript loader already (`tsx main.ts`, `node --import tsx`):
// children inherit execArgv, so they have it too.
function hasLoader(execArgv: readonly string[]): boolean {
  return execArgv.some((a) => /(^|[/\\=@])tsx([/\\@]|$)|ts-node|@swc-node|esbuild-register/.test(a));
}

/** The file: URL of tsx's loader, found from the module's folder, then the cwd. */
function findTsx(file: string): string | undefined {
  for (const from of [file, path.join(process.cwd(), 'index.js')]) {
    try {
      return pathToFileURL(createRequire(from).resolve('tsx')).href;
    } catch { /* not installed there */ }
  }
  return undefined;
}

function noLoader(file: string): TypeScriptError {
  return new TypeScriptError(`cannot run TypeScript module ${file}: Node ${process.version} does not strip types; `
    + 'install tsx in your project (npm install --save-dev tsx) or use Node >= 22.18', { file });
}

/** Extra Node options for a child process that loads `file` (none for JavaScript). */
export function loaderArgs(file: string): string[] {
  if (!isTypeScript(file) || nodeStripsTypes() || hasLoader(process.execArgv)) return [];
  const tsx = findTsx(file);
  if (!tsx) throw noLoader(file);
  return ['--import', tsx];
}

let enabled = false;

/** Let this process import `file` (the launcher loading a tree.ts). */
export async function enableTypeScriptFor(file: string): Promise<void> {
  if (enabled || !isTypeScript(file) || nodeStripsTypes() || hasLoader(process.execArgv)) return;
  const tsx = findTsx(file);
  if (!tsx) throw noLoader(file);
  await importModule(tsx); // what `--import tsx` does before the main module: registers its hooks
  enabled = true;
}

/** A module's default export; tsx compiles a .ts file of a CommonJS package to
 * CommonJS, whose `export default` then arrives one level down. */
export function defaultExport(mod: { default?: unknown }): unknown {
  const d = mod.default as { default?: unknown; __esModule?: unknown } | undefined;
  return d && typeof d === 'object' && 'default' in d && Object.keys(d).every((k) => k === 'default' || k === '__esModule') ? d.default : d;
}
