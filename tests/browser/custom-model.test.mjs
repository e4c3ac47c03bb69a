// "Bring your own model" in headless Chromium: drop a generated GGUF and see
// its report (exact weight bytes), share it by URL, paste a config.json, go
// back to the catalog, and a corrupt file's error. Run: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launch, openPage, waitForReport, gotoReady, nodeEngine, engineBuilt, webRoot } from './harness.mjs';
import { tinyLlamaGguf, tinyLlamaConfig, TINY_LLAMA_TENSOR_BYTES } from '../wasm/gguf-fixture.mjs';

const fmt = await import(path.join(webRoot, 'js/format.js'));
const skip = engineBuilt() ? false : 'web/engine/ is missing: run scripts/build --wasm-only';

let server;
let browser;
let engine;

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

const text = (page, sel) => page.locator(sel).first().textContent().then((t) => t.trim());

async function waitForQuestion(page, includes) {
    await page.waitForFunction((s) => document.querySelector('#question')?.textContent.includes(s), includes, { timeout: 15000 });
}

test('a dropped GGUF gets the full report with exact bytes, and a share link that restores it', { skip }, async () => {
    const { page, requests, errors } = await openPage(browser.context, server.base);
    await waitForReport(page);
    const file = tinyLlamaGguf();
    await page.setInputFiles('#byom-files', { name: 'tiny-llama-Q4_K_M.gguf', mimeType: 'application/octet-stream', buffer: Buffer.from(file.bytes) });
    await waitForQuestion(page, 'Tiny Llama Test');
    assert.match(await text(page, '#byom-status'), /Using Tiny Llama Test: GGUF Q4_K_M, 21 tensors/);

    // The numbers the engine gives in Node for the same bytes.
    const model = engine.combine([engine.inspect(file.bytes, file.bytes.length, 'tiny-llama-Q4_K_M.gguf')]).model;
    const hash = new URL(page.url()).hash;
    const params = new URLSearchParams(hash.slice(1));
    assert.ok(params.get('custom'), 'the share URL carries the model');
    assert.equal(params.get('quant'), 'auto');
    const report = engine.estimate({ model, hardware: params.get('hardware'), gpu_count: 1, runtime: params.get('runtime'),
        kv_cache_type: params.get('kv'), mode: params.get('mode') });
    assert.equal(report.ok, true, JSON.stringify(report.error));
    assert.equal(report.memory.weights_bytes, TINY_LLAMA_TENSOR_BYTES);
    assert.equal(await text(page, '#question'), `Can ${report.model.name} run on ${report.hardware.name}?`);
    assert.equal(await text(page, '#fig-memory'), fmt.bytes(report.memory.device_bytes));
    assert.ok((await text(page, '#legend')).includes(fmt.bytes(TINY_LLAMA_TENSOR_BYTES)), 'legend shows the exact weights');
    assert.equal(await page.locator('#model-input').inputValue(), 'Tiny Llama Test');
    assert.equal(await page.locator('#share-url').inputValue(), page.url());

    // The share link, opened fresh, shows the same report.
    const { page: shared } = await openPage(browser.context, server.base + hash);
    await waitForQuestion(shared, 'Tiny Llama Test');
    assert.equal(await text(shared, '#fig-memory'), fmt.bytes(report.memory.device_bytes));
    assert.match(await text(shared, '#byom-status'), /from the shared link \(exact tensor table\)/);
    await shared.close();

    // Back to the catalog.
    await page.click('#byom-clear');
    await page.waitForFunction(() => !document.querySelector('#question').textContent.includes('Tiny Llama'), null, { timeout: 15000 });
    assert.equal(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('custom'), null);
    assert.ok(requests.every((u) => u.hostname === '127.0.0.1' || u.protocol === 'data:' || u.protocol === 'blob:'),
        `a request left 127.0.0.1: ${requests.map(String).join(', ')}`);
    assert.deepEqual(errors, []);
    await page.close();
});

test('a pasted config.json gets a report; a corrupt file says what is wrong', { skip }, async () => {
    const { page, errors } = await openPage(browser.context, server.base);
    await waitForReport(page);
    await page.fill('#byom-config', JSON.stringify({ ...tinyLlamaConfig(), _name_or_path: 'acme/tiny-llama' }));
    await page.click('#byom-use');
    await waitForQuestion(page, 'acme/tiny-llama');
    assert.match(await text(page, '#byom-status'), /config\.json \(llama\)/);
    const params = new URLSearchParams(new URL(page.url()).hash.slice(1));
    const report = engine.estimate({ model: { ...tinyLlamaConfig(), _name_or_path: 'acme/tiny-llama' }, hardware: params.get('hardware'),
        gpu_count: 1, runtime: params.get('runtime'), kv_cache_type: params.get('kv'), mode: params.get('mode') });
    assert.equal(await text(page, '#fig-memory'), fmt.bytes(report.memory.device_bytes));
    assert.equal(await page.locator('#quants tbody tr').count(), report.quantizations.length);

    await page.fill('#byom-config', '{"model_type": "llama"}');
    await page.click('#byom-use');
    await page.waitForSelector('#byom-error:not([hidden])');
    assert.match(await text(page, '#byom-error'), /config\.json: .*hidden_size/);

    const bad = tinyLlamaGguf().bytes.slice(0, 100);
    bad[4] = 1;  // GGUF version 1
    await page.setInputFiles('#byom-files', { name: 'old.gguf', mimeType: 'application/octet-stream', buffer: Buffer.from(bad) });
    await page.waitForFunction(() => /version 1/.test(document.querySelector('#byom-error').textContent), null, { timeout: 15000 });
    assert.match(await text(page, '#byom-error'), /^old\.gguf: GGUF version 1 is not supported/);
    assert.deepEqual(errors, []);
    await page.close();
});
