// format.js: the one place numbers become text. Rules mirror the engine's
// engine/src/format.cpp so the page and the CLI print the same figures.
// No estimate is computed here: every value comes from the engine's report.

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

export function number(value, decimals) {
    if (!Number.isFinite(value)) return 'n/a';
    return value.toFixed(decimals);
}

/** Bytes as GiB (or MiB / KiB when small), binary units throughout. */
export function bytes(value) {
    if (!Number.isFinite(value)) return 'n/a';
    const a = Math.abs(value);
    if (a >= 1000 * MIB) return `${number(value / GIB, value >= 100 * GIB ? 0 : 1)} GiB`;
    if (a >= MIB) return `${number(value / MIB, 0)} MiB`;
    return `${number(value / KIB, 0)} KiB`;
}

/** Just the number part of bytes(), for places that print the unit apart. */
export function gib(value) {
    return number(value / GIB, value >= 100 * GIB ? 0 : 1);
}

export function rateValue(tps) {
    if (!Number.isFinite(tps)) return 'n/a';
    return number(tps, tps >= 100 ? 0 : 1);
}

export function rate(tps) {
    return `${rateValue(tps)} tok/s`;
}

export function rateRange(range) {
    if (!Array.isArray(range) || range.length !== 2) return '';
    return `${rateValue(range[0])}–${rateValue(range[1])} tok/s`;
}

export function ms(value) {
    if (!Number.isFinite(value)) return 'n/a';
    const s = value / 1000;
    if (s < 1) return `${number(value, 0)} ms`;
    if (s < 120) return `${number(s, 1)} s`;
    return `${number(s / 60, 1)} min`;
}

export function tokens(n) {
    if (!Number.isFinite(n)) return 'n/a';
    if (n >= MIB) {
        const m = n / MIB;
        return `${number(m, m % 1 === 0 ? 0 : 1)}M`;
    }
    if (n >= KIB) {
        const k = n / KIB;
        return `${number(k, k % 1 === 0 || k >= 100 ? 0 : 1)}K`;
    }
    return String(Math.round(n));
}

export function percent(fraction) {
    return `${number(fraction * 100, 0)}%`;
}

export function params(n) {
    if (!Number.isFinite(n) || n <= 0) return 'n/a';
    if (n >= 1e12) return `${number(n / 1e12, 1)}T`;
    if (n >= 1e9) return `${number(n / 1e9, n >= 1e10 ? 0 : 1)}B`;
    return `${number(n / 1e6, 0)}M`;
}

/** A price in US dollars, whole, with thousands separators: "$3,000". */
export function usd(value) {
    if (!Number.isFinite(value)) return 'n/a';
    return `$${String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

export function bandwidth(bytesPerS) {
    if (!Number.isFinite(bytesPerS)) return 'n/a';
    if (bytesPerS >= 1e12) return `${number(bytesPerS / 1e12, 2)} TB/s`;
    return `${number(bytesPerS / 1e9, 0)} GB/s`;
}

const VERDICT_HEADLINES = { fits: 'Yes', tight: 'Yes — tight fit', offload: 'Only with offload', no: 'No' };
const VERDICT_SHORT = { fits: 'Fits', tight: 'Tight fit', offload: 'Offload', no: 'Does not fit' };

export function verdictHeadline(verdict) {
    return VERDICT_HEADLINES[verdict] ?? String(verdict);
}

export function verdictShort(verdict) {
    return VERDICT_SHORT[verdict] ?? String(verdict);
}

/** "chat" -> "Chat", "agentic coding" -> "Agentic coding", "rag" -> "RAG". */
export function workloadName(name) {
    if (name === 'rag') return 'RAG';
    return name.charAt(0).toUpperCase() + name.slice(1);
}

export function capitalize(s) {
    return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}
