// main.js: boots the engine, wires the controls to the URL state and renders
// each report. Every figure comes from the engine (wasm); this file only moves
// values between the controls, the URL and the renderers.

import { createEngine } from '../engine/headroom-api.mjs';
import { h, replace, setText, $, $$ } from './dom.js';
import * as fmt from './format.js';
import { DEFAULTS, parseState, serializeState, toRequest, compareList, viewState, mixList, parseOffload, offloadText,
         offloadApplies, splitApplies, concurrencyApplies, MAX_MIX, LLAMA_FAMILY } from './state.js';
import { createCombobox } from './combobox.js';
import { renderReport, deviceName, gradeBadge, verdictPill } from './report-view.js';
import { createFeel } from './feel.js';
import { createRankView } from './rank-view.js';
import { createThisMachine, machineDefault } from './this-machine.js';
import { showAccuracy, showMeasured } from './accuracy-view.js';
import { createEmbedSection } from './embed-section.js';
import { registerOffline } from './offline.js';
import { createCustomModel, decodeModel } from './custom-model.js';

const MODES = [
    { id: 'interactive', label: 'Interactive', text: 'One person chatting: fast first token and smooth streaming count most.' },
    { id: 'balanced', label: 'Balanced', text: 'General local use: neutral between personal use and serving.' },
    { id: 'light-api', label: 'Light API', text: 'A small API for a few users: some concurrency and steady throughput.' },
    { id: 'scale-out', label: 'Scale-out', text: 'Serving many users: aggregate throughput and room for many sequences.' },
];
const CONTEXT_PRESETS = [['Default', ''], ['4K', '4096'], ['8K', '8192'], ['32K', '32768'], ['128K', '131072']];
const ERROR_FIELDS = new Map(Object.entries({
    model: 'model', hardware: 'hardware', gpu_count: 'count', quant: 'quant', runtime: 'runtime',
    context_tokens: 'context', kv_cache_type: 'kv', mode: 'mode',
    offload: 'offload', 'offload.gpu_layers': 'offload', 'offload.cpu_moe_layers': 'offload', 'offload.cpu_moe': 'offload',
    system_memory_gb: 'ram', system_bandwidth_gbs: 'rambw', split: 'split', concurrency: 'conc', devices: 'mix',
}));
const CONTROL_FOR = {
    model: '#model-input', hardware: '#hardware-input', count: '#count', quant: '#quant', runtime: '#runtime', context: '#context', kv: '#kv', mode: '#mode-options',
    offload: '#offload', ram: '#ram', rambw: '#rambw', split: '#split', conc: '#conc', mix: '#mix-add',
};
const ADVANCED_KEYS = new Set(['offload', 'ram', 'rambw', 'split', 'conc', 'mix']);
const COMPARE_DEFAULTS = ['nvidia-rtx-4090', 'nvidia-h100-sxm5-80gb', 'nvidia-h100-80gb-sxm5', 'apple-m4-max-128gb', 'nvidia-rtx-5090'];

const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

let engine;
let models = [];
let hardware = [];
let allQuants = [];
let state = { ...DEFAULTS };
let lastReport = null;
let embedSection = { update() {} };
let thisMachine = { hardwarePicked() {} };
let supportedQuants = { runtime: null, list: [] };
let typingField = null;
let timer = 0;
let feel;
let rankView;
let modelBox;
let hardwareBox;
let customModel = null;  // a model the user brought (custom-model.js); state.custom is its compressed form
let customKey = '';      // the state.custom customModel was read from
let customUi;

// ---------- theme ----------

function applyTheme(mode) {
    const root = document.documentElement;
    if (mode === 'light' || mode === 'dark') root.dataset.theme = mode;
    else delete root.dataset.theme;
    const label = mode === 'light' ? 'Light' : mode === 'dark' ? 'Dark' : 'Auto';
    setText($('#theme-label'), label);
    $('#theme-toggle').setAttribute('aria-label', `Colour theme: ${label.toLowerCase()} (change)`);
}

