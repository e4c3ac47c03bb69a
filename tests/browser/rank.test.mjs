// The ranked views' filters in headless Chromium: "models for this hardware"
// (family, size, MoE/dense, context needed, workload) and "hardware for this
// model" (GPU count and price columns, vendor, max price, max GPUs, and the
// "cheapest setup with grade ≥ X for workload W" line). Each filter is checked
// against the engine's own items (the same ranking, in Node): the rows left are
// exactly the items that satisfy it. Filters and sort live in the URL and a
// link restores them; old links without them still work; and no filter or sort
// asks the engine (the ranking worker) again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { gotoReady, engineBuilt, webRoot, useBrowser } from './harness.mjs';

const fmt = await import(path.join(webRoot, 'js/format.js'));
const { parseState, serializeState, DEFAULTS } = await import(path.join(webRoot, 'js/state.js'));
const skip = engineBuilt() ? false : 'web/engine/ is missing: run scripts/build --wasm-only';

const HW = 'nvidia-rtx-4090';
const MODEL = 'llama-3.3-70b-instruct';
// The requests the page makes for its default settings (quant Q4_K_M, llama.cpp, f16, balanced).
const MODELS_REQUEST = { hardware: HW, gpu_count: 1, runtime: 'llama.cpp', kv_cache_type: 'f16', mode: 'balanced' };
const HARDWARE_REQUEST = { model: MODEL, quant: 'Q4_K_M', runtime: 'llama.cpp', kv_cache_type: 'f16', mode: 'balanced' };
const GRADE_RANK = { A: 4, B: 3, C: 2, D: 1, F: 0 };

let models;   // engine.rankForHardware(MODELS_REQUEST).items
let setups;   // engine.rankForModel(HARDWARE_REQUEST).items
const env = useBrowser({
    before, after,
    ready: ({ engine }) => {
        models = engine.rankForHardware(MODELS_REQUEST).items;
        setups = engine.rankForModel(HARDWARE_REQUEST).items;
    },
});
const errors = env.errors;

/** Opens hash with the ranking worker's postMessage counted (window.__rankPosts). */
async function open(hash) {
    const opened = await env.open(null);
    await opened.page.addInitScript(() => {
        window.__rankPosts = 0;
        const post = Worker.prototype.postMessage;
        Worker.prototype.postMessage = function (...args) {
            window.__rankPosts += 1;
            return post.apply(this, args);
        };
    });
    await gotoReady(opened.page, env.server.base + hash);
    await opened.page.waitForSelector('#rank-table tbody tr', { timeout: 60000 });
    return opened.page;
}

