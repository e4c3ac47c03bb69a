// rank-worker.js: runs the engine's rankings (one estimate per catalog entry,
// a few seconds) off the main thread so the page stays responsive.
import { createEngine } from '../engine/headroom-api.mjs';

let enginePromise = null;

self.addEventListener('message', async (event) => {
    const { id, kind, request } = event.data;
    try {
        enginePromise ??= createEngine();
        const engine = await enginePromise;
        const result = kind === 'models-for-hardware' ? engine.rankForHardware(request) : engine.rankForModel(request);
        self.postMessage({ id, result });
    } catch (e) {
        self.postMessage({ id, result: { ok: false, error: { code: 'worker_error', field: '', message: String(e?.message ?? e) } } });
    }
});
