// The page and the embed cannot be turned against their host: script-bearing
// values through every URL parameter and form field execute nothing and create
// no element; the Content-Security-Policy allows only the app's own files and
// no page reports a CSP violation; nothing leaves 127.0.0.1 during a session
// that uses every feature; a host page cannot reach into the fit card and the
// card cannot reach out. Run: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { startServer, launch, gotoReady, engineBuilt, webRoot } from './harness.mjs';

const skip = engineBuilt() ? false : 'web/engine/ is missing: run scripts/build --wasm-only';
const embedBuilt = existsSync(path.join(webRoot, 'embed.html')) && existsSync(path.join(webRoot, 'engine/embed.js'));
const cardBuilt = existsSync(path.join(webRoot, 'headroom-card.js'));

// Each payload sets window.__pwned (and calls alert) if it ever runs.
const PAYLOADS = [
    '<img src=x onerror=window.__pwned=1;alert(1)>',
    '"><script>window.__pwned=2;alert(2)</script>',
    "'><svg onload=window.__pwned=3>",
    'javascript:window.__pwned=4;alert(4)',
    '</textarea><iframe srcdoc="<script>parent.__pwned=5</script>">',
    '{{constructor.constructor(\'window.__pwned=6\')()}}',
];
// The report page's URL keys (web/js/state.js) and a few it does not know.
const URL_KEYS = ['model', 'hardware', 'count', 'quant', 'runtime', 'context', 'kv', 'mode', 'view', 'cmp',
    'off', 'ram', 'rambw', 'split', 'mix', 'conc', 'theme', 'config', 'file'];

let server;
let other; // a second origin (another port) serving one host page; see hostPage()
let hostHtml = '';
let browser;
const sessions = [];

before(async () => {
    if (skip) return;
    server = await startServer();
    // A real server, not page.route: Chromium's Private Network Access treats a
    // fulfilled response as a public page and blocks its 127.0.0.1 iframe.
    const host = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostHtml));
    await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
    other = { base: `http://127.0.0.1:${host.address().port}/`, close: () => new Promise((r) => host.close(r)) };
    browser = await launch();
});

after(async () => {
    await browser?.close();
    await server?.close();
    await other?.close();
});

/**
 * A page that records every request (aborting any not to 127.0.0.1), console
 * errors, CSP violations (console and securitypolicyviolation events, frames
 * included) and dialogs.
 */
