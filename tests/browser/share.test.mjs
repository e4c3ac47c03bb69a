// Sharing: every view's URL restores it exactly and stays short and readable;
// links written before newer parameters existed (or with parameters this
// version does not know) still restore; the card's URL and the report's agree;
// the page carries static Open Graph / Twitter card metadata with no remote image.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { startServer, launch, openPage, waitForReport, nodeEngine, engineBuilt, webRoot } from './harness.mjs';

const fmt = await import(path.join(webRoot, 'js/format.js'));
const { parseState, serializeState, DEFAULTS } = await import(path.join(webRoot, 'js/state.js'));
const { cardParams, cardHash } = await import(path.join(webRoot, 'js/card-view.js'));
const skip = engineBuilt() ? false : 'web/engine/ is missing: run scripts/build --wasm-only';

let server;
let browser;
let engine;
const errors = [];
before(async () => {
    if (skip) return;
    server = await startServer();
    browser = await launch();
    engine = await nodeEngine();
});
after(async () => {
    await browser?.close();
    await server?.close();
});

async function open(hash) {
    const opened = await openPage(browser.context, server.base + hash);
    errors.push(opened.errors);
    return opened.page;
}
const text = (page, sel) => page.locator(sel).first().textContent().then((t) => t.trim());

const FULL = '#model=qwen3-8b&hardware=nvidia-rtx-4090&count=2&quant=Q6_K&runtime=llama.cpp&context=8192&kv=q8_0&mode=interactive';
const VIEWS = [
    FULL,
    `${FULL}&view=models-for-hardware`,
    `${FULL}&view=hardware-for-model`,
    `${FULL}&view=compare&cmp=nvidia-rtx-4090,apple-m4-16gb,nvidia-a100-40gb-sxm4`,
];

test('URL state: canonical links round-trip, short and readable, unknown keys ignored', () => {
    for (const hash of VIEWS) {
        assert.equal(serializeState(parseState(hash)), hash);
        assert.doesNotMatch(hash, /%/, 'catalog ids need no escaping');
        assert.ok(hash.length < 200, `${hash.length} characters`);
    }
    // Keys a later version might add, or a host might append, do not disturb the rest.
    assert.deepEqual(parseState(`${FULL}&theme=dark&utm_source=blog&zoom=2`), parseState(FULL));
    // The card's URL is the report's (minus an empty context), and reads back the same.
    const { state } = cardParams(`${FULL}&theme=dark`);
    assert.equal(cardHash(state, 'dark'), `${FULL}&theme=dark`);
    assert.equal(cardHash({ ...DEFAULTS }), '#model=kimi-linear-48b-a3b-instruct&hardware=nvidia-a100-40gb-sxm4&count=1&quant=Q4_K_M&runtime=llama.cpp&kv=f16&mode=balanced');
});

test('every view\'s URL restores that view exactly', { skip }, async () => {
    const page = await open(VIEWS[0]);
    await waitForReport(page, 'Q6_K');
    assert.equal(new URL(page.url()).hash, VIEWS[0], 'the URL is kept as given');
    assert.equal(await page.locator('#count').inputValue(), '2');
    assert.equal(await page.locator('#quant').inputValue(), 'Q6_K');
    assert.equal(await page.locator('#kv').inputValue(), 'q8_0');
    assert.equal(await page.locator('#context').inputValue(), '8192');
    assert.equal(await page.isChecked('input[name=mode][value="interactive"]'), true);
    const r = engine.estimate({ model: 'qwen3-8b', hardware: 'nvidia-rtx-4090', gpu_count: 2, quant: 'Q6_K', runtime: 'llama.cpp', context_tokens: 8192, kv_cache_type: 'q8_0', mode: 'interactive' });
    assert.equal(await text(page, '#fig-decode'), fmt.rate(r.performance.decode_tokens_per_s));
    assert.equal(await text(page, '#fig-memory'), fmt.bytes(r.memory.device_bytes));

    for (const [hash, visible, current] of [[VIEWS[1], '#view-rank', 'nav-models'], [VIEWS[2], '#view-rank', 'nav-hardware'], [VIEWS[3], '#view-compare', 'nav-compare']]) {
        await page.goto('about:blank');
        await page.goto(server.base + hash); // a fresh load, as from a shared link
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
        await page.waitForSelector(`${visible}:not([hidden])`);
        assert.equal(new URL(page.url()).hash, hash);
        assert.equal(await page.getAttribute(`#${current}`, 'aria-current'), 'page');
        assert.equal(await page.isHidden('#results'), true);
        assert.equal(await page.locator('#quant').inputValue(), 'Q6_K');
    }
    // The compare view restores its devices in order.
    const heads = await page.locator('#compare-table thead th a').allTextContents();
    assert.equal(heads.length, 3, heads.join(' | '));
    assert.match(heads[0], /4090/);
    assert.match(heads[1], /M4/);
    assert.match(heads[2], /A100/);
    await page.close();
});

test('an old link without the newer parameters still restores, with their defaults', { skip }, async () => {
    // As first shared: model, hardware and quant only (no count, runtime, context, kv, mode, view),
    // plus a parameter this version does not know.
    const page = await open('#model=qwen3-8b&hardware=nvidia-rtx-4090&quant=Q8_0&future=1');
    await waitForReport(page, 'Q8_0');
    const r = engine.estimate({ model: 'qwen3-8b', hardware: 'nvidia-rtx-4090', quant: 'Q8_0', gpu_count: 1, runtime: DEFAULTS.runtime, kv_cache_type: DEFAULTS.kv, mode: DEFAULTS.mode });
    assert.equal(await text(page, '#fig-decode'), fmt.rate(r.performance.decode_tokens_per_s));
    assert.equal(await text(page, '#fig-memory'), fmt.bytes(r.memory.device_bytes));
    assert.equal(await page.locator('#runtime').inputValue(), DEFAULTS.runtime);
    assert.equal(await page.locator('#kv').inputValue(), DEFAULTS.kv);
    // The address bar now holds the complete, current form of the same setup.
    assert.equal(new URL(page.url()).hash, '#model=qwen3-8b&hardware=nvidia-rtx-4090&count=1&quant=Q8_0&runtime=llama.cpp&context=&kv=f16&mode=balanced');

    // The same old link as a card shows the same numbers.
    await page.goto(`${server.base}embed.html#model=qwen3-8b&hardware=nvidia-rtx-4090&quant=Q8_0`);
    await page.waitForSelector('.hr-card[data-state="ready"]', { timeout: 30000 });
    assert.equal(await text(page, '.hr-fig-decode .hr-value'), fmt.rate(r.performance.decode_tokens_per_s));
    await page.close();
});

test('Open Graph and Twitter card metadata, static, with no remote image', async () => {
    const html = await readFile(path.join(webRoot, 'index.html'), 'utf8');
    const meta = Object.fromEntries([...html.matchAll(/<meta (?:property|name)="((?:og|twitter):[a-z_:]+)" content="([^"]*)">/g)].map((m) => [m[1], m[2]]));
    assert.equal(meta['og:type'], 'website');
    assert.equal(meta['og:site_name'], 'Headroom');
    assert.match(meta['og:title'], /Headroom/);
    assert.ok(meta['og:description']?.length > 40);
    assert.equal(meta['twitter:card'], 'summary');
    assert.ok(meta['twitter:title'] && meta['twitter:description']);
    assert.equal(meta['og:image'], undefined);
    for (const value of Object.values(meta)) assert.doesNotMatch(value, /https?:|\/\//, 'no remote reference');
});

test('share pages: no console errors', { skip }, () => {
    assert.deepEqual(errors.flat(), []);
});
