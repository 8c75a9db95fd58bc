// What the runtime's code asks of the loader that ran it as a bundle (code-cache.ts):
// import() and the code cache. Inside the bundle, a vm.Script, import() has no
// loader of its own: Node 20 drops a script's import callback when V8 builds it from
// cached data (the import then throws ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so
// the runtime's imports (actor modules, tree modules, NATS, tsx) go through the ES
// module that loaded the bundle, which sits in the bundle's directory and resolves
// alike. Outside the bundle (tsc's per-file build, the tests of internals) there is
// no loader and these fall back to plain import() and to no cache.

/** The bundle's loader state, on globalThis under this key (one per process). */
export const BUNDLE_HOOKS = Symbol.for('pidgeon.bundle');

/** What became of the code cache in this process. */
export type CodeCacheStatus = 'accepted' | 'rejected' | 'none' | 'written' | 'unwritable';

export interface BundleHooks {
  import(specifier: string): Promise<unknown>;
  codeCache: {
    status: CodeCacheStatus;
    file: string;
    /** Would `save` write (no cache was found, or V8 rejected the one there)? */
    wanted(): boolean;
    save(): CodeCacheStatus;
  };
}

const hooks = (): BundleHooks | undefined => (globalThis as { [BUNDLE_HOOKS]?: BundleHooks })[BUNDLE_HOOKS];

/** import() for the runtime's own code: an absolute URL, or a package name found
 * from the runtime's directory. The build checks that the bundle has no other. */
export function importModule<T = unknown>(specifier: string): Promise<T> {
  const h = hooks();
  return (h ? h.import(specifier) : import(specifier)) as Promise<T>;
}

/** A warm process (its start path compiled: mailbox, codec, dispatch) writes the
 * code cache if this process found none, or one V8 rejected. Never throws. */
export function codeCacheWarm(): CodeCacheStatus | undefined {
  return hooks()?.codeCache.save();
}

/** Would `codeCacheWarm` write (this process found no cache, or one V8 rejected)? */
export function codeCacheWanted(): boolean {
  return hooks()?.codeCache.wanted() ?? false;
}

/** This process's code cache status; undefined outside the bundle. */
export function codeCacheStatus(): CodeCacheStatus | undefined {
  return hooks()?.codeCache.status;
}
