// card-png.js: a result card drawn on a canvas (2D, system fonts, nothing
// fetched) for people who want to post an image, 1200 × 630 (the usual link
// preview size). Every figure is a report field formatted by format.js.

import * as fmt from './format.js';

export const PNG_WIDTH = 1200;
export const PNG_HEIGHT = 630;

const SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif';
const COLORS = {
    bg: '#ffffff', panel: '#f3f5f8', text: '#14181f', muted: '#586171', border: '#d9dee6',
    fits: '#1d7a46', tight: '#8a5a00', offload: '#9a3d0c', no: '#b42318',
    fitsBg: '#e3f4ea', tightBg: '#fdf1d8', offloadBg: '#fde7da', noBg: '#fde4e2',
};
const GRADE_COLOR = { A: 'fits', B: 'fits', C: 'tight', D: 'tight', F: 'no' };

function deviceName(r) {
    return r.hardware.count > 1 ? `${r.hardware.count} × ${r.hardware.name}` : r.hardware.name;
}

/** Sets the largest font (≤ size) at which text fits maxWidth; ellipsizes below min. */
function fitText(ctx, text, { size, min, weight = 400, maxWidth }) {
    let s = size;
    for (; s > min; s -= 2) {
        ctx.font = `${weight} ${s}px ${SANS}`;
        if (ctx.measureText(text).width <= maxWidth) return text;
    }
    ctx.font = `${weight} ${min}px ${SANS}`;
    let t = text;
    while (t.length > 1 && ctx.measureText(`${t}…`).width > maxWidth) t = t.slice(0, -1);
    return t === text ? t : `${t}…`;
}

function roundRect(ctx, x, y, w, h, r) {
    ctx.beginPath();
    ctx.moveTo(x + r, y);
    ctx.arcTo(x + w, y, x + w, y + h, r);
    ctx.arcTo(x + w, y + h, x, y + h, r);
    ctx.arcTo(x, y + h, x, y, r);
    ctx.arcTo(x, y, x + w, y, r);
    ctx.closePath();
}

/** Draws report r onto a new 1200 × 630 canvas. */
export function drawResultCard(r, doc = document) {
    const canvas = doc.createElement('canvas');
    canvas.width = PNG_WIDTH;
    canvas.height = PNG_HEIGHT;
    const ctx = canvas.getContext('2d');
    const W = PNG_WIDTH;
    const H = PNG_HEIGHT;
    const pad = 64;
    const verdict = r.fit.verdict;
    const runs = verdict !== 'no';
    const p = r.performance;

    ctx.fillStyle = COLORS.bg;
    ctx.fillRect(0, 0, W, H);
    ctx.fillStyle = COLORS[verdict] ?? COLORS.muted;
    ctx.fillRect(0, 0, 16, H);
    ctx.textBaseline = 'alphabetic';

    // Brand and question.
    ctx.fillStyle = COLORS.muted;
    ctx.font = `600 26px ${SANS}`;
    ctx.fillText('▮▮▯ Headroom', pad, 76);
    ctx.fillStyle = COLORS.text;
    const question = fitText(ctx, `Can ${r.model.name} run on ${deviceName(r)}?`, { size: 44, min: 28, weight: 700, maxWidth: W - 2 * pad - 220 });
    ctx.fillText(question, pad, 146);

    // Verdict.
    ctx.fillStyle = COLORS[verdict] ?? COLORS.text;
    ctx.font = `800 72px ${SANS}`;
    ctx.fillText(fmt.verdictHeadline(verdict), pad, 240);
    ctx.fillStyle = COLORS.muted;
    ctx.font = `400 28px ${SANS}`;
    ctx.fillText(fitText(ctx, `${r.quant} · ${r.runtime} · ${fmt.tokens(r.context_tokens)} context · ${r.mode}`, { size: 28, min: 20, maxWidth: W - 2 * pad }), pad, 292);

    // Grade badge, top right.
    const tone = GRADE_COLOR[r.fit.grade] ?? 'no';
    const bx = W - pad - 180;
    ctx.fillStyle = COLORS[`${tone}Bg`];
    roundRect(ctx, bx, 44, 180, 150, 18);
    ctx.fill();
    ctx.fillStyle = COLORS[tone];
    ctx.textAlign = 'center';
    ctx.font = `800 84px ${SANS}`;
    ctx.fillText(r.fit.grade, bx + 90, 134);
    ctx.font = `600 26px ${SANS}`;
    ctx.fillText(fitText(ctx, `${Math.round(r.fit.score)} · ${r.fit.label}`, { size: 26, min: 16, weight: 600, maxWidth: 160 }), bx + 90, 176);
    ctx.textAlign = 'left';

    // Four figures.
    const figures = [
        ['Memory', fmt.bytes(r.memory.device_bytes), `of ${fmt.bytes(r.hardware.usable_bytes)} usable`],
        ['Decode', runs ? fmt.rate(p.decode_tokens_per_s) : '—', runs ? fmt.rateRange(p.decode_range) : 'does not run'],
        ['First token', runs ? fmt.ms(p.ttft_ms) : '—', runs ? `${fmt.tokens(p.ttft_prompt_tokens)}-token prompt` : ''],
        ['Safe context', fmt.tokens(r.fit.safe_context_tokens), `model max ${fmt.tokens(r.model.context_max)}`],
    ];
    const gap = 20;
    const fw = (W - 2 * pad - 3 * gap) / 4;
    figures.forEach(([label, value, sub], i) => {
        const x = pad + i * (fw + gap);
        const y = 340;
        ctx.fillStyle = COLORS.panel;
        roundRect(ctx, x, y, fw, 170, 16);
        ctx.fill();
        ctx.fillStyle = COLORS.muted;
        ctx.font = `600 24px ${SANS}`;
        ctx.fillText(label, x + 22, y + 44);
        ctx.fillStyle = COLORS.text;
        ctx.fillText(fitText(ctx, value, { size: 46, min: 26, weight: 800, maxWidth: fw - 44 }), x + 22, y + 104);
        ctx.fillStyle = COLORS.muted;
        ctx.fillText(fitText(ctx, sub, { size: 22, min: 16, maxWidth: fw - 44 }), x + 22, y + 144);
    });

    ctx.fillStyle = COLORS.muted;
    ctx.font = `400 22px ${SANS}`;
    ctx.fillText(fitText(ctx, `Estimated in the browser by the Headroom engine ${r.engine_version}: no data left the page.`, { size: 22, min: 16, maxWidth: W - 2 * pad }), pad, H - 48);
    return canvas;
}

function slug(text) {
    return String(text).toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'result';
}

/** Draws the card and saves it as headroom-<model>-<hardware>.png. */
export async function downloadResultPng(report, doc = document) {
    const canvas = drawResultCard(report, doc);
    const blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the image could not be encoded'))), 'image/png'));
    const url = URL.createObjectURL(blob);
    const a = doc.createElement('a');
    a.href = url;
    a.download = `headroom-${slug(report.model.id)}-${slug(report.hardware.id)}.png`;
    a.hidden = true;
    doc.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    return blob;
}
