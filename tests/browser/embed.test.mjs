// The fit card on someone else's page: the report page's "Embed this result"
// (snippets, copy, live preview, PNG), then a third-party host page served from
// ANOTHER origin on 127.0.0.1 that pastes both snippets verbatim and adds an
// iframe under sandbox="allow-scripts" (from a server that sends no CORS
// headers), narrow and dark cards and cards with bad parameters. Checks: the
// same numbers as the report page, CSS isolated both ways, errors in the card,
// one engine for all components, no storage, no request off 127.0.0.1, and no
// card text cut at 300 and 400 px. The app's origin is scripts/run's own server
// (scripts/serve.mjs), so the CORS it sends is the CORS tested here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, openPage, waitForReport, nodeEngine, engineBuilt, webRoot } from './harness.mjs';
import { serveDir } from './static-server.mjs';
import { createWebServer } from '../../scripts/serve.mjs';

const fmt = await import(path.join(webRoot, 'js/format.js'));
const skip = engineBuilt() && existsSync(path.join(webRoot, 'engine/embed.js')) ? false : 'web/engine/ is missing: run scripts/build --wasm-only';

// A setup unlike the page's defaults in every key the card takes.
const P = { model: 'qwen3-8b', hardware: 'nvidia-rtx-4090', count: '1', quant: 'Q8_0', runtime: 'llama.cpp', context: '16384', kv: 'f16', mode: 'interactive' };
const HASH = `#model=${P.model}&hardware=${P.hardware}&count=1&quant=Q8_0&runtime=llama.cpp&context=16384&kv=f16&mode=interactive`;
const REQUEST = { model: P.model, hardware: P.hardware, gpu_count: 1, quant: 'Q8_0', runtime: 'llama.cpp', context_tokens: 16384, kv_cache_type: 'f16', mode: 'interactive' };
const RED = 'rgb(255, 0, 0)';

let app;      // web/ as scripts/run serves it, with CORS (module scripts from another origin need it)
let plain;    // web/ without any CORS header: the sandboxed iframe must not need it
let host;     // the third-party page, another port
let browser;
let engine;
let fromReport; // the report page's figures and snippets for P
const requests = [];
const errors = [];

before(async () => {
    if (skip) return;
    const hits = new Map();
    app = { ...(await createWebServer({ dir: webRoot, onRequest: (p) => hits.set(p, (hits.get(p) ?? 0) + 1) })), hits };
    plain = await serveDir();
    host = await serveDir({ dir: path.join(webRoot, '.no-such-dir'), pages: {} }); // only its pages
    browser = await launch();
    engine = await nodeEngine();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.base.replace(/\/$/, '') });
});

after(async () => {
    await browser?.close();
    await Promise.all([app?.close(), plain?.close(), host?.close()]);
});

async function open(url, options) {
    const opened = await openPage(browser.context, null, options);
    requests.push(opened.requests);
    errors.push(opened.errors);
    await opened.page.goto(url);
    return opened;
}

const text = (locator) => locator.first().textContent().then((t) => t.trim());
const style = (locator, prop) => locator.first().evaluate((el, p) => getComputedStyle(el)[p], prop);

/** The figures a card shows, read from an iframe's frameLocator or a component locator. */
async function cardFigures(scope) {
    await scope.locator('.hr-card[data-state="ready"]').waitFor({ timeout: 30000 });
    return {
        verdict: await text(scope.locator('.hr-verdict-text')),
        grade: await text(scope.locator('.hr-grade-letter')),
        score: await text(scope.locator('.hr-grade-score')),
        memory: await text(scope.locator('.hr-fig-memory .hr-value')),
        usable: await text(scope.locator('.hr-fig-memory .hr-sub')),
        decode: await text(scope.locator('.hr-fig-decode .hr-value')),
        ttft: await text(scope.locator('.hr-fig-ttft .hr-value')),
        context: await text(scope.locator('.hr-fig-context .hr-value')),
    };
}

