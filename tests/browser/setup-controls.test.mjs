// The advanced setup (issue #6) in headless Chromium: offload (-ngl /
// --n-cpu-moe), system RAM size and speed, mixed GPUs, split mode and
// concurrency. Every number the page shows is checked against the engine run
// in Node on the same request; the URL restores every control; links from
// before these controls existed give the report they gave then; engine
// validation errors land next to their control; script-bearing values in the
// new URL keys execute nothing. Run: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { waitForReport, engineBuilt, webRoot, useBrowser } from './harness.mjs';

const fmt = await import(path.join(webRoot, 'js/format.js'));
const { parseState, serializeState, toRequest } = await import(path.join(webRoot, 'js/state.js'));
const skip = engineBuilt() ? false : 'web/engine/ is missing: run scripts/build --wasm-only';

const env = useBrowser({ before, after });
const allErrors = env.errors;
const allRequests = env.requests;

async function open(hash) {
    const { page } = await env.open(hash);
    await waitForReport(page);
    return page;
}

const text = (page, sel) => page.locator(sel).first().textContent().then((t) => t.trim());
const BIG = '#model=llama-3.1-70b&hardware=nvidia-rtx-4090&count=1&quant=Q4_K_M&runtime=llama.cpp&context=&kv=f16&mode=balanced';
const BASE_REQUEST = { model: 'llama-3.1-70b', hardware: 'nvidia-rtx-4090', gpu_count: 1, quant: 'Q4_K_M', runtime: 'llama.cpp', kv_cache_type: 'f16', mode: 'balanced' };

/** Waits until the page's URL holds `part` and its report is for the request that URL makes. */
async function waitForState(page, part) {
    await page.waitForFunction((p) => location.hash.includes(p), part);
    await page.waitForTimeout(80); // the recompute is debounced (40 ms while typing)
}

/** The request the page's current URL makes (state.js), and the engine's report for it in Node. */
async function expectedFor(page) {
    const request = toRequest(parseState(new URL(page.url()).hash));
    return { request, report: env.engine.estimate(request) };
}

async function assertReportShown(page, report) {
    assert.equal(report.ok, true, JSON.stringify(report.error));
    assert.equal(await text(page, '#verdict'), fmt.verdictHeadline(report.fit.verdict));
    assert.equal(await text(page, '#grade-letter'), report.fit.grade);
    assert.equal(await text(page, '#fig-fit'), fmt.verdictShort(report.fit.verdict));
    const runs = report.fit.verdict !== 'no';
    assert.equal(await text(page, '#fig-decode'), runs ? fmt.rate(report.performance.decode_tokens_per_s) : '—');
    assert.equal(await text(page, '#fig-memory'), fmt.bytes(report.memory.device_bytes));
    assert.equal(await text(page, '#fig-context'), fmt.tokens(report.fit.safe_context_tokens));
    const commands = await page.locator('#commands code').allTextContents();
    if (report.commands.length) assert.deepEqual(commands, report.commands.map((c) => c.command));
}

/** The per-device table's rows: [{ device, label, holds, usable, over }]. */
function deviceRows(page) {
    return page.locator('#devices tbody tr').evaluateAll((rows) => rows.map((tr) => ({
        device: tr.dataset.device, label: tr.querySelector('th').textContent,
        holds: tr.querySelector('.pd-holds').textContent, usable: tr.querySelector('.pd-usable').textContent, over: tr.classList.contains('over'),
    })));
}

async function openAdvanced(page) {
    if (!(await page.evaluate(() => document.querySelector('#advanced').open))) await page.click('#advanced > summary');
}

