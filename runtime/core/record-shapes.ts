// The object shapes one batch encoder has defined as records (plain-pack.ts
// `recordPack`): a tree of keys in order, each node a shape with its record id in
// the batch being written. Ids 0x60-0x7f are this writer's (msgpackr's Packr keeps
// to 0x40-0x5f); they are reused in turn, and a shape whose id was reused is
// defined again when next used.

/** Record ids of this writer (see above). */
const FIRST_ID = 0x60;
const LAST_ID = 0x7f;
/** Shapes remembered per encoder before its tree of them is dropped (at a reset):
 * messages with ever new keys must not grow it without bound. */
const MAX_SHAPES = 4096;

/** One node of an encoder's tree of object shapes: the path from the root is the
 * keys in order. `epoch` says whether `id` is defined in the current batch. */
export class Shape {
  /** The child taken last, and its key: a run of like messages finds it without the Map. */
  lastKey: string | null = null;
  last: Shape | null = null;
  next: Map<string, Shape> | null = null;
  keys: string[] | null = null;
  id = 0;
  epoch = 0;
}

/** The object shapes one batch encoder has defined (its records), by key order. */
export class RecordShapes {
  root = new Shape();
  /** Shapes whose `epoch` is this are defined in the batch being written. */
  epoch = 1;
  private nextId = FIRST_ID;
  private count = 0;
  private readonly byId: (Shape | undefined)[] = [];

  /** @internal Shapes in the tree (for the tests of its bound). */
  get size(): number {
    return this.count;
  }

  /** A new batch: every shape is defined afresh when next used. */
  reset(): void {
    this.epoch++;
    this.nextId = FIRST_ID;
    if (this.count > MAX_SHAPES) {
      this.root = new Shape();
      this.count = 0;
      this.byId.length = 0;
    }
  }

  /** The child of `s` for key `k`, made if new. */
  child(s: Shape, k: string): Shape {
    const n = new Shape();
    (s.next ??= new Map()).set(k, n);
    this.count++;
    return n;
  }

  /** Give `s` the next id in this batch; a shape that had the id loses it. */
  define(s: Shape): void {
    const id = this.nextId;
    this.nextId = id === LAST_ID ? FIRST_ID : id + 1;
    const old = this.byId[id - FIRST_ID];
    if (old !== undefined) old.epoch = 0;
    this.byId[id - FIRST_ID] = s;
    s.id = id;
    s.epoch = this.epoch;
  }
}
