// The report page in headless Chromium: the seed case, control changes, the
// share URL, history, copy buttons, ranked views, errors, privacy (no request
// leaves 127.0.0.1), phone width and accessibility. Run: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { startServer, launch, openPage, waitForReport, gotoReady, nodeEngine, engineBuilt, webRoot, SEED } from './harness.mjs';

const fmt = await import(path.join(webRoot, 'js/format.js'));
const skip = engineBuilt() ? false : 'web/engine/ is missing: run scripts/build --wasm-only';

let server;
let browser;
let engine;
const allRequests = [];
const allErrors = [];

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

async function open(hash = '', options) {
    const opened = await openPage(browser.context, server.base + hash, options);
    allRequests.push(opened.requests);
    allErrors.push(opened.errors);
    await waitForReport(opened.page);
    return opened;
}

const text = (page, sel) => page.locator(sel).first().textContent().then((t) => t.trim());

function seedRequest(overrides = {}) {
    return { ...SEED, gpu_count: 1, kv_cache_type: 'f16', mode: 'balanced', ...overrides };
}

async function assertFiguresMatch(page, report) {
    assert.equal(report.ok, true, JSON.stringify(report.error));
    assert.equal(await text(page, '#verdict'), fmt.verdictHeadline(report.fit.verdict));
    assert.equal(await text(page, '#grade-letter'), report.fit.grade);
    assert.equal(await text(page, '#grade-score'), String(Math.round(report.fit.score)));
    assert.equal(await text(page, '#grade-label'), report.fit.label);
    assert.equal(await text(page, '#fig-fit'), fmt.verdictShort(report.fit.verdict));
    const runs = report.fit.verdict !== 'no';
    assert.equal(await text(page, '#fig-decode'), runs ? fmt.rate(report.performance.decode_tokens_per_s) : '—');
    if (runs) {
        assert.equal(await text(page, '#fig-ttft'), fmt.ms(report.performance.ttft_ms));
        assert.match(await text(page, '#fig-decode-sub'), new RegExp(fmt.rateRange(report.performance.decode_range).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    }
    assert.equal(await text(page, '#fig-context'), fmt.tokens(report.fit.safe_context_tokens));
    assert.equal(await text(page, '#fig-memory'), fmt.bytes(report.memory.device_bytes));
    assert.match(await text(page, '#fig-memory-sub'), new RegExp(`of ${fmt.bytes(report.hardware.usable_bytes)} usable`));
    const legend = await text(page, '#legend');
    assert.ok(legend.includes(fmt.bytes(report.memory.weights_bytes)), `legend lacks weights ${fmt.bytes(report.memory.weights_bytes)}: ${legend}`);
    assert.ok(legend.includes(fmt.bytes(report.memory.kv_cache_bytes)), 'legend lacks the KV cache');
    assert.equal(await page.locator('#quants tbody tr').count(), report.quantizations.length);
    assert.equal(await page.locator('#workloads tbody tr').count(), report.workloads.length);
}

test('default view shows the seed case with the engine\'s numbers', { skip }, async () => {
    const { page } = await open();
    const report = engine.estimate(seedRequest());
    assert.equal(await text(page, '#question'), `Can ${report.model.name} run on ${report.hardware.name}?`);
    await assertFiguresMatch(page, report);
    const summary = await text(page, '#summary');
    assert.ok(summary.includes(fmt.bytes(report.memory.device_bytes)) && summary.includes(fmt.rate(report.performance.decode_tokens_per_s)) && summary.includes('Q4_K_M'), summary);
    assert.equal(await page.locator('#quant').inputValue(), 'Q4_K_M');
    assert.equal(await page.locator('#runtime').inputValue(), 'llama.cpp');
    assert.equal(await page.locator('#model-input').inputValue(), report.model.name);
    assert.equal(await page.locator('#hardware-input').inputValue(), report.hardware.name);
    assert.equal(await page.getAttribute('#verdict', 'aria-live'), 'polite');
    const chips = await text(page, '#chips');
    for (const part of ['llama.cpp', fmt.bandwidth(report.hardware.bandwidth_bytes_per_s), report.backend]) assert.ok(chips.includes(part), chips);
    assert.equal(await page.locator('#quants tr.selected th button').textContent(), 'Q4_K_M');
    const best = report.quantizations.find((q) => q.best);
    assert.ok(await page.locator(`#quants tr[data-quant="${best.quant}"] .best`).count() === 1, 'best quant is marked');
    assert.equal(await page.locator('#commands code').first().textContent(), report.commands[0].command);
    await page.close();
});

test('changing quant, hardware, count and context recomputes from the engine', { skip }, async () => {
    const { page } = await open();
    await page.selectOption('#quant', 'Q8_0');
    await waitForReport(page, 'Q8_0');
    await assertFiguresMatch(page, engine.estimate(seedRequest({ quant: 'Q8_0' })));
    assert.match(page.url(), /quant=Q8_0/);

    // Clicking a row of the quantization table selects that quant.
    await page.locator('#quants tr[data-quant="Q3_K_M"] td').first().click();
    await waitForReport(page, 'Q3_K_M');
    assert.equal(await page.locator('#quant').inputValue(), 'Q3_K_M');
    await assertFiguresMatch(page, engine.estimate(seedRequest({ quant: 'Q3_K_M' })));

    // Hardware by alias through the combobox.
    await page.fill('#hardware-input', 'rtx 4090');
    await page.waitForSelector('#hardware-list [role=option]');
    await page.press('#hardware-input', 'Enter');
    await page.waitForFunction(() => location.hash.includes('hardware=nvidia-rtx-4090'));
    await page.waitForFunction(() => document.querySelector('#question').textContent.includes('4090'));
    await assertFiguresMatch(page, engine.estimate(seedRequest({ quant: 'Q3_K_M', hardware: 'nvidia-rtx-4090' })));

    await page.fill('#count', '2');
    await page.waitForFunction(() => document.querySelector('#question').textContent.includes('2 ×'));
    await assertFiguresMatch(page, engine.estimate(seedRequest({ quant: 'Q3_K_M', hardware: 'nvidia-rtx-4090', gpu_count: 2 })));

    await page.click('#context-presets button:has-text("8K")');
    await page.waitForFunction(() => location.hash.includes('context=8192'));
    await page.waitForTimeout(100);
    await assertFiguresMatch(page, engine.estimate(seedRequest({ quant: 'Q3_K_M', hardware: 'nvidia-rtx-4090', gpu_count: 2, context_tokens: 8192 })));
    await page.close();
});

test('share URL restores every control', { skip }, async () => {
    const { page } = await open();
    await page.selectOption('#runtime', 'vllm');
    await page.waitForSelector('#err-quant:not([hidden])'); // Q4_K_M is not a vLLM format
    assert.match(await text(page, '#err-quant'), /vllm|vLLM/);
    await page.selectOption('#quant', 'AWQ-INT4');
    await page.selectOption('#kv', 'fp8');
    await page.check('input[name=mode][value="interactive"]');
    await page.fill('#context', '16384');
    await page.fill('#count', '2');
    await page.waitForFunction(() => location.hash.includes('count=2') && location.hash.includes('context=16384'));
    await page.waitForTimeout(100);
    const shared = await page.locator('#share-url').inputValue();
    assert.equal(shared, page.url());
    const expected = engine.estimate(seedRequest({ runtime: 'vllm', quant: 'AWQ-INT4', kv_cache_type: 'fp8', mode: 'interactive', context_tokens: 16384, gpu_count: 2 }));
    await assertFiguresMatch(page, expected);
    await page.close();

    const again = await open(new URL(shared).hash);
    const p = again.page;
    assert.equal(await p.locator('#runtime').inputValue(), 'vllm');
    assert.equal(await p.locator('#quant').inputValue(), 'AWQ-INT4');
    assert.equal(await p.locator('#kv').inputValue(), 'fp8');
    assert.equal(await p.locator('#context').inputValue(), '16384');
    assert.equal(await p.locator('#count').inputValue(), '2');
    assert.equal(await p.isChecked('input[name=mode][value="interactive"]'), true);
    assert.equal(await p.locator('#model-input').inputValue(), expected.model.name);
    assert.equal(await p.locator('#hardware-input').inputValue(), expected.hardware.name);
    await assertFiguresMatch(p, expected);
    await p.close();
});

test('back and forward walk through earlier settings', { skip }, async () => {
    const { page } = await open();
    await page.selectOption('#quant', 'Q6_K');
    await waitForReport(page, 'Q6_K');
    await page.selectOption('#kv', 'q8_0');
    await page.waitForFunction(() => location.hash.includes('kv=q8_0'));
    await page.goBack();
    await page.waitForFunction(() => location.hash.includes('kv=f16') && location.hash.includes('quant=Q6_K'));
    assert.equal(await page.locator('#kv').inputValue(), 'f16');
    await assertFiguresMatch(page, engine.estimate(seedRequest({ quant: 'Q6_K' })));
    await page.goBack();
    await page.waitForFunction(() => location.hash.includes('quant=Q4_K_M'));
    await waitForReport(page, 'Q4_K_M');
    assert.equal(await page.locator('#quant').inputValue(), 'Q4_K_M');
    await assertFiguresMatch(page, engine.estimate(seedRequest()));
    await page.goForward();
    await page.waitForFunction(() => location.hash.includes('quant=Q6_K'));
    assert.equal(await page.locator('#quant').inputValue(), 'Q6_K');
    await page.close();
});

test('copy buttons put the command and the link on the clipboard', { skip }, async () => {
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base.replace(/\/$/, '') });
    const { page } = await open();
    const command = await page.locator('#commands code').first().textContent();
    await page.locator('#commands button.copy').first().click();
    await page.waitForFunction(() => document.querySelector('#commands button.copy').textContent === 'Copied');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), command);
    await page.click('#share-copy');
    await page.waitForFunction(() => document.querySelector('#share-copy').textContent === 'Copied');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), page.url());
    await page.close();
});