function assertSameFigures(card, report, where) {
    assert.equal(card.verdict, report.verdict, `${where}: verdict`);
    assert.equal(card.grade, report.grade, `${where}: grade`);
    assert.equal(card.score, report.score, `${where}: score`);
    assert.equal(card.memory, report.memory, `${where}: memory`);
    assert.equal(card.usable, `of ${report.usable}`, `${where}: usable`);
    assert.equal(card.decode, report.decode, `${where}: decode`);
    assert.equal(card.ttft, report.ttft, `${where}: TTFT`);
    assert.equal(card.context, report.context, `${where}: safe context`);
}

test('the report page offers both snippets, a live preview and a PNG for the current view', { skip }, async () => {
    const { page } = await open(app.base + HASH);
    await waitForReport(page, 'Q8_0');
    const r = engine.estimate(REQUEST);
    assert.equal(r.ok, true);
    fromReport = {
        verdict: await text(page.locator('#verdict')),
        grade: await text(page.locator('#grade-letter')),
        score: await text(page.locator('#grade-score')),
        memory: await text(page.locator('#fig-memory')),
        usable: (await text(page.locator('#fig-memory-sub'))).match(/^of (.+) usable/)[1],
        decode: await text(page.locator('#fig-decode')),
        ttft: await text(page.locator('#fig-ttft')),
        context: await text(page.locator('#fig-context')),
    };
    // The report page itself shows the engine's numbers (page.test.mjs checks the rest).
    assert.equal(fromReport.decode, fmt.rate(r.performance.decode_tokens_per_s));
    assert.equal(fromReport.memory, fmt.bytes(r.memory.device_bytes));

    const iframeCode = await text(page.locator('#embed-iframe-code'));
    const scriptCode = await text(page.locator('#embed-script-code'));
    assert.ok(iframeCode.startsWith(`<iframe src="${app.base}embed.html${HASH}"`), iframeCode);
    assert.match(iframeCode, /sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"/);
    assert.match(iframeCode, /title="Headroom: Qwen3 8B on NVIDIA GeForce RTX 4090"/);
    assert.equal(scriptCode, `<script type="module" src="${app.base}headroom-card.js"></script>\n`
        + '<headroom-card model="qwen3-8b" hardware="nvidia-rtx-4090" count="1" quant="Q8_0" runtime="llama.cpp" context="16384" kv="f16" mode="interactive"></headroom-card>');
    fromReport.snippets = { iframeCode, scriptCode };

    // Copy buttons.
    for (const [target, code] of [['embed-iframe-code', iframeCode], ['embed-script-code', scriptCode]]) {
        await page.click(`button[data-copy-target="${target}"]`);
        await page.waitForFunction((t) => document.querySelector(`button[data-copy-target="${t}"]`).textContent === 'Copied', target);
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
    }

    // Live preview: the same numbers; a control change reaches it.
    await page.locator('#embed-preview').scrollIntoViewIfNeeded();
    const preview = page.frameLocator('#embed-preview');
    assertSameFigures(await cardFigures(preview), fromReport, 'preview');
    await page.selectOption('#quant', 'Q4_K_M');
    await waitForReport(page, 'Q4_K_M');
    const q4 = engine.estimate({ ...REQUEST, quant: 'Q4_K_M' });
    await preview.locator('.hr-setup', { hasText: 'Q4_K_M' }).waitFor();
    assert.equal(await text(preview.locator('.hr-fig-decode .hr-value')), fmt.rate(q4.performance.decode_tokens_per_s));
    assert.match(await text(page.locator('#embed-script-code')), /quant="Q4_K_M"/);

    // Download PNG: a 1200 × 630 PNG named after the setup.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#png-download')]);
    assert.equal(download.suggestedFilename(), 'headroom-qwen3-8b-nvidia-rtx-4090.png');
    const png = await readFile(await download.path());
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(png.toString('latin1', 12, 16), 'IHDR');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1200, 630]);
    assert.ok(png.length > 20000, `a drawn card, not a blank image (${png.length} bytes)`);
    await page.locator('#embed-section').screenshot({ path: '/tmp/headroom-embed-section.png' });
    await page.close();
});

