// rank-filter.js: the ranked views' filters, workload ranking and "cheapest
// setup" answer, over the items of one engine ranking (engine/src/rank.cpp).
// Plain functions over plain objects (no DOM, no engine): the table re-filters
// and re-sorts from the cached ranking without asking the engine again.

/** Workloads as the URL names them (wl=…) and as the engine's items name them. */
export const WORKLOADS = [
    { id: 'chat', name: 'chat', label: 'Chat' },
    { id: 'coding', name: 'coding', label: 'Coding' },
    { id: 'agentic-coding', name: 'agentic coding', label: 'Agentic coding' },
    { id: 'reasoning', name: 'reasoning', label: 'Reasoning' },
    { id: 'rag', name: 'rag', label: 'RAG' },
];
export const GRADES = ['A', 'B', 'C', 'D', 'F'];
export const DEFAULT_GRADE = 'B';
const GRADE_RANK = { A: 4, B: 3, C: 2, D: 1, F: 0 };
const VERDICT_CLASS = { fits: 3, tight: 2, offload: 1, no: 0 };
export const VENDOR_LABELS = { nvidia: 'NVIDIA', amd: 'AMD', apple: 'Apple', intel: 'Intel', cpu: 'CPU' };

export function workload(id) {
    return WORKLOADS.find((w) => w.id === id) ?? null;
}

/** "A" >= "B": true. Unknown letters rank below F. */
export function gradeAtLeast(grade, min) {
    return (GRADE_RANK[grade] ?? -1) >= (GRADE_RANK[min] ?? 0);
}

/** The grade and score an item is ranked by: the workload's (wl), else the mode's. */
export function gradeOf(item, wl = null) {
    const w = wl ? item.workloads?.[wl.name] : null;
    return w ? { grade: w.grade, score: w.score } : { grade: item.grade, score: item.score };
}

function positive(text) {
    const n = Number(text);
    return String(text ?? '').trim() !== '' && Number.isFinite(n) && n >= 0 ? n : null;
}

/** "8-70" -> { min: 8e9, max: 70e9 }; either side may be empty; unreadable -> nulls. */
export function parseSize(text) {
    const m = /^\s*([\d.]*)\s*-\s*([\d.]*)\s*$/.exec(String(text ?? ''));
    if (!m) return { min: null, max: null };
    const min = positive(m[1]);
    const max = positive(m[2]);
    return { min: min == null ? null : min * 1e9, max: max == null ? null : max * 1e9 };
}

/** The URL form of a size range in billions (empty sides left out; "" when both are). */
export function formatSize(min, max) {
    const a = String(min ?? '').trim();
    const b = String(max ?? '').trim();
    return a || b ? `${a}-${b}` : '';
}

/** "32k" -> 32768, "131072" -> 131072, "" or unreadable -> 0. */
export function parseTokens(text) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(String(text ?? ''));
    if (!m) return 0;
    const unit = { '': 1, k: 1024, m: 1024 * 1024 }[m[2].toLowerCase()];
    return Math.round(Number(m[1]) * unit);
}

/** The filters a state asks for, read once (numbers parsed, unknown values ignored). */
export function readFilters(kind, state) {
    const f = {
        kind,
        text: String(state.q ?? '').trim().toLowerCase(),
        wl: workload(state.wl),
    };
    if (kind === 'models-for-hardware') {
        f.family = state.fam || '';
        f.size = parseSize(state.size);
        f.arch = state.arch === 'moe' || state.arch === 'dense' ? state.arch : '';
        f.need = parseTokens(state.need);
    } else {
        f.vendor = state.vendor || '';
        f.price = positive(state.price);
        const gpus = positive(state.gpus);
        f.gpus = gpus != null && gpus >= 1 ? gpus : null;
        f.grade = GRADES.slice(0, 4).includes(state.grade) ? state.grade : DEFAULT_GRADE;
    }
    return f;
}

