// The `pidgeon` entry point: --version/-V, and help examples an installed user can type.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { root, run } from './cli-helpers.js';

const pkgVersion: string = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

const printsVersion = test.macro({
  async exec(t: ExecutionContext, flag: string) {
    const r = await run([flag]);
    t.is(r.code, 0);
    t.is(r.stdout, `${pkgVersion}\n`);
    t.is(r.stderr, '');
  },
  title: (_provided, flag: string) => `pidgeon ${flag} prints the package version and exits 0`,
});
test(printsVersion, '--version');
test(printsVersion, '-V');

test('no --help text points into dist/ (an installed user has no such path)', async (t) => {
  for (const args of [['--help'], ...['start', 'ps', 'tree', 'send', 'stop'].map((c) => [c, '--help'])]) {
    const r = await run(args);
    t.is(r.code, 0, args.join(' '));
    t.regex(r.stdout, /examples?:/, args.join(' '));
    t.notRegex(r.stdout, /dist\//, args.join(' '));
  }
});
