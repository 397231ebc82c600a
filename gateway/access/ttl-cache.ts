/**
 * A small TTL cache that also de-duplicates concurrent loads of the same key.
 * The TTL bounds how long a change made by another process (a revoked key, a
 * suspended product) can go unseen: the gateway uses 500 ms, under the 1 s promise.
 */
export class TtlCache<K, V> {
  #entries = new Map<K, { at: number; value: Promise<V> }>()
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: K, load: () => Promise<V>, now = Date.now()): Promise<V> {
    const hit = this.#entries.get(key)
    if (hit && now - hit.at < this.ttlMs) return hit.value
    if (this.#entries.size >= this.maxEntries) this.#entries.clear()
    const value = load()
    this.#entries.set(key, { at: now, value })
    value.catch(() => this.#entries.delete(key))
    return value
  }

  /** When the entry for `key` was loaded (the clock of `get`), or undefined when there is none. */
  loadedAt(key: K): number | undefined {
    return this.#entries.get(key)?.at
  }
}
