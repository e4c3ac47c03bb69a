// rank-view.js: "all models on this hardware" and "all hardware for this
// model": the engine ranks in a worker, once per request; this module renders
// a sortable, filterable table of its compact reports. Filters, the workload
// ranking and sort run over the cached ranking (rank-filter.js): no engine call.
// Their state lives in the URL (state.js); a change is reported through
// onChange and the table re-renders at once.

import { h, replace, setText, $, $$ } from './dom.js';
import * as fmt from './format.js';
import { serializeState, toRequest } from './state.js';
import { gradeBadge, verdictPill } from './report-view.js';
import {
    WORKLOADS, VENDOR_LABELS, applyFilters, cheapest, filtering, formatSize, gradeOf,
    parseSort, formatSort, rankItems, readFilters,
} from './rank-filter.js';

const VERDICT_ORDER = { fits: 3, tight: 2, offload: 1, no: 0 };

/** "2 × NVIDIA GeForce RTX 3090" for a multi-GPU setup, the device's name for one. */
export function setupName(item) {
    return item.count > 1 ? `${item.count} × ${item.hardware_name}` : item.hardware_name;
}

function paramsText(item) {
    return item.moe ? `${fmt.params(item.params_total)} (${fmt.params(item.params_active)} active)` : fmt.params(item.params_total);
}

function reportLink(state, item, text) {
    const target = { ...state, view: 'report', model: item.model, hardware: item.hardware, count: String(item.count), quant: item.quant };
    return h('a', { href: serializeState(target), text });
}

function columns(kind, state, wl) {
    const models = kind === 'models-for-hardware';
    const grade = (it) => gradeOf(it, wl);
    return [
        { key: 'rank', label: '#', num: true, value: (it) => it.rank, cell: (it) => String(it.rank) },
        { key: 'name', label: models ? 'Model' : 'Hardware', header: true,
          value: (it) => (models ? it.model_name : setupName(it)).toLowerCase(),
          cell: (it) => reportLink(state, it, models ? it.model_name : setupName(it)) },
        ...(models ? [
            { key: 'params', label: 'Params', num: true, value: (it) => it.params_total, cell: paramsText },
        ] : [
            { key: 'gpus', label: 'GPUs', num: true, value: (it) => it.count, cell: (it) => String(it.count) },
            { key: 'price', label: 'Price', num: true, value: (it) => it.price_usd,
              cell: (it) => (it.price_usd == null ? h('span', { class: 'muted', title: 'No price in the catalog', text: '—' }) : fmt.usd(it.price_usd)) },
            { key: 'usable', label: 'Usable', num: true, value: (it) => it.usable_bytes, cell: (it) => fmt.bytes(it.usable_bytes) },
        ]),
        { key: 'quant', label: 'Quant', value: (it) => it.quant, cell: (it) => it.quant },
        { key: 'verdict', label: 'Fit', value: (it) => VERDICT_ORDER[it.verdict] ?? 0, cell: (it) => verdictPill(it.verdict) },
        { key: 'score', label: wl ? `Grade: ${wl.label}` : 'Grade', num: true, value: (it) => grade(it).score,
          cell: (it) => gradeBadge(grade(it).grade, grade(it).score) },
        { key: 'decode', label: 'Decode', num: true, value: (it) => it.decode_tokens_per_s, cell: (it) => fmt.rate(it.decode_tokens_per_s) },
        { key: 'ttft', label: 'TTFT', num: true, value: (it) => it.ttft_ms, cell: (it) => fmt.ms(it.ttft_ms) },
        { key: 'context', label: 'Context', num: true, value: (it) => it.safe_context_tokens, cell: (it) => fmt.tokens(it.safe_context_tokens) },
        { key: 'memory', label: 'Memory', num: true, value: (it) => it.total_bytes, cell: (it) => fmt.bytes(it.total_bytes) },
    ];
}

export function rankRequest(kind, state) {
    // "What can this setup run" takes a mixed list of GPUs (devices); "what hardware
    // for this model" ranks one kind of device at a time, so the list does not apply.
    const base = toRequest(kind === 'models-for-hardware' ? state : { ...state, mix: '' });
    if (kind === 'models-for-hardware') {
        delete base.model;
        delete base.quant; // each model at its own best format
    } else {
        delete base.hardware;
        delete base.gpu_count; // every device, in 1/2/4/8-GPU setups where it takes several
    }
    return base;
}

/** Options for a <select>: "any" first, then values; a value the list lacks (from a link) is kept. */
function fillSelect(select, anyLabel, values, current) {
    const known = new Set(values.map(([v]) => v));
    replace(select,
        h('option', { value: '', text: anyLabel }),
        values.map(([value, label]) => h('option', { value, text: label })),
        current && !known.has(current) ? h('option', { value: current, text: current }) : null);
    select.value = current;
}

/**
 * onChange(patch, { typing }): a filter or the sort changed (state.js keys);
 * the caller writes the URL. onError(error): the worker failed.
 */
