// "Use this machine" in headless Chromium: WebGPU absent (the page falls back to
// WebGL and still asks), stubbed adapters for an RTX 4090 and an Apple M3 Max,
// the WebGL fallback, and the remembered choice (kept across loads, forgotten
// on request). Run: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { startServer, launch, openPage, gotoReady, waitForReport, engineBuilt } from './harness.mjs';

const skip = engineBuilt() ? false : 'web/engine/ is missing: run scripts/build --wasm-only';
const DEFAULT_HARDWARE = 'nvidia-a100-40gb-sxm4';

let server;
before(async () => { if (!skip) server = await startServer(); });
after(async () => { await server?.close(); });

// Each test gets a fresh profile, so nothing is remembered at the start.
async function withPage(initScripts, fn) {
    const browser = await launch();
    try {
        const opened = await openPage(browser.context);
        for (const [script, arg] of initScripts) await opened.page.addInitScript(script, arg);
        await gotoReady(opened.page, server.base);
        await waitForReport(opened.page);
        await fn(opened);
        assert.deepEqual(opened.errors, [], `console or page errors: ${opened.errors.join(' | ')}`);
        assert.ok(opened.requests.every((u) => u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1'), 'a request left 127.0.0.1');
    } finally {
        await browser.close();
    }
}

// Navigator stubs, run before the page's scripts.
function noWebGpu() {
    Object.defineProperty(Navigator.prototype, 'gpu', { configurable: true, get: () => undefined });
}
function stubAdapter(info) {
    const adapter = { info, isFallbackAdapter: false };
    Object.defineProperty(Navigator.prototype, 'gpu', { configurable: true, get: () => ({ requestAdapter: async () => adapter }) });
}
function stubCores(n) {
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { configurable: true, get: () => n });
}
function stubWebGl(renderer) {
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function getContext(type, ...rest) {
        if (type !== 'webgl' && type !== 'webgl2') return original.call(this, type, ...rest);
        const ext = { UNMASKED_VENDOR_WEBGL: 0x9245, UNMASKED_RENDERER_WEBGL: 0x9246 };
        return {
            VENDOR: 0x1f00, RENDERER: 0x1f01,
            getExtension: (name) => (name === 'WEBGL_debug_renderer_info' ? ext : null),
            getParameter: (p) => (p === 0x9246 ? renderer : p === 0x9245 ? 'Google Inc. (Apple)' : 'WebKit WebGL'),
        };
    };
}

const hardwareInUrl = (page) => page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('hardware'));
const status = (page) => page.locator('#this-machine-status').textContent();

test('WebGPU unavailable: the page falls back cleanly and asks', { skip }, async () => {
    await withPage([[noWebGpu]], async ({ page }) => {
        assert.match(await status(page), /nothing leaves the page/);
        assert.equal(await page.locator('#this-machine-forget').isHidden(), true);
        await page.click('#this-machine-use');
        await page.waitForFunction(() => document.querySelector('#this-machine')?.dataset.confidence === 'unknown');
        // Headless Chromium has no GPU: WebGL is a software renderer or absent, so nothing is claimed.
        assert.match(await status(page), /tell which GPU this machine has\. Pick your GPU from the list\./);
        assert.equal(await hardwareInUrl(page), DEFAULT_HARDWARE);
        // "Pick your GPU" hands over to the search; what is picked there becomes this machine.
        await page.click('#this-machine-choices button:has-text("Pick your GPU")');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'hardware-input');
        await page.fill('#hardware-input', 'rtx 3090');
        await page.waitForSelector('#hardware-list [role=option]');
        await page.press('#hardware-input', 'Enter');
        await page.waitForFunction(() => location.hash.includes('hardware=nvidia-rtx-3090'));
        assert.equal(await status(page), 'This machine: NVIDIA GeForce RTX 3090.');
        assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('headroom-this-machine'))),
            { id: 'nvidia-rtx-3090', name: 'NVIDIA GeForce RTX 3090' });
    });
});

