// engine.detect() in the built WASM module (web/engine/): the same answers as the
// native tests in tests/test_detect.cpp, through the JS edge. Run: node --test tests/wasm/
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// HEADROOM_ENGINE_DIR: another build of the module (scripts/sanitize runs these tests on its ASan+UBSan build).
const apiPath = path.join(process.env.HEADROOM_ENGINE_DIR || path.join(root, 'web/engine'), 'headroom-api.mjs');
let engine;

before(async () => {
    assert.ok(existsSync(apiPath), `${apiPath} missing: run scripts/build --wasm-only`);
    const { createEngine } = await import(apiPath);
    engine = await createEngine({
        models: readFileSync(path.join(root, 'catalog/models.json'), 'utf8'),
        hardware: readFileSync(path.join(root, 'catalog/hardware.json'), 'utf8'),
    });
});

test('detect: a WebGL renderer string gives the exact catalog entry', () => {
    const r = engine.detect({
        webgl: { renderer: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 (0x00002684) Direct3D11 vs_5_0 ps_5_0, D3D11)' },
        platform: 'Win32',
    });
    assert.equal(r.ok, true);
    assert.equal(r.confidence, 'exact');
    assert.equal(r.hardware, 'nvidia-rtx-4090');
    assert.equal(r.platform, 'windows');
    assert.equal(r.candidates[0].memory_bytes, 24 * 2 ** 30);
    assert.equal(r.message, 'This machine: NVIDIA GeForce RTX 4090.');
});

test('detect: an Apple chip is a family with its memory sizes', () => {
    const r = engine.detect({ webgpu: { vendor: 'apple', architecture: 'common-3', description: 'Apple M3 Max' }, hardware_concurrency: 16 });
    assert.equal(r.confidence, 'family');
    assert.equal(r.question, 'Apple M3 Max — 48, 64 or 128 GB?');
    assert.deepEqual(r.candidates.map((c) => c.label), ['48 GB', '64 GB', '128 GB']);
});

test('detect: tool output in, and errors as values', () => {
    const r = engine.detect({ tools: { sysctl: 'machdep.cpu.brand_string: Apple M1\nhw.memsize: 8589934592\n' } });
    assert.equal(r.hardware, 'apple-m1-8gb');
    const bad = engine.detect({ tools: { 'nvidia-smi': 'x' } });
    assert.equal(bad.ok, false);
    assert.equal(bad.error.code, 'unknown_field');
    assert.equal(bad.error.field, 'tools.nvidia-smi');
    assert.equal(engine.detect('{oops').error.code, 'invalid_json');
    // The module keeps working after an error.
    assert.equal(engine.detect({}).confidence, 'unknown');
});
