// accuracy-view.js: the accuracy view (#view=accuracy) and the "measured" line
// beside the report's key figures. Every number comes from engine/accuracy.json,
// which scripts/accuracy --page-json writes after running the engine on each
// dev-set row (scripts/build); this module only plots, lists and formats them.

import { h, replace, $ } from './dom.js';
import * as fmt from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const GIB = 1024 ** 3;
const MAX_GROUPS = 8; // colours / shapes; further groups share "Other"
const SHAPES = ['circle', 'square', 'triangle', 'diamond'];

let cached; // undefined: not loaded yet; null: unavailable
let loading = null;
let colourBy = 'source';
let latestReport = null;
let unavailable = null; // why there is no data (the build writes a stub with the reason)

/** Loads engine/accuracy.json once; resolves to the document or null. */
export function loadAccuracy() {
    if (!loading) {
        loading = fetch(new URL('../engine/accuracy.json', import.meta.url))
            .then((r) => (r.ok ? r.json() : null))
            .catch(() => null)
            .then((doc) => {
                unavailable = doc?.unavailable ?? (doc ? null : 'engine/accuracy.json could not be read');
                cached = doc && Array.isArray(doc.rows) && !doc.unavailable ? doc : null;
                return cached;
            });
    }
    return loading;
}

// ---------- formatting (text only) ----------

function value(v, unit) {
    if (v == null || !Number.isFinite(v)) return '—';
    return unit === 'bytes' ? fmt.bytes(v) : fmt.rate(v);
}

function ape(v) {
    if (v == null || !Number.isFinite(v)) return '—';
    return `${fmt.number(v, v < 1 ? 2 : 1)}%`;
}

function signed(v) {
    if (v == null || !Number.isFinite(v)) return '—';
    const a = Math.abs(v);
    return `${v < 0 ? '−' : '+'}${fmt.number(a, a < 1 ? 2 : 1)}%`;
}

function share(v) {
    return v == null || !Number.isFinite(v) ? '—' : fmt.percent(v);
}

