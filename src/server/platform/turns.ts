// Long work on the server's one thread (checking a big upload, a chain of embedded-database queries, which
// run synchronously in the same thread on PGlite) gives way between slices, so the requests queued
// meanwhile are served within a slice's time instead of after the whole job.

/** Lets queued I/O callbacks and timers run before going on (a macrotask, unlike `await` alone). */
export const giveWay = () => new Promise<void>((resolve) => setImmediate(resolve));