test('URL keys: short, readable, written only when set; toRequest maps them to the contract\'s fields', () => {
    const full = `${BIG.replace('mode=balanced', 'mode=light-api')}&off=ngl-10&ram=96&rambw=120&split=layer&mix=nvidia-rtx-3060-12gb&conc=4`;
    assert.equal(serializeState(parseState(full)), full);
    assert.doesNotMatch(full, /%/);
    assert.deepEqual(toRequest(parseState(full)), {
        model: 'llama-3.1-70b', devices: ['nvidia-rtx-4090', 'nvidia-rtx-3060-12gb'], quant: 'Q4_K_M', runtime: 'llama.cpp',
        kv_cache_type: 'f16', mode: 'light-api', offload: { gpu_layers: 10 }, system_memory_gb: 96, system_bandwidth_gbs: 120,
        split: 'layer', concurrency: 4,
    });
    // Each offload form; count × the main card, then the mixed ones.
    const req = (extra) => toRequest(parseState(`${BIG}${extra}`));
    assert.equal(req('&off=auto').offload, 'auto');
    assert.deepEqual(req('&off=moe-20').offload, { cpu_moe_layers: 20 });
    assert.deepEqual(req('&off=moe-all').offload, { cpu_moe: true });
    assert.deepEqual(toRequest(parseState(`${BIG.replace('count=1', 'count=2')}&mix=nvidia-rtx-3060-12gb`)).devices, ['nvidia-rtx-4090', 'nvidia-rtx-4090', 'nvidia-rtx-3060-12gb']);
    // Controls that do not apply send nothing: offload on vLLM, split on one GPU, concurrency in balanced mode.
    const quiet = toRequest(parseState(`${BIG.replace('llama.cpp', 'vllm')}&off=ngl-10&split=tensor&conc=8`));
    for (const key of ['offload', 'split', 'concurrency']) assert.equal(key in quiet, false, key);
    // An old link has none of the new keys and makes exactly the request it made before them.
    const old = parseState('#model=qwen3-8b&hardware=nvidia-rtx-4090&quant=Q8_0');
    assert.deepEqual(toRequest(old), { model: 'qwen3-8b', hardware: 'nvidia-rtx-4090', gpu_count: 1, quant: 'Q8_0', runtime: 'llama.cpp', kv_cache_type: 'f16', mode: 'balanced' });
    assert.equal(serializeState(old), '#model=qwen3-8b&hardware=nvidia-rtx-4090&count=1&quant=Q8_0&runtime=llama.cpp&context=&kv=f16&mode=balanced');
});

test('GPU layers 10: verdict offload, "-ngl 10" in the command, numbers from the engine', { skip }, async () => {
    const page = await open(BIG);
    await openAdvanced(page);
    assert.equal(await page.isVisible('#offload'), true);
    await page.selectOption('#offload', 'ngl');
    await page.fill('#offload-n', '10');
    await waitForState(page, 'off=ngl-10');
    await page.waitForFunction(() => document.querySelector('#commands code')?.textContent.includes('-ngl 10'));
    const { request, report } = await expectedFor(page);
    assert.deepEqual(request, { ...BASE_REQUEST, offload: { gpu_layers: 10 } });
    assert.equal(report.fit.verdict, 'offload');
    assert.equal(report.offload.gpu_layers, 10);
    await assertReportShown(page, report);
    assert.equal(await text(page, '#verdict'), 'Only with offload');
    assert.match(await text(page, '#commands code'), /-ngl 10\b/);
    // The offload line names the layers and the flags chosen.
    const line = await text(page, '#offload-line');
    assert.ok(line.includes(`10 of ${report.offload.layers} layers`), line);
    assert.ok(line.includes('-ngl 10'), line);
    assert.ok(line.includes(fmt.bytes(report.memory.offloaded_bytes)), line);
    // Per-device rows: the GPU and system RAM, bytes as the engine placed them.
    const rows = await deviceRows(page);
    assert.deepEqual(rows.map((r) => r.holds), report.memory.per_device.map((d) => fmt.bytes(d.bytes)));
    assert.deepEqual(rows.map((r) => r.usable), report.memory.per_device.map((d) => fmt.bytes(d.usable_bytes)));
    assert.equal(rows.at(-1).device, 'cpu');
    assert.match(rows.at(-1).label, /System RAM/);
    // The RAM hint says what the engine assumed when the field is empty.
    const ramAssumption = report.assumptions.find((a) => /^system RAM/.test(a));
    assert.ok(ramAssumption);
    assert.ok((await text(page, '#ram-hint')).includes(ramAssumption));

    // Experts of N layers in RAM, on an MoE model: --n-cpu-moe.
    await page.evaluate(() => { location.hash = '#model=qwen3-30b-a3b&hardware=nvidia-rtx-3060-12gb&count=1&quant=Q4_K_M&runtime=llama.cpp&context=&kv=f16&mode=balanced&off=moe-all'; });
    await page.waitForFunction(() => document.querySelector('#commands code')?.textContent.includes('--n-cpu-moe'));
    const moe = (await expectedFor(page)).report;
    await assertReportShown(page, moe);
    assert.equal(await page.locator('#offload').inputValue(), 'moe-all');
    const moeLine = await text(page, '#offload-line');
    assert.ok(moeLine.includes(`--n-cpu-moe ${moe.offload.cpu_moe_layers}`), moeLine);
    assert.ok(moeLine.includes(`routed experts of ${moe.offload.cpu_moe_layers} of ${moe.offload.layers} layers`), moeLine);
    await page.close();
});

