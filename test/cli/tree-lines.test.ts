// A bad field of a JSON tree is found in the file's text: its line and column.
import test from 'ava';
import { locateField } from '../../runtime/cli/tree-lines.js';

const text = `{
  "strategy": "one_for_one",
  "children": [
    { "id": "a", "module": "./a.js", "args": { "restart": 1 } },
    { "id": "b", "supervisor": { "children": [
      { "id": "c", "module": "./c.js", "restrat": "x" } ] } }
  ]
}`;

test('fields are found key by key, array elements by position', (t) => {
  t.deepEqual(locateField(text, 'tree.strategy'), { line: 2, column: 3 });
  t.deepEqual(locateField(text, 'tree.children[1].id'), { line: 5, column: 7 });
  t.deepEqual(locateField(text, 'tree.children[1].supervisor.children[0].restrat'), { line: 6, column: 40 });
  t.is(locateField(text, 'tree.nothing'), undefined);
  t.is(locateField(text, 'tree'), undefined);
});
