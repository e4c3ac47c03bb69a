// sw.js: the offline copy of Headroom. Caches the app's own files (the list
// and a version hash written by the build into engine/version.js) and serves
// them when the network is off. A new build changes engine/version.js, which
// makes the browser install this worker again under a new cache name; the old
// cache is deleted once the new one is complete.
//
// Strategy: network first, cache as fallback. Online, the page gets exactly what
// the server has (and the cache is refreshed with it); offline, the last copy.
// Only same-origin GETs; nothing else is touched.

importScripts('engine/version.js'); // self.HEADROOM_BUILD = { version, files }

const BUILD = self.HEADROOM_BUILD;
const PREFIX = 'headroom-';
const CACHE = `${PREFIX}${BUILD.version}`;

self.addEventListener('install', (event) => {
    event.waitUntil((async () => {
        const cache = await caches.open(CACHE);
        await cache.addAll(BUILD.files.map((f) => new Request(new URL(f, self.registration.scope), { cache: 'reload' })));
        await self.skipWaiting();
    })());
});

self.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
        for (const name of await caches.keys()) {
            if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
        }
        await self.clients.claim();
    })());
});

async function fromCache(request) {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    // A navigation to a folder (or with a query) is the app's index page.
    if (request.mode === 'navigate') return cache.match(new URL('./', self.registration.scope));
    return undefined;
}

self.addEventListener('fetch', (event) => {
    const { request } = event;
    const url = new URL(request.url);
    if (request.method !== 'GET' || url.origin !== self.location.origin) return;
    event.respondWith((async () => {
        try {
            const response = await fetch(request);
            if (response.ok && response.type === 'basic') {
                const copy = response.clone();
                event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)).catch(() => {}));
            }
            return response;
        } catch (error) {
            const cached = await fromCache(request);
            if (cached) return cached;
            throw error;
        }
    })());
});
