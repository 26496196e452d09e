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

/**
 * Like readThrough, for figures that take long to work out and may be a little old (a district's care line):
 * after `ttlMs` the old value is still answered at once while one refresh runs in the background, so only
 * the very first reader of a key waits. A failed refresh keeps the old value and is tried again next time.
 */
export function staleWhileRevalidate<K extends string | number, V extends {}>(opts: {
  max: number;
  ttlMs: number;
  onError?: (err: unknown) => void;
}) {
  interface Entry {
    value: V;
    at: number;
    refreshing: boolean;
  }
  const caches = new WeakMap<object, LRUCache<K, Entry>>();
  const cacheOf = (db: object) => {
    let c = caches.get(db);
    if (!c) {
      c = new LRUCache<K, Entry>({ max: opts.max });
      caches.set(db, c);
    }
    return c;
  };
  return {
    async get(db: object, key: K, load: () => Promise<V>): Promise<V> {
      const c = cacheOf(db);
      const hit = c.get(key);
      if (!hit) {
        const value = await load();
        c.set(key, { value, at: Date.now(), refreshing: false });
        return value;
      }
      if (Date.now() - hit.at > opts.ttlMs && !hit.refreshing) {
        hit.refreshing = true;
        load()
          .then((value) => c.set(key, { value, at: Date.now(), refreshing: false }))
          .catch((err) => {
            hit.refreshing = false;
            opts.onError?.(err);
          });
      }
      return hit.value;
    },
    forget(db: object, key?: K) {
      if (key === undefined) cacheOf(db).clear();
      else cacheOf(db).delete(key);
    },
  };
}
