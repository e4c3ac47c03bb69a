#!/usr/bin/env node
// bench-browser.mjs: the ranked views' speed in headless Chromium (Debian's,
// through playwright-core), over the whole catalog. Prints numbers; asserts
// nothing. Run it as `scripts/bench --browser` (after scripts/build).
//
// Measured in the page, with the page's own worker (web/js/rank-worker.js):
//   - "models for hardware" and "hardware for model" rankings, cold (a fresh
//     worker: engine start, then the first ranking with empty model caches) and
//     warm (the same worker again: what re-ranking while typing costs), as the
//     round trip seen by the page (post → result back, structured clone included)
//     and the engine's own time inside the worker;
//   - the page itself: opening a ranked view until its table shows, and a filter
//     change re-rendering the table (no engine call) through to the next frame.
import path from 'node:path';
import os from 'node:os';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createWebServer } from './serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const WARM_RUNS = Number(process.env.BENCH_RUNS || 15);
const HARDWARE = ['nvidia-rtx-4090', 'nvidia-a100-40gb-sxm4', 'apple-m4-max-128gb'];
const MODELS = ['kimi-linear-48b-a3b-instruct', 'qwen3-8b', 'llama-3.1-8b'];

if (!existsSync(path.join(web, 'engine/headroom.wasm'))) {
    console.error('bench-browser: web/engine/ is missing: run scripts/build first');
    process.exit(2);
}

const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;
const stats = (xs) => `median ${ms(median(xs))}, min ${ms(Math.min(...xs))}, max ${ms(Math.max(...xs))} (${xs.length} runs)`;

const server = await createWebServer({ dir: web });
const profile = await mkdtemp(path.join(os.tmpdir(), 'headroom-bench-'));
const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
    serviceWorkers: 'block',
});