test('16 GB of system RAM: a large offload does not run, said plainly', { skip }, async () => {
    const page = await open(`${BIG}&off=ngl-10`);
    await openAdvanced(page);
    await page.fill('#ram', '16');
    await waitForState(page, 'ram=16');
    await page.waitForFunction(() => document.querySelector('#verdict').textContent === 'No');
    const { request, report } = await expectedFor(page);
    assert.deepEqual(request, { ...BASE_REQUEST, offload: { gpu_layers: 10 }, system_memory_gb: 16 });
    assert.equal(report.fit.verdict, 'no');
    await assertReportShown(page, report);
    const cpu = report.memory.per_device.find((d) => d.device === 'cpu');
    assert.ok(cpu.bytes > cpu.usable_bytes);
    const summary = await text(page, '#summary');
    assert.match(summary, /^Does not run: system RAM is too small\./);
    assert.ok(summary.includes(fmt.bytes(cpu.bytes)) && summary.includes(fmt.bytes(cpu.usable_bytes)), summary);
    assert.equal(await text(page, '#fig-decode-sub'), 'does not run');
    const rows = await deviceRows(page);
    assert.deepEqual(rows.map((r) => r.over), report.memory.per_device.map((d) => d.bytes > d.usable_bytes), JSON.stringify(rows));
    const ram = rows.find((r) => r.device === 'cpu');
    assert.equal(ram.over, true);
    assert.match(ram.holds, /too much/);
    assert.equal(rows.find((r) => r.device !== 'cpu').over, false);
    // The RAM size is now given: the hint no longer quotes the assumed size.
    assert.doesNotMatch(await text(page, '#ram-hint'), /assumed \d+ GiB/);
    await page.close();
});

test('mixed RTX 4090 + RTX 3060 12GB: two GPU rows with the engine\'s bytes; split mode appears', { skip }, async () => {
    const page = await open(BIG);
    await openAdvanced(page);
    assert.equal(await page.isVisible('#split'), false, 'one GPU: no split mode');
    await page.click('#mix-add');
    await page.waitForSelector('#mix-input-0');
    await page.fill('#mix-input-0', 'rtx 3060 12gb');
    await page.waitForSelector('#mix-list-0 [role=option]');
    await page.press('#mix-input-0', 'Enter');
    await waitForState(page, 'mix=nvidia-rtx-3060-12gb');
    await page.waitForFunction(() => document.querySelector('#question').textContent.includes('3060'));
    const { request, report } = await expectedFor(page);
    assert.deepEqual(request, { model: 'llama-3.1-70b', devices: ['nvidia-rtx-4090', 'nvidia-rtx-3060-12gb'], quant: 'Q4_K_M', runtime: 'llama.cpp', kv_cache_type: 'f16', mode: 'balanced' });
    await assertReportShown(page, report);
    assert.equal(await text(page, '#question'), `Can ${report.model.name} run on ${report.hardware.name}?`);
    const gpus = report.memory.per_device.filter((d) => d.device !== 'cpu');
    assert.equal(gpus.length, 2);
    const rows = (await deviceRows(page)).filter((r) => r.device !== 'cpu');
    assert.equal(rows.length, 2);
    assert.deepEqual(rows.map((r) => r.holds), gpus.map((d) => fmt.bytes(d.bytes)));
    assert.deepEqual(rows.map((r) => r.usable), gpus.map((d) => fmt.bytes(d.usable_bytes)));
    assert.match(rows[0].label, /^GPU 0 · .*4090/);
    assert.match(rows[1].label, /^GPU 1 · .*3060 12GB/);
    assert.equal(await page.locator('#mix-input-0').inputValue(), 'NVIDIA GeForce RTX 3060 12GB');

    // Split mode applies now; tensor split goes to the env.engine.
    assert.equal(await page.isVisible('#split'), true);
    await page.selectOption('#split', 'tensor');
    await waitForState(page, 'split=tensor');
    const tensor = await expectedFor(page);
    assert.equal(tensor.request.split, 'tensor');
    await assertReportShown(page, tensor.report);

    // Two of the main card plus the 3060.
    await page.fill('#count', '2');
    await waitForState(page, 'count=2');
    await page.waitForFunction(() => document.querySelector('#question').textContent.includes('2 ×'));
    const three = await expectedFor(page);
    assert.deepEqual(three.request.devices, ['nvidia-rtx-4090', 'nvidia-rtx-4090', 'nvidia-rtx-3060-12gb']);
    await assertReportShown(page, three.report);
    assert.equal((await deviceRows(page)).filter((r) => r.device !== 'cpu').length, 3);

    // Removing the mixed card goes back to hardware × count.
    await page.click('#mix-rows .remove');
    await page.waitForFunction(() => !location.hash.includes('mix='));
    await page.waitForTimeout(80);
    const back = await expectedFor(page);
    assert.equal(back.request.hardware, 'nvidia-rtx-4090');
    assert.equal(back.request.gpu_count, 2);
    await assertReportShown(page, back.report);
    await page.close();
});