function shortSource(key) {
    return String(key).replace(/^(github\.com|huggingface\.co)\//, '');
}

function sourceLink(url, text) {
    return url ? h('a', { href: url, rel: 'noopener noreferrer', text }) : h('span', { text });
}

// ---------- report page: measured reading beside the estimate ----------

function pick(rows, target, report) {
    if (!rows.length) return null;
    const rank = (r) => [
        r.backend === report.backend ? 0 : 1,
        (r.depth ?? 0) === 0 ? 0 : 1,
        r.flash_attention === report.flash_attention ? 0 : 1,
        Math.abs(Math.log((r.tokens || target) / target)),
    ];
    const cmp = (x, y) => {
        for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
        return 0;
    };
    return rows.map((r) => ({ r, k: rank(r) })).sort((a, b) => cmp(a.k, b.k))[0].r; // stable: ties keep file order
}

/** The dev-set readings for the report's model id, hardware id, quant, runtime and GPU count. */
export function measuredFor(doc, report) {
    if (!doc || !report?.ok) return { decode: null, prefill: null };
    const same = doc.rows.filter((r) => r.model_id === report.model.id && r.hardware_id === report.hardware.id
        && r.quant === report.quant && r.runtime === report.runtime && r.gpus === report.hardware.count);
    return {
        decode: pick(same.filter((r) => r.metric === 'tg'), 128, report),
        prefill: pick(same.filter((r) => r.metric === 'pp'), 512, report),
    };
}

function measuredLine(el, label, row) {
    if (!el) return;
    if (!row) {
        el.hidden = true;
        el.replaceChildren();
        return;
    }
    const setup = `${row.model} ${row.quant}, ${row.device}${row.gpus > 1 ? ` × ${row.gpus}` : ''}, ${row.runtime_label}${row.backend ? ` (${row.backend})` : ''}`;
    replace(el, `${label}: ${fmt.rate(row.measured)}, ${row.method}${row.date ? `, ${row.date}` : ''} — `,
        sourceLink(row.url, 'source'));
    el.title = `Measured reading: ${setup}. ${row.notes ?? ''}`.trim();
    el.hidden = false;
}

function renderMeasured(report) {
    const m = measuredFor(cached, report);
    measuredLine($('#fig-decode-measured'), 'measured', m.decode);
    measuredLine($('#fig-ttft-measured'), 'measured prefill', m.prefill);
}

/** Shows a measured reading under Decode / TTFT when the dev set has one for this setup. */
export function showMeasured(report) {
    latestReport = report;
    if (cached !== undefined) { renderMeasured(report); return; }
    renderMeasured(null);
    loadAccuracy().then(() => { if (latestReport === report) renderMeasured(report); });
}

// ---------- SVG scatter ----------

function svg(tag, attrs = {}, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
    for (const c of children.flat()) if (c != null) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    return el;
}

function shapePath(shape, cx, cy, radius) {
    const n = (v) => +v.toFixed(1);
    const x = n(cx), y = n(cy), r = radius;
    switch (shape) {
    case 'square': return `M${n(x - r)},${n(y - r)}h${n(2 * r)}v${n(2 * r)}h${n(-2 * r)}z`;
    case 'triangle': return `M${x},${n(y - r * 1.2)}L${n(x + r * 1.1)},${n(y + r * 0.8)}L${n(x - r * 1.1)},${n(y + r * 0.8)}z`;
    case 'diamond': return `M${x},${n(y - r * 1.3)}L${n(x + r * 1.3)},${y}L${x},${n(y + r * 1.3)}L${n(x - r * 1.3)},${y}z`;
    default: return `M${n(x - r)},${y}a${r},${r} 0 1,0 ${n(2 * r)},0a${r},${r} 0 1,0 ${n(-2 * r)},0`;
    }
}

function swatch(i) {
    return svg('svg', { class: `swatch-svg g${i}`, width: 14, height: 14, viewBox: '0 0 14 14', 'aria-hidden': 'true' },
        svg('path', { d: shapePath(SHAPES[i % SHAPES.length], 7, 7, 4.5) }));
}

function ticks(lo, hi) {
    const k0 = Math.floor(Math.log10(lo));
    const k1 = Math.ceil(Math.log10(hi));
    const steps = k1 - k0 <= 2 ? [1, 2, 5] : [1];
    const out = [];
    for (let k = k0; k <= k1; k++) for (const s of steps) { const v = s * 10 ** k; if (v >= lo && v <= hi) out.push(v); }
    return out;
}

function tickLabel(v) {
    if (v >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
    if (v >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
    return String(+v.toPrecision(3));
}

function groupKey(r) {
    return colourBy === 'backend' ? (r.backend ?? 'not applicable') : r.source;
}

/** Groups rows by source or backend, largest first; the tail beyond MAX_GROUPS - 1 becomes "Other". */
function groups(rows) {
    const map = new Map();
    for (const r of rows) {
        const k = groupKey(r);
        if (!map.has(k)) map.set(k, []);
        map.get(k).push(r);
    }
    let list = [...map.entries()].sort((a, b) => b[1].length - a[1].length).map(([key, rs]) => ({ key, label: colourBy === 'backend' ? key : shortSource(key), rows: rs }));
    if (list.length > MAX_GROUPS) {
        const rest = list.slice(MAX_GROUPS - 1);
        list = [...list.slice(0, MAX_GROUPS - 1), { key: '__other', label: `Other (${rest.length} sources)`, rows: rest.flatMap((g) => g.rows) }];
    }
    return list.map((g, i) => ({ ...g, index: i }));
}

function pointTitle(r, unit) {
    const where = r.device ? ` on ${r.device}${r.gpus > 1 ? ` × ${r.gpus}` : ''} (${r.runtime}${r.backend ? ` ${r.backend}` : ''})` : '';
    return `${r.model} ${r.quant}${where}, ${r.test}: measured ${value(r.measured, unit)}, predicted ${value(r.predicted, unit)} (${signed(r.error)})`;
}

function scatter(metric, rows, gs) {
    const unit = metric.unit;
    const scale = unit === 'bytes' ? 1 / GIB : 1; // plotted in GiB for byte metrics
    const vals = rows.flatMap((r) => [r.measured, r.predicted]).filter((v) => v > 0).map((v) => v * scale);
    let lo = Math.min(...vals) / 1.25;
    let hi = Math.max(...vals) * 1.25;
    if (!(lo > 0) || !Number.isFinite(hi)) { lo = 1; hi = 10; }
    const L = 56, T = 12, P = 320, B = 46, R = 14;
    const a = Math.log10(lo), b = Math.log10(hi);
    const px = (v) => L + ((Math.log10(v) - a) / (b - a)) * P;
    const py = (v) => T + P - ((Math.log10(v) - a) / (b - a)) * P;
    const axisUnit = unit === 'bytes' ? 'GiB' : 'tok/s';
    const t = ticks(lo, hi);
    const grid = t.flatMap((v) => [
        svg('line', { class: 'grid', x1: px(v), x2: px(v), y1: T, y2: T + P }),
        svg('line', { class: 'grid', x1: L, x2: L + P, y1: py(v), y2: py(v) }),
        svg('text', { class: 'tick', x: px(v), y: T + P + 16, 'text-anchor': 'middle' }, tickLabel(v)),
        svg('text', { class: 'tick', x: L - 6, y: py(v) + 4, 'text-anchor': 'end' }, tickLabel(v)),
    ]);
    const band = (f) => svg('line', { class: 'band', x1: px(lo), y1: py(lo * f), x2: px(hi), y2: py(hi * f) });
    const pts = gs.map((g) => svg('g', { class: `pts g${g.index}`, 'data-group': g.key },
        g.rows.filter((r) => r.measured > 0 && r.predicted > 0).map((r) => svg('path', {
            class: 'pt', 'data-id': r.id,
            d: shapePath(SHAPES[g.index % SHAPES.length], px(r.measured * scale), py(r.predicted * scale), 3.6),
        }, svg('title', {}, pointTitle(r, unit))))));
    const titleId = `acc-chart-${metric.metric}-title`;
    return svg('svg', {
        class: 'acc-chart', viewBox: `0 0 ${L + P + R} ${T + P + B}`, role: 'img', 'aria-labelledby': titleId,
        'data-metric': metric.metric, preserveAspectRatio: 'xMidYMid meet',
    },
    svg('title', { id: titleId }, `Predicted against measured, ${metric.title}: ${rows.length} rows on log-log axes; median error ${ape(metric.engine?.median_ape)}. The table below lists every row.`),
    svg('rect', { class: 'frame', x: L, y: T, width: P, height: P }),
    grid,
    svg('defs', {}, svg('clipPath', { id: `clip-${metric.metric}` }, svg('rect', { x: L, y: T, width: P, height: P }))),
    svg('g', { 'clip-path': `url(#clip-${metric.metric})` }, band(1.25), band(0.8),
        svg('line', { class: 'identity', x1: px(lo), y1: py(lo), x2: px(hi), y2: py(hi) })),
    pts,
    svg('text', { class: 'axis-title', x: L + P / 2, y: T + P + 38, 'text-anchor': 'middle' }, `measured (${axisUnit})`),
    svg('text', { class: 'axis-title', x: 14, y: T + P / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${T + P / 2})` }, `predicted (${axisUnit})`));
}

function legend(chart, gs, metric) {
    const bySource = new Map((metric.by_source ?? []).map((s) => [s.source, s.engine]));
    return h('ul', { class: 'acc-legend', 'aria-label': `Point groups for ${metric.title}` }, gs.map((g) => {
        const stats = colourBy === 'source' ? bySource.get(g.key) : null;
        const btn = h('button', {
            type: 'button', class: 'acc-legend-item', 'aria-pressed': 'true', dataset: { group: g.key },
            title: 'Show or hide these points',
            onclick: () => {
                const on = btn.getAttribute('aria-pressed') !== 'true';
                btn.setAttribute('aria-pressed', String(on));
                const node = [...chart.querySelectorAll('g.pts')].find((x) => x.getAttribute('data-group') === g.key);
                if (node) node.style.display = on ? '' : 'none';
            },
        }, swatch(g.index), h('span', { class: 'acc-legend-label', text: g.label }),
        h('span', { class: 'acc-legend-n', text: `${g.rows.length} row${g.rows.length === 1 ? '' : 's'}${stats ? ` · median ${ape(stats.median_ape)}` : ''}` }));
        return h('li', {}, btn);
    }));
}

function rowTable(metric, rows) {
    const unit = metric.unit;
    const perf = unit !== 'bytes';
    const head = ['Model', 'Quant', ...(perf ? ['Device', 'GPUs', 'Runtime'] : []), 'Test', 'Measured', 'Predicted', 'Error', 'Naive', 'Naive error', 'Source'];
    const numeric = new Set(['GPUs', 'Measured', 'Predicted', 'Error', 'Naive', 'Naive error']);
    return h('div', { class: 'table-wrap acc-rows' }, h('table', { class: 'data' },
        h('caption', { class: 'sr-only', text: `Every scored row for ${metric.title}` }),
        h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col', class: numeric.has(c) ? 'num' : null, text: c })))),
        h('tbody', {}, rows.map((r) => h('tr', {},
            h('th', { scope: 'row', text: r.model }),
            h('td', { text: r.quant }),
            perf ? [h('td', { text: r.device ?? '—' }), h('td', { class: 'num', text: String(r.gpus) }),
                h('td', { text: `${r.runtime}${r.backend ? ` · ${r.backend}` : ''}` })] : null,
            h('td', { class: 'wrap', text: r.test }),
            h('td', { class: 'num', text: value(r.measured, unit) }),
            h('td', { class: 'num', text: value(r.predicted, unit) }),
            h('td', { class: 'num', text: signed(r.error) }),
            h('td', { class: 'num', text: value(r.baseline, unit) }),
            h('td', { class: 'num', text: signed(r.baseline_error) }),
            h('td', {}, sourceLink(r.url, r.date ?? shortSource(r.source))))))));
}

function metricSection(doc, metric) {
    const rows = doc.rows.filter((r) => r.metric === metric.metric);
    const gs = groups(rows);
    const chart = scatter(metric, rows, gs);
    const details = h('details', { class: 'acc-details' }, h('summary', { text: `Table of the ${rows.length} rows` }));
    details.addEventListener('toggle', () => {
        if (details.open && !details.querySelector('table')) details.appendChild(rowTable(metric, rows));
    });
    const e = metric.engine ?? {};
    const base = metric.baseline;
    const off = rows.filter((r) => !(r.measured > 0 && r.predicted > 0)).length;
    return h('section', { class: 'card acc-metric', 'aria-labelledby': `acc-${metric.metric}-h`, dataset: { metric: metric.metric } },
        h('h3', { id: `acc-${metric.metric}-h`, tabindex: '-1', text: fmt.capitalize(metric.title) }),
        h('p', { class: 'lede', text: `${rows.length} rows. Median error ${ape(e.median_ape)}, p90 ${ape(e.p90_ape)}${base ? `; the naive calculator (${metric.baseline_formula}): median ${ape(base.median_ape)}, p90 ${ape(base.p90_ape)}` : ''}. ${metric.gated ? `Gate: median ≤ ${metric.gate}%.` : 'Not gated.'} On the solid line predicted equals measured; the dashed lines are ±25%.${off ? ` ${off} row${off === 1 ? '' : 's'} with a zero prediction ${off === 1 ? 'is' : 'are'} not drawn on the log axes; the table lists ${off === 1 ? 'it' : 'them'}.` : ''}` }),
        h('div', { class: 'acc-plot' }, chart, legend(chart, gs, metric)),
        details);
}

function summaryTable(doc) {
    return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'accuracy-table' },
        h('caption', { class: 'sr-only', text: 'Absolute error per metric: the engine against a naive calculator' }),
        h('thead', {}, h('tr', {},
            h('th', { scope: 'col', text: 'Metric' }), h('th', { scope: 'col', class: 'num', text: 'Rows' }),
            h('th', { scope: 'col', class: 'num', text: 'Engine median' }), h('th', { scope: 'col', class: 'num', text: 'Engine p90' }),
            h('th', { scope: 'col', class: 'num', text: 'Within 10%' }), h('th', { scope: 'col', class: 'num', text: 'Within 25%' }),
            h('th', { scope: 'col', class: 'num', text: 'Naive median' }), h('th', { scope: 'col', class: 'num', text: 'Naive p90' }),
            h('th', { scope: 'col', text: 'Gate' }))),
        h('tbody', {}, doc.metrics.map((m) => h('tr', { dataset: { metric: m.metric } },
            h('th', { scope: 'row', class: 'wrap' }, h('a', { href: `#acc-${m.metric}-h`, text: fmt.capitalize(m.title), onclick: (ev) => { ev.preventDefault(); $(`#acc-${m.metric}-h`)?.focus(); } })),
            h('td', { class: 'num', text: String(m.engine?.n ?? 0) }),
            h('td', { class: 'num engine-median', text: ape(m.engine?.median_ape) }),
            h('td', { class: 'num', text: ape(m.engine?.p90_ape) }),
            h('td', { class: 'num', text: share(m.engine?.within_10) }),
            h('td', { class: 'num', text: share(m.engine?.within_25) }),
            h('td', { class: 'num baseline-median', text: ape(m.baseline?.median_ape) }),
            h('td', { class: 'num', text: ape(m.baseline?.p90_ape) }),
            h('td', { text: m.gated ? `≤ ${m.gate}%` : 'not gated' }))))));
}