try {
    const page = await context.newPage();
    await page.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
    const version = context.browser()?.version() ?? '';
    console.log(`== browser ranking (Chromium ${version}, ${os.cpus().length} CPUs: ${os.cpus()[0]?.model ?? '?'})`);
    await page.goto(`${server.base}#hardware=nvidia-rtx-4090`);
    await page.waitForSelector('body.ready', { state: 'attached', timeout: 60000 });

    // 1. The worker, driven directly from the page.
    const worker = await page.evaluate(async ({ hardware, models, runs }) => {
        const start = (url) => {
            const w = new Worker(url, { type: 'module' });
            let id = 0;
            const call = (kind, request) => new Promise((resolve) => {
                const mine = ++id;
                const t0 = performance.now();
                const onMessage = (e) => {
                    if (e.data.id !== mine) return;
                    w.removeEventListener('message', onMessage);
                    resolve({ round_ms: performance.now() - t0, ...e.data.timing, ok: e.data.result.ok, items: e.data.result.items?.length ?? 0 });
                };
                w.addEventListener('message', onMessage);
                w.postMessage({ id: mine, kind, request });
            });
            return { call, close: () => w.terminate() };
        };
        const url = new URL('js/rank-worker.js', location.href);
        // The page's own requests for its default settings (rank-view.js rankRequest).
        const base = { runtime: 'llama.cpp', kv_cache_type: 'f16', mode: 'balanced' };
        const out = {};
        for (const [kind, list, field] of [['models-for-hardware', hardware, 'hardware'], ['hardware-for-model', models, 'model']]) {
            const w = start(url);
            const request = (id) => ({ ...base, [field]: id, ...(field === 'hardware' ? { gpu_count: 1 } : { quant: 'Q4_K_M' }) });
            const cold = await w.call(kind, request(list[0]));
            const warm = [];
            for (let i = 0; i < runs; i++) warm.push(await w.call(kind, request(list[0])));
            const others = [];
            for (const id of list.slice(1)) others.push({ id, ...(await w.call(kind, request(id))) });
            w.close();
            out[kind] = { first: list[0], cold, warm, others };
        }
        return out;
    }, { hardware: HARDWARE, models: MODELS, runs: WARM_RUNS });

    for (const [kind, r] of Object.entries(worker)) {
        console.log(`${kind} (${r.first}, ${r.cold.items} items):`);
        console.log(`  cold, fresh worker: ${ms(r.cold.round_ms)} round trip = engine start ${ms(r.cold.engine_ms)} + ranking ${ms(r.cold.rank_ms)} + transfer ${ms(r.cold.round_ms - r.cold.engine_ms - r.cold.rank_ms)}`);
        console.log(`  warm, round trip:   ${stats(r.warm.map((x) => x.round_ms))}`);
        console.log(`  warm, engine only:  ${stats(r.warm.map((x) => x.rank_ms))}`);
        for (const o of r.others) console.log(`  then ${o.id} (${o.items} items, first time in this worker): ${ms(o.round_ms)} round trip, ranking ${ms(o.rank_ms)}`);
    }

    // 2. The page: a ranked view from a link, then filter changes re-rendering from the cached ranking.
    console.log('== the page');
    const view = async (hash) => {
        const t0 = Date.now();
        await page.goto('about:blank');
        await page.goto(`${server.base}${hash}`);
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 60000 });
        const ready = Date.now();
        await page.waitForSelector('#rank-table tbody tr', { timeout: 60000 });
        return { load: ready - t0, table: Date.now() - ready, rows: await page.locator('#rank-table tbody tr').count() };
    };
    // Times one control change: the synchronous handler (filter, sort, DOM), and through the next frame.
    const change = (selector, value) => page.evaluate(async ({ selector, value }) => {
        const el = document.querySelector(selector);
        const t0 = performance.now();
        el.value = value;
        el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
        const sync = performance.now() - t0;
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        return { sync, frame: performance.now() - t0, rows: document.querySelectorAll('#rank-table tbody tr').length };
    }, { selector, value });

    const m = await view('#hardware=nvidia-rtx-4090&view=models-for-hardware');
    console.log(`models for RTX 4090 from a link: page ready in ${m.load} ms, then the table (${m.rows} rows) ${m.table} ms later (fresh worker: engine start + ranking)`);
    const family = await page.locator('#rank-family option').nth(1).getAttribute('value');
    const steps = [['#rank-family', family], ['#rank-family', ''], ['#rank-arch', 'moe'], ['#rank-need', '32k'], ['#rank-workload', 'coding'],
        ['#rank-arch', ''], ['#rank-need', ''], ['#rank-workload', ''], ['#rank-filter', 'qwen'], ['#rank-filter', '']];
    const timings = [];
    for (let i = 0; i < 3; i++) for (const [sel, value] of steps) timings.push(await change(sel, value));
    console.log(`  filter change re-render (${timings.length} changes: family, MoE, context, workload, text): sync ${stats(timings.map((t) => t.sync))}`);
    console.log(`  … through the next frame: ${stats(timings.map((t) => t.frame))}`);

    const hw = await view('#model=kimi-linear-48b-a3b-instruct&view=hardware-for-model');
    console.log(`hardware for Kimi Linear from a link: page ready in ${hw.load} ms, then the table (${hw.rows} rows) ${hw.table} ms later`);
    const hsteps = [['#rank-price', '3000'], ['#rank-gpus', '2'], ['#rank-vendor', 'nvidia'], ['#rank-workload', 'coding'], ['#rank-grade', 'A'],
        ['#rank-price', ''], ['#rank-gpus', ''], ['#rank-vendor', ''], ['#rank-workload', ''], ['#rank-grade', 'B']];
    const htimings = [];
    for (let i = 0; i < 3; i++) for (const [sel, value] of hsteps) htimings.push(await change(sel, value));
    console.log(`  filter change re-render (${htimings.length} changes: price, GPUs, vendor, workload, grade): sync ${stats(htimings.map((t) => t.sync))}`);
    console.log(`  … through the next frame: ${stats(htimings.map((t) => t.frame))}`);
} finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await server.close();
}
