// card-view.js: the fit card that other people's pages show (embed.html in an
// iframe, and the <headroom-card> web component): one engine report as a
// compact card. Every figure is a report field formatted by format.js; the
// card's parameters are the report page's URL state (state.js), so a card and
// the full report it links to always compute the same request.

import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { DEFAULTS, parseState, serializeState, SETUP_KEYS } from './state.js';

/**
 * The setup parameters a card takes (URL keys of embed.html, attributes of
 * <headroom-card>): the report's controls, and the advanced setup's keys
 * (offload, system RAM, mixed GPUs, split, concurrency; empty: not given).
 */
export const CARD_KEYS = ['model', 'hardware', 'count', 'quant', 'runtime', 'context', 'kv', 'mode', ...SETUP_KEYS];
export const THEMES = ['light', 'dark'];

/**
 * Reads a card's parameters from a hash / query string ("#model=…&theme=dark")
 * or from an attribute map: the report page's state (same defaults) and a theme.
 */
export function cardParams(source) {
    const params = new URLSearchParams();
    if (typeof source === 'string') {
        for (const [k, v] of new URLSearchParams(source.replace(/^[#?]/, ''))) params.set(k, v);
    } else {
        for (const [k, v] of Object.entries(source ?? {})) if (v != null) params.set(k, String(v));
    }
    const state = { ...parseState(`#${params.toString()}`), view: 'report', cmp: '' };
    for (const key of CARD_KEYS) state[key] = String(state[key] ?? DEFAULTS[key]).trim();
    if (state.count === '') state.count = DEFAULTS.count;
    const theme = THEMES.includes(params.get('theme')) ? params.get('theme') : '';
    return { state, theme };
}

/** The card's URL form: the report page's hash (every control, exact), plus theme when set. */
export function cardHash(state, theme = '') {
    const params = new URLSearchParams(serializeState({ ...state, view: 'report', cmp: '' }).slice(1));
    if (!params.get('context')) params.delete('context');
    if (THEMES.includes(theme)) params.set('theme', theme);
    return `#${params.toString()}`;
}

/** The full report for a card's state, resolved against where Headroom is served. */
export function reportHref(state, base) {
    return new URL(`index.html${serializeState({ ...state, view: 'report', cmp: '' })}`, base).href;
}

function deviceName(r) {
    // Mixed GPUs already name every card ("A + B").
    if (String(r.hardware.name).split(' + ').length === r.hardware.count && r.hardware.count > 1) return r.hardware.name;
    return r.hardware.count > 1 ? `${r.hardware.count} × ${r.hardware.name}` : r.hardware.name;
}

/** "Kimi Linear 48B A3B Instruct on NVIDIA A100 40GB SXM4": a title for iframes and images. */
export function cardTitle(report) {
    return report?.ok ? `${report.model.name} on ${deviceName(report)}` : 'Headroom fit card';
}

function shell(theme, verdict, stateName, ...children) {
    return h('article', { class: 'hr-card', dataset: { theme, verdict, state: stateName } }, ...children);
}

function footer(href, label) {
    return h('footer', { class: 'hr-foot' },
        h('a', { class: 'hr-link', href, target: '_blank', rel: 'noopener', text: label }),
        h('span', { class: 'hr-brand', text: 'Headroom · computed in your browser' }));
}

function figure(cls, label, value, sub) {
    return h('div', { class: `hr-fig ${cls}` },
        h('dt', { text: label }),
        h('dd', { class: 'hr-value', text: value }),
        sub ? h('dd', { class: 'hr-sub', text: sub }) : null);
}

/**
 * Renders one report (ok) into root. titleTag: 'h1' where the card is the whole
 * document (embed.html); a paragraph inside a host's page, whose outline is the host's.
 */
export function renderCard(root, r, { theme = '', href, titleTag = 'p' }) {
    const p = r.performance;
    const runs = r.fit.verdict !== 'no';
    const setup = [r.quant, r.runtime, `${fmt.tokens(r.context_tokens)} context`].join(' · ');
    const title = cardTitle(r);
    replace(root, shell(theme, r.fit.verdict, 'ready',
        h('header', { class: 'hr-head' },
            h(titleTag, { class: 'hr-title', title },
                h('span', { class: 'hr-model', text: r.model.name }), ' on ',
                h('span', { class: 'hr-device', text: deviceName(r) })),
            h('span', { class: `hr-grade grade-${String(r.fit.grade).toLowerCase()}`, role: 'img',
                        title: `Grade ${r.fit.grade}, score ${Math.round(r.fit.score)} of 100: ${r.fit.label}`,
                        'aria-label': `Grade ${r.fit.grade}, score ${Math.round(r.fit.score)} of 100: ${r.fit.label}` },
              h('span', { class: 'hr-grade-letter', text: r.fit.grade }),
              h('span', { class: 'hr-grade-score', text: String(Math.round(r.fit.score)) }))),
        h('p', { class: 'hr-verdict' },
            h('span', { class: 'hr-verdict-text', text: fmt.verdictHeadline(r.fit.verdict) }),
            h('span', { class: 'hr-setup', text: setup })),
        h('dl', { class: 'hr-figures' },
            figure('hr-fig-memory', 'Memory', fmt.bytes(r.memory.device_bytes), `of ${fmt.bytes(r.hardware.usable_bytes)}`),
            figure('hr-fig-decode', 'Decode', runs ? fmt.rate(p.decode_tokens_per_s) : '—'),
            figure('hr-fig-ttft', 'First token', runs ? fmt.ms(p.ttft_ms) : '—'),
            figure('hr-fig-context', 'Safe context', fmt.tokens(r.fit.safe_context_tokens))),
        footer(href, 'Full report')));
}

/** A card-sized error: what went wrong, in the engine's words, as text. */
export function renderCardError(root, error, { theme = '', href, titleTag = 'p' }) {
    replace(root, shell(theme, 'error', 'error',
        h('header', { class: 'hr-head' }, h(titleTag, { class: 'hr-title', text: 'Headroom fit card' })),
        h('p', { class: 'hr-verdict' }, h('span', { class: 'hr-verdict-text', text: 'Cannot estimate this setup' })),
        h('p', { class: 'hr-error', role: 'alert', text: String(error?.message ?? error ?? 'unknown error') }),
        footer(href, 'Open Headroom')));
}

export function renderCardLoading(root, { theme = '', titleTag = 'p' }) {
    replace(root, shell(theme, '', 'loading',
        h('header', { class: 'hr-head' }, h(titleTag, { class: 'hr-title', text: 'Headroom fit card' })),
        h('p', { class: 'hr-loading', role: 'status', text: 'Estimating…' })));
}
