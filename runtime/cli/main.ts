#!/usr/bin/env node
// The `pidgeon` executable: the command line is cli.ts. The build replaces this file
// with a face of the runtime bundle (scripts/build-ts.mjs), so that a tree module's
// `import 'pidgeon'` and the launcher's runtime are one instance.
import { runCli } from './cli.js';

void runCli(process.argv.slice(2));