const key = (it) => `${it.model}|${it.hardware}|${it.count}`;
/** The rows shown, as model|hardware|count, in table order. */
const rows = (page) => page.locator('#rank-table tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.dataset.model}|${tr.dataset.hardware}|${tr.dataset.count}`));
const sorted = (xs) => [...xs].sort();
const posts = (page) => page.evaluate(() => window.__rankPosts);
const hashParams = (page) => new URLSearchParams(new URL(page.url()).hash.slice(1));
const text = (page, sel) => page.locator(sel).first().textContent().then((t) => t.trim());

/** Sets a control as a person would (the table re-renders in the control's event handler). */
async function set(page, selector, value) {
    const tag = await page.locator(selector).evaluate((el) => el.tagName);
    if (tag === 'SELECT') await page.selectOption(selector, value);
    else await page.fill(selector, value);
}

async function assertRows(page, expected, what) {
    const shown = await rows(page);
    assert.ok(expected.length > 0, `${what}: the catalog has items to show`);
    assert.deepEqual(sorted(shown), sorted(expected.map(key)), what);
}

test('URL state: filter keys are short, only in their view, and old links mean "no filter"', () => {
    // A link from before the filters existed: every filter empty, the view as before.
    const old = parseState(`#model=${MODEL}&hardware=${HW}&quant=Q4_K_M&view=hardware-for-model`);
    for (const k of ['q', 'sort', 'wl', 'fam', 'size', 'arch', 'need', 'vendor', 'price', 'gpus', 'grade']) assert.equal(old[k], '', k);
    assert.equal(old.view, 'hardware-for-model');
    // Round trip, readable: no escapes for ids, numbers and simple names.
    const hw = `#model=${MODEL}&hardware=${HW}&count=1&quant=Q4_K_M&runtime=llama.cpp&context=&kv=f16&mode=balanced&view=hardware-for-model&wl=coding&vendor=nvidia&price=3000&gpus=2&grade=A&sort=-price`;
    assert.equal(serializeState(parseState(hw)), hw);
    const mh = `#model=${MODEL}&hardware=${HW}&count=1&quant=Q4_K_M&runtime=llama.cpp&context=&kv=f16&mode=balanced&view=models-for-hardware&wl=agentic-coding&fam=Qwen3&size=8-70&arch=moe&need=32k&q=coder&sort=decode`;
    assert.equal(serializeState(parseState(mh)), mh);
    // Another view's keys, and any filter in the report view, are left out of the link.
    assert.equal(serializeState({ ...parseState(mh), view: 'hardware-for-model' }).includes('fam='), false);
    assert.equal(serializeState({ ...parseState(hw), view: 'report' }), serializeState({ ...DEFAULTS, model: MODEL, hardware: HW }));
});

test('rank-filter.js: sizes, token counts, cheapest with ties, unknown values ignored', async () => {
    const rf = await import(path.join(webRoot, 'js/rank-filter.js'));
    assert.deepEqual(rf.parseSize('8-70'), { min: 8e9, max: 70e9 });
    assert.deepEqual(rf.parseSize('0.5-'), { min: 0.5e9, max: null });
    assert.deepEqual(rf.parseSize('-70'), { min: null, max: 70e9 });
    assert.deepEqual(rf.parseSize('<b>'), { min: null, max: null });
    assert.equal(rf.formatSize('8', ''), '8-');
    assert.equal(rf.formatSize('', ''), '');
    assert.deepEqual(['8k', '32K', '128k', '4096', '1m', 'lots', ''].map(rf.parseTokens), [8192, 32768, 131072, 4096, 1048576, 0, 0]);
    const f = rf.readFilters('hardware-for-model', { ...DEFAULTS, price: 'cheap', gpus: '0', grade: 'Z', wl: 'nope' });
    assert.deepEqual([f.price, f.gpus, f.grade, f.wl], [null, null, 'B', null], 'unreadable values are no filter');
    const it = (hardware, count, price, grade, score, coding = grade) => ({
        model: 'm', hardware, hardware_name: hardware, count, price_usd: price, grade, score, verdict: 'fits', decode_tokens_per_s: 10,
        workloads: { coding: { grade: coding, score } },
    });
    const items = rf.rankItems('hardware-for-model', [
        it('a', 1, null, 'A', 90), it('b', 2, 1000, 'B', 70), it('c', 1, 1000, 'B', 72), it('d', 1, 500, 'C', 50, 'B'), it('e', 4, 800, 'F', 10),
    ]);
    assert.equal(rf.cheapest(items, null, 'B').hardware, 'c', 'same price: the better score');
    assert.equal(rf.cheapest(items, rf.workload('coding'), 'B').hardware, 'd', 'by the workload\'s grade');
    assert.equal(rf.cheapest(items, null, 'A'), null, 'the only A has no price');
    assert.deepEqual(rf.parseSort('-price'), { key: 'price', dir: -1 });
    assert.deepEqual(rf.parseSort('<script>'), { key: 'rank', dir: 1 });
});

test('models for a device: family, size, MoE/dense, context and workload filters leave exactly the matching models', { skip }, async () => {
    const page = await open(`#hardware=${HW}&view=models-for-hardware`);
    await assertRows(page, models, 'no filter: every model the engine ranked');
    assert.equal(await text(page, '#rank-table tbody tr th a'), models[0].model_name);
    assert.equal(await page.isHidden('#rank-answer'), true, 'the cheapest line is for the hardware view');
    const postsBefore = await posts(page);
    assert.equal(postsBefore, 1, 'one ranking for the view');

    // MoE only: each row's model is an MoE model, and every MoE model is there.
    await set(page, '#rank-arch', 'moe');
    await assertRows(page, models.filter((m) => m.moe), 'MoE only');
    const params = await page.locator('#rank-table tbody tr td:nth-child(3)').allTextContents();
    assert.ok(params.every((p) => /active/.test(p)), `MoE rows show active parameters: ${params.join(', ')}`);
    await set(page, '#rank-arch', 'dense');
    await assertRows(page, models.filter((m) => !m.moe), 'dense only');
    await set(page, '#rank-arch', '');

    // A family from the list (the one with the most models that run here).
    const counts = new Map();
    for (const m of models) counts.set(m.family, (counts.get(m.family) ?? 0) + 1);
    const family = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const options = await page.locator('#rank-family option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(sorted(options.filter(Boolean)), sorted([...counts.keys()]), 'families come from the ranking');
    await set(page, '#rank-family', family);
    await assertRows(page, models.filter((m) => m.family === family), `family ${family}`);
    await set(page, '#rank-family', '');

    // Size range in billions: both ends inclusive.
    await set(page, '#rank-size-min', '7');
    await set(page, '#rank-size-max', '14');
    await assertRows(page, models.filter((m) => m.params_total >= 7e9 && m.params_total <= 14e9), '7B to 14B');
    assert.equal(hashParams(page).get('size'), '7-14');
    await set(page, '#rank-size-max', '');
    await assertRows(page, models.filter((m) => m.params_total >= 7e9), 'at least 7B');

    // Context needed: the safe context the engine found is at least that.
    await set(page, '#rank-need', '32k');
    await assertRows(page, models.filter((m) => m.params_total >= 7e9 && m.safe_context_tokens >= 32768), '≥ 7B and ≥ 32K context');
    await set(page, '#rank-size-min', '');
    await set(page, '#rank-need', '128k');
    await assertRows(page, models.filter((m) => m.safe_context_tokens >= 131072), '≥ 128K context');
    await set(page, '#rank-need', '');

    // Workload: the grade column shows that workload's grade, and the order is the engine's rule on it:
    // grade B or better first, largest first; then the rest by score.
    await set(page, '#rank-workload', 'coding');
    const shown = await rows(page);
    assert.deepEqual(sorted(shown), sorted(models.map(key)), 'a workload ranks, it does not filter');
    const byKey = new Map(models.map((m) => [key(m), m]));
    const coding = shown.map((k) => byKey.get(k).workloads.coding);
    const good = coding.map((w) => GRADE_RANK[w.grade] >= GRADE_RANK.B);
    assert.equal(good.indexOf(false) === -1 ? good.length : good.indexOf(false), good.filter(Boolean).length, 'grade B or better first');
    const goodParams = shown.filter((_, i) => good[i]).map((k) => byKey.get(k).params_total);
    assert.deepEqual(goodParams, [...goodParams].sort((a, b) => b - a), 'largest first among B or better');
    const restScores = coding.filter((_, i) => !good[i]).map((w) => w.score);
    assert.deepEqual(restScores, [...restScores].sort((a, b) => b - a), 'then by coding score');
    const letters = await page.locator('#rank-table tbody tr .badge-letter').allTextContents();
    assert.deepEqual(letters, coding.map((w) => w.grade), 'the grade column is the coding grade');
    assert.match(await text(page, '#rank-table thead button[data-sort-key="score"]'), /Coding/);

    // Filters combine, and all of it went into the URL.
    await set(page, '#rank-arch', 'dense');
    await set(page, '#rank-need', '8k');
    await set(page, '#rank-filter', 'qwen');
    const combined = models.filter((m) => !m.moe && m.safe_context_tokens >= 8192 && /qwen/i.test(`${m.model_name} ${m.model} ${m.quant}`));
    await assertRows(page, combined, 'dense, ≥ 8K, "qwen"');
    await page.click('#rank-table thead button[data-sort-key="decode"]');
    const p = hashParams(page);
    assert.deepEqual([p.get('arch'), p.get('need'), p.get('wl'), p.get('q'), p.get('sort'), p.get('view')], ['dense', '8k', 'coding', 'qwen', '-decode', 'models-for-hardware']);
    const decodes = combined.map((m) => m.decode_tokens_per_s).sort((a, b) => b - a).map(fmt.rate);
    assert.deepEqual(await page.locator('#rank-table tbody tr td:nth-child(7)').allTextContents(), decodes, 'sorted by decode, fastest first');
    assert.equal(await posts(page), postsBefore, 'filters and sort did not ask the engine again');

    // The link restores the same table and controls, in a fresh page.
    const url = page.url();
    const again = await open(new URL(url).hash);
    assert.equal(await again.locator('#rank-arch').inputValue(), 'dense');
    assert.equal(await again.locator('#rank-need').inputValue(), '8k');
    assert.equal(await again.locator('#rank-workload').inputValue(), 'coding');
    assert.equal(await again.locator('#rank-filter').inputValue(), 'qwen');
    assert.equal(await again.getAttribute('#rank-table thead th:nth-child(7)', 'aria-sort'), 'descending');
    assert.deepEqual(await rows(again), await rows(page));
    // Back walks through the filter changes: the previous state (before the sort) comes back from the cache.
    await page.goBack();
    await page.waitForFunction(() => !location.hash.includes('sort='));
    await page.waitForFunction(() => document.querySelector('#rank-table thead th:first-child').getAttribute('aria-sort') === 'ascending');
    assert.equal(await posts(page), postsBefore, 'history did not rank again');
    await again.close();
    await page.close();
});

test('hardware for a model: GPU count and price, vendor / price / GPU filters, and the cheapest setup line', { skip }, async () => {
    const page = await open(`#model=${MODEL}&view=hardware-for-model`);
    await assertRows(page, setups, 'no filter: every setup the engine ranked');
    const postsBefore = await posts(page);

    // Multi-GPU setups are named with their count, and priced for the whole setup.
    const multi = setups.find((s) => s.count > 1 && s.price_usd != null);
    assert.ok(multi, 'a priced multi-GPU setup in the ranking');
    const row = page.locator(`#rank-table tbody tr[data-hardware="${multi.hardware}"][data-count="${multi.count}"]`);
    assert.equal(await text(row, 'th'), `${multi.count} × ${multi.hardware_name}`);
    const heads = await page.locator('#rank-table thead th').allTextContents();
    const col = (name) => heads.findIndex((h) => h.startsWith(name)) + 1;
    assert.equal(await text(row, `td:nth-child(${col('GPUs')})`), String(multi.count));
    assert.equal(await text(row, `td:nth-child(${col('Price')})`), fmt.usd(multi.price_usd));

    // The cheapest line, no filters: grade B or better overall, least price among those with a known price.
    const ok = (s, grade = 'B', wl = null) => s.price_usd != null && GRADE_RANK[wl ? s.workloads[wl].grade : s.grade] >= GRADE_RANK[grade];
    const assertCheapest = async (pool, grade, wl, what) => {
        const candidates = pool.filter((s) => ok(s, grade, wl));
        const answer = page.locator('#rank-answer');
        if (!candidates.length) {
            assert.equal(await answer.getAttribute('data-found'), 'no', what);
            return null;
        }
        const least = Math.min(...candidates.map((s) => s.price_usd));
        const hw = await answer.getAttribute('data-hardware');
        const count = Number(await answer.getAttribute('data-count'));
        const named = candidates.find((s) => s.hardware === hw && s.count === count);
        assert.ok(named, `${what}: the named setup (${count} × ${hw}) qualifies`);
        assert.equal(named.price_usd, least, `${what}: no qualifying setup is cheaper`);
        const line = await text(page, '#rank-answer');
        assert.ok(line.startsWith(`Cheapest setup with grade ${grade}${grade === 'A' ? '' : ' or better'} ${wl ? `for ${wl}` : 'in balanced mode'}: `), line);
        assert.ok(line.includes(`${count > 1 ? `${count} × ` : ''}${named.hardware_name}, ${fmt.usd(least)}`), line);
        return named;
    };
    await assertCheapest(setups, 'B', null, 'grade B overall');

    // Price: only setups with a known price at most that.
    await set(page, '#rank-price', '3000');
    const cheap = setups.filter((s) => s.price_usd != null && s.price_usd <= 3000);
    await assertRows(page, cheap, 'price ≤ $3,000');
    await assertCheapest(cheap, 'B', null, 'grade B overall, ≤ $3,000');
    // Max GPUs and vendor.
    await set(page, '#rank-price', '');
    await set(page, '#rank-gpus', '2');
    await assertRows(page, setups.filter((s) => s.count <= 2), '≤ 2 GPUs');
    await set(page, '#rank-vendor', 'nvidia');
    const nvidia2 = setups.filter((s) => s.count <= 2 && s.vendor === 'nvidia');
    await assertRows(page, nvidia2, 'NVIDIA, ≤ 2 GPUs');
    const vendors = await page.locator('#rank-vendor option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    assert.deepEqual(sorted(vendors), sorted([...new Set(setups.map((s) => s.vendor))]), 'vendors come from the ranking');

    // Workload and grade: the cheapest line follows both.
    await set(page, '#rank-gpus', '');
    await set(page, '#rank-vendor', '');
    await set(page, '#rank-workload', 'coding');
    await assertCheapest(setups, 'B', 'coding', 'grade B for coding');
    await set(page, '#rank-grade', 'A');
    await assertCheapest(setups, 'A', 'coding', 'grade A for coding');
    await set(page, '#rank-grade', 'C');
    await assertCheapest(setups, 'C', 'coding', 'grade C for coding');

    // Sort by price, cheapest first; unknown prices last.
    await set(page, '#rank-gpus', '4');
    await page.click('#rank-table thead button[data-sort-key="price"]'); // descending first
    await page.click('#rank-table thead button[data-sort-key="price"]'); // then ascending
    const prices = await page.locator(`#rank-table tbody tr td:nth-child(${col('Price')})`).allTextContents();
    const known = prices.filter((x) => x !== '—').map((x) => Number(x.replace(/[$,]/g, '')));
    assert.deepEqual(known, [...known].sort((a, b) => a - b), 'ascending price');
    assert.ok(prices.slice(known.length).every((x) => x === '—'), 'unknown prices last');
    assert.equal(await posts(page), postsBefore, 'filters and sort did not ask the engine again');
    const p = hashParams(page);
    assert.deepEqual([p.get('wl'), p.get('grade'), p.get('gpus'), p.get('sort')], ['coding', 'C', '4', 'price']);

    // A link with every hardware filter restores them (fresh page).
    const hash = `#model=${MODEL}&view=hardware-for-model&wl=chat&vendor=nvidia&price=5000&gpus=2&grade=A&sort=-price`;
    const again = await open(hash);
    assert.deepEqual(await Promise.all(['#rank-workload', '#rank-vendor', '#rank-price', '#rank-gpus', '#rank-grade'].map((s) => again.locator(s).inputValue())),
        ['chat', 'nvidia', '5000', '2', 'A']);
    const expected = setups.filter((s) => s.vendor === 'nvidia' && s.price_usd != null && s.price_usd <= 5000 && s.count <= 2);
    assert.deepEqual(sorted(await rows(again)), sorted(expected.map(key)));
    const shownPrices = await again.locator(`#rank-table tbody tr td:nth-child(${col('Price')})`).allTextContents();
    assert.deepEqual(shownPrices, expected.map((s) => s.price_usd).sort((a, b) => b - a).map(fmt.usd), 'most expensive first');
    await again.close();
    await page.close();
});

test('old ranked-view links (no filter keys) still open the whole ranking, and filters stay out of other views', { skip }, async () => {
    const page = await open(`#model=${MODEL}&hardware=${HW}&quant=Q4_K_M&view=hardware-for-model`);
    await assertRows(page, setups, 'the whole ranking');
    assert.equal(await page.locator('#rank-grade').inputValue(), 'B');
    assert.equal(await page.locator('#rank-workload').inputValue(), '');
    assert.equal(await page.locator('#rank-price').inputValue(), '');
    assert.equal(await page.getAttribute('#rank-answer', 'data-found'), 'yes');
    // Set a filter, then the report and the other ranked view's links carry none of it.
    await set(page, '#rank-vendor', 'nvidia');
    await set(page, '#rank-filter', 'rtx');
    for (const sel of ['#nav-report', '#nav-models', '#nav-compare']) {
        const href = await page.getAttribute(sel, 'href');
        assert.doesNotMatch(href, /vendor=|q=/, `${sel}: ${href}`);
    }
    const link = await page.locator('#rank-table tbody tr th a').first().getAttribute('href');
    assert.doesNotMatch(link, /view=|vendor=|q=/, link);
    // An unknown filter value from a link is shown as text and simply matches nothing.
    await page.evaluate(() => { location.hash = '#model=llama-3.3-70b-instruct&view=hardware-for-model&vendor=%3Cb%3Eacme%3C%2Fb%3E'; });
    await page.waitForFunction(() => document.querySelector('#rank-vendor').value === '<b>acme</b>');
    assert.equal(await page.locator('#rank-table tbody tr').count(), 0);
    assert.equal(await page.locator('#rank-tools b').count(), 0, 'no element from the URL');
    await page.close();
});

test('ranked views with their filters: axe-core finds no serious violations (light and dark)', { skip }, async () => {
    const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    for (const [hash, theme] of [[`#hardware=${HW}&view=models-for-hardware&arch=moe`, 'light'], [`#model=${MODEL}&view=hardware-for-model&wl=coding`, 'dark']]) {
        const page = await open(hash);
        await page.emulateMedia({ colorScheme: theme });
        await page.evaluate(axeSource);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`), [], `${hash} (${theme})`);
        await page.close();
    }
});

test('ranked views: no console errors', { skip }, () => {
    assert.deepEqual(errors.flat(), []);
});
