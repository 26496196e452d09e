import { LRUCache } from "lru-cache";

/**
 * A short-lived read-through cache for rows that rarely change and are read on every request (sessions,
 * categories, org units), one per open database. Writers in this process call forget(); other server
 * processes on the same database see a change after at most `ttlMs`. Misses (no row) are not cached.
 */
export function readThrough<K extends string | number, V extends {}>(opts: { max: number; ttlMs: number }) {
  const caches = new WeakMap<object, LRUCache<K, V>>();
  const cacheOf = (db: object) => {
    let c = caches.get(db);
    if (!c) {
      c = new LRUCache<K, V>({ max: opts.max, ttl: opts.ttlMs });
      caches.set(db, c);
    }
    return c;
  };
  return {
    async get(db: object, key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
      const c = cacheOf(db);
      const hit = c.get(key);
      if (hit !== undefined) return hit;
      const v = await load();
      if (v !== undefined) c.set(key, v);
      return v;
    },
    /** Drops one key, or everything for this database. */
    forget(db: object, key?: K) {
      if (key === undefined) cacheOf(db).clear();
      else cacheOf(db).delete(key);
    },
  };
}