function hostPage() {
    const { iframeCode, scriptCode } = fromReport.snippets;
    const embed = `${plain.base}embed.html`;
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A third-party blog</title><link rel="icon" href="data:,">
<style>
  * { color: ${RED} !important; font-size: 40px !important; font-family: serif !important; }
  .hr-card, .hr-value, .hr-fig, dl, dd, p { background: rgb(255, 255, 0) !important; border: 5px solid lime !important; }
  html { font-size: 40px; }
  .wrap { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
</style>
</head><body>
<p class="hr-title" id="host-title">The host's own paragraph</p>
<dl id="host-dl"><dt>Host term</dt><dd class="hr-value" id="host-value">host value</dd></dl>
<a class="hr-link" id="host-link" href="#top">host link</a>
<div class="wrap">
  <div id="snippet-iframe">${iframeCode}</div>
  <iframe id="frame-sandboxed" sandbox="allow-scripts" src="${embed}${HASH}" title="card" width="400" height="180" style="border:0"></iframe>
  <iframe id="frame-narrow" sandbox="allow-scripts" src="${embed}${HASH}&theme=dark" title="narrow card" width="300" height="180" style="border:0"></iframe>
  <iframe id="frame-bad" sandbox="allow-scripts" src="${embed}#model=no-such-model&hardware=nvidia-rtx-4090" title="bad card" width="400" height="180" style="border:0"></iframe>
</div>
<div class="wrap">
  <div id="snippet-component" style="width:400px">${scriptCode}</div>
  <div style="width:300px"><headroom-card id="card-narrow" model="${P.model}" hardware="${P.hardware}" quant="Q8_0" runtime="llama.cpp" context="16384" mode="interactive" theme="dark"></headroom-card></div>
  <div style="width:400px"><headroom-card id="card-bad" model="${P.model}" hardware="no-such-gpu"></headroom-card></div>
</div>
</body></html>`;
}

test('a third-party page on another origin: both snippets and a sandboxed iframe show the report page\'s numbers', { skip }, async () => {
    assert.ok(fromReport, 'the report page test ran first');
    host.pages['/index.html'] = hostPage();
    const engineLoads = [app.hits.get('/engine/headroom.wasm') ?? 0, app.hits.get('/engine/catalog/models.json') ?? 0];
    const { page } = await open(host.base);
    assert.notEqual(new URL(host.base).port, new URL(app.base).port);

    const frames = {
        snippet: page.frameLocator('#snippet-iframe iframe'),
        sandboxed: page.frameLocator('#frame-sandboxed'),
        narrow: page.frameLocator('#frame-narrow'),
    };
    for (const [name, frame] of Object.entries(frames)) assertSameFigures(await cardFigures(frame), fromReport, `iframe ${name}`);
    const component = page.locator('#snippet-component headroom-card');
    assertSameFigures(await cardFigures(component), fromReport, 'component');
    assertSameFigures(await cardFigures(page.locator('#card-narrow')), fromReport, 'narrow component');
    await page.locator('#card-bad .hr-card[data-state="error"]').waitFor({ timeout: 30000 });
    // One engine for the three components on the page: the wasm and catalog came once.
    assert.deepEqual([app.hits.get('/engine/headroom.wasm') - engineLoads[0], app.hits.get('/engine/catalog/models.json') - engineLoads[1]], [1, 1]);

    // The sandboxed iframe really is sandboxed: an opaque origin, no storage at all.
    const sandboxed = await (await page.locator('#frame-sandboxed').elementHandle()).contentFrame();
    assert.equal(await sandboxed.evaluate(() => self.origin), 'null');
    assert.match(await sandboxed.evaluate(() => { try { return String(localStorage.length); } catch (e) { return e.name; } }), /SecurityError/);

    // The full report link: index.html with the same parameters, in a new tab.
    const link = frames.snippet.locator('.hr-link');
    assert.equal(await link.getAttribute('href'), `${app.base}index.html${HASH}`);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener');
    assert.equal(await component.locator('.hr-link').getAttribute('href'), await link.getAttribute('href'));
    // The snippet's sandbox lets that link open the report, which shows the same numbers.
    const [popup] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);
    await popup.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
    await waitForReport(popup, 'Q8_0');
    assert.equal(popup.url(), `${app.base}index.html${HASH}`);
    assert.equal(await text(popup.locator('#fig-decode')), fromReport.decode);
    await popup.close();

    // Bad parameters: a readable card-sized error, as text.
    for (const [scope, message] of [[page.frameLocator('#frame-bad'), /no-such-model/], [page.locator('#card-bad'), /no-such-gpu/]]) {
        await scope.locator('.hr-card[data-state="error"]').waitFor({ timeout: 30000 });
        assert.equal(await text(scope.locator('.hr-verdict-text')), 'Cannot estimate this setup');
        assert.match(await text(scope.locator('.hr-error')), message);
    }

    // Sizes: 400 × 180 and 300 × 180 frames hold the card without scrolling.
    for (const [name, width] of [['#frame-sandboxed', 400], ['#frame-narrow', 300]]) {
        const frame = await (await page.locator(name).elementHandle()).contentFrame();
        const [sw, sh, iw, ih, footBottom, cardBottom] = await frame.evaluate(() => [
            document.documentElement.scrollWidth, document.documentElement.scrollHeight, innerWidth, innerHeight,
            document.querySelector('.hr-foot').getBoundingClientRect().bottom, document.querySelector('.hr-card').getBoundingClientRect().bottom]);
        assert.deepEqual([iw, ih], [width, 180], name);
        assert.ok(sw <= iw && sh <= ih, `${name}: content ${sw}×${sh} in a ${iw}×${ih} frame`);
        assert.ok(footBottom <= cardBottom && cardBottom <= ih, `${name}: the card's last line (${footBottom}) is inside the card (${cardBottom}) and frame`);
    }
    const box = await page.locator('#card-narrow .hr-card').boundingBox();
    assert.ok(box.width <= 300 && box.height <= 180, `narrow component ${box.width}×${box.height}`);

    // The host's CSS does not leak in ...
    for (const scope of [component, frames.sandboxed]) {
        const value = scope.locator('.hr-fig-decode .hr-value');
        assert.notEqual(await style(value, 'color'), RED);
        assert.equal(await style(value, 'fontSize'), '15px');
        assert.doesNotMatch(await style(value, 'fontFamily'), /^serif$/);
        assert.notEqual(await style(scope.locator('.hr-card'), 'backgroundColor'), 'rgb(255, 255, 0)');
    }
    assert.equal(await style(page.locator('#card-narrow .hr-fig-decode .hr-value'), 'fontSize'), '14px', 'narrow layout');
    // ... nor the card's out: the host's look-alike classes keep the host's rules.
    assert.equal(await style(page.locator('#host-value'), 'fontWeight'), '400');
    assert.equal(await style(page.locator('#host-value'), 'fontSize'), '40px');
    assert.equal(await style(page.locator('#host-title'), 'color'), RED);
    assert.equal(await style(page.locator('#host-link'), 'fontWeight'), '400');

    // Themes: theme=dark is dark; no theme follows the reader's colour scheme.
    const dark = 'rgb(22, 27, 34)';
    assert.equal(await style(page.locator('#card-narrow .hr-card'), 'backgroundColor'), dark);
    assert.equal(await style(frames.narrow.locator('.hr-card'), 'backgroundColor'), dark);
    assert.equal(await style(component.locator('.hr-card'), 'backgroundColor'), 'rgb(255, 255, 255)');
    await page.screenshot({ path: '/tmp/headroom-embed-host-light.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await style(component.locator('.hr-card'), 'backgroundColor'), dark);
    await page.screenshot({ path: '/tmp/headroom-embed-host-dark.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    // The sandboxed iframes fetched nothing but their three files each.
    assert.deepEqual([...plain.hits.keys()].sort(), ['/embed.css', '/embed.html', '/engine/embed.js']);

    // No cookies and no storage anywhere (host origin, app origins).
    const storage = await browser.context.storageState();
    assert.deepEqual(storage.cookies, []);
    assert.deepEqual(storage.origins.filter((o) => o.localStorage.length), []);
    await page.close();
});

test('a component re-renders when an attribute changes; the iframe when its hash does', { skip }, async () => {
    const { page } = await open(host.base);
    const card = page.locator('#snippet-component headroom-card');
    await card.locator('.hr-card[data-state="ready"]').waitFor({ timeout: 30000 });
    await card.evaluate((el) => { el.setAttribute('quant', 'Q4_K_M'); el.setAttribute('context', '8192'); });
    const r = engine.estimate({ ...REQUEST, quant: 'Q4_K_M', context_tokens: 8192 });
    await card.locator('.hr-setup', { hasText: 'Q4_K_M' }).waitFor();
    assert.equal(await text(card.locator('.hr-setup')), `Q4_K_M · llama.cpp · ${fmt.tokens(r.context_tokens)} context`);
    assert.equal(await text(card.locator('.hr-fig-decode .hr-value')), fmt.rate(r.performance.decode_tokens_per_s));
    assert.equal(await text(card.locator('.hr-fig-memory .hr-value')), fmt.bytes(r.memory.device_bytes));
    // From an error back to a report.
    const bad = page.locator('#card-bad');
    await bad.locator('.hr-card[data-state="error"]').waitFor({ timeout: 30000 });
    await bad.evaluate((el) => el.setAttribute('hardware', 'nvidia-rtx-4090'));
    await bad.locator('.hr-card[data-state="ready"]').waitFor();
    // Attributes left out take the report page's defaults (state.js).
    const d = engine.estimate({ model: P.model, hardware: P.hardware, gpu_count: 1, quant: 'Q4_K_M', runtime: 'llama.cpp', kv_cache_type: 'f16', mode: 'balanced' });
    assert.equal(await text(bad.locator('.hr-fig-decode .hr-value')), fmt.rate(d.performance.decode_tokens_per_s));

    const frame = page.frameLocator('#frame-bad');
    await frame.locator('.hr-card[data-state="error"]').waitFor({ timeout: 30000 });
    const inner = page.frames().find((f) => f.url().includes('no-such-model'));
    await inner.evaluate((hash) => { location.hash = hash; }, HASH);
    assertSameFigures(await cardFigures(frame), fromReport, 'iframe after a hash change');

    // axe-core inside the card's document (light, then the dark theme): nothing serious.
    const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    for (const hash of [HASH, `${HASH}&theme=dark`, '#model=no-such-model']) {
        await inner.evaluate((h) => { location.hash = h; }, hash);
        await frame.locator(`.hr-card[data-state="${hash.includes('no-such') ? 'error' : 'ready'}"]`).waitFor();
        await inner.evaluate(axeSource);
        // preload: false, or axe fetches embed.css itself, which the card's CSP rightly refuses.
        const result = await inner.evaluate(() => window.axe.run(document, { resultTypes: ['violations'], preload: false }));
        const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`), [], hash);
    }
    await page.close();
});

test('no card text is cut at 300 or 400 px, long names and wrapped verdicts included; iframes still fit 180 px', { skip }, async () => {
    const setups = [
        HASH.slice(1),
        // The longest names in a setup: a three-line title at 300 px.
        'model=mistral-small-3.2-24b-instruct-2506&hardware=nvidia-rtx-pro-6000-blackwell-max-q&count=2&quant=Q4_K_M',
        // A long verdict ("Only with offload") whose setup line wraps.
        'model=llama-3.3-70b-instruct&hardware=nvidia-rtx-4060&quant=Q4_K_M',
        'model=no-such-model&hardware=nvidia-rtx-4090',
    ];
    const attrs = (q) => [...new URLSearchParams(q)].map(([k, v]) => `${k}="${v}"`).join(' ');
    let body = '';
    for (const width of [300, 400]) {
        for (const [i, q] of setups.entries()) {
            body += `<div style="width:${width}px"><headroom-card class="probe" data-name="component ${width}px #${i}" ${attrs(q)}></headroom-card></div>
<iframe class="probe" data-name="iframe ${width}px #${i}" sandbox="allow-scripts" src="${plain.base}embed.html#${q}" title="card" width="${width}" height="180" style="border:0"></iframe>\n`;
        }
    }
    host.pages['/cards.html'] = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cards</title><link rel="icon" href="data:,">
<script type="module" src="${app.base}headroom-card.js"></script></head><body>${body}</body></html>`;
    const { page } = await open(`${host.base}cards.html`);

    // Every element of the card that holds text, not inline: its content fits its box both ways.
    const cutText = (root) => {
        const cut = [];
        for (const el of root.querySelectorAll('.hr-card, .hr-card *')) {
            const display = getComputedStyle(el).display;
            if (display === 'inline' || display === 'none' || !el.textContent.trim()) continue;
            if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight) {
                cut.push(`.${el.className}: ${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight} "${el.textContent.trim().slice(0, 40)}"`);
            }
        }
        return cut;
    };
    for (const card of await page.locator('headroom-card.probe').all()) {
        const name = await card.getAttribute('data-name');
        await card.locator('.hr-card:is([data-state="ready"], [data-state="error"])').waitFor({ timeout: 30000 });
        assert.deepEqual(await card.evaluate((el, fn) => (0, eval)(fn)(el.shadowRoot), cutText.toString()), [], name);
        const box = await card.locator('.hr-card').boundingBox();
        assert.ok(box.height <= 180, `${name}: ${box.height}px tall`);
    }
    for (const handle of await page.locator('iframe.probe').elementHandles()) {
        const name = await handle.getAttribute('data-name');
        const frame = await handle.contentFrame();
        await frame.waitForSelector('.hr-card:is([data-state="ready"], [data-state="error"])', { timeout: 30000 });
        assert.deepEqual(await frame.evaluate((fn) => (0, eval)(fn)(document), cutText.toString()), [], name);
        const [sw, sh, iw, ih] = await frame.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight, innerWidth, innerHeight]);
        assert.ok(sw <= iw && sh <= ih, `${name}: content ${sw}×${sh} in a ${iw}×${ih} frame`);
    }
    await page.close();
});

test('scripts/run serves web/ with CORS on what a cross-origin <headroom-card> loads', { skip }, async () => {
    // scripts/run starts scripts/serve.mjs (the server the tests above loaded the component from).
    const run = await readFile(path.join(webRoot, '..', 'scripts/run'), 'utf8');
    assert.match(run, /exec node scripts\/serve\.mjs --port "\$port" --dir web/);
    for (const [file, type] of [['headroom-card.js', /javascript/], ['js/card-view.js', /javascript/], ['engine/headroom-api.mjs', /javascript/],
        ['engine/headroom.wasm', /^application\/wasm$/], ['engine/catalog/models.json', /json/], ['embed.css', /css/]]) {
        const r = await fetch(`${app.base}${file}`, { headers: { origin: host.base.replace(/\/$/, '') } });
        assert.equal(r.status, 200, file);
        assert.equal(r.headers.get('access-control-allow-origin'), '*', file);
        assert.match(r.headers.get('content-type'), type, file);
    }
    const page = await fetch(`${app.base}index.html`);
    assert.equal(page.headers.get('access-control-allow-origin'), null, 'pages need no CORS');
    assert.ok([403, 404].includes((await fetch(`${app.base}..%2fpackage.json`)).status), 'nothing outside web/');
});

test('embed pages: no request leaves 127.0.0.1 and no console errors', { skip }, () => {
    const all = requests.flat();
    assert.ok(all.length > 0);
    for (const u of all) assert.ok(u.hostname === '127.0.0.1' || u.protocol === 'data:' || u.protocol === 'blob:', `request to ${u.href}`);
    assert.deepEqual(errors.flat(), []);
});
