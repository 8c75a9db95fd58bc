// What the runtime bundle holds (scripts/build-ts.mjs bundles this file into
// dist/runtime/core/runtime.cjs, loaded by core/code-cache.ts): the public API and
// the entry points that run in its processes, so that an actor process, the
// launcher and the modules they load share one instance of the runtime. Each entry
// point's ES module face (index.js, core/child-main.js, cli/main.js, the supervisor
// and proxy actor modules) takes its part from here; all but the public API are
// loaded when asked for (an actor process does not load the launcher).
export * as index from './index.js';
export const actorProcess = () => import('./core/actor-process.js');
export const supervisorActor = () => import('./supervision/supervisor-actor.js');
export const proxy = () => import('./cluster/proxy.js');
export const cli = () => import('./cli/cli.js');