test('a stubbed RTX 4090 adapter is proposed exactly, remembered across loads, and forgotten', { skip }, async () => {
    await withPage([[stubAdapter, { vendor: 'nvidia', architecture: 'lovelace', device: '', description: 'NVIDIA GeForce RTX 4090' }]], async ({ page }) => {
        await page.click('#this-machine-use');
        await page.waitForFunction(() => location.hash.includes('hardware=nvidia-rtx-4090'));
        await page.waitForFunction(() => document.querySelector('#question').textContent.includes('RTX 4090'));
        assert.equal(await page.locator('#hardware-input').inputValue(), 'NVIDIA GeForce RTX 4090');
        assert.match(await status(page), /^This machine: NVIDIA GeForce RTX 4090\. Detected: WebGPU adapter: nvidia, lovelace, NVIDIA GeForce RTX 4090/);
        assert.equal(await page.locator('#this-machine-evidence li').first().textContent(), 'WebGPU adapter: nvidia, lovelace, NVIDIA GeForce RTX 4090');

        // A page opened without hardware in its link starts on the remembered machine.
        await gotoReady(page, server.base);
        await waitForReport(page);
        assert.equal(await hardwareInUrl(page), 'nvidia-rtx-4090');
        assert.equal(await status(page), 'This machine: NVIDIA GeForce RTX 4090.');
        // A link that names hardware wins.
        await gotoReady(page, `${server.base}#hardware=nvidia-l4`);
        await waitForReport(page);
        assert.equal(await hardwareInUrl(page), 'nvidia-l4');

        await page.click('#this-machine-forget');
        assert.equal(await page.evaluate(() => localStorage.getItem('headroom-this-machine')), null);
        assert.match(await status(page), /nothing leaves the page/);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'this-machine-use');
        await gotoReady(page, server.base);
        await waitForReport(page);
        assert.equal(await hardwareInUrl(page), DEFAULT_HARDWARE);
        assert.equal(await page.locator('#this-machine-forget').isHidden(), true);
    });
});

test('a stubbed Apple M3 Max adapter offers the memory sizes as buttons', { skip }, async () => {
    // 12 logical processors: no M3 Max variant has 12 cores, so all five sizes stay.
    await withPage([[stubAdapter, { vendor: 'apple', architecture: 'common-3', device: '', description: 'Apple M3 Max' }], [stubCores, 12]], async ({ page }) => {
        await page.click('#this-machine-use');
        await page.waitForFunction(() => document.querySelector('#this-machine')?.dataset.confidence === 'family');
        assert.match(await status(page), /^Apple M3 Max — 36, 48, 64, 96 or 128 GB\? This machine has an Apple M3 Max; which memory size\?$/);
        assert.deepEqual(await page.locator('#this-machine-choices .preset').allTextContents(), ['36 GB', '48 GB', '64 GB', '96 GB', '128 GB']);
        assert.equal(await page.getAttribute('#this-machine-choices', 'aria-label'), 'Apple M3 Max — 36, 48, 64, 96 or 128 GB?');
        assert.equal(await hardwareInUrl(page), DEFAULT_HARDWARE, 'nothing is chosen before the person picks a size');
        // The open choices and evidence pass axe-core in both themes.
        await page.evaluate(await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
        await page.locator('#this-machine-evidence summary').click();
        for (const theme of ['light', 'dark']) {
            await page.emulateMedia({ colorScheme: theme });
            const result = await page.evaluate(() => window.axe.run('#this-machine', { resultTypes: ['violations'] }));
            const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
            assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`), [], theme);
        }
        await page.click('#this-machine-choices .preset:has-text("64 GB")');
        await page.waitForFunction(() => location.hash.includes('hardware=apple-m3-max-40c-64gb'));
        assert.equal(await status(page), 'This machine: Apple M3 Max (16-core CPU, 40-core GPU) 64GB.');
        assert.equal(await page.locator('#this-machine-choices').isHidden(), true);
    });
});

test('WebGPU without a device name falls back to the WebGL renderer', { skip }, async () => {
    // Chrome's default adapter info names no device (github.com/gpuweb/gpuweb/pull/2990); the Metal
    // renderer string is Chrome's on an M2 Max (see tests/test_detect.cpp).
    await withPage([
        [stubAdapter, { vendor: 'apple', architecture: 'common-3', device: '', description: '' }],
        [stubWebGl, 'ANGLE (Apple, ANGLE Metal Renderer: Apple M2 Max, Unspecified Version)'],
        [stubCores, 12],
    ], async ({ page }) => {
        await page.click('#this-machine-use');
        await page.waitForFunction(() => document.querySelector('#this-machine')?.dataset.confidence === 'family');
        assert.deepEqual(await page.locator('#this-machine-choices .preset').allTextContents(), ['32 GB', '64 GB', '96 GB']);
        const evidence = await page.locator('#this-machine-evidence li').allTextContents();
        assert.ok(evidence.includes('WebGL renderer: Apple M2 Max'), evidence.join(' | '));
    });
});
