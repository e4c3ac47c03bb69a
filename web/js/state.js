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
    // Advanced setup (issue #6). Empty means "not given", which is what a link
    // from before they existed meant: the request then carries no such field.
    off: '',     // offload: '' (auto, as llama.cpp --fit) | auto | ngl-N (GPU layers) | moe-N (experts of N layers in RAM) | moe-all
    ram: '',     // system RAM, GB
    rambw: '',   // system RAM bandwidth, GB/s
    split: '',   // several GPUs: layer | tensor
    mix: '',     // mixed GPUs: further hardware ids beside `hardware` (× count), comma-separated
    conc: '',    // serving modes: concurrent sequences
});

export const KEYS = Object.keys(DEFAULTS);
export const VIEWS = ['report', 'models-for-hardware', 'hardware-for-model', 'compare', 'accuracy'];
/** The keys each ranked view reads; other views' links leave them out. */
export const RANK_KEYS = Object.freeze({
    'models-for-hardware': ['wl', 'fam', 'size', 'arch', 'need', 'q', 'sort'],
    'hardware-for-model': ['wl', 'vendor', 'price', 'gpus', 'grade', 'q', 'sort'],
});
const ALL_RANK_KEYS = new Set(Object.values(RANK_KEYS).flat());
/** The advanced setup's keys: written only when set, so older links stay as they were. */
export const SETUP_KEYS = Object.freeze(['off', 'ram', 'rambw', 'split', 'mix', 'conc']);
/** Runtimes that take llama.cpp's offload flags (-ngl, --n-cpu-moe). */
export const LLAMA_FAMILY = Object.freeze(['llama.cpp', 'ollama', 'lmstudio']);
/** Modes that serve several users, where concurrency is a setting. */
export const SERVING_MODES = Object.freeze(['light-api', 'scale-out']);
export const MAX_MIX = 7;

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
        if (SETUP_KEYS.includes(key) && !state[key]) continue;
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

/** The further devices of a mixed setup (state.mix), in order. */
export function mixList(state) {
    return String(state.mix || '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .slice(0, MAX_MIX);
}

/**
 * The offload setting (state.off) as { kind, n }: kind '' (auto, the default),
 * 'auto', 'ngl', 'moe' or 'moe-all'; n is the text after "ngl-" / "moe-".
 */
export function parseOffload(text) {
    const t = String(text ?? '').trim();
    if (t === '' || t === 'auto' || t === 'moe-all') return { kind: t, n: '' };
    const m = /^(ngl|moe)-(.*)$/.exec(t);
    return m ? { kind: m[1], n: m[2] } : { kind: 'invalid', n: t };
}

export function offloadText(kind, n = '') {
    return kind === 'ngl' || kind === 'moe' ? `${kind}-${String(n).trim()}` : kind;
}

function offloadRequest(text) {
    const { kind, n } = parseOffload(text);
    if (kind === 'auto') return 'auto';
    if (kind === 'ngl') return { gpu_layers: numberOrText(n) };
    if (kind === 'moe') return { cpu_moe_layers: numberOrText(n) };
    if (kind === 'moe-all') return { cpu_moe: true };
    return text; // not a form the page writes: the engine says what is wrong with it
}

/** Whether the offload control applies: a llama.cpp-family runtime, or the engine's pick. */
export function offloadApplies(state) {
    return !state.runtime || state.runtime === 'auto' || LLAMA_FAMILY.includes(state.runtime);
}

/** Whether the split control applies: several GPUs, same or mixed. */
export function splitApplies(state) {
    return mixList(state).length > 0 || Number(state.count) > 1;
}

export function concurrencyApplies(state) {
    return SERVING_MODES.includes(state.mode);
}

/** The engine request (shared/design/contract.md) for a state. */
export function toRequest(state, overrides = {}) {
    const s = { ...state, ...overrides };
    const req = { model: s.model, hardware: s.hardware, gpu_count: numberOrText(s.count || '1') };
    const mix = mixList(s);
    if (mix.length) {
        // Mixed GPUs: `count` of the main card, then the further ones, as one devices list.
        // A count the engine would refuse stays as gpu_count, so its error lands on that control.
        const n = req.gpu_count;
        const valid = Number.isInteger(n) && n >= 1 && n + mix.length <= 64;
        req.devices = valid ? [...Array(n).fill(s.hardware), ...mix] : [s.hardware, ...mix];
        delete req.hardware;
        if (valid) delete req.gpu_count;
    }
    if (s.quant && s.quant !== 'auto') req.quant = s.quant;
    if (s.runtime && s.runtime !== 'auto') req.runtime = s.runtime;
    if (s.context !== '' && s.context != null) req.context_tokens = numberOrText(String(s.context));
    if (s.kv) req.kv_cache_type = s.kv;
    if (s.mode) req.mode = s.mode;
    if (s.off && offloadApplies(s)) req.offload = offloadRequest(s.off);
    if (s.ram) req.system_memory_gb = numberOrText(String(s.ram));
    if (s.rambw) req.system_bandwidth_gbs = numberOrText(String(s.rambw));
    if (s.split && splitApplies(s)) req.split = s.split;
    if (s.conc && concurrencyApplies(s)) req.concurrency = numberOrText(String(s.conc));
    return req;
}

export function compareList(state) {
    return String(state.cmp || '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .slice(0, 6);
}
