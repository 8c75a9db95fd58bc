// Run by load-error.ts in a process of its own: import an actor module whose load
// failed with a SyntaxError, so that Node prints the file, line and source line it
// knows (an error from import() carries none of them). A load hook puts `throw 0;`
// before every ES module's source, so nothing of the user's code can run here:
// parsing fails as before, or the first evaluation throws.
import { register } from 'node:module';

const hook = `export async function load(url, context, next) {
  const r = await next(url, context);
  if (r.format === 'module' && r.source != null) return { ...r, source: 'throw 0;' + String(r.source) };
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
await import(process.argv[2]!);
