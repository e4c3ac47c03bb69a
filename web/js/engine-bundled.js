// engine-bundled.js: the engine with its wasm and catalog inlined by the
// bundler (scripts/bundle.mjs: headroom.wasm as base64, the catalog as text),
// for the fit card's iframe bundle and the single-file build.

import wasmBase64 from '../engine/headroom.wasm';
import modelsText from '../engine/catalog/models.json';
import hardwareText from '../engine/catalog/hardware.json';
import { createInlineEngine } from './engine-inline.js';

/** What a worker needs to start its own engine (the single-file build hands it over). */
export const parts = { wasmBase64, models: modelsText, hardware: hardwareText };

export function createEngine() {
    return createInlineEngine(parts);
}

export default createEngine;
