// syncd cashier service worker: keeps the cashier page and its files for use with no
// connection. Network first (the page shows today's stock when it can), the cached copy
// when the network is gone. Sales never pass through here: cashier.js queues them in
// IndexedDB and sends them itself, so nothing is lost if this worker is replaced.
"use strict";
const CACHE = "syncd-cashier-v1";
const KEEP = (url) =>
  url.origin === self.location.origin &&
  (url.pathname === "/cashier" || url.pathname === "/api/cashier/items" ||
   url.pathname === "/cashier.webmanifest" || url.pathname.startsWith("/static/"));

self.addEventListener("install", (ev) => {
  // keep the page now: a cashier who opened it once can open it again with no connection
  ev.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.add("/cashier").catch(() => {});
    await self.skipWaiting();
  })());
});
self.addEventListener("activate", (ev) => {
  ev.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});
self.addEventListener("fetch", (ev) => {
  const req = ev.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (!KEEP(url)) return;
  ev.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const fresh = await fetch(req);
      if (fresh.ok && !fresh.redirected) await cache.put(req, fresh.clone());
      return fresh;
    } catch (err) {
      const kept = await cache.match(req, { ignoreSearch: url.pathname === "/cashier" });
      if (kept) return kept;
      throw err;
    }
  })());
});