test('"models that run on" a mixed setup ranks for the devices list', { skip }, async () => {
    const { rankRequest } = await import(path.join(webRoot, 'js/rank-view.js'));
    const hash = `${BIG.replace('#', '#view=models-for-hardware&')}&mix=nvidia-rtx-3060-12gb`;
    const state = parseState(hash);
    const request = rankRequest('models-for-hardware', state);
    assert.deepEqual(request.devices, ['nvidia-rtx-4090', 'nvidia-rtx-3060-12gb']);
    const expected = env.engine.rankForHardware(request);
    assert.equal(expected.ok, true, JSON.stringify(expected.error));
    // 24 + 12 GB: what runs resident includes setups neither card holds alone.
    assert.ok(expected.items.every((it) => it.count === 2));
    const { page } = await env.open(hash);
    await page.waitForFunction(() => / that run\./.test(document.querySelector('#rank-status')?.textContent ?? ''));
    assert.match(await text(page, '#rank-title'), /^Models that run on NVIDIA GeForce RTX 4090 \+ NVIDIA GeForce RTX 3060 12GB$/);
    assert.equal(await page.locator('#rank-table tbody tr').count(), expected.items.length);
    await page.close();
});

test('engine validation errors appear next to the advanced control they name', { skip }, async () => {
    const page = await open(`${BIG}&mode=light-api`.replace('&mode=balanced', ''));
    await openAdvanced(page);
    const cases = [
        ['#ram', '-1', '#err-ram', /system_memory_gb/],
        ['#rambw', '-5', '#err-rambw', /system_bandwidth_gbs/],
        ['#conc', '0', '#err-conc', /concurrency/],
    ];
    for (const [control, value, error, message] of cases) {
        await page.fill(control, value);
        await page.waitForSelector(`${error}:not([hidden])`);
        assert.match(await text(page, error), message);
        assert.equal(await page.getAttribute(control, 'aria-invalid'), 'true');
        assert.equal(await text(page, '#verdict'), 'Cannot estimate this setup');
        await page.fill(control, '');
        await page.waitForFunction((sel) => document.querySelector(sel).hidden, error);
    }
    // A layer count the engine refuses, next to the offload control.
    await page.selectOption('#offload', 'ngl');
    await page.fill('#offload-n', '-3');
    await page.waitForSelector('#err-offload:not([hidden])');
    assert.match(await text(page, '#err-offload'), /offload\.gpu_layers/);
    assert.equal(await page.getAttribute('#offload-n', 'aria-invalid'), 'true');
    await page.selectOption('#offload', '');
    await page.waitForFunction(() => document.querySelector('#err-offload').hidden);
    // A mixed card the catalog lacks, next to its own row; mixing vendors, next to the list.
    await page.click('#mix-add');
    await page.fill('#mix-input-0', 'zzzz no such gpu');
    await page.press('#mix-input-0', 'Enter');
    await page.waitForSelector('#err-mix-0:not([hidden])');
    assert.match(await text(page, '#err-mix-0'), /not in the catalog/);
    assert.equal(await page.getAttribute('#mix-input-0', 'aria-invalid'), 'true');
    await page.fill('#mix-input-0', 'apple m4 max 128');
    await page.waitForSelector('#mix-list-0 [role=option]');
    await page.press('#mix-input-0', 'Enter');
    await page.waitForSelector('#err-mix:not([hidden])');
    assert.match(await text(page, '#err-mix'), /mix|unified/);
    await page.close();
});

