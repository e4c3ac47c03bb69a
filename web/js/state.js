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
    // The ranked views' filters and sort (rank-view.js, rank-filter.js). Empty
    // means "no filter", which is what a link from before they existed meant.
    wl: '',      // workload whose grade ranks the rows (chat, coding, agentic-coding, reasoning, rag); empty: the mode's grade
    fam: '',     // models: family, as in the catalog
    size: '',    // models: parameter range in billions, "MIN-MAX" (either side may be empty: "8-", "-70")
    arch: '',    // models: moe | dense
    need: '',    // models: minimum safe context, "8k" / "32k" / "128k" (k = 1024) or a token count
    vendor: '',  // hardware: nvidia | amd | apple | intel | cpu
    price: '',   // hardware: maximum price of the whole setup, USD
    gpus: '',    // hardware: maximum number of GPUs in the setup
    grade: '',   // hardware: the grade the "cheapest setup" line asks for (A–D); empty: B
    q: '',       // both: text filter over model and hardware names and ids, and quant
    sort: '',    // both: column key, '-' in front for descending; empty: rank order
});

export const KEYS = Object.keys(DEFAULTS);
export const VIEWS = ['report', 'models-for-hardware', 'hardware-for-model', 'compare', 'accuracy'];
/** The keys each ranked view reads; other views' links leave them out. */
export const RANK_KEYS = Object.freeze({
    'models-for-hardware': ['wl', 'fam', 'size', 'arch', 'need', 'q', 'sort'],
    'hardware-for-model': ['wl', 'vendor', 'price', 'gpus', 'grade', 'q', 'sort'],
});
const ALL_RANK_KEYS = new Set(Object.values(RANK_KEYS).flat());

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
 * A ranked view's filters are written only in that view, and only when set.
 */
export function serializeState(state) {
    const params = new URLSearchParams();
    const rankKeys = RANK_KEYS[state.view] ?? [];
    for (const key of KEYS) {
        if (key === 'view' && state.view === 'report') continue;
        if (key === 'cmp' && !state.cmp) continue;
        if (key === 'custom' && !state.custom) continue;
        if (ALL_RANK_KEYS.has(key) && (!rankKeys.includes(key) || !state[key])) continue;
        params.set(key, state[key] ?? '');
    }
    return `#${params.toString().replace(/%2C/gi, ',')}`;
}

/**
 * The state for a link to another view: the text filter and sort belong to the
 * table they were typed into, so a different view starts without them.
 */
export function viewState(state, view) {
    return view === state.view ? { ...state } : { ...state, view, q: '', sort: '' };
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
