// The accuracy view (#view=accuracy) and the measured reading on the report page, in
// headless Chromium. Expected values come from web/engine/accuracy.json, which
// scripts/build writes with scripts/accuracy --page-json. Run: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { startServer, launch, openPage, waitForReport, gotoReady, engineBuilt, webRoot } from './harness.mjs';

const fmt = await import(path.join(webRoot, 'js/format.js'));
const dataFile = path.join(webRoot, 'engine/accuracy.json');
const doc = existsSync(dataFile) ? JSON.parse(readFileSync(dataFile, 'utf8')) : null;
const skip = !engineBuilt() ? 'web/engine/ is missing: run scripts/build'
    : !doc || doc.unavailable || !doc.rows?.length ? `no accuracy data (${doc?.unavailable ?? 'web/engine/accuracy.json missing'}): run scripts/build with ../shared/validation/dev/`
        : false;

// The setup the issue names: Llama 3 8B, Q4_K_M, llama.cpp on one RTX 4090.
const SETUP = { model: 'llama-3-8b', hardware: 'nvidia-rtx-4090', quant: 'Q4_K_M', runtime: 'llama.cpp', count: 1 };
const setupHash = `#model=${SETUP.model}&hardware=${SETUP.hardware}&count=1&quant=${SETUP.quant}&runtime=${SETUP.runtime}&context=&kv=f16&mode=balanced`;

let server;
let browser;
let acc; // one accuracy view shared by the tests below (each page load costs seconds)
const allRequests = [];
const allErrors = [];

before(async () => {
    if (skip) return;
    server = await startServer();
    browser = await launch();
    acc = (await openAccuracy()).page;
});

after(async () => {
    await browser?.close();
    await server?.close();
});

async function open(hash, options) {
    const opened = await openPage(browser.context, server.base + hash, options);
    allRequests.push(opened.requests);
    allErrors.push(opened.errors);
    return opened;
}

async function openAccuracy(options) {
    const opened = await open('#view=accuracy', options);
    await opened.page.waitForSelector('#accuracy-table', { timeout: 15000 });
    return opened;
}

const drawn = (r) => r.measured > 0 && r.predicted > 0; // log axes: a zero prediction is listed, not drawn
const ape = (v) => (v == null ? '—' : `${fmt.number(v, v < 1 ? 2 : 1)}%`);
const plotted = (metric) => doc.rows.filter((r) => r.metric === metric && drawn(r)).length;

test('the accuracy view draws one scatter per metric with one point per dev-set row', { skip }, async () => {
    const page = acc;
    assert.equal(await page.getAttribute('#nav-accuracy', 'aria-current'), 'page');
    assert.equal(await page.isVisible('#results'), false);
    // One round trip for every chart: points, identity line and the lede.
    const charts = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('svg.acc-chart')].map((svg) => [
        svg.dataset.metric, {
            points: svg.querySelectorAll('.pt').length, identity: svg.querySelectorAll('line.identity').length,
            lede: svg.closest('section').querySelector('.lede').textContent,
        }])));
    assert.deepEqual(Object.keys(charts), doc.metrics.map((m) => m.metric));
    let total = 0;
    for (const m of doc.metrics) {
        const n = charts[m.metric].points;
        assert.equal(n, plotted(m.metric), `${m.metric}: points`);
        const off = doc.rows.filter((r) => r.metric === m.metric && !drawn(r)).length;
        assert.equal(n + off, m.engine.n, `${m.metric}: points and undrawn rows vs the summary's n`);
        if (off) assert.match(charts[m.metric].lede, new RegExp(`${off} rows? with a zero prediction`));
        assert.equal(charts[m.metric].identity, 1);
        total += n + off;
    }
    assert.equal(total, doc.rows.length);
    // Legend: one button per group, the counts add up to the metric's rows.
    const counts = await page.locator('section[data-metric="tg"] .acc-legend-n').allTextContents();
    assert.equal(counts.reduce((a, t) => a + Number(t.match(/^(\d+)/)[1]), 0), plotted('tg'));
});

test('the error table lists the engine and the naive baseline per metric', { skip }, async () => {
    const page = acc;
    const head = await page.locator('#accuracy-table thead').textContent();
    assert.match(head, /Engine median/);
    assert.match(head, /Naive median/);
    assert.equal(await page.locator('#accuracy-table tbody tr').count(), doc.metrics.length);
    for (const m of doc.metrics) {
        const row = page.locator(`#accuracy-table tbody tr[data-metric="${m.metric}"]`);
        assert.equal((await row.locator('.engine-median').textContent()).trim(), ape(m.engine.median_ape), m.metric);
        assert.equal((await row.locator('.baseline-median').textContent()).trim(), ape(m.baseline?.median_ape), m.metric);
    }
    const tg = doc.metrics.find((m) => m.metric === 'tg');
    assert.ok(tg.baseline && tg.baseline.median_ape > tg.engine.median_ape, 'the modelling beats the naive calculator on decode');
    // Weak spots, stated plainly, and linked sources.
    const weak = await page.locator('.acc-weak > li h3').allTextContents();
    assert.deepEqual(weak, doc.weak_spots.map((w) => w.title));
    const links = page.locator('#accuracy-sources a');
    assert.ok(await links.count() > 3);
    for (const rel of await links.evaluateAll((as) => as.map((a) => a.rel))) assert.equal(rel, 'noopener noreferrer');
});