function initTheme() {
    let mode = 'auto';
    try { mode = localStorage.getItem('headroom-theme') || 'auto'; } catch { /* storage off */ }
    applyTheme(mode);
    $('#theme-toggle').addEventListener('click', () => {
        const current = document.documentElement.dataset.theme ?? 'auto';
        const next = current === 'auto' ? 'dark' : current === 'dark' ? 'light' : 'auto';
        applyTheme(next);
        try { localStorage.setItem('headroom-theme', next); } catch { /* storage off */ }
    });
}

// ---------- copy ----------

async function copyText(text) {
    try {
        if (navigator.clipboard && window.isSecureContext) {
            await navigator.clipboard.writeText(text);
            return true;
        }
    } catch { /* fall through */ }
    const area = h('textarea', { class: 'offscreen', readonly: true, 'aria-hidden': 'true' });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    area.remove();
    return ok;
}

function initCopy() {
    document.addEventListener('click', async (e) => {
        const button = e.target.closest('[data-copy-target]');
        if (!button) return;
        const target = document.getElementById(button.dataset.copyTarget);
        if (!target) return;
        const text = 'value' in target && target.tagName === 'INPUT' ? target.value : target.textContent;
        const ok = await copyText(text);
        const original = button.dataset.label ?? button.textContent;
        button.dataset.label = original;
        button.textContent = ok ? 'Copied' : 'Press Ctrl+C';
        button.classList.toggle('done', ok);
        if (!ok && target.tagName === 'INPUT') target.select();
        announce(ok ? 'Copied to the clipboard' : 'Copy failed; select the text and press Ctrl+C');
        clearTimeout(button._t);
        button._t = setTimeout(() => { button.textContent = original; button.classList.remove('done'); }, 1600);
    });
}

function announce(text) {
    const live = $('#sr-status');
    live.textContent = '';
    requestAnimationFrame(() => { live.textContent = text; });
}

// ---------- controls ----------

function fillRuntime(runtimes) {
    replace($('#runtime'), h('option', { value: 'auto', text: 'Auto (recommended)' }),
        runtimes.map((r) => h('option', { value: r, text: r })));
}

function fillQuantOptions() {
    const sel = $('#quant');
    const supported = supportedQuants.list;
    const others = allQuants.filter((q) => !supported.includes(q));
    const known = new Set([...supported, ...others, 'auto']);
    replace(sel,
        h('option', { value: 'auto', text: 'Auto (best that runs)' }),
        supported.length ? h('optgroup', { label: `Loaded by ${supportedQuants.runtime}` }, supported.map((q) => h('option', { value: q, text: q }))) : null,
        h('optgroup', { label: supported.length ? 'Other formats' : 'Formats' }, others.map((q) => h('option', { value: q, text: q }))),
        known.has(state.quant) ? null : h('option', { value: state.quant, text: state.quant }));
    sel.value = state.quant;
}

function setSupportedQuants(report) {
    const list = report.quantizations.map((q) => q.quant);
    if (supportedQuants.runtime === report.runtime && supportedQuants.list.join() === list.join()) return;
    supportedQuants = { runtime: report.runtime, list };
    fillQuantOptions();
}

function fillModes() {
    replace($('#mode-options'), MODES.map((m) => h('label', { class: 'mode' },
        h('input', { type: 'radio', name: 'mode', value: m.id, 'aria-describedby': `mode-${m.id}-text` }),
        h('span', { class: 'mode-name', text: m.label }),
        h('span', { class: 'mode-text', id: `mode-${m.id}-text`, text: m.text }))));
}

function fillPresets() {
    const maxCtx = models.find((m) => m.id === state.model)?.context_max;
    const presets = [...CONTEXT_PRESETS];
    if (maxCtx > 0) presets.push([`Max ${fmt.tokens(maxCtx)}`, String(maxCtx)]);
    replace($('#context-presets'), presets.map(([label, value]) => h('button', {
        type: 'button', class: 'preset', dataset: { value }, 'aria-pressed': String(state.context === value),
        onclick: () => { $('#context').value = value; update({ context: value }); },
    }, label)));
}

