// headroom-api.mjs: the thin JS edge over the Embind module (wasm/bindings.cpp).
// It only adapts: objects become JSON text on the way in and JSON text becomes
// objects on the way out. No formula lives here.
//
//   import { createEngine } from './engine/headroom-api.mjs';
//   const engine = await createEngine();            // fetches ./catalog/*.json beside this file
//   engine.estimate({ model: 'llama-3.1-8b-instruct', hardware: 'nvidia-rtx-4090', quant: 'Q4_K_M' });
//
// Options (all optional):
//   wasmBinary   ArrayBuffer/Uint8Array of headroom.wasm (skips fetching it)
//   factory      a createHeadroom factory already imported
//   models, hardware   catalog text (or objects); default: catalog/models.json and
//                      catalog/hardware.json next to this file
//   locateFile   passed to Emscripten (where to find headroom.wasm)

const isNode = typeof process === 'object' && process.versions != null && process.versions.node != null;

async function loadFactory() {
    if (isNode) {
        // Emscripten 3.1.6's ES-module output needs __dirname on Node, so Node
        // loads the single-file CommonJS build instead.
        const { createRequire } = await import('node:module');
        return createRequire(import.meta.url)('./headroom.node.cjs');
    }
    return (await import('./headroom.js')).default;
}

async function readText(name) {
    const url = new URL(name, import.meta.url);
    if (isNode) {
        const { readFile } = await import('node:fs/promises');
        return readFile(url, 'utf8');
    }
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
    return response.text();
}

const asText = (value) => (typeof value === 'string' ? value : JSON.stringify(value));

// An error object in the contract's shape, for failures on the JS side.
function errorObject(code, field, message) {
    return { ok: false, error: { code, field, message } };
}

function call(fn, arg) {
    let text;
    try {
        text = asText(arg);
    } catch (e) {
        return errorObject('invalid_json', 'request', `the request cannot be turned into JSON: ${e.message}`);
    }
    if (typeof text !== 'string') {
        return errorObject('invalid_json', 'request', 'the request must be a JSON string or an object');
    }
    return JSON.parse(fn(text));
}

export async function createEngine(options = {}) {
    const factory = options.factory ?? (await loadFactory());
    const moduleOptions = {};
    if (options.wasmBinary) moduleOptions.wasmBinary = options.wasmBinary;
    if (options.locateFile) moduleOptions.locateFile = options.locateFile;
    const module = await factory(moduleOptions);

    const models = options.models ?? (await readText('./catalog/models.json'));
    const hardware = options.hardware ?? (await readText('./catalog/hardware.json'));
    const loaded = JSON.parse(module.loadCatalog(asText(models), asText(hardware)));
    if (!loaded.ok) {
        const e = new Error(`catalog did not load: ${loaded.error.code}: ${loaded.error.message}`);
        e.report = loaded;
        throw e;
    }

    return {
        module,
        loaded,
        version: () => module.version(),
        estimate: (request) => call(module.estimate, request),
        catalog: (kind = 'models') => JSON.parse(module.catalog(String(kind))),
        rankForHardware: (request) => call(module.rankForHardware, request),
        rankForModel: (request) => call(module.rankForModel, request),
        // Model files: inspect one file's bytes (Uint8Array, the whole file or its first
        // bytes; fileSize = the whole file's size), then combine the inspected files
        // into a request `model` object. A header that needs more bytes answers
        // { ok: false, error: { code: 'gguf_truncated', ... }, need_bytes }.
        inspect: (bytes, fileSize = 0, fileName = '') => {
            const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
            return JSON.parse(module.inspect(view, Number(fileSize) || view.length, String(fileName)));
        },
        combine: (inspected) => call(module.combine, inspected),
        detect: (observations) => call(module.detect, observations),
    };
}

export default createEngine;
