// Entry point of every actor process (ActorSystem.spawn starts Node on this file):
// the process's life is actor-process.ts. The build replaces this file with a face
// of the runtime bundle (scripts/build-ts.mjs), so that the actor module's
// `import 'pidgeon'` and this process's runtime are one instance.
import { runActorProcess } from './actor-process.js';

await runActorProcess();