function showControls() {
    modelBox.setValue(state.model);
    if (customModel) $('#model-input').value = customModel.name ?? 'Custom model';
    hardwareBox.setValue(state.hardware);
    $('#count').value = state.count;
    if (![...$('#runtime').options].some((o) => o.value === state.runtime)) {
        $('#runtime').appendChild(h('option', { value: state.runtime, text: state.runtime }));
    }
    $('#runtime').value = state.runtime;
    fillQuantOptions();
    if (document.activeElement !== $('#context')) $('#context').value = state.context;
    if (![...$('#kv').options].some((o) => o.value === state.kv)) $('#kv').appendChild(h('option', { value: state.kv, text: state.kv }));
    $('#kv').value = state.kv;
    for (const r of $$('input[name=mode]')) r.checked = r.value === state.mode;
    fillPresets();
    showAdvanced();
}

// ---------- advanced setup ----------

let mixBoxes = [];
let mixShown = null; // the mix list the rows were built for

const hardwareItems = () => hardware.map((x) => ({ id: x.id, name: x.name, detail: `${fmt.bytes(x.memory_bytes)} · ${fmt.bandwidth(x.bandwidth_bytes_per_s)}`, terms: x.aliases ?? [] }));

/** The rows of the "Mix GPUs" list, one combobox each; rebuilt only when the list changes. */
function buildMixRows(list) {
    const key = list.join(',');
    if (mixShown !== key) buildMixRowsNow(list);
    mixShown = key;
    // Labels follow the GPU count: the mixed cards come after count × the main one.
    const first = Math.max(1, Number.parseInt(state.count, 10) || 1);
    list.forEach((id, i) => {
        mixBoxes[i]?.setValue(id);
        setText($(`label[for="mix-input-${i}"]`), `GPU ${first + i + 1}`);
        $(`#mix-rows li:nth-child(${i + 1}) .remove`)?.setAttribute('aria-label', `Remove GPU ${first + i + 1}`);
    });
}

function buildMixRowsNow(list) {
    const rows = list.map((id, i) => {
        const input = h('input', { id: `mix-input-${i}`, type: 'text', placeholder: 'Search GPU', 'aria-describedby': `err-mix-${i}` });
        const listbox = h('ul', { id: `mix-list-${i}`, class: 'listbox', 'aria-label': 'Hardware' });
        const row = h('li', { class: 'mix-row' },
            h('div', { class: 'field combo' },
                h('label', { for: `mix-input-${i}`, text: `GPU ${i + 2}` }), input, listbox,
                h('p', { class: 'field-error', id: `err-mix-${i}`, hidden: true })),
            h('button', { type: 'button', class: 'btn remove', 'aria-label': `Remove GPU ${i + 2}`,
                          onclick: () => {
                              const next = mixList(state).filter((_, j) => j !== i);
                              update({ mix: next.join(',') });
                              showAdvanced();
                              (next.length ? $(`#mix-input-${Math.min(i, next.length - 1)}`) : $('#mix-add'))?.focus();
                          } }, 'Remove'));
        return { row, input, listbox, id };
    });
    replace($('#mix-rows'), rows.map((x) => x.row));
    mixBoxes = rows.map(({ input, listbox, id }, i) => {
        const box = createCombobox({
            input, listbox, items: hardwareItems(),
            onSelect: (value) => {
                const next = mixList(state);
                next[i] = String(value).replace(/,/g, ' ').trim();
                update({ mix: next.join(',') });
                mixShown = next.join(',');
            },
        });
        box.setValue(id);
        return box;
    });
}