test('ranked views render, sort and link back to reports', { skip }, async () => {
    const { page } = await open('#hardware=nvidia-a100-40gb-sxm4&view=models-for-hardware');
    await page.waitForSelector('#rank-table tbody tr', { timeout: 30000 });
    const expected = engine.rankForHardware({ hardware: 'nvidia-a100-40gb-sxm4', gpu_count: 1, runtime: 'llama.cpp', kv_cache_type: 'f16', mode: 'balanced' });
    assert.equal(await page.locator('#rank-table tbody tr').count(), expected.items.length);
    assert.equal(await text(page, '#rank-table tbody tr th a'), expected.items[0].model_name);
    // Sort by decode (descending first), then ascending.
    await page.click('#rank-table thead button[data-sort-key="decode"]');
    const decodeCol = await page.locator('#rank-table thead th').evaluateAll((ths) => ths.findIndex((th) => th.textContent.includes('Decode')));
    const readDecode = () => page.locator(`#rank-table tbody tr > :nth-child(${decodeCol + 1})`).allTextContents();
    const desc = (await readDecode()).map((t) => parseFloat(t));
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    assert.equal(await page.getAttribute(`#rank-table thead th:nth-child(${decodeCol + 1})`, 'aria-sort'), 'descending');
    await page.click('#rank-table thead button[data-sort-key="decode"]');
    const asc = (await readDecode()).map((t) => parseFloat(t));
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    // Filter narrows rows.
    await page.fill('#rank-filter', 'qwen');
    const rows = await page.locator('#rank-table tbody tr th').allTextContents();
    assert.ok(rows.length > 0 && rows.every((r) => /qwen/i.test(r)), rows.join(', '));
    // A row links to that report.
    await page.locator('#rank-table tbody tr th a').first().click();
    await page.waitForFunction(() => !location.hash.includes('view='));
    await waitForReport(page);
    assert.equal(await page.isVisible('#results'), true);

    await gotoReady(page, `${server.base}#model=kimi-linear-48b-a3b-instruct&view=hardware-for-model`);
    await page.waitForSelector('#rank-table tbody tr', { timeout: 30000 });
    assert.ok((await page.locator('#rank-table tbody tr').count()) > 5);
    assert.match(await text(page, '#rank-title'), /Kimi Linear/);

    await gotoReady(page, `${server.base}#view=compare&cmp=nvidia-a100-40gb-sxm4,nvidia-rtx-4090`);
    assert.equal(await page.locator('#compare-table thead th').count(), 3);
    const a100 = engine.estimate(seedRequest());
    const cells = await page.locator('#compare-table tbody tr:has(th:text("Decode")) td').allTextContents();
    assert.equal(cells[0], fmt.rate(a100.performance.decode_tokens_per_s));
    await page.close();
});