test('the URL restores every advanced control; an old link gives the report it gave before', { skip }, async () => {
    const full = `${BIG.replace('mode=balanced', 'mode=light-api')}&off=ngl-10&ram=96&rambw=120&split=layer&mix=nvidia-rtx-3060-12gb&conc=4`;
    const page = await open(full);
    assert.equal(new URL(page.url()).hash, full, 'the URL is kept as given');
    assert.equal(await page.evaluate(() => document.querySelector('#advanced').open), true, 'a link with advanced settings opens them');
    assert.equal(await page.locator('#offload').inputValue(), 'ngl');
    assert.equal(await page.locator('#offload-n').inputValue(), '10');
    assert.equal(await page.locator('#ram').inputValue(), '96');
    assert.equal(await page.locator('#rambw').inputValue(), '120');
    assert.equal(await page.locator('#split').inputValue(), 'layer');
    assert.equal(await page.locator('#conc').inputValue(), '4');
    assert.equal(await page.locator('#mix-input-0').inputValue(), 'NVIDIA GeForce RTX 3060 12GB');
    for (const sel of ['#offload', '#split', '#conc', '#mix-input-0']) assert.equal(await page.isVisible(sel), true, sel);
    const report = env.engine.estimate({ model: 'llama-3.1-70b', devices: ['nvidia-rtx-4090', 'nvidia-rtx-3060-12gb'], quant: 'Q4_K_M', runtime: 'llama.cpp',
                                      kv_cache_type: 'f16', mode: 'light-api', offload: { gpu_layers: 10 }, system_memory_gb: 96,
                                      system_bandwidth_gbs: 120, split: 'layer', concurrency: 4 });
    await assertReportShown(page, report);
    assert.equal(await text(page, '#engine-meta'), `Headroom engine ${report.engine_version}, mode light-api, 4 parallel sequences.`);
    assert.equal(await page.locator('#share-url').inputValue(), page.url());
    // The fit card of the same link computes the same request.
    await page.goto(`${env.server.base}embed.html${full}`);
    await page.waitForSelector('.hr-card[data-state="ready"]', { timeout: 30000 });
    assert.equal(await text(page, '.hr-fig-decode .hr-value'), fmt.rate(report.performance.decode_tokens_per_s));

    // Old links, from before these keys: the same report as before (no new field in the request).
    for (const [hash, request] of [
        ['#model=qwen3-8b&hardware=nvidia-rtx-4090&quant=Q8_0', { model: 'qwen3-8b', hardware: 'nvidia-rtx-4090', gpu_count: 1, quant: 'Q8_0', runtime: 'llama.cpp', kv_cache_type: 'f16', mode: 'balanced' }],
        ['#model=llama-3.1-70b&hardware=nvidia-rtx-4090&quant=Q4_K_M&count=1', BASE_REQUEST],
    ]) {
        await page.goto('about:blank');
        await page.goto(env.server.base + hash);
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
        await waitForReport(page);
        const old = env.engine.estimate(request);
        await assertReportShown(page, old);
        assert.doesNotMatch(new URL(page.url()).hash, /off=|ram=|rambw=|split=|mix=|conc=/);
        assert.equal(await page.evaluate(() => document.querySelector('#advanced').open), false);
        assert.equal(await page.locator('#offload').inputValue(), '');
        assert.equal(await page.locator('#ram').inputValue(), '');
        assert.equal(await page.locator('#mix-rows li').count(), 0);
        // Per-device memory shows only for several devices or offload.
        assert.equal(await page.isVisible('#per-device'), old.memory.offloaded_bytes > 0);
    }
    await page.close();
});