/** Shows the advanced controls from the state, and which apply to this setup. */
function showAdvanced() {
    const off = parseOffload(state.off);
    const sel = $('#offload');
    for (const o of [...sel.options]) if (o.dataset.extra) o.remove();
    const value = off.kind === 'auto' ? '' : off.kind === 'invalid' ? state.off : off.kind;
    if (off.kind === 'invalid') sel.appendChild(h('option', { value: state.off, text: state.off, dataset: { extra: '1' } }));
    sel.value = value;
    const n = $('#offload-n');
    n.hidden = !(off.kind === 'ngl' || off.kind === 'moe');
    n.setAttribute('aria-label', off.kind === 'moe' ? 'Layers whose experts sit in system RAM' : 'Layers on the GPU');
    if (document.activeElement !== n) n.value = off.n;
    for (const [id, key] of [['#ram', 'ram'], ['#rambw', 'rambw'], ['#conc', 'conc']]) {
        if (document.activeElement !== $(id)) $(id).value = state[key];
    }
    if (![...$('#split').options].some((o) => o.value === state.split)) $('#split').appendChild(h('option', { value: state.split, text: state.split }));
    $('#split').value = state.split;
    const mix = mixList(state);
    buildMixRows(mix);
    $('#mix-add').hidden = mix.length >= MAX_MIX;
    setText($('#mix-add'), mix.length ? 'Add another GPU' : 'Add a GPU');
    showApplicable();
    const set = [];
    if (state.off) set.push('offload');
    if (state.ram || state.rambw) set.push('system RAM');
    if (mix.length) set.push('mixed GPUs');
    if (state.split && splitApplies(state)) set.push(`${state.split} split`);
    if (state.conc && concurrencyApplies(state)) set.push('concurrency');
    setText($('#advanced-set'), set.length ? `(${set.join(', ')})` : '');
    if (set.length) $('#advanced').open = true;
}

/** Hides the controls that do not apply to the runtime, GPU count or mode chosen. */
function showApplicable(report = lastReport) {
    const runtime = state.runtime === 'auto' ? report?.runtime : state.runtime;
    $('#offload-field').hidden = !(offloadApplies(state) && (!runtime || LLAMA_FAMILY.includes(runtime)));
    $('#split-field').hidden = !splitApplies(state);
    $('#conc-field').hidden = !concurrencyApplies(state);
}

/** Hints that say what an empty field means, from the report's own assumptions. */
function showAdvancedHints(report) {
    const ram = report.assumptions.find((a) => /^system RAM/i.test(a));
    // Quote the engine's assumption only while both fields are empty: it describes the assumed RAM as a whole.
    setText($('#ram-hint'), ram && !state.ram && !state.rambw ? `Empty: the engine's assumption — ${ram}.`
        : 'An empty field takes the engine\'s assumption (listed under Assumptions).');
    setText($('#conc-hint'), state.conc ? 'Sequences served at once.' : `Empty: the mode's default (${report.parallel_sequences}).`);
    showApplicable(report);
}

function wireAdvanced() {
    const offloadFromControls = () => {
        const kind = $('#offload').value;
        return offloadText(kind, $('#offload-n').value);
    };
    $('#offload').addEventListener('change', (e) => {
        const kind = e.target.value;
        const n = $('#offload-n');
        // Start N from what the engine placed for this setup.
        const o = lastReport?.ok && LLAMA_FAMILY.includes(lastReport.runtime) ? lastReport.offload : null;
        if (kind === 'ngl') n.value = String(o ? o.gpu_layers : '');
        else if (kind === 'moe') n.value = String(o ? (o.cpu_moe_layers || o.layers) : '');
        update({ off: offloadFromControls() });
        showAdvanced();
    });
    $('#offload-n').addEventListener('input', () => update({ off: offloadFromControls() }, { typing: 'offload-n' }));
    for (const key of ['ram', 'rambw', 'conc']) {
        $(`#${key}`).addEventListener('input', (e) => update({ [key]: e.target.value.trim() }, { typing: key }));
    }
    for (const id of ['#offload-n', '#ram', '#rambw', '#conc']) $(id).addEventListener('change', () => { typingField = null; showAdvanced(); });
    $('#split').addEventListener('change', (e) => update({ split: e.target.value }));
    $('#mix-add').addEventListener('click', () => {
        const list = mixList(state);
        if (list.length >= MAX_MIX) return;
        // A second card starts as the main one; the user picks another in its box.
        const next = [...list, list[list.length - 1] ?? state.hardware];
        update({ mix: next.join(',') });
        showAdvanced();
        const input = $(`#mix-input-${next.length - 1}`);
        input?.focus();
    });
}

// ---------- errors ----------

