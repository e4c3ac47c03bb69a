// Offline: the service worker (web/sw.js) keeps the app for use with the
// network off, and a new build (engine/version.js) replaces its cache; the
// single-file build (scripts/build-single) opens from file:// in Chromium with
// every non-file request aborted, and computes, recomputes and ranks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { launch, waitForReport, nodeEngine, engineBuilt, webRoot, root, SEED } from './harness.mjs';
import { serveDir } from './static-server.mjs';

const fmt = await import(path.join(webRoot, 'js/format.js'));
const built = engineBuilt() && existsSync(path.join(webRoot, 'engine/version.js'));
const skip = built ? false : 'web/engine/ is missing: run scripts/build --wasm-only';

let engine;
let tmp;
before(async () => {
    if (skip) return;
    engine = await nodeEngine();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'headroom-offline-'));
});
after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
});

const text = (page, sel) => page.locator(sel).first().textContent().then((t) => t.trim());
const request = (o = {}) => ({ ...SEED, gpu_count: 1, kv_cache_type: 'f16', mode: 'balanced', ...o });

async function assertFigures(page, r) {
    assert.equal(r.ok, true);
    assert.equal(await text(page, '#verdict'), fmt.verdictHeadline(r.fit.verdict));
    assert.equal(await text(page, '#fig-decode'), fmt.rate(r.performance.decode_tokens_per_s));
    assert.equal(await text(page, '#fig-memory'), fmt.bytes(r.memory.device_bytes));
    assert.equal(await text(page, '#fig-context'), fmt.tokens(r.fit.safe_context_tokens));
}

/** Polls fn (async, in Node) until it returns true. */
async function until(fn, what, timeout = 30000) {
    const end = Date.now() + timeout;
    while (!(await fn())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

function watch(page, errors) {
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('pageerror', (err) => errors.push(String(err)));
}

test('after the first visit the app works with the network off; a new build replaces the cache', { skip }, async () => {
    const app = await serveDir();
    const browser = await launch({ serviceWorkers: 'allow' });
    const errors = [];
    try {
        const build = await readFile(path.join(webRoot, 'engine/version.js'), 'utf8');
        const version = build.match(/"version": "([0-9a-f]+)"/)[1];
        const fileCount = JSON.parse(build.slice(build.indexOf('{'), build.lastIndexOf('}') + 1)).files.length;
        const page = await browser.context.newPage();
        watch(page, errors);
        await page.goto(app.base);
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
        // The worker installs (every file cached) and takes control.
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
        await until(() => page.evaluate(async ([name, n]) => (await (await caches.open(name)).keys()).length >= n,
            [`headroom-${version}`, fileCount]), 'the offline cache');
        assert.deepEqual(await page.evaluate(() => caches.keys()), [`headroom-${version}`]);

        // Network off: reload, compute, recompute.
        await browser.context.setOffline(true);
        await page.reload();
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
        await waitForReport(page);
        await assertFigures(page, engine.estimate(request()));
        await page.selectOption('#quant', 'Q8_0');
        await waitForReport(page, 'Q8_0');
        await assertFigures(page, engine.estimate(request({ quant: 'Q8_0' })));
        // A shared link opened offline (a fresh navigation, another setup).
        await page.goto(`${app.base}#model=qwen3-8b&hardware=nvidia-rtx-4090&quant=Q6_K`);
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
        await waitForReport(page, 'Q6_K');
        await assertFigures(page, engine.estimate(request({ model: 'qwen3-8b', hardware: 'nvidia-rtx-4090', quant: 'Q6_K' })));
        assert.equal(await page.evaluate(() => navigator.onLine), false);

        // A new build: a new engine/version.js makes a new worker and cache; the old cache goes.
        await browser.context.setOffline(false);
        app.overrides['/engine/version.js'] = build.replace(version, 'feedc0ffee000002');
        await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
        await until(() => page.evaluate(async () => (await caches.keys()).join() === 'headroom-feedc0ffee000002'), 'the new cache');
        await page.reload();
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
        await waitForReport(page, 'Q6_K');
        await page.close();
    } finally {
        await browser.close();
        await app.close();
    }
    assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e)), []);
});

test('the single-file build opens from file:// with no network and works fully', { skip }, async () => {
    const out = path.join(tmp, 'headroom.html');
    await promisify(execFile)(path.join(root, 'scripts/build-single'), ['--out', out]);
    const html = await readFile(out, 'utf8');
    const tags = html.replace(/<script([^>]*)>[\s\S]*?<\/script>/g, '<script$1></script>').replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
    assert.doesNotMatch(tags, /<script[^>]+src=|<link[^>]+href="(?!data:)/, 'nothing loaded from outside the file');
    assert.equal((tags.match(/<script/g) ?? []).length, 1, 'one inline script');

    const browser = await launch();
    const blocked = [];
    const errors = [];
    try {
        const page = await browser.context.newPage();
        watch(page, errors);
        await page.route('**/*', (route) => {
            const url = route.request().url();
            if (url.startsWith('file:')) return route.continue();
            blocked.push(url);
            return route.abort();
        });
        await page.goto(pathToFileURL(out).href);
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
        await waitForReport(page);
        await assertFigures(page, engine.estimate(request()));
        await page.selectOption('#quant', 'Q8_0');
        await waitForReport(page, 'Q8_0');
        await assertFigures(page, engine.estimate(request({ quant: 'Q8_0' })));
        assert.match(page.url(), /^file:.*#model=kimi-linear-48b-a3b-instruct&hardware=nvidia-a100-40gb-sxm4&count=1&quant=Q8_0/);
        assert.equal(await page.isHidden('#embed-section'), true, 'no embedding from a file');

        // Ranking runs in a blob: worker with the engine handed over by the page.
        await page.click('#nav-models');
        await page.waitForSelector('#rank-table tbody tr', { timeout: 60000 });
        const ranked = engine.rankForHardware({ hardware: SEED.hardware, gpu_count: 1, runtime: 'llama.cpp', kv_cache_type: 'f16', mode: 'balanced' });
        assert.equal(await page.locator('#rank-table tbody tr').count(), ranked.items.length);
        assert.equal(await text(page, '#rank-table tbody tr th a'), ranked.items[0].model_name);
        await page.screenshot({ path: '/tmp/headroom-single-file.png' });
        await page.close();
    } finally {
        await browser.close();
    }
    assert.deepEqual(blocked, []);
    assert.deepEqual(errors, []);
});