function weakSpots(doc) {
    return h('ul', { class: 'acc-weak' }, (doc.weak_spots ?? []).map((w) => {
        const e = w.engine ?? {};
        const bias = Number.isFinite(e.median_signed)
            ? `the engine predicts ${e.median_signed >= 0 ? 'higher' : 'lower'} than measured (median ${signed(e.median_signed)})` : '';
        const nums = e.n
            ? `${e.n} rows: median error ${ape(e.median_ape)}, p90 ${ape(e.p90_ape)}; ${bias}${w.baseline?.n ? `; naive calculator ${ape(w.baseline.median_ape)}` : ''}${w.unscored ? `; ${w.unscored} more rows not scored` : ''}.`
            : `No scored rows in this run${w.unscored ? ` (${w.unscored} not scored)` : ''}.`;
        return h('li', { dataset: { weak: w.id } }, h('h3', { text: w.title }), h('p', { text: w.text }), h('p', { class: 'meta', text: nums }));
    }));
}

function sourcesTable(doc) {
    return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'accuracy-sources' },
        h('caption', { class: 'sr-only', text: 'Where each measurement comes from' }),
        h('thead', {}, h('tr', {}, ['Source', 'Date', 'Runtimes', 'Devices', 'Scored rows'].map((c) => h('th', { scope: 'col', text: c })))),
        h('tbody', {}, (doc.sources ?? []).filter((s) => s.scored > 0).map((s) => h('tr', {},
            h('th', { scope: 'row', class: 'wrap' }, sourceLink(s.url, shortSource(s.source))),
            h('td', { text: s.date ?? '—' }),
            h('td', { class: 'wrap', text: s.runtimes.join(', ') || 'llama.cpp (sizes)' }),
            h('td', { class: 'wrap', text: s.devices.join(', ') || '—' }),
            h('td', { class: 'wrap', text: Object.entries(s.metrics).map(([k, n]) => `${k} ${n}`).join(', ') }))))));
}

