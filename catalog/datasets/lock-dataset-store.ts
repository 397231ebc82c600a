import type { Db } from '#db/client.ts'

// One file load at a time per store (a typed table, or a dataset's rows in
// dataset_records) in this process: two loads staging into the same store would
// collide, and the second would only fail later, after reading its whole file.

const held = new WeakMap<Db, Set<string>>()

/** Takes the store's lock; returns its release, or null when a load already holds it. */
export function lockDatasetStore(db: Db, storeKey: string): (() => void) | null {
  let keys = held.get(db)
  if (!keys) held.set(db, (keys = new Set()))
  if (keys.has(storeKey)) return null
  keys.add(storeKey)
  let released = false
  return () => {
    if (released) return
    released = true
    keys.delete(storeKey)
  }
}
