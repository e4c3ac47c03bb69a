// custom-model.js: "Bring your own model". Reads only the headers of dropped
// .gguf / .safetensors / .json files (File.slice, in growing chunks, until the
// engine has the whole tensor table), or a pasted config.json; the engine
// inspects each file and combines them into a request `model` object. Nothing
// leaves the page. A custom model travels in share links compressed into the
// URL fragment (the browser's own CompressionStream, deflate-raw, base64url).

import { setText } from './dom.js';
import * as fmt from './format.js';

// First read per file, and the most of a file ever read for its header.
const FIRST_READ_BYTES = 4 * 1024 * 1024;
const MAX_HEADER_BYTES = 1024 * 1024 * 1024;
// Longest fragment value a share link carries (links far beyond ~32 KB break in chat apps and mail).
export const MAX_SHARE_CHARS = 32000;

/** Reads a file's header through engine.inspect, asking for more bytes while it needs them. */
export async function inspectFile(engine, file) {
    let size = Math.min(file.size, FIRST_READ_BYTES);
    for (;;) {
        const bytes = new Uint8Array(await file.slice(0, size).arrayBuffer());
        const r = engine.inspect(bytes, file.size, file.name);
        if (r.ok || !r.need_bytes || size >= file.size) return r;
        if (r.need_bytes > MAX_HEADER_BYTES) return r;
        size = Math.min(file.size, Math.max(r.need_bytes, size * 2));
    }
}

export function inspectText(engine, text, name = 'config.json') {
    const bytes = new TextEncoder().encode(text);
    return engine.inspect(bytes, bytes.length, name);
}

function toBase64Url(bytes) {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
    const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; ++i) out[i] = s.charCodeAt(i);
    return out;
}

async function pipe(bytes, stream) {
    const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
    return new Uint8Array(await out.arrayBuffer());
}

/** A model object -> fragment text ("" when the browser cannot compress). */
export async function encodeModel(model) {
    if (typeof CompressionStream !== 'function') return '';
    const packed = await pipe(new TextEncoder().encode(JSON.stringify(model)), new CompressionStream('deflate-raw'));
    return toBase64Url(packed);
}

/** Fragment text -> model object; throws with a readable message when it cannot. */
export async function decodeModel(text) {
    if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot read compressed links');
    const bytes = await pipe(fromBase64Url(text), new DecompressionStream('deflate-raw'));
    const model = JSON.parse(new TextDecoder().decode(bytes));
    if (!model || typeof model !== 'object') throw new Error('the link does not hold a model');
    return model;
}

/**
 * Wires the panel. onModel(model, { encoded, note }) is called with a model the
 * engine accepted; onClear() when the user goes back to the catalog.
 */
export function createCustomModel({ engine, els, onModel, onClear }) {
    let busy = false;

    const status = (text) => setText(els.status, text);
    const fail = (message) => {
        els.error.textContent = message;
        els.error.hidden = false;
        status('');
    };
    const clearError = () => { els.error.hidden = true; els.error.textContent = ''; };

    function describe(combined) {
        const s = combined.summary ?? {};
        const m = combined.model ?? {};
        const parts = [];
        if (combined.kind === 'gguf') {
            parts.push(`GGUF ${m.weights?.quant ?? ''}, ${s.tensors} tensors, ${fmt.bytes(s.file_bytes)}`);
            if (s.parts_total > 1) parts.push(`${s.parts} of ${s.parts_total} parts${s.complete ? '' : ' (the rest predicted)'}`);
        } else if (combined.kind === 'safetensors') {
            parts.push(`safetensors, ${s.tensors} tensors in ${s.files} file${s.files === 1 ? '' : 's'}, ${fmt.bytes(s.file_bytes)}`);
        } else {
            parts.push(`config.json (${m.config?.model_type ?? 'model'})`);
        }
        return `Using ${m.name ?? 'your model'}: ${parts.join('; ')}. Only headers were read; nothing left this page.`;
    }

    async function use(combined) {
        if (!combined.ok) return fail(combined.error?.message ?? 'the files could not be read');
        clearError();
        const model = combined.model;
        let encoded = await encodeModel(model).catch(() => '');
        let note = '';
        if (!encoded) {
            note = 'This browser cannot compress a share link; the link below leaves the custom model out.';
        } else if (encoded.length > MAX_SHARE_CHARS) {
            // Too large for a link: share the architecture (sizes predicted) instead of the tensor table.
            const slim = { name: model.name, config: model.config };
            const slimEncoded = model.config ? await encodeModel(slim).catch(() => '') : '';
            note = `This model's tensor table is too large for a link (${fmt.bytes(encoded.length)} compressed).`;
            if (slimEncoded && slimEncoded.length <= MAX_SHARE_CHARS) {
                encoded = slimEncoded;
                note += ' The link below carries its config only, so weights there are predicted; share the files for exact bytes.';
            } else {
                encoded = '';
                note += ' The link below leaves the custom model out.';
            }
        }
        els.clear.hidden = false;
        status(describe(combined) + (note ? ` ${note}` : ''));
        onModel(model, { encoded, note });
    }

    async function fromFiles(files) {
        if (busy || !files?.length) return;
        busy = true;
        clearError();
        try {
            const inspected = [];
            for (const file of files) {
                status(`Reading the header of ${file.name}…`);
                const r = await inspectFile(engine, file);
                if (!r.ok) return fail(`${file.name}: ${r.error?.message ?? 'unreadable'}`);
                inspected.push(r);
            }
            await use(engine.combine(inspected));
        } catch (e) {
            fail(`The files could not be read: ${e?.message ?? e}`);
        } finally {
            busy = false;
        }
    }

    async function fromText() {
        const text = els.config.value.trim();
        if (!text) return fail('Paste a config.json first.');
        clearError();
        const r = inspectText(engine, text);
        if (!r.ok) return fail(`config.json: ${r.error?.message ?? 'unreadable'}`);
        await use(engine.combine([r]));
    }

    els.files.addEventListener('change', () => fromFiles([...els.files.files]));
    els.use.addEventListener('click', fromText);
    els.clear.addEventListener('click', () => {
        els.clear.hidden = true;
        els.files.value = '';
        clearError();
        status('');
        onClear();
    });
    for (const type of ['dragenter', 'dragover']) {
        els.drop.addEventListener(type, (e) => { e.preventDefault(); els.drop.classList.add('over'); });
    }
    for (const type of ['dragleave', 'drop']) els.drop.addEventListener(type, () => els.drop.classList.remove('over'));
    els.drop.addEventListener('drop', (e) => {
        e.preventDefault();
        fromFiles([...(e.dataTransfer?.files ?? [])]);
    });

    return {
        /** Shows that a model from a shared link is in use. */
        showShared(model) {
            els.clear.hidden = false;
            status(`Using ${model?.name ?? 'a custom model'} from the shared link${model?.weights ? ' (exact tensor table)' : ''}.`);
        },
        showError: fail,
        reset() {
            els.clear.hidden = true;
            status('');
            clearError();
        },
    };
}
