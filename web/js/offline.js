// offline.js: registers the service worker (../sw.js) that keeps the app's own
// files for use with no network. Only over http(s): file:// (the single-file
// build) needs none. Its version comes from the build (engine/version.js), so a
// new build installs a new worker and cache; updateViaCache 'none' makes the
// browser compare the worker and that file afresh on every check.

export function registerOffline() {
    if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return;
    navigator.serviceWorker.register('sw.js', { updateViaCache: 'none' }).catch(() => {
        // No offline copy (e.g. engine/version.js not built): the page works online as before.
    });
}