test('an unknown model in the URL shows a readable error and the page keeps working', { skip }, async () => {
    const evil = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
    const { page } = await open(`#model=${evil}&hardware=nvidia-a100-40gb-sxm4`);
    await page.waitForSelector('#err-model:not([hidden])');
    const message = await text(page, '#err-model');
    assert.match(message, /not in the catalog/);
    assert.ok(message.includes('<img'), 'the bad value is shown as text');
    assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await text(page, '#verdict'), 'Cannot estimate this setup');
    assert.equal(await page.getAttribute('#model-input', 'aria-invalid'), 'true');

    await page.click('#model-input');
    await page.fill('#model-input', 'kimi linear');
    await page.waitForSelector('#model-list [role=option]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#err-model').hidden);
    await assertFiguresMatch(page, engine.estimate(seedRequest({ quant: 'Q4_K_M' })));

    // A bad number next to its control.
    await page.fill('#context', '-5');
    await page.waitForSelector('#err-context:not([hidden])');
    assert.match(await text(page, '#err-context'), /context_tokens/);
    await page.fill('#context', '');
    await page.waitForFunction(() => document.querySelector('#err-context').hidden);
    await page.close();
});

test('the demo streams, and replays on demand', { skip }, async () => {
    const { page } = await open();
    await page.evaluate(() => document.querySelector('#feel').scrollIntoView());
    await page.click('#feel-replay');
    // The warm turn starts after the cold start; the cold status counts down first.
    await page.waitForFunction(() => /until the first token|tokens/.test(document.querySelector('#status-cold').textContent));
    const lede = await text(page, '#feel-lede');
    const r = engine.estimate(seedRequest());
    assert.ok(lede.includes(fmt.rate(r.performance.decode_tokens_per_s)) && lede.includes(fmt.ms(r.performance.cold_start_ms)), lede);
    await page.close();

    const reduced = await openPage(browser.context, null);
    await reduced.page.emulateMedia({ reducedMotion: 'reduce' });
    await gotoReady(reduced.page, server.base);
    await reduced.page.evaluate(() => document.querySelector('#feel').scrollIntoView());
    await reduced.page.waitForFunction(() => document.querySelector('#answer-warm').dataset.state === 'done');
    allErrors.push(reduced.errors);
    allRequests.push(reduced.requests);
    await reduced.page.close();
});