/** Whether any filter beyond the workload is set (the status line says so). */
export function filtering(f) {
    if (f.text) return true;
    if (f.kind === 'models-for-hardware') return Boolean(f.family || f.size.min != null || f.size.max != null || f.arch || f.need);
    return Boolean(f.vendor || f.price != null || f.gpus != null);
}

/** The items that pass every filter, in their given order. */
export function applyFilters(items, f) {
    return items.filter((it) => {
        if (f.text && !`${it.model_name} ${it.model} ${it.hardware_name} ${it.hardware} ${it.quant}`.toLowerCase().includes(f.text)) return false;
        if (f.kind === 'models-for-hardware') {
            if (f.family && it.family !== f.family) return false;
            if (f.size.min != null && !(it.params_total >= f.size.min)) return false;
            if (f.size.max != null && !(it.params_total <= f.size.max)) return false;
            if (f.arch && it.moe !== (f.arch === 'moe')) return false;
            if (f.need && !(it.safe_context_tokens >= f.need)) return false;
        } else {
            if (f.vendor && it.vendor !== f.vendor) return false;
            if (f.price != null && !(it.price_usd != null && it.price_usd <= f.price)) return false;
            if (f.gpus != null && !(it.count <= f.gpus)) return false;
        }
        return true;
    });
}

/**
 * The items in rank order, each with its 1-based `rank`. Without a workload
 * this is the engine's order. With one, the engine's rule on that workload's
 * grade: for a device, models with grade B or better first, largest first, then
 * the rest by score; for a model, setups by score, then fit, then decode speed.
 */
export function rankItems(kind, items, wl = null) {
    const order = items.map((it, i) => ({ it, i }));
    if (wl) {
        const score = (it) => gradeOf(it, wl).score;
        order.sort((a, b) => {
            const x = a.it;
            const y = b.it;
            if (kind === 'models-for-hardware') {
                const gx = gradeAtLeast(gradeOf(x, wl).grade, 'B');
                const gy = gradeAtLeast(gradeOf(y, wl).grade, 'B');
                if (gx !== gy) return gx ? -1 : 1;
                if (gx && x.params_total !== y.params_total) return y.params_total - x.params_total;
            }
            if (score(x) !== score(y)) return score(y) - score(x);
            if (kind !== 'models-for-hardware' && x.verdict !== y.verdict) return (VERDICT_CLASS[y.verdict] ?? 0) - (VERDICT_CLASS[x.verdict] ?? 0);
            if (x.decode_tokens_per_s !== y.decode_tokens_per_s) return y.decode_tokens_per_s - x.decode_tokens_per_s;
            return a.i - b.i;
        });
    }
    return order.map(({ it }, i) => ({ ...it, rank: i + 1 }));
}

/**
 * The cheapest item with a known price whose grade (for the workload, else
 * the mode's) is at least minGrade; ties go to the better score, then fewer
 * GPUs, then rank. null when none qualifies.
 */
export function cheapest(items, wl, minGrade = DEFAULT_GRADE) {
    const order = (a, b) => a.price_usd - b.price_usd
        || gradeOf(b, wl).score - gradeOf(a, wl).score
        || a.count - b.count
        || (a.rank ?? 0) - (b.rank ?? 0);
    let best = null;
    for (const it of items) {
        if (it.price_usd == null || !gradeAtLeast(gradeOf(it, wl).grade, minGrade)) continue;
        if (!best || order(it, best) < 0) best = it;
    }
    return best;
}

/** "decode" -> { key: 'decode', dir: 1 }, "-decode" -> dir -1, "" -> rank order. */
export function parseSort(text) {
    const m = /^(-?)([a-z]+)$/.exec(String(text ?? ''));
    return m ? { key: m[2], dir: m[1] ? -1 : 1 } : { key: 'rank', dir: 1 };
}

export function formatSort(sort) {
    return sort.key === 'rank' && sort.dir === 1 ? '' : `${sort.dir < 0 ? '-' : ''}${sort.key}`;
}