// Each payload sets window.__pwned (and calls alert) if it ever runs.
const PAYLOADS = [
    '<img src=x onerror=window.__pwned=1;alert(1)>',
    '"><script>window.__pwned=2;alert(2)</script>',
    "'><svg onload=window.__pwned=3>",
    'javascript:window.__pwned=4;alert(4)',
    'ngl-<img src=x onerror=window.__pwned=5>',
];
const NEW_KEYS = ['off', 'ram', 'rambw', 'split', 'mix', 'conc'];

async function injected(page) {
    return page.evaluate(() => {
        const out = [];
        for (const el of document.querySelectorAll('*')) {
            const tag = el.tagName.toLowerCase();
            if (tag === 'script' && !el.src) out.push('inline <script>');
            if (tag === 'img' && el.getAttribute('src') === 'x') out.push('<img src=x>');
            if (tag === 'svg' && el.hasAttribute('onload')) out.push('<svg onload>');
            for (const a of el.attributes) {
                if (/^on/i.test(a.name)) out.push(`<${tag} ${a.name}>`);
                if (/^(href|src)$/i.test(a.name) && /^\s*javascript:/i.test(a.value)) out.push(`<${tag} ${a.name}=javascript:>`);
            }
        }
        if (window.__pwned !== undefined) out.push(`__pwned=${window.__pwned}`);
        return out;
    });
}

test('script-bearing values in the new URL keys and fields execute nothing', { skip }, async () => {
    const { page } = await env.open(null);
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    for (const payload of PAYLOADS) {
        // All new keys at once (serving mode and two GPUs, so every control applies)...
        const params = new URLSearchParams({ model: 'qwen3-8b', hardware: 'nvidia-rtx-4090', count: '2', mode: 'scale-out' });
        for (const k of NEW_KEYS) params.set(k, payload);
        await page.goto(`${env.server.base}#${params}`);
        await page.waitForSelector('body.ready', { state: 'attached', timeout: 30000 });
        await page.waitForTimeout(80);
        assert.deepEqual(await injected(page), [], `all new keys = ${payload}`);
        assert.equal(await page.isVisible('#global-error') || await page.locator('.field-error:not([hidden])').count() > 0, true, 'the bad values are reported');
        // ... and one at a time through hashchange.
        for (const k of NEW_KEYS) {
            const one = new URLSearchParams({ model: 'qwen3-8b', hardware: 'nvidia-rtx-4090', count: '2', mode: 'scale-out', [k]: payload });
            await page.evaluate((h) => { location.hash = h; }, `#${one}`);
            await page.waitForTimeout(60);
            assert.deepEqual(await injected(page), [], `${k} = ${payload}`);
        }
    }
    // Typed into the advanced fields.
    await page.evaluate(() => { location.hash = '#model=qwen3-8b&hardware=nvidia-rtx-4090&count=2&mode=scale-out'; });
    await waitForReport(page);
    await openAdvanced(page);
    await page.click('#mix-add');
    for (const payload of PAYLOADS) {
        await page.fill('#mix-input-0', payload);
        await page.press('#mix-input-0', 'Enter');
        for (const sel of ['#offload-n', '#ram', '#rambw', '#conc']) {
            await page.locator(sel).evaluate((el, p) => { el.value = p; el.dispatchEvent(new Event('input', { bubbles: true })); }, payload);
        }
        await page.waitForTimeout(80);
        assert.deepEqual(await injected(page), [], `typed ${payload}`);
    }
    // The mixed row shows the raw text as text, with the engine's error beside it.
    assert.equal(await page.locator('#mix-input-0').inputValue(), PAYLOADS.at(-1));
    assert.deepEqual(dialogs, []);
    await page.close();
});

test('setup pages: no console errors and no request beyond 127.0.0.1', { skip }, () => {
    assert.deepEqual(allErrors.flat(), []);
    for (const u of allRequests.flat()) assert.ok(['data:', 'blob:'].includes(u.protocol) || u.hostname === '127.0.0.1', u.href);
});
