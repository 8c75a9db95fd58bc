// Supervisor spec validation: defaults are filled in, modules resolved; every bad
// spec is refused with EBADSPEC and `path` naming the offending field, both by
// normalizeSpec and by system.supervise (before any process starts).
import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extraArgs, instanceArgs, normalizeSpec } from '../../runtime/supervision/spec.js';
import { fixture, processesOf, startSystem } from '../helpers/actors.js';

const worker = fixture('probe');
const child = (extra: Record<string, unknown> = {}) => ({ id: 'w', module: worker, ...extra });

test('defaults: one_for_one, intensity 3, period 5000, permanent, shutdown 5000 (infinity for supervisors)', (t) => {
  const s = normalizeSpec({ children: [child(), { id: 'sub', supervisor: { children: [] } }] });
  t.is(s.strategy, 'one_for_one');
  t.is(s.intensity, 3);
  t.is(s.period, 5000);
  t.is(s.name, null);
  t.is(s.children[0].restart, 'permanent');
  t.is(s.children[0].shutdown, 5000);
  t.is(s.children[0].module, fileURLToPath(worker));
  t.is(s.children[1].shutdown, 'infinity');
  t.is(s.children[1].module, null);
  t.deepEqual(s.children[1].supervisor?.children, []);
});

test('modules given as URL, absolute path and path relative to the cwd all resolve', (t) => {
  const abs = fileURLToPath(worker);
  const rel = path.relative(process.cwd(), abs);
  const s = normalizeSpec({ children: [{ id: 'a', module: worker }, { id: 'b', module: abs }, { id: 'c', module: rel }] });
  t.deepEqual(s.children.map((c) => c.module), [abs, abs, abs]);
});

const bad = test.macro({
  exec(t, spec: unknown, expectedPath: string) {
    const err = t.throws(() => normalizeSpec(spec));
    t.is((err as any).code, 'EBADSPEC');
    t.is((err as any).path, expectedPath);
  },
  title: (provided = '', _spec: unknown, expectedPath: string) => `EBADSPEC at ${expectedPath}: ${provided}`,
});

test('not an object', bad, null, 'spec');
test('an array', bad, [child()], 'spec');
test('unknown top-level field', bad, { children: [], strategy: 'one_for_one', restarts: 3 }, 'spec.restarts');
test('unknown child field', bad, { children: [child({ restartt: 'permanent' })] }, 'spec.children[0].restartt');
test('bad strategy', bad, { strategy: 'all_for_one', children: [] }, 'spec.strategy');
test('strategy of the wrong type', bad, { strategy: 1, children: [] }, 'spec.strategy');
test('negative intensity', bad, { intensity: -1, children: [] }, 'spec.intensity');
test('fractional intensity', bad, { intensity: 1.5, children: [] }, 'spec.intensity');
test('zero period', bad, { period: 0, children: [] }, 'spec.period');
test('bad supervisor name', bad, { name: 'no spaces please', children: [] }, 'spec.name');
test('children missing', bad, {}, 'spec.children');
test('children not an array', bad, { children: {} }, 'spec.children');
test('child not an object', bad, { children: ['w'] }, 'spec.children[0]');
test('missing id', bad, { children: [{ module: worker }] }, 'spec.children[0].id');
test('empty id', bad, { children: [child({ id: '' })] }, 'spec.children[0].id');
test('duplicate id', bad, { children: [child(), child({ restart: 'temporary' })] }, 'spec.children[1].id');
test('neither module nor supervisor', bad, { children: [{ id: 'w' }] }, 'spec.children[0]');
test('both module and supervisor', bad, { children: [child({ supervisor: { children: [] } })] }, 'spec.children[0]');
test('missing module file', bad, { children: [child({ module: '/nonexistent/pidgeon/worker.js' })] }, 'spec.children[0].module');
test('module of the wrong type', bad, { children: [child({ module: 42 })] }, 'spec.children[0].module');
test('module URL that is not file:', bad, { children: [child({ module: new URL('https://example.com/w.js') })] }, 'spec.children[0].module');
test('bad restart', bad, { children: [child({ restart: 'sometimes' })] }, 'spec.children[0].restart');
test('bad shutdown string', bad, { children: [child({ shutdown: 'never' })] }, 'spec.children[0].shutdown');
test('negative shutdown', bad, { children: [child({ shutdown: -5 })] }, 'spec.children[0].shutdown');
// A Node timer fires after 1 ms beyond 2^31 - 1 ms: such a shutdown would kill at once.
test('shutdown beyond the longest timer', bad, { children: [child({ shutdown: 2 ** 31 })] }, 'spec.children[0].shutdown');
test('bad child name', bad, { children: [child({ name: 'a b' })] }, 'spec.children[0].name');
test('env with a non-string value', bad, { children: [child({ env: { N: 1 } })] }, 'spec.children[0].env');
test('bad field deep in a nested supervisor', bad,
  { children: [child(), { id: 'sub', supervisor: { children: [child({ id: 'x' }), child({ id: 'y', shutdown: 'later' })] } }] },
  'spec.children[1].supervisor.children[1].shutdown');
test('duplicate id in a nested supervisor', bad,
  { children: [{ id: 'sub', supervisor: { strategy: 'rest_for_one', children: [child(), child()] } }] },
  'spec.children[0].supervisor.children[1].id');

test('supervise refuses a bad spec with EBADSPEC before starting any process', async (t) => {
  const { sys, dir } = await startSystem(t);
  const err = t.throws(() => sys.supervise({ children: [child(), child({ id: 'v', restart: 'often' as any })] }));
  t.is((err as any).code, 'EBADSPEC');
  t.is((err as any).path, 'spec.children[1].restart');
  t.deepEqual(processesOf(dir), []);
  t.is(sys.stats().children, 0);
});

test('backoff and maxChildren defaults: factor 2, jitter 0.2, reset = max; no limit', (t) => {
  const s = normalizeSpec({ children: [child({ backoff: { min: 10, max: 500 } }), { id: 'x', module: worker }] });
  t.deepEqual(s.children[0].backoff, { min: 10, max: 500, factor: 2, jitter: 0.2, reset: 500 });
  t.is(s.children[1].backoff, null);
  t.is(s.maxChildren, null);
  t.is(normalizeSpec({ strategy: 'simple_one_for_one', maxChildren: 0, children: [child()] }).maxChildren, 0);
});

const argsCase = test.macro({
  exec(t, template: unknown, extra: unknown, expected: unknown) {
    t.deepEqual(instanceArgs(template, extra), expected);
  },
  title: (_p, template: unknown, extra: unknown) => `instanceArgs(${JSON.stringify(template)}, ${JSON.stringify(extra)})`,
});
test(argsCase, [1, 2], [3], [1, 2, 3]);
test(argsCase, { a: 1, b: 1 }, { b: 2 }, { a: 1, b: 2 });
test(argsCase, { a: 1 }, undefined, { a: 1 });
test(argsCase, undefined, { a: 1 }, { a: 1 });
test(argsCase, [1], { a: 1 }, { a: 1 });
test(argsCase, { a: 1 }, 'x', 'x');
test(argsCase, { a: 1 }, null, null);

test('extraArgs undoes instanceArgs: starting with them again gives the same args', (t) => {
  for (const [template, extra] of [[[1], [2, 3]], [{ a: 1 }, { b: 2 }], [undefined, 'x'], [{ a: 1 }, 7], [[1], { a: 1 }], [[1], undefined]] as const) {
    const inst = instanceArgs(template, extra);
    t.deepEqual(instanceArgs(template, extraArgs(template, inst)), inst, JSON.stringify([template, extra]));
  }
});
