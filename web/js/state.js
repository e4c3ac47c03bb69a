// state.js: the page's controls as one plain object, and its round trip
// through the URL hash (#model=…&hardware=…), so a shared link restores every
// control and back/forward walk through earlier settings.

export const DEFAULTS = Object.freeze({
    model: 'kimi-linear-48b-a3b-instruct',
    hardware: 'nvidia-a100-40gb-sxm4',
    count: '1',
    quant: 'Q4_K_M',
    runtime: 'llama.cpp',
    context: '',
    kv: 'f16',
    mode: 'balanced',
    view: 'report',
    cmp: '',
    custom: '',  // a custom model, compressed (custom-model.js); empty for catalog models
});

export const KEYS = Object.keys(DEFAULTS);
export const VIEWS = ['report', 'models-for-hardware', 'hardware-for-model', 'compare', 'accuracy'];

/** Reads a state from a hash or query string ("#a=b&c=d" or "?a=b"). */
export function parseState(hash) {
    const text = String(hash ?? '').replace(/^[#?]/, '');
    const params = new URLSearchParams(text);
    const state = { ...DEFAULTS };
    for (const key of KEYS) {
        if (params.has(key)) state[key] = params.get(key).slice(0, key === 'custom' ? 64000 : 300);
    }
    if (!VIEWS.includes(state.view)) state.view = 'report';
    return state;
}

/**
 * Writes every control, so the link is complete on its own. Commas stay
 * readable (cmp=a,b): URLSearchParams reads "," and "%2C" alike.
 * Compatibility: keys are never renamed or removed, and a new key's default
 * must reproduce what links without it meant, so old links keep working.
 */
export function serializeState(state) {
    const params = new URLSearchParams();
    for (const key of KEYS) {
        if (key === 'view' && state.view === 'report') continue;
        if (key === 'cmp' && !state.cmp) continue;
        if (key === 'custom' && !state.custom) continue;
        params.set(key, state[key] ?? '');
    }
    return `#${params.toString().replace(/%2C/gi, ',')}`;
}

function numberOrText(text) {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** The engine request (shared/design/contract.md) for a state. */
export function toRequest(state, overrides = {}) {
    const s = { ...state, ...overrides };
    const req = { model: s.model, hardware: s.hardware, gpu_count: numberOrText(s.count || '1') };
    if (s.quant && s.quant !== 'auto') req.quant = s.quant;
    if (s.runtime && s.runtime !== 'auto') req.runtime = s.runtime;
    if (s.context !== '' && s.context != null) req.context_tokens = numberOrText(String(s.context));
    if (s.kv) req.kv_cache_type = s.kv;
    if (s.mode) req.mode = s.mode;
    return req;
}

export function compareList(state) {
    return String(state.cmp || '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .slice(0, 6);
}