test('phone width: no horizontal overflow; screenshots', { skip }, async () => {
    const phone = await launch({ colorScheme: 'dark', viewport: { width: 320, height: 740 } });
    try {
        const opened = await openPage(phone.context, server.base);
        allRequests.push(opened.requests);
        allErrors.push(opened.errors);
        await waitForReport(opened.page);
        const [scrollWidth, innerWidth] = await opened.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        assert.ok(scrollWidth <= innerWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px viewport`);
        await opened.page.screenshot({ path: '/tmp/headroom-phone-dark.png', fullPage: true });
    } finally {
        await phone.close();
    }
    const { page } = await open();
    await page.screenshot({ path: '/tmp/headroom-desktop-light.png', fullPage: true });
    await page.close();
});

test('axe-core finds no serious accessibility violations', { skip }, async () => {
    // The page's CSP forbids inline scripts, so axe goes in through evaluate (eval is allowed for Embind).
    const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    for (const theme of ['light', 'dark']) {
        const { page } = await open();
        await page.emulateMedia({ colorScheme: theme });
        await page.evaluate(axeSource);
        const result = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
        const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`), [], theme);
        await page.close();
    }
});

test('no request leaves 127.0.0.1 and no console errors', { skip }, () => {
    const hosts = new Set(allRequests.flat().map((u) => u.hostname || u.protocol));
    assert.ok(allRequests.flat().length > 0);
    for (const host of hosts) assert.ok(host === '127.0.0.1' || host === 'data:' || host === 'blob:', `request to ${host}`);
    assert.deepEqual(allErrors.flat(), []);
});