function colourControl(doc) {
    const box = h('fieldset', { class: 'acc-colour' }, h('legend', { text: 'Colour points by' }),
        ['source', 'backend'].map((k) => h('label', {},
            h('input', { type: 'radio', name: 'acc-colour', value: k, checked: colourBy === k,
                         onchange: () => { colourBy = k; renderAccuracy(doc); $(`input[name=acc-colour][value=${k}]`)?.focus(); } }),
            ` ${fmt.capitalize(k)}`)));
    return box;
}

function renderAccuracy(doc) {
    const root = $('#view-accuracy');
    if (!doc) {
        replace(root, h('div', { class: 'card' }, h('h2', { id: 'accuracy-title', tabindex: '-1', text: 'Accuracy' }),
            h('p', { class: 'lede', text: `No accuracy data: ${unavailable ?? 'not built'}. scripts/build writes it when python3 and the validation data (shared/validation/dev/) are present.` })));
        return;
    }
    const nSources = (doc.sources ?? []).filter((s) => s.scored > 0).length;
    replace(root,
        h('div', { class: 'card' },
            h('h2', { id: 'accuracy-title', tabindex: '-1', text: 'Accuracy you can check' }),
            h('p', { class: 'lede', text: `The engine${doc.engine_version ? ` ${doc.engine_version}` : ''} was run on every usable measurement in ${doc.data}: ${doc.counts?.scored ?? doc.rows.length} rows from ${nSources} sources (${doc.counts?.skipped ?? 0} flagged rows skipped, ${doc.counts?.unmapped ?? 0} with no comparable request). Errors are absolute percentages of predicted against measured.` }),
            doc.baseline?.text ? h('p', { class: 'lede', text: doc.baseline.text }) : null,
            summaryTable(doc)),
        h('div', { class: 'card' }, h('h2', { text: 'Known weak spots' }),
            h('p', { class: 'lede', text: 'Where the estimates are least reliable, with this run\'s numbers.' }), weakSpots(doc)),
        h('div', { class: 'card acc-charts-head' }, h('h2', { text: 'Predicted against measured' }),
            h('p', { class: 'lede', text: 'One point per measurement, log-log axes. Hover a point for its setup; each chart has a table of its rows. Legend buttons show or hide a group.' }),
            colourControl(doc)),
        doc.metrics.map((m) => metricSection(doc, m)),
        h('div', { class: 'card' }, h('h2', { text: 'What was measured where' }), sourcesTable(doc)));
}

/** Renders the accuracy view (loads the data on first use). */
export async function showAccuracy() {
    const doc = await loadAccuracy();
    if (document.body.dataset.view !== 'accuracy') return;
    if ($('#view-accuracy').dataset.rendered === 'yes') return;
    renderAccuracy(doc);
    $('#view-accuracy').dataset.rendered = 'yes';
}