async function watchedPage() {
    const page = await browser.context.newPage();
    const log = { requests: [], errors: [], csp: [], dialogs: [] };
    sessions.push(log);
    await page.addInitScript(() => {
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.route('**/*', (route) => {
        const u = new URL(route.request().url());
        log.requests.push(u.href);
        if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') return route.continue();
        return route.abort();
    });
    page.on('console', (msg) => {
        const text = msg.text();
        if (/Content.Security.Policy|Refused to/i.test(text)) log.csp.push(text);
        if (msg.type() === 'error') log.errors.push(text);
    });
    page.on('pageerror', (err) => log.errors.push(String(err)));
    page.on('dialog', async (d) => { log.dialogs.push(d.message()); await d.dismiss(); });
    return { page, log };
}

/** Whatever a payload could have left behind, in the page, its frames' DOM and open shadow roots. */
async function injected(page) {
    const found = [];
    for (const frame of page.frames()) {
        let r;
        try {
            r = await frame.evaluate(() => {
                const out = [];
                if (window.__pwned !== undefined) out.push(`window.__pwned = ${window.__pwned}`);
                if (window.__csp?.length) out.push(...window.__csp.map((c) => `CSP violation: ${c}`));
                const roots = [document];
                for (let i = 0; i < roots.length; ++i) {
                    for (const el of roots[i].querySelectorAll('*')) {
                        if (el.shadowRoot) roots.push(el.shadowRoot);
                        const tag = el.tagName.toLowerCase();
                        if (tag === 'script' && !el.src) out.push(`inline <script>: ${el.textContent.slice(0, 80)}`);
                        if (tag === 'img' && el.getAttribute('src') === 'x') out.push('<img src=x>');
                        if (tag === 'svg' && el.closest('main, #card, .hr-wrap') && el.hasAttribute('onload')) out.push('<svg onload>');
                        if (tag === 'iframe' && el.hasAttribute('srcdoc')) out.push('<iframe srcdoc>');
                        for (const a of el.attributes) {
                            if (/^on/i.test(a.name)) out.push(`<${tag} ${a.name}>`);
                            if (/^(href|src|action|formaction|xlink:href)$/i.test(a.name) && /^\s*javascript:/i.test(a.value)) {
                                out.push(`<${tag} ${a.name}="${a.value.slice(0, 60)}">`);
                            }
                        }
                    }
                }
                return out;
            });
        } catch {
            continue; // a frame that navigated away mid-check
        }
        found.push(...r.map((x) => `${frame.url().slice(0, 60)}: ${x}`));
    }
    return found;
}

async function assertClean(page, log, what) {
    const bad = await injected(page);
    assert.deepEqual(bad, [], `${what}: ${bad.join('; ')}`);
    assert.deepEqual(log.dialogs, [], `${what}: a dialog opened`);
    assert.deepEqual(log.csp, [], `${what}: CSP violations`);
}

const settle = (page) => page.waitForTimeout(60);

test('the CSP allows only the app\'s own files: no unsafe-eval, no unsafe-inline script, connect-src self', { skip }, async () => {
    for (const file of ['index.html', 'embed.html']) {
        if (!existsSync(path.join(webRoot, file))) continue;
        const html = await readFile(path.join(webRoot, file), 'utf8');
        const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/);
        assert.ok(meta, `${file} has no CSP meta`);
        const directives = Object.fromEntries(meta[1].split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
        const script = directives['script-src'] ?? directives['default-src'];
        assert.ok(script, `${file}: no script-src`);
        assert.ok(!script.includes("'unsafe-inline'"), `${file}: script-src allows inline script`);
        assert.ok(script.every((s) => ["'self'", "'wasm-unsafe-eval'"].includes(s) || /^'sha(256|384|512)-/.test(s)),
            `${file}: script-src ${script.join(' ')} allows more than the app's own files`);
        if (file === 'index.html') assert.ok(!script.includes("'unsafe-eval'"), `${file}: script-src allows eval`);
        const connect = directives['connect-src'] ?? directives['default-src'];
        assert.ok(connect.every((s) => s === "'self'" || s === "'none'"), `${file}: connect-src ${connect.join(' ')}`);
        assert.deepEqual(directives['object-src'], ["'none'"], `${file}: object-src`);
        assert.deepEqual(directives['base-uri'], ["'none'"], `${file}: base-uri`);
        // Every script is a file (or hashed): no inline <script> bodies, no inline handlers.
        for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
            assert.ok(/\bsrc=/.test(m[1]) || m[2].trim() === '', `${file}: inline script ${m[2].slice(0, 60)}`);
        }
        assert.ok(!/\son[a-z]+\s*=/i.test(html.replace(/<!--[\s\S]*?-->/g, '')), `${file}: an inline event handler attribute`);
    }
});

test('script-bearing values in every URL parameter execute nothing and create no element', { skip }, async () => {
    const { page, log } = await watchedPage();
    // Every key at once on a fresh load, per payload...
    for (const payload of PAYLOADS) {
        const params = new URLSearchParams();
        for (const k of URL_KEYS) params.set(k, payload);
        await page.goto(`${server.base}#${params}`);
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
        await settle(page);
        await assertClean(page, log, `all keys = ${payload}`);
        // ... and also as a query string.
        await page.goto(`${server.base}?${params}`);
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
        await assertClean(page, log, `query string, all keys = ${payload}`);
    }
    // Then one key at a time through hashchange, in every view, so each reaches its renderer.
    await gotoReady(page, server.base);
    for (const view of ['report', 'models-for-hardware', 'hardware-for-model', 'compare']) {
        // The ranked views render only model, hardware and count from the URL.
        const keys = view.includes('-for-') ? ['model', 'hardware', 'count', 'view'] : URL_KEYS;
        for (const key of keys) {
            for (const payload of PAYLOADS) {
                const params = new URLSearchParams({ view, [key]: payload });
                if (key === 'view') params.set('view', payload);
                await page.evaluate((h) => { location.hash = h; }, `#${params}`);
                await settle(page);
            }
            await assertClean(page, log, `view ${view}, ${key}`);
        }
    }
    // The page kept working: a valid hash still gives a report.
    await page.evaluate(() => { location.hash = '#model=llama-3.1-8b&hardware=nvidia-rtx-4090&quant=Q4_K_M'; });
    await page.waitForFunction(() => /Llama/.test(document.querySelector('#question')?.textContent ?? ''), null, { timeout: 15000 });
    assert.deepEqual(log.errors, []);
    await page.close();
});

test('script-bearing values typed into every form field execute nothing and create no element', { skip }, async () => {
    const { page, log } = await watchedPage();
    await gotoReady(page, server.base);
    for (const view of ['report', 'models-for-hardware', 'hardware-for-model', 'compare']) {
        await page.evaluate((v) => { location.hash = `#view=${v}`; }, view);
        await settle(page);
        const fields = await page.$$('input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=file]):not([readonly]):visible, textarea:visible');
        assert.ok(fields.length > 0 || view !== 'report', `no fields in view ${view}`);
        for (const field of fields) {
            const type = await field.getAttribute('type');
            for (const payload of PAYLOADS) {
                if (type === 'number') {
                    // A number field refuses text in the UI; set it from script as a paste would, then fire input.
                    await field.evaluate((el, p) => { el.value = p; el.dispatchEvent(new Event('input', { bubbles: true })); }, payload);
                } else {
                    await field.fill(payload);
                    await field.press('ArrowDown').catch(() => {});
                    await field.press('Enter').catch(() => {});
                }
                await settle(page);
            }
            const id = await field.getAttribute('id');
            await assertClean(page, log, `view ${view}, field #${id}`);
        }
        // A file input (a dropped config.json or weight file), if the page has one: a hostile name and content.
        for (const input of await page.$$('input[type=file]')) {
            for (const payload of PAYLOADS.filter((p) => !p.includes('/'))) {
                const config = { model_type: payload, _name_or_path: payload, architectures: [payload], hidden_size: 64, num_hidden_layers: 2,
                                 num_attention_heads: 4, intermediate_size: 128, vocab_size: 100 };
                await input.setInputFiles({ name: `${payload}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(config)) });
                await settle(page);
            }
            await assertClean(page, log, `view ${view}, file input`);
        }
    }
    // Select elements only offer the page's own values; one forced to a hostile value changes nothing either.
    for (const id of ['quant', 'runtime', 'kv']) {
        await page.evaluate(({ sel, p }) => {
            const el = document.getElementById(sel);
            if (!el) return;
            el.append(new Option(p, p));
            el.value = p;
            el.dispatchEvent(new Event('change', { bubbles: true }));
        }, { sel: id, p: PAYLOADS[0] });
        await settle(page);
    }
    await assertClean(page, log, 'selects');
    assert.deepEqual(log.errors, []);
    await page.close();
});

test('the fit card (embed.html) renders hostile parameters as text', { skip: skip || (!embedBuilt && 'web/embed.html or web/engine/embed.js missing') }, async () => {
    const { page, log } = await watchedPage();
    for (const payload of PAYLOADS) {
        const params = new URLSearchParams();
        for (const k of URL_KEYS) params.set(k, payload);
        await page.goto(`${server.base}embed.html#${params}`);
        await page.waitForFunction(() => (document.querySelector('#card')?.textContent ?? '').trim().length > 0, null, { timeout: 20000 });
        await settle(page);
        await assertClean(page, log, `embed.html, all keys = ${payload}`);
        for (const href of await page.$$eval('a[href]', (as) => as.map((a) => a.href))) {
            assert.match(href, /^https?:\/\/127\.0\.0\.1:\d+\//, `embed link ${href}`);
        }
    }
    assert.deepEqual(log.errors, []);
    await page.close();
});

test('a host page cannot read or change the sandboxed fit card, and the card cannot reach its host', { skip: skip || (!embedBuilt && 'web/embed.html or web/engine/embed.js missing') }, async () => {
    const { page, log } = await watchedPage();
    // The host lives on another origin (another port) and embeds the card as the page's snippet does.
    const hostUrl = `${other.base}host-iframe.html`;
    const cardUrl = `${server.base}embed.html#model=llama-3.1-8b&hardware=nvidia-rtx-4090&quant=Q4_K_M`;
    hostHtml = `<!doctype html><title>host</title><p id="secret">host secret</p>
               <iframe id="card" src="${cardUrl}" width="400" height="200" sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"></iframe>`;
    await page.goto(hostUrl);
    const frame = await (await page.waitForSelector('#card')).contentFrame();
    await frame.waitForFunction(() => (document.querySelector('#card')?.textContent ?? '').length > 20, null, { timeout: 20000 });

    // The host tries to reach in.
    const fromHost = await page.evaluate(() => {
        const f = document.getElementById('card');
        const out = { contentDocument: f.contentDocument === null };
        try { out.windowDocument = Boolean(f.contentWindow.document); } catch (e) { out.windowDocument = e.name; }
        try { f.contentWindow.document.body.innerHTML = 'owned'; out.write = 'changed'; } catch (e) { out.write = e.name; }
        return out;
    });
    assert.deepEqual(fromHost, { contentDocument: true, windowDocument: 'SecurityError', write: 'SecurityError' });

    // The card tries to reach out (run inside the card's frame).
    const fromCard = await frame.evaluate(() => {
        const out = {};
        try { out.parentDocument = parent.document.getElementById('secret').textContent; } catch (e) { out.parentDocument = e.name; }
        try { parent.document.body.style.background = 'red'; out.parentStyle = 'changed'; } catch (e) { out.parentStyle = e.name; }
        try { out.topHref = top.location.href; } catch (e) { out.topHref = e.name; }
        try { out.cookie = document.cookie; } catch (e) { out.cookie = e.name; }
        try { out.storage = typeof localStorage.getItem('x'); } catch (e) { out.storage = e.name; }
        out.origin = window.origin;
        return out;
    });
    assert.deepEqual(fromCard, { parentDocument: 'SecurityError', parentStyle: 'SecurityError', topHref: 'SecurityError',
                                 cookie: 'SecurityError', storage: 'SecurityError', origin: 'null' });
    // Nor can it navigate the host (no allow-top-navigation).
    await frame.evaluate(() => { try { top.location = 'http://127.0.0.1:9/owned'; } catch { /* blocked */ } });
    await page.waitForTimeout(300);
    assert.equal(page.url(), hostUrl);
    assert.equal(await page.textContent('#secret'), 'host secret');
    assert.deepEqual(log.dialogs, []);
    await page.close();
});

test('<headroom-card>: hostile attributes render as text; host styles do not reach the card and card styles do not leak out', { skip: skip || (!cardBuilt && 'web/headroom-card.js missing') }, async () => {
    const { page, log } = await watchedPage();
    const hostUrl = `${server.base}__host-card.html`; // same origin: the component is a module beside the page
    const attrs = PAYLOADS.map((p, i) => `data-x${i}="${p.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`).join(' ');
    await page.route(hostUrl, (route) => route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>host</title>
               <style>
                 div, p, span, a, table { display: none !important; color: rgb(255, 0, 0) !important; }
                 .hr-wrap { background: rgb(0, 255, 0) !important; }
               </style>
               <p class="hr-wrap" id="host-el">host element named like the card's</p>
               <headroom-card id="good" model="llama-3.1-8b" hardware="nvidia-rtx-4090" quant="Q4_K_M"></headroom-card>
               <headroom-card id="bad" ${attrs}></headroom-card>
               <script type="module" src="headroom-card.js"></script>`,
    }));
    await page.goto(hostUrl);
    await page.waitForFunction(() => (document.querySelector('#good')?.shadowRoot?.textContent ?? '').length > 20, null, { timeout: 20000 });
    // Hostile values through every attribute, one at a time.
    for (const key of [...URL_KEYS, 'theme']) {
        for (const payload of PAYLOADS) {
            await page.evaluate(({ k, p }) => document.getElementById('bad').setAttribute(k, p), { k: key, p: payload });
        }
        await settle(page);
    }
    await settle(page);
    await assertClean(page, log, '<headroom-card> attributes');

    const styles = await page.evaluate(() => {
        const root = document.querySelector('#good').shadowRoot;
        const wrap = root.querySelector('.hr-wrap') ?? root.firstElementChild;
        const inner = [...root.querySelectorAll('div, p, span, a, table')];
        return {
            wrapBackground: getComputedStyle(wrap).backgroundColor,
            hiddenInside: inner.filter((el) => getComputedStyle(el).display === 'none').length,
            redInside: inner.filter((el) => getComputedStyle(el).color === 'rgb(255, 0, 0)').length,
            inner: inner.length,
            hostElementBackground: getComputedStyle(document.getElementById('host-el')).backgroundColor,
        };
    });
    assert.ok(styles.inner > 0, 'the card rendered nothing');
    assert.notEqual(styles.wrapBackground, 'rgb(0, 255, 0)', 'the host\'s .hr-wrap rule reached into the card');
    assert.equal(styles.hiddenInside, 0, 'the host\'s display:none reached into the card');
    assert.equal(styles.redInside, 0, 'the host\'s colour reached into the card');
    assert.equal(styles.hostElementBackground, 'rgb(0, 255, 0)', 'the card\'s stylesheet changed a host element');
    assert.deepEqual(log.errors, []);
    await page.close();
});

test('no request leaves 127.0.0.1 during a session that uses every feature', { skip }, async () => {
    const { page, log } = await watchedPage();
    // A service worker's fetches bypass page.route, so count what the context sees too.
    const contextRequests = [];
    const onRequest = (r) => contextRequests.push(r.url());
    browser.context.on('request', onRequest);
    await gotoReady(page, `${server.base}#model=llama-3.1-8b&hardware=nvidia-rtx-4090&quant=Q4_K_M`);
    await page.selectOption('#quant', 'Q8_0');
    await page.selectOption('#runtime', { index: 2 });
    await page.selectOption('#kv', { index: 1 });
    await page.fill('#count', '2');
    await page.fill('#context', '32768');
    await page.locator('input[name=mode]').nth(2).check();
    await page.fill('#model-input', 'qwen');
    await page.press('#model-input', 'ArrowDown');
    await page.press('#model-input', 'Enter');
    await page.fill('#hardware-input', '4090');
    await page.press('#hardware-input', 'ArrowDown');
    await page.press('#hardware-input', 'Enter');
    await page.click('#theme-toggle');
    for (const button of await page.$$('[data-copy-target]')) await button.click().catch(() => {});
    await page.click('#feel-replay').catch(() => {});
    for (const view of ['models-for-hardware', 'hardware-for-model', 'compare', 'report']) {
        await page.click(`nav.views a[data-view="${view}"]`);
        await settle(page);
        if (view !== 'report') await page.waitForTimeout(800); // ranked views run in a worker
    }
    await page.fill('#compare-input', 'a100').catch(() => {});
    // Whatever else the page offers (embed preview, PNG, accuracy, ...): every button and details once.
    for (const d of await page.$$('details')) await d.evaluate((el) => { el.open = true; });
    for (const b of await page.$$('button:visible')) await b.click({ timeout: 300 }).catch(() => {});
    await page.waitForTimeout(1500);
    browser.context.off('request', onRequest);
    const all = [...log.requests, ...contextRequests];
    assert.ok(all.length > 5, 'the session made almost no requests: did it run?');
    const outside = all.filter((u) => { const x = new URL(u); return !['data:', 'blob:'].includes(x.protocol) && x.hostname !== '127.0.0.1'; });
    assert.deepEqual(outside, []);
    assert.deepEqual(log.csp, []);
    assert.deepEqual(await injected(page), []);
    await page.close();
});

test('no CSP violation and no request beyond 127.0.0.1 in any page of this file', { skip }, () => {
    for (const log of sessions) {
        assert.deepEqual(log.csp, []);
        for (const u of log.requests) {
            const x = new URL(u);
            assert.ok(['data:', 'blob:'].includes(x.protocol) || x.hostname === '127.0.0.1', u);
        }
    }
});