test('accuracy view: axe finds nothing serious (light desktop, dark 320 px), no overflow', { skip }, async () => {
    const page = acc;
    await page.evaluate(await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
    for (const theme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: theme });
        if (theme === 'dark') await page.setViewportSize({ width: 320, height: 800 });
        const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
        assert.ok(scrollWidth <= innerWidth, `${theme}: page is ${scrollWidth}px wide in a ${innerWidth}px viewport`);
        // The points (1,000+ paths, described by the legend and the row tables) are left out to keep this fast.
        const result = await page.evaluate(async () => window.axe.run({ include: [['#view-accuracy']], exclude: [['svg.acc-chart g.pts']] },
            { resultTypes: ['violations'] }));
        const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`), [], theme);
        await page.screenshot({ path: `/tmp/headroom-accuracy-${theme}.png` });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
});

test('the table view and legend work from the keyboard', { skip }, async () => {
    const page = acc;
    const details = page.locator('section[data-metric="tg"] details.acc-details');
    await details.locator('summary').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('section[data-metric="tg"] details.acc-details table');
    assert.equal(await details.locator('tbody tr').count(), plotted('tg'));
    const first = page.locator('section[data-metric="tg"] .acc-legend-item').first();
    const group = await first.getAttribute('data-group');
    await first.focus();
    await page.keyboard.press('Space');
    assert.equal(await first.getAttribute('aria-pressed'), 'false');
    const display = await page.locator('svg.acc-chart[data-metric="tg"] g.pts').evaluateAll(
        (gs, key) => gs.find((g) => g.getAttribute('data-group') === key).style.display, group);
    assert.equal(display, 'none');
    // Colour by backend regroups the points; the count stays.
    await page.check('input[name=acc-colour][value=backend]');
    assert.equal(await page.locator('svg.acc-chart[data-metric="tg"] .pt').count(), plotted('tg'));
    const labels = await page.locator('section[data-metric="tg"] .acc-legend-label').allTextContents();
    assert.ok(labels.includes('cuda'), labels.join(','));
});

test('a report with a dev-set reading shows it beside the estimate', { skip }, async () => {
    const candidates = doc.rows.filter((r) => r.metric === 'tg' && r.model_id === SETUP.model && r.hardware_id === SETUP.hardware
        && r.quant === SETUP.quant && r.runtime === SETUP.runtime && r.gpus === SETUP.count);
    assert.ok(candidates.length > 0, 'the dev set has a Llama 3 8B / RTX 4090 reading');
    const { page } = await open(setupHash);
    await waitForReport(page);
    await page.waitForSelector('#fig-decode-measured:not([hidden])', { timeout: 10000 });
    const line = (await page.locator('#fig-decode-measured').textContent()).trim();
    const row = candidates.find((r) => line.includes(fmt.rate(r.measured)) && line.includes(r.method));
    assert.ok(row, `measured line "${line}" names none of ${candidates.map((r) => `${fmt.rate(r.measured)} ${r.method}`).join('; ')}`);
    assert.ok(line.startsWith('measured: '), line);
    if (row.date) assert.ok(line.includes(row.date), line);
    assert.equal(await page.getAttribute('#fig-decode-measured a', 'href'), row.url);
    assert.equal(await page.getAttribute('#fig-decode-measured a', 'rel'), 'noopener noreferrer');
    assert.match(await page.locator('#fig-ttft-measured').textContent(), /^measured prefill: [\d.,]+ tok\/s, .*pp\d+/);
    // A setup without a reading (the seed case) shows none.
    await gotoReady(page, `${server.base}#view=report`);
    await waitForReport(page);
    await page.waitForFunction(() => document.querySelector('#fig-decode-measured').hidden);
    await page.close();
});

test('accuracy pages: no request leaves 127.0.0.1 and no console errors', { skip }, () => {
    const hosts = new Set(allRequests.flat().map((u) => u.hostname || u.protocol));
    for (const host of hosts) assert.ok(host === '127.0.0.1' || host === 'data:' || host === 'blob:', `request to ${host}`);
    assert.deepEqual(allErrors.flat(), []);
});