export function createRankView({ workerUrl, onError, onChange }) {
    const cache = new Map();
    let worker = null;
    let seq = 0;
    const pending = new Map();
    let current = null; // { kind, state, key, items (engine order), lists: { family, vendor } }

    function getWorker() {
        if (!worker) {
            worker = new Worker(workerUrl, { type: 'module' });
            worker.addEventListener('message', (e) => {
                const resolve = pending.get(e.data.id);
                pending.delete(e.data.id);
                resolve?.(e.data.result);
            });
            worker.addEventListener('error', (e) => onError?.(e.message || 'the ranking worker failed'));
        }
        return worker;
    }

    function run(kind, request) {
        const key = `${kind}|${JSON.stringify(request)}`;
        if (!cache.has(key)) {
            const id = ++seq;
            cache.set(key, new Promise((resolve) => {
                pending.set(id, resolve);
                getWorker().postMessage({ id, kind, request });
            }));
        }
        return { key, promise: cache.get(key) };
    }

    // ---------- controls <-> state ----------

    /** Shows the controls of this kind and sets each from the state. */
    function showControls() {
        const { kind, state } = current;
        for (const el of $$('#rank-tools [data-kind]')) el.hidden = el.dataset.kind !== kind;
        fillSelect($('#rank-workload'), `Overall grade (${state.mode} mode)`, WORKLOADS.map((w) => [w.id, `${w.label} grade`]), state.wl);
        if (document.activeElement !== $('#rank-filter')) $('#rank-filter').value = state.q;
        if (kind === 'models-for-hardware') {
            fillFamilies();
            const size = /^\s*([^-]*)-(.*)$/.exec(state.size) ?? [null, '', ''];
            for (const [id, value] of [['#rank-size-min', size[1].trim()], ['#rank-size-max', size[2].trim()]]) {
                if (document.activeElement !== $(id)) $(id).value = value;
            }
            setSelect($('#rank-arch'), state.arch);
            setSelect($('#rank-need'), state.need);
        } else {
            fillVendors();
            if (document.activeElement !== $('#rank-price')) $('#rank-price').value = state.price;
            setSelect($('#rank-gpus'), state.gpus);
            setSelect($('#rank-grade'), state.grade || 'B');
        }
    }

    /** Selects value, adding it as an option first when a link carries one the list lacks. */
    function setSelect(select, value) {
        if (![...select.options].some((o) => o.value === value)) select.appendChild(h('option', { value, text: value }));
        select.value = value;
    }

    function fillFamilies() {
        const counts = new Map();
        for (const it of current.items ?? []) counts.set(it.family, (counts.get(it.family) ?? 0) + 1);
        const families = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([f, n]) => [f, `${f} (${n})`]);
        fillSelect($('#rank-family'), 'All families', families, current.state.fam);
    }

    function fillVendors() {
        const counts = new Map();
        for (const it of current.items ?? []) counts.set(it.vendor, (counts.get(it.vendor) ?? 0) + 1);
        const vendors = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([v, n]) => [v, `${VENDOR_LABELS[v] ?? v} (${n})`]);
        fillSelect($('#rank-vendor'), 'All vendors', vendors, current.state.vendor);
    }

    /** A control changed: the new state renders now; the caller writes the URL. */
    function change(patch, typing = null) {
        if (!current) return;
        current.state = { ...current.state, ...patch };
        onChange?.(patch, { typing });
        render();
    }

    function wire() {
        $('#rank-tools').addEventListener('submit', (e) => e.preventDefault());
        const typed = (id, key, read = (el) => el.value.trim()) => $(id).addEventListener('input', (e) => change({ [key]: read(e.target) }, id));
        const picked = (id, key) => $(id).addEventListener('change', (e) => change({ [key]: e.target.value }));
        typed('#rank-filter', 'q', (el) => el.value);
        picked('#rank-workload', 'wl');
        picked('#rank-family', 'fam');
        for (const id of ['#rank-size-min', '#rank-size-max']) {
            $(id).addEventListener('input', () => change({ size: formatSize($('#rank-size-min').value, $('#rank-size-max').value) }, id));
        }
        picked('#rank-arch', 'arch');
        picked('#rank-need', 'need');
        picked('#rank-vendor', 'vendor');
        typed('#rank-price', 'price');
        picked('#rank-gpus', 'gpus');
        $('#rank-grade').addEventListener('change', (e) => change({ grade: e.target.value === 'B' ? '' : e.target.value }));
        $('#rank-reset').addEventListener('click', () => {
            change({ q: '', fam: '', size: '', arch: '', need: '', vendor: '', price: '', gpus: '' });
            showControls();
        });
    }

    // ---------- table ----------

    function render() {
        if (!current?.items) return;
        const { kind, state } = current;
        const f = readFilters(kind, state);
        const rows = rankItems(kind, applyFilters(current.items, f), f.wl);
        const cols = columns(kind, state, f.wl);
        const sort = parseSort(state.sort);
        const col = cols.find((c) => c.key === sort.key) ?? cols[0];
        rows.sort((a, b) => {
            const x = col.value(a);
            const y = col.value(b);
            if (x == null || y == null) return x == null && y == null ? a.rank - b.rank : x == null ? 1 : -1; // unknown last, either way
            return (x < y ? -1 : x > y ? 1 : a.rank - b.rank) * sort.dir;
        });
        replace($('#rank-table thead'), h('tr', {}, cols.map((c) => {
            const active = c.key === col.key;
            return h('th', { scope: 'col', class: c.num ? 'num' : null, 'aria-sort': active ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
                h('button', { type: 'button', class: 'sort', dataset: { sortKey: c.key },
                              onclick: () => {
                                  const next = { key: c.key, dir: active ? -sort.dir : (c.num && c.key !== 'rank' ? -1 : 1) };
                                  change({ sort: formatSort(next) });
                                  $(`#rank-table button[data-sort-key="${c.key}"]`)?.focus();
                              } },
                  c.label, h('span', { class: 'sort-arrow', 'aria-hidden': 'true', text: active ? (sort.dir > 0 ? ' ▲' : ' ▼') : '' })));
        })));
        replace($('#rank-table tbody'), rows.map((it) => h('tr', { dataset: { model: it.model, hardware: it.hardware, count: String(it.count) } }, cols.map((c) =>
            c.header ? h('th', { scope: 'row' }, c.cell(it)) : h('td', { class: c.num ? 'num' : null }, c.cell(it))))));
        const what = kind === 'models-for-hardware' ? 'models' : 'setups';
        setText($('#rank-status'), `${rows.length} of ${current.items.length} ${what} that run${filtering(f) ? ', filtered' : ''}${f.text ? ` (matching “${f.text}”)` : ''}${f.wl ? `, ranked by ${f.wl.label.toLowerCase()} grade` : ''}.`);
        renderAnswer(kind, state, rows, f);
    }

    /** "Cheapest setup with grade B or better for coding: 2 × RTX 3090, $3,000" (hardware for a model). */
    function renderAnswer(kind, state, rows, f) {
        const el = $('#rank-answer');
        if (kind !== 'hardware-for-model') {
            el.hidden = true;
            replace(el);
            return;
        }
        const min = f.grade;
        const target = `grade ${min}${min === 'A' ? '' : ' or better'} ${f.wl ? `for ${f.wl.label === 'RAG' ? 'RAG' : f.wl.label.toLowerCase()}` : `in ${state.mode} mode`}`;
        const best = cheapest(rows, f.wl, min);
        el.hidden = false;
        el.dataset.found = best ? 'yes' : 'no';
        if (best) {
            const g = gradeOf(best, f.wl);
            replace(el, h('strong', { text: `Cheapest setup with ${target}: ` }),
                reportLink(state, best, setupName(best)), `, ${fmt.usd(best.price_usd)}`,
                h('span', { class: 'muted', text: ` (grade ${g.grade}, ${fmt.rate(best.decode_tokens_per_s)}, ${best.quant}).` }));
            el.dataset.model = best.model;
            el.dataset.hardware = best.hardware;
            el.dataset.count = String(best.count);
        } else {
            replace(el, h('strong', { text: `No setup with a known price reaches ${target}` }),
                filtering(f) ? ' with these filters.' : '.');
            delete el.dataset.hardware;
            delete el.dataset.count;
        }
    }

    wire();

    return {
        /** Shows a ranking for kind and state: from the cache when this request was ranked before. */
        show(kind, state, names) {
            const request = rankRequest(kind, state);
            const { key, promise } = run(kind, request);
            const title = kind === 'models-for-hardware'
                ? `Models that run on ${names.setup ?? `${state.count > 1 ? `${state.count} × ` : ''}${names.hardware}`}`
                : `Hardware that runs ${names.model}`;
            setText($('#rank-title'), title);
            setText($('#rank-caption'), `${title}, ranked by grade. Column headers sort.`);
            setText($('#rank-lede'), kind === 'models-for-hardware'
                ? `Every catalog model, each at the quantization that scores best, ${state.runtime === 'auto' ? 'on the recommended runtime' : `on ${state.runtime}`}, in ${state.mode} mode. Setups that do not run are left out.`
                : `Every catalog device, alone and as 2, 4 or 8 GPUs where one is not enough, ${state.quant === 'auto' ? 'each at its best quantization' : `at ${state.quant}`}, ${state.runtime === 'auto' ? 'on the recommended runtime' : `on ${state.runtime}`}, in ${state.mode} mode. Prices are the catalog's list prices, where known. Devices it does not run on are left out.`);
            const fresh = current?.key !== key;
            current = { kind, state, key, items: fresh ? null : current.items };
            showControls();
            if (fresh) {
                $('#rank-table').setAttribute('aria-busy', 'true');
                setText($('#rank-status'), 'Ranking the catalog in the background…');
                replace($('#rank-table tbody'));
                $('#rank-answer').hidden = true;
            } else {
                render();
            }
            promise.then((result) => {
                if (current?.key !== key || current.items) return;
                $('#rank-table').removeAttribute('aria-busy');
                if (!result.ok) {
                    current.items = [];
                    replace($('#rank-table tbody'));
                    setText($('#rank-status'), `Could not rank: ${result.error.message}`);
                    onError?.(result.error);
                    return;
                }
                current.items = result.items;
                showControls();
                render();
            });
        },
    };
}
