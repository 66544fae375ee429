// A Map that remembers which keys changed since the journal last wrote it, so a flush writes only
// those entries instead of the whole map (an instance fanning out to 500 activities changes one
// entry per completion). Unless the values are declared immutable, values handed out by get() or
// iteration may be mutated in place by the caller (RetryState is), so reading them counts as a
// change too: over-reporting costs a few bytes, under-reporting would lose state.
// Nothing is tracked until the journal first writes the map (forget()), so without `--data` it is
// a plain Map.
export class TrackedMap<K, V> extends Map<K, V> {
  private changedKeys = new Set<K>();
  private tracking = false;
  private everything = false;
  private wasCleared = false;
  private readonly immutableValues: boolean;

  constructor(options: { immutableValues?: boolean } = {}) {
    super();
    this.immutableValues = options.immutableValues ?? false;
  }

  override set(key: K, value: V): this {
    if (this.tracking) this.changedKeys.add(key);
    return super.set(key, value);
  }

  override get(key: K): V | undefined {
    const value = super.get(key);
    if (this.tracking && !this.immutableValues && value !== null && typeof value === 'object')
      this.changedKeys.add(key);
    return value;
  }

  override delete(key: K): boolean {
    const had = super.delete(key);
    if (had && this.tracking) this.changedKeys.add(key);
    return had;
  }

  override clear(): void {
    super.clear();
    this.changedKeys.clear();
    this.everything = false;
    this.wasCleared = this.tracking;
  }

  override entries(): MapIterator<[K, V]> {
    if (this.tracking && !this.immutableValues) this.everything = true;
    return super.entries();
  }

  override values(): MapIterator<V> {
    if (this.tracking && !this.immutableValues) this.everything = true;
    return super.values();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    if (this.tracking && !this.immutableValues) this.everything = true;
    super.forEach(callback, thisArg);
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  /** The changes since the last call, as JSON-ready data; undefined when nothing changed. */
  takeChanges(): MapChanges<K, V> | undefined {
    if (!this.wasCleared && !this.everything && this.changedKeys.size === 0) return undefined;
    const out: MapChanges<K, V> = {};
    if (this.wasCleared || this.everything) {
      out.clear = true;
      out.set = [...super.entries()];
    } else {
      const set: Array<[K, V]> = [];
      const del: K[] = [];
      for (const key of this.changedKeys) {
        if (super.has(key)) set.push([key, super.get(key) as V]);
        else del.push(key);
      }
      if (set.length > 0) out.set = set;
      if (del.length > 0) out.del = del;
    }
    this.forget();
    return out;
  }

  /** The whole content was just written: nothing is pending, and changes are tracked from now on. */
  forget(): void {
    this.tracking = true;
    this.changedKeys.clear();
    this.everything = false;
    this.wasCleared = false;
  }

  applyChanges(changes: MapChanges<K, V>): void {
    if (changes.clear) super.clear();
    for (const key of changes.del ?? []) super.delete(key);
    for (const [key, value] of changes.set ?? []) super.set(key, value);
  }
}

export interface MapChanges<K, V> {
  clear?: true;
  set?: Array<[K, V]>;
  del?: K[];
}
