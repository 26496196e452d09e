// Gridkeeper's service worker (built by vite.config.ts, which fills in the file list and version).
// It keeps the app shell — every file of this build — and the last answer of the few calls a member in a
// stairwell needs (who am I, my assignment), so the field page opens and works without signal. Everything
// else goes to the network untouched. Signing out drops the kept answers.

const VERSION = "__VERSION__";
const SHELL = `gk-shell-${VERSION}`;
const DATA = "gk-data";
const PRECACHE = __PRECACHE__;
/** GET calls whose last answer is kept (network first, the kept answer when offline). */
const KEPT = ["/api/me", "/api/campaigns/field"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((c) => c.addAll(["/", ...PRECACHE]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith("gk-shell-") && k !== SHELL).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, cacheName, fallbackKey) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallbackKey ?? request, response.clone());
    return response;
  } catch (e) {
    const kept = await cache.match(fallbackKey ?? request);
    if (kept) return kept;
    throw e;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/api/auth/logout") {
    event.waitUntil(caches.delete(DATA));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    // The single-page app: every route is index.html.
    event.respondWith(networkFirst(request, SHELL, "/"));
    return;
  }
  if (KEPT.includes(url.pathname)) {
    event.respondWith(networkFirst(request, DATA, url.pathname));
    return;
  }
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ??
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(SHELL).then((c) => c.put(request, copy));
            }
            return response;
          }),
      ),
    );
  }
});