function clearErrors() {
    for (const el of $$('.field-error')) { el.hidden = true; el.textContent = ''; }
    for (const el of $$('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const g = $('#global-error');
    g.hidden = true;
    g.textContent = '';
}

/**
 * The control an engine error belongs to: its err-* key. "devices[k]" is the
 * main hardware (× count) or row k of the mixed list, as toRequest built it.
 */
function errorKey(field) {
    const f = String(field ?? '');
    const m = /^devices\[(\d+)\]/.exec(f);
    if (m) {
        const k = Number(m[1]);
        const n = Number(state.count);
        const first = Number.isInteger(n) && n >= 1 && n + mixList(state).length <= 64 ? n : 1;
        return k < first ? 'hardware' : `mix-${k - first}`;
    }
    return ERROR_FIELDS.get(f) ?? ERROR_FIELDS.get(f.replace(/\[\d+\].*$/, '')) ?? null;
}

function controlFor(key) {
    if (key.startsWith('mix-')) return `#mix-input-${key.slice(4)}`;
    if (key === 'offload' && !$('#offload-n').hidden) return '#offload-n';
    return CONTROL_FOR[key];
}

function showError(error) {
    clearErrors();
    const key = errorKey(error?.field);
    const message = `${error?.message ?? 'unknown error'}`;
    if (key && $(`#err-${key}`)) {
        const el = $(`#err-${key}`);
        el.textContent = message;
        el.hidden = false;
        $(controlFor(key))?.setAttribute('aria-invalid', 'true');
        if (ADVANCED_KEYS.has(key) || key.startsWith('mix-')) $('#advanced').open = true;
    } else {
        const g = $('#global-error');
        g.textContent = message;
        g.hidden = false;
    }
    return key;
}

function showReportError(error) {
    const key = showError(error);
    $('#verdict-card').dataset.verdict = 'error';
    setText($('#verdict'), 'Cannot estimate this setup');
    setText($('#grade-letter'), '–');
    setText($('#grade-score'), '');
    setText($('#grade-label'), '');
    $('#grade').className = 'grade';
    $('#grade').setAttribute('aria-label', 'No grade');
    setText($('#summary'), key ? `Check the ${labelFor(key)} control: ${error.message}` : error.message);
    $('#results').classList.add('stale');
}

function labelFor(key) {
    if (key.startsWith('mix-')) return `GPU ${Math.max(1, Number.parseInt(state.count, 10) || 1) + Number(key.slice(4)) + 1} (Mix GPUs)`;
    return { model: 'model', hardware: 'hardware', count: 'GPU count', quant: 'quantization', runtime: 'runtime', context: 'context', kv: 'KV cache type', mode: 'operating mode',
             offload: 'offload', ram: 'system RAM', rambw: 'RAM bandwidth', split: 'split mode', conc: 'concurrency', mix: 'Mix GPUs' }[key] ?? key;
}

// ---------- compute ----------

function names() {
    return {
        model: (customModel ? customModel.name ?? lastReport?.model.name : null) ?? models.find((m) => m.id === state.model)?.name ?? lastReport?.model.name ?? state.model,
        hardware: hardware.find((x) => x.id === state.hardware)?.name ?? lastReport?.hardware.name ?? state.hardware,
        // A mixed setup ("2 × A + B"), as the last report named it.
        setup: state.mix && lastReport?.ok ? deviceName(lastReport) : null,
    };
}

function compute() {
    const request = withCustom(toRequest(state));
    const report = engine.estimate(request);
    if (report.ok) {
        clearErrors();
        $('#results').classList.remove('stale');
        lastReport = report;
        setSupportedQuants(report);
        renderReport(report, { onPickQuant: (q) => update({ quant: q }) });
        showAdvancedHints(report);
        feel.update(report);
        showMeasured(report);
    } else {
        showReportError(report.error);
        if (report.error.field === 'quant' || report.error.field === 'runtime') {
            const probe = engine.estimate({ ...request, quant: undefined });
            if (probe.ok) setSupportedQuants(probe);
        }
    }
    return report;
}

/** Links to the other views and the share box, from the current state. */
function updateLinks() {
    for (const a of $$('nav.views a')) {
        a.href = serializeState(viewState(state, a.dataset.view));
        if (a.dataset.view === state.view) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
    }
    $('#link-models').href = serializeState(viewState(state, 'models-for-hardware'));
    $('#link-hardware').href = serializeState(viewState(state, 'hardware-for-model'));
    $('#link-compare').href = serializeState(viewState(state, 'compare'));
    $('#brand-link').href = serializeState({ ...DEFAULTS });
    $('#share-url').value = location.href;
}

function renderView() {
    const view = state.view;
    document.body.dataset.view = view;
    $('.hero').hidden = view !== 'report';
    $('#results').hidden = view !== 'report';
    $('#view-rank').hidden = !(view === 'models-for-hardware' || view === 'hardware-for-model');
    $('#view-compare').hidden = view !== 'compare';
    $('#view-accuracy').hidden = view !== 'accuracy';
    updateLinks();

    const report = compute();
    if (view === 'report') embedSection.update(state, report);
    const n = names();
    if (view === 'models-for-hardware' || view === 'hardware-for-model') {
        rankView.show(view, state, n);
        document.title = `${$('#rank-title').textContent} — Headroom`;
    } else if (view === 'accuracy') {
        showAccuracy();
        document.title = 'Accuracy: predicted against measured — Headroom';
    } else if (view === 'compare') {
        renderCompare(n);
        document.title = `Compare devices for ${n.model} — Headroom`;
    } else {
        document.title = report.ok
            ? `${fmt.verdictHeadline(report.fit.verdict)}: ${report.model.name} on ${deviceName(report)} — Headroom`
            : 'Headroom — will this LLM run on this hardware?';
    }
}

// ---------- compare ----------

function compareIds() {
    const list = compareList(state);
    if (list.length) return list;
    const known = new Set(hardware.map((x) => x.id));
    return [state.hardware, ...COMPARE_DEFAULTS.filter((id) => known.has(id) && id !== state.hardware)].slice(0, 3);
}

function renderCompare(n) {
    const ids = compareIds();
    setText($('#compare-title'), `Compare devices for ${n.model}`);
    setText($('#compare-lede'), `${state.quant === 'auto' ? 'Best quantization per device' : state.quant}, ${state.runtime === 'auto' ? 'recommended runtime' : state.runtime}, ${state.count} device${state.count === '1' ? '' : 's'} each, ${state.mode} mode. Add up to six devices.`);
    const reports = ids.map((id) => ({ id, r: engine.estimate(withCustom(toRequest(state, { hardware: id, mix: '' }))) }));
    const head = h('tr', {}, h('th', { scope: 'col', text: 'Device' }), reports.map(({ id, r }) => {
        const name = r.ok ? r.hardware.name : (hardware.find((x) => x.id === id)?.name ?? id);
        return h('th', { scope: 'col' },
            h('a', { href: serializeState({ ...state, view: 'report', hardware: id, mix: '' }), text: name }),
            h('button', { type: 'button', class: 'remove', 'aria-label': `Remove ${name}`,
                          onclick: () => update({ cmp: ids.filter((x) => x !== id).join(',') || ids[0] }) }, '×'));
    }));
    const row = (label, fn) => h('tr', {}, h('th', { scope: 'row', text: label }), reports.map(({ r }) =>
        h('td', {}, r.ok ? fn(r) : (label === 'Fit' ? h('span', { class: 'error-text', text: r.error.message }) : '—'))));
    const runs = (r, v) => (r.fit.verdict === 'no' ? '—' : v);
    replace($('#compare-table thead'), head);
    replace($('#compare-table tbody'),
        row('Fit', (r) => verdictPill(r.fit.verdict)),
        row('Grade', (r) => gradeBadge(r.fit.grade, r.fit.score)),
        row('Quant', (r) => r.quant),
        row('Runtime', (r) => r.runtime),
        row('Decode', (r) => runs(r, fmt.rate(r.performance.decode_tokens_per_s))),
        row('Decode range', (r) => runs(r, fmt.rateRange(r.performance.decode_range))),
        row('Time to first token', (r) => runs(r, fmt.ms(r.performance.ttft_ms))),
        row('Cold start', (r) => runs(r, fmt.ms(r.performance.cold_start_ms))),
        row('Safe context', (r) => fmt.tokens(r.fit.safe_context_tokens)),
        row('Memory used', (r) => `${fmt.bytes(r.memory.device_bytes)} (${fmt.percent(r.fit.memory_used_fraction)})`),
        row('Usable memory', (r) => fmt.bytes(r.hardware.usable_bytes)),
        row('In system RAM', (r) => (r.memory.offloaded_bytes > 0 ? fmt.bytes(r.memory.offloaded_bytes) : '—')),
        row('Bandwidth', (r) => fmt.bandwidth(r.hardware.bandwidth_bytes_per_s)),
        row('Bottleneck', (r) => runs(r, r.performance.bound)));
}

// ---------- state changes ----------

function writeUrl(push) {
    const url = serializeState(state);
    if (url === location.hash) return;
    if (push) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
}

/**
 * Merges patch into the state and writes the URL (one history entry per run of
 * typing in one field); false when nothing changed.
 */
function applyPatch(patch, typing) {
    const next = { ...state, ...patch };
    if (KEYS_EQUAL(next, state)) return false;
    const push = !(typing && typingField === typing);
    typingField = typing;
    state = next;
    writeUrl(push);
    return true;
}

/** Applies a change from a control: URL first (so share is current), then a debounced recompute. */
function update(patch, { typing = null } = {}) {
    if (!applyPatch(patch, typing)) return;
    if ('model' in patch) fillPresets();
    else for (const b of $$('#context-presets .preset')) b.setAttribute('aria-pressed', String(state.context === b.dataset.value));
    if ('quant' in patch) $('#quant').value = state.quant;
    clearTimeout(timer);
    timer = setTimeout(renderView, typing ? 40 : 0);
}

/**
 * A ranked view's filter or sort changed (rank-view.js has already re-rendered
 * its table from the cached ranking): only the URL and links follow, so no
 * estimate or ranking runs again.
 */
function updateRankState(patch, { typing = null } = {}) {
    if (applyPatch(patch, typing)) updateLinks();
}

function KEYS_EQUAL(a, b) {
    return Object.keys(DEFAULTS).every((k) => a[k] === b[k]);
}

function fromUrl() {
    typingField = null;
    state = parseState(location.hash);
    if (state.custom !== customKey) {  // a custom model in the link: read it first
        loadCustomFromState().then(() => { showControls(); renderView(); });
        return;
    }
    showControls();
    renderView();
}

// ---------- bring your own model ----------

function withCustom(request) {
    if (customModel) request.model = customModel;
    return request;
}

async function loadCustomFromState() {
    customKey = state.custom;
    if (!state.custom) {
        customModel = null;
        customUi?.reset();
        return;
    }
    try {
        customModel = await decodeModel(state.custom);
        customUi?.showShared(customModel);
    } catch (e) {
        customModel = null;
        customUi?.showError(`The custom model in this link could not be read: ${e?.message ?? e}`);
    }
}

function dropCustom() {
    customModel = null;
    customKey = '';
    customUi?.reset();
}

function wireControls() {
    const entry = (items) => items.map((x) => x);
    modelBox = createCombobox({
        input: $('#model-input'), listbox: $('#model-list'),
        items: entry(models.map((m) => ({ id: m.id, name: m.name, detail: [m.family, m.params_published > 0 ? fmt.params(m.params_published) : null].filter(Boolean).join(' · '), terms: [m.hf_repo, ...(m.aliases ?? [])] }))),
        onSelect: (id) => { dropCustom(); update({ model: id, custom: '' }); },
    });
    hardwareBox = createCombobox({
        input: $('#hardware-input'), listbox: $('#hardware-list'),
        items: hardware.map((x) => ({ id: x.id, name: x.name, detail: `${fmt.bytes(x.memory_bytes)} · ${fmt.bandwidth(x.bandwidth_bytes_per_s)}`, terms: x.aliases ?? [] })),
        onSelect: (id, { raw } = {}) => {
            update({ hardware: id });
            if (!raw) thisMachine.hardwarePicked(id, hardware.find((x) => x.id === id)?.name ?? id);
        },
    });
    const compareBox = createCombobox({
        input: $('#compare-input'), listbox: $('#compare-list'),
        items: hardware.map((x) => ({ id: x.id, name: x.name, detail: `${fmt.bytes(x.memory_bytes)} · ${fmt.bandwidth(x.bandwidth_bytes_per_s)}`, terms: x.aliases ?? [] })),
        onSelect: (id) => {
            const ids = compareIds().filter((x) => x !== id);
            update({ cmp: [...ids, id].slice(-6).join(',') });
            $('#compare-input').value = '';
            compareBox.setValue('');
        },
    });

    $('#count').addEventListener('input', (e) => update({ count: e.target.value.trim() }, { typing: 'count' }));
    $('#context').addEventListener('input', (e) => update({ context: e.target.value.trim() }, { typing: 'context' }));
    for (const id of ['#count', '#context']) $(id).addEventListener('change', () => { typingField = null; });
    $('#quant').addEventListener('change', (e) => update({ quant: e.target.value }));
    $('#runtime').addEventListener('change', (e) => update({ runtime: e.target.value }));
    $('#kv').addEventListener('change', (e) => update({ kv: e.target.value }));
    $('#mode-options').addEventListener('change', (e) => { if (e.target.name === 'mode') { update({ mode: e.target.value }); showApplicable(); } });
    $('#count').addEventListener('input', () => showApplicable());
    $('#count').addEventListener('change', () => showAdvanced());
    $('#runtime').addEventListener('change', () => showApplicable());
    wireAdvanced();
    $('#controls').addEventListener('submit', (e) => e.preventDefault());
    $('#feel-replay').addEventListener('click', () => feel.replay());

    window.addEventListener('popstate', fromUrl);
    window.addEventListener('hashchange', fromUrl);
}

// ---------- boot ----------

async function boot() {
    initTheme();
    initCopy();
    document.body.appendChild(h('p', { id: 'sr-status', class: 'sr-only', role: 'status', 'aria-live': 'polite' }));
    try {
        engine = await createEngine();
    } catch (e) {
        const boot = $('#boot');
        boot.textContent = `The estimator could not start: ${e?.message ?? e}. Reload the page to try again.`;
        boot.classList.add('boot-error');
        return;
    }
    models = engine.catalog('models').items ?? [];
    hardware = engine.catalog('hardware').items ?? [];
    allQuants = (engine.catalog('quants').items ?? []).map((q) => q.quant);
    fillRuntime((engine.catalog('runtimes').items ?? []).map((r) => r.runtime));
    fillModes();

    feel = createFeel({
        els: {
            root: $('#feel'), lede: $('#feel-lede'), answerCold: $('#answer-cold'), answerWarm: $('#answer-warm'),
            statusCold: $('#status-cold'), statusWarm: $('#status-warm'), coldWait: $('#cold-wait'), warmWait: $('#warm-wait'),
        },
        reducedMotion,
    });
    rankView = createRankView({ workerUrl: new URL('./rank-worker.js', import.meta.url), onError: () => {}, onChange: updateRankState });
    embedSection = createEmbedSection();
    wireControls();
    customUi = createCustomModel({
        engine,
        els: { drop: $('#byom-drop'), files: $('#byom-files'), config: $('#byom-config'), use: $('#byom-use'),
               clear: $('#byom-clear'), status: $('#byom-status'), error: $('#byom-error') },
        onModel: (model, { encoded }) => {
            customModel = model;
            customKey = encoded;
            const before = serializeState(state);
            update({ custom: encoded, quant: 'auto', view: 'report' });
            if (serializeState(state) === before) renderView();
            showControls();
        },
        onClear: () => { dropCustom(); update({ custom: '' }); showControls(); },
    });
    thisMachine = createThisMachine({
        engine,
        els: {
            root: $('#this-machine'), use: $('#this-machine-use'), status: $('#this-machine-status'), choices: $('#this-machine-choices'),
            evidence: $('#this-machine-evidence'), evidenceList: $('#this-machine-evidence-list'), forget: $('#this-machine-forget'),
        },
        onPick: (id) => { update({ hardware: id }); hardwareBox.setValue(id); },
        onAsk: () => $('#hardware-input').focus(),
    });

    state = parseState(location.hash);
    const mine = machineDefault(location.hash, new Set(hardware.map((x) => x.id)));
    if (mine) state.hardware = mine;  // a link without hardware opens on the remembered machine
    if (state.custom) await loadCustomFromState();
    history.replaceState(null, '', serializeState(state));
    showControls();
    renderView();
    $('#boot').hidden = true;
    document.body.classList.add('ready');
    registerOffline();
}

boot();
