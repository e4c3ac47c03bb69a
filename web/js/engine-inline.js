// engine-inline.js: starts the engine from parts already in memory (the wasm
// as base64, the catalog as text) instead of fetching them. Used where nothing
// can be fetched: the fit card in a sandboxed iframe (an opaque origin) and the
// single-file build from file://, whose ranking worker gets the parts from the
// page. Only valid through scripts/bundle.mjs (esbuild bundles the Emscripten
// glue in); the page itself loads ../engine/headroom-api.mjs directly.

import createHeadroom from '../engine/headroom.js';
import { createEngine as createFromParts } from '../engine/headroom-api.mjs';

export function decodeBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
}

/** Same engine as headroom-api.mjs's createEngine(), from { wasmBase64, models, hardware }. */
export function createInlineEngine(parts) {
    return createFromParts({
        factory: createHeadroom,
        wasmBinary: decodeBase64(parts.wasmBase64),
        locateFile: (file) => file, // never fetched: wasmBinary is given
        models: parts.models,
        hardware: parts.hardware,
    });
}
