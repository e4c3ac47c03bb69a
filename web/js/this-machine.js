// this-machine.js: "Use this machine". When the person asks (never before), it
// reads what this browser says about its GPU — the WebGPU adapter info, else
// the WebGL renderer string — plus the platform and the logical-processor
// count, hands that to the engine (engine.detect, engine/src/detect.hpp), and
// shows what was read and the proposed catalog entry, or the chip's memory
// sizes as buttons, or a request to pick. Nothing is sent anywhere.
//
// The person's choice is kept in localStorage under 'headroom-this-machine' as
// { id, name } until "Forget this machine"; a page opened without a hardware
// in its link starts with it.

import { h, replace, setText } from './dom.js';

const STORAGE_KEY = 'headroom-this-machine';
// requestAdapter() answers at once or never (a blocked GPU process); don't wait on it.
const WEBGPU_TIMEOUT_MS = 2000;

export function rememberedMachine() {
    try {
        const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
        if (value && typeof value.id === 'string' && typeof value.name === 'string') return value;
    } catch { /* storage off or unreadable */ }
    return null;
}

function remember(id, name) {
    try { localStorage.setItem(STORAGE_KEY, JSON.stringify({ id, name })); } catch { /* storage off */ }
}

function forget() {
    try { localStorage.removeItem(STORAGE_KEY); } catch { /* storage off */ }
}

/** The remembered machine's id when the link names no hardware and the catalog has it. */
export function machineDefault(hash, knownIds) {
    const params = new URLSearchParams(String(hash ?? '').replace(/^[#?]/, ''));
    if (params.has('hardware')) return null;
    const m = rememberedMachine();
    return m && knownIds.has(m.id) ? m.id : null;
}

const text = (v) => (typeof v === 'string' ? v.slice(0, 1024) : '');

async function readWebGpu() {
    if (!navigator.gpu?.requestAdapter) return null;
    try {
        const timeout = new Promise((resolve) => { setTimeout(() => resolve(null), WEBGPU_TIMEOUT_MS); });
        const adapter = await Promise.race([navigator.gpu.requestAdapter(), timeout]);
        if (!adapter) return null;
        const info = adapter.info ?? (typeof adapter.requestAdapterInfo === 'function' ? await adapter.requestAdapterInfo() : null);
        if (!info) return null;
        return {
            vendor: text(info.vendor), architecture: text(info.architecture), device: text(info.device),
            description: text(info.description), is_fallback_adapter: adapter.isFallbackAdapter === true,
        };
    } catch {
        return null;
    }
}

function readWebGl() {
    try {
        const canvas = document.createElement('canvas');
        const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
        if (!gl) return null;
        const debug = gl.getExtension('WEBGL_debug_renderer_info');
        const result = {
            vendor: text(gl.getParameter(debug ? debug.UNMASKED_VENDOR_WEBGL : gl.VENDOR)),
            renderer: text(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)),
        };
        gl.getExtension('WEBGL_lose_context')?.loseContext();
        return result.renderer ? result : null;
    } catch {
        return null;
    }
}

/** What the browser says, as the engine's observations: WebGPU first, WebGL when WebGPU names no device. */
export async function observeBrowser() {
    const obs = {
        platform: text(navigator.userAgentData?.platform || navigator.platform || ''),
        hardware_concurrency: Number.isInteger(navigator.hardwareConcurrency) ? navigator.hardwareConcurrency : 0,
    };
    const gpu = await readWebGpu();
    if (gpu) obs.webgpu = gpu;
    const named = gpu && !gpu.is_fallback_adapter && [gpu.description, gpu.device].some((v) => v && v.toLowerCase() !== gpu.vendor.toLowerCase());
    if (!named) {
        const gl = readWebGl();
        if (gl) obs.webgl = gl;
    }
    return obs;
}

/**
 * els: { root, use, status, choices, evidence, evidenceList, forget }
 * onPick(id): use that hardware. onAsk(): let the person search for it.
 */
export function createThisMachine({ engine, els, onPick, onAsk }) {
    let asking = false;  // the next hardware the person picks is this machine

    function showRemembered() {
        const m = rememberedMachine();
        els.forget.hidden = !m;
        if (m) setText(els.status, `This machine: ${m.name}.`);
        else setText(els.status, 'Reads your GPU from this browser; nothing leaves the page.');
    }

    function choose(candidate) {
        remember(candidate.id, candidate.name);
        asking = false;
        replace(els.choices);
        els.choices.hidden = true;
        els.forget.hidden = false;
        setText(els.status, `This machine: ${candidate.name}.`);
        onPick(candidate.id);
    }

    function ask() {
        asking = true;
        onAsk();
    }

    function showEvidence(result) {
        replace(els.evidenceList, (result.evidence ?? []).map((e) => h('li', { text: e.text })));
        els.evidence.hidden = !(result.evidence ?? []).length;
    }

    function show(result) {
        els.root.dataset.confidence = result.ok ? result.confidence : 'unknown';
        if (!result.ok) {
            setText(els.status, `We could not tell: ${result.error.message}. Pick your GPU below.`);
            replace(els.choices, h('button', { type: 'button', class: 'btn', onclick: ask }, 'Pick your GPU'));
            els.choices.hidden = false;
            return;
        }
        showEvidence(result);
        if (result.confidence === 'exact') {
            choose(result.candidates[0]);
            setText(els.status, `${result.message} Detected: ${result.detected}`);
            replace(els.choices, h('button', { type: 'button', class: 'linklike', onclick: ask }, 'Not this one? Pick it below'));
            els.choices.hidden = false;
            return;
        }
        const buttons = result.candidates.map((c) => h('button', {
            type: 'button', class: 'preset', dataset: { id: c.id }, title: c.name, onclick: () => choose(c),
        }, c.label));
        if (result.confidence === 'family') {
            setText(els.status, `${result.question} ${result.message}`);
            els.choices.setAttribute('aria-label', result.question);
            replace(els.choices, buttons, h('button', { type: 'button', class: 'linklike', onclick: ask }, 'Something else'));
        } else {
            setText(els.status, result.message);
            els.choices.setAttribute('aria-label', 'Suggestions');
            replace(els.choices, buttons, h('button', { type: 'button', class: 'btn', onclick: ask }, 'Pick your GPU'));
        }
        els.choices.hidden = false;
    }

    els.use.addEventListener('click', async () => {
        els.use.disabled = true;
        setText(els.status, 'Asking this browser…');
        try {
            show(engine.detect(await observeBrowser()));
        } finally {
            els.use.disabled = false;
        }
    });
    els.forget.addEventListener('click', () => {
        forget();
        asking = false;
        replace(els.choices);
        els.choices.hidden = true;
        els.evidence.hidden = true;
        delete els.root.dataset.confidence;
        showRemembered();
        els.use.focus();
    });
    showRemembered();

    return {
        /** The hardware search picked `id`; when the person was correcting this machine, it is this machine. */
        hardwarePicked(id, name) {
            if (!asking) return;
            choose({ id, name });
        },
    };
}
