// rank-worker.js: runs the engine's rankings (one estimate per catalog entry)
// off the main thread so the page stays responsive. Each answer carries its
// timing (engine start awaited, ranking itself) for scripts/bench --browser.
import { createEngine } from '../engine/headroom-api.mjs';

let enginePromise = null;

self.addEventListener('message', async (event) => {
    const { id, kind, request } = event.data;
    try {
        const t0 = performance.now();
        enginePromise ??= createEngine();
        const engine = await enginePromise;
        const t1 = performance.now();
        const result = kind === 'models-for-hardware' ? engine.rankForHardware(request) : engine.rankForModel(request);
        self.postMessage({ id, result, timing: { engine_ms: t1 - t0, rank_ms: performance.now() - t1 } });
    } catch (e) {
        self.postMessage({ id, result: { ok: false, error: { code: 'worker_error', field: '', message: String(e?.message ?? e) } } });
    }
});
