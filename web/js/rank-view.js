// rank-view.js: "all models on this hardware" and "all hardware for this
// model": the engine ranks in a worker; this module renders a sortable,
// filterable table of its compact reports.

import { h, replace, setText, $ } from './dom.js';
import * as fmt from './format.js';
import { serializeState, toRequest } from './state.js';
import { gradeBadge, verdictPill } from './report-view.js';

const VERDICT_ORDER = { fits: 3, tight: 2, offload: 1, no: 0 };

function columns(kind, state) {
    const link = (item) => {
        const target = { ...state, view: 'report', model: item.model, hardware: item.hardware, count: String(item.count), quant: item.quant };
        return h('a', { href: serializeState(target), text: kind === 'models-for-hardware' ? item.model_name : item.hardware_name });
    };
    return [
        { key: 'rank', label: '#', num: true, value: (it) => it.rank, cell: (it) => String(it.rank) },
        { key: 'name', label: kind === 'models-for-hardware' ? 'Model' : 'Hardware', value: (it) => (kind === 'models-for-hardware' ? it.model_name : it.hardware_name).toLowerCase(), cell: link, header: true },
        kind === 'models-for-hardware'
            ? { key: 'params', label: 'Params', num: true, value: (it) => it.params_total, cell: (it) => fmt.params(it.params_total) }
            : { key: 'usable', label: 'Usable', num: true, value: (it) => it.usable_bytes, cell: (it) => fmt.bytes(it.usable_bytes) },
        { key: 'quant', label: 'Quant', value: (it) => it.quant, cell: (it) => it.quant },
        { key: 'verdict', label: 'Fit', value: (it) => VERDICT_ORDER[it.verdict] ?? 0, cell: (it) => verdictPill(it.verdict) },
        { key: 'score', label: 'Grade', num: true, value: (it) => it.score, cell: (it) => gradeBadge(it.grade, it.score) },
        { key: 'decode', label: 'Decode', num: true, value: (it) => it.decode_tokens_per_s, cell: (it) => fmt.rate(it.decode_tokens_per_s) },
        { key: 'ttft', label: 'TTFT', num: true, value: (it) => it.ttft_ms, cell: (it) => fmt.ms(it.ttft_ms) },
        { key: 'context', label: 'Context', num: true, value: (it) => it.safe_context_tokens, cell: (it) => fmt.tokens(it.safe_context_tokens) },
        { key: 'memory', label: 'Memory', num: true, value: (it) => it.total_bytes, cell: (it) => fmt.bytes(it.total_bytes) },
    ];
}

export function rankRequest(kind, state) {
    const base = toRequest(state);
    if (kind === 'models-for-hardware') {
        delete base.model;
        delete base.quant; // each model at its own best format
    } else {
        delete base.hardware;
        delete base.gpu_count; // one device of each kind
    }
    return base;
}

export function createRankView({ workerUrl, onError }) {
    const cache = new Map();
    let worker = null;
    let seq = 0;
    const pending = new Map();
    let current = null; // { kind, state, key, items }
    let sort = { key: 'rank', dir: 1 };

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

    function render() {
        if (!current?.items) return;
        const cols = columns(current.kind, current.state);
        const filter = $('#rank-filter').value.trim().toLowerCase();
        const rows = current.items.filter((it) => !filter
            || `${it.model_name} ${it.model} ${it.hardware_name} ${it.hardware} ${it.quant}`.toLowerCase().includes(filter));
        const col = cols.find((c) => c.key === sort.key) ?? cols[0];
        rows.sort((a, b) => {
            const x = col.value(a);
            const y = col.value(b);
            return (x < y ? -1 : x > y ? 1 : a.rank - b.rank) * sort.dir;
        });
        replace($('#rank-table thead'), h('tr', {}, cols.map((c) => {
            const active = c.key === sort.key;
            return h('th', { scope: 'col', class: c.num ? 'num' : null, 'aria-sort': active ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
                h('button', { type: 'button', class: 'sort', dataset: { sortKey: c.key },
                              onclick: () => {
                                  sort = { key: c.key, dir: active ? -sort.dir : (c.num && c.key !== 'rank' ? -1 : 1) };
                                  render();
                                  $(`#rank-table button[data-sort-key="${c.key}"]`)?.focus();
                              } },
                  c.label, h('span', { class: 'sort-arrow', 'aria-hidden': 'true', text: active ? (sort.dir > 0 ? ' ▲' : ' ▼') : '' })));
        })));
        replace($('#rank-table tbody'), rows.map((it) => h('tr', {}, cols.map((c) =>
            c.header ? h('th', { scope: 'row' }, c.cell(it)) : h('td', { class: c.num ? 'num' : null }, c.cell(it))))));
        setText($('#rank-status'), `${rows.length} of ${current.items.length} setups that run${filter ? ` matching “${filter}”` : ''}.`);
    }

    $('#rank-filter').addEventListener('input', render);

    return {
        show(kind, state, names) {
            const request = rankRequest(kind, state);
            const { key, promise } = run(kind, request);
            const title = kind === 'models-for-hardware'
                ? `Models that run on ${state.count > 1 ? `${state.count} × ` : ''}${names.hardware}`
                : `Hardware that runs ${names.model}`;
            setText($('#rank-title'), title);
            setText($('#rank-caption'), `${title}, ranked by grade. Column headers sort.`);
            setText($('#rank-lede'), kind === 'models-for-hardware'
                ? `Every catalog model, each at the quantization that scores best, ${state.runtime === 'auto' ? 'on the recommended runtime' : `on ${state.runtime}`}, in ${state.mode} mode. Setups that do not run are left out.`
                : `Every catalog device (one of each), ${state.quant === 'auto' ? 'each at its best quantization' : `at ${state.quant}`}, ${state.runtime === 'auto' ? 'on the recommended runtime' : `on ${state.runtime}`}, in ${state.mode} mode. Devices it does not run on are left out.`);
            if (current?.key !== key) {
                sort = { key: 'rank', dir: 1 };
                if (current?.kind !== kind) $('#rank-filter').value = '';
                current = { kind, state, key, items: null };
                $('#rank-table').setAttribute('aria-busy', 'true');
                setText($('#rank-status'), 'Ranking the catalog in the background…');
                replace($('#rank-table tbody'));
            }
            promise.then((result) => {
                if (current?.key !== key) return;
                $('#rank-table').removeAttribute('aria-busy');
                if (!result.ok) {
                    current.items = [];
                    replace($('#rank-table tbody'));
                    setText($('#rank-status'), `Could not rank: ${result.error.message}`);
                    onError?.(result.error);
                    return;
                }
                current.items = result.items.map((it, i) => ({ ...it, rank: i + 1 }));
                current.state = state;
                render();
            });
        },
    };
}
