// Is a message a plain tree: plain objects, arrays and primitives, with no object
// reachable twice? msgpackr's structured clone keeps a Map of every object it packs,
// to find shared and cyclic references, built afresh for every message (measured: 2
// of the 3 allocations of a small send, and with its entries ~40 % of the bytes a
// send allocates). In a plain tree it has nothing to find, so packing without it
// writes the same bytes; the codec then skips it (codec.ts packWith).

const seen = new Set<object>();
/** Deeper than this is not worth walking twice: such a message takes the general path. */
const MAX_DEPTH = 24;
const OBJECT = Object.prototype;
const ARRAY = Array.prototype;

/** True only if `v` certainly packs the same without structured clone (`last`:
 * `v`'s last element, when `v` is an array of primitives ending in it). False is
 * always safe (the general path): anything but plain objects, arrays and primitives
 * (Maps, Sets, Dates, typed arrays, Errors, class instances, functions, symbols), an
 * object seen twice (shared or cyclic), or a tree too deep. */
export function isPlainTree(v: unknown, last?: unknown): boolean {
  if (typeof v !== 'object') return typeof v !== 'function' && typeof v !== 'symbol';
  if (v === null) return true;
  // An envelope: primitives, then the body (`last`). Only the body needs the walk,
  // and a flat body then takes the quick path.
  if (last !== undefined && last !== v && headIsPrimitive(v, last)) return isPlainTree(last);
  try {
    if (flat(v)) return true;
  } catch {
    return false; // a getter or proxy that throws: the general path reports it
  }
  try {
    return walk(v, 0);
  } catch {
    return false;
  } finally {
    seen.clear(); // only here: clearing allocates a new table, even an empty one
  }
}

// The common message: one plain object or array of primitives. Nothing in it can
// be reached twice, so no Set is needed.
function flat(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  if (proto === ARRAY) {
    if (!Array.isArray(o)) return false;
    const a = o as unknown[];
    for (let i = 0; i < a.length; i++) if (!primitive(a[i])) return false;
    return true;
  }
  if (proto !== OBJECT || Object.hasOwn(o, 'constructor')) return false;
  const r = o as Record<string, unknown>;
  for (const k in r) if (!primitive(r[k])) return false;
  return true;
}

// Is `v` a plain array whose elements but the last (`last`) are primitives?
function headIsPrimitive(v: object, last: unknown): boolean {
  if (Object.getPrototypeOf(v) !== ARRAY || !Array.isArray(v)) return false;
  const a = v as unknown[];
  const n = a.length - 1;
  if (n < 0 || a[n] !== last) return false;
  for (let i = 0; i < n; i++) if (!primitive(a[i])) return false;
  return true;
}

function primitive(x: unknown): boolean {
  const t = typeof x;
  return t !== 'object' ? t !== 'function' && t !== 'symbol' : x === null;
}

function walk(o: object, depth: number): boolean {
  if (depth > MAX_DEPTH || seen.has(o)) return false;
  const proto = Object.getPrototypeOf(o);
  if (proto === ARRAY) {
    if (!Array.isArray(o)) return false;
    seen.add(o);
    const a = o as unknown[];
    for (let i = 0; i < a.length; i++) if (!child(a[i], depth)) return false;
    return true;
  }
  // msgpackr writes an object as a map or record when its `constructor` is Object:
  // an own `constructor` key would send it down another path.
  if (proto !== OBJECT || Object.hasOwn(o, 'constructor')) return false;
  seen.add(o);
  const r = o as Record<string, unknown>;
  for (const k in r) if (!child(r[k], depth)) return false;
  return true;
}

function child(x: unknown, depth: number): boolean {
  if (typeof x === 'object') return x === null || walk(x, depth + 1);
  return typeof x !== 'function' && typeof x !== 'symbol';
}
