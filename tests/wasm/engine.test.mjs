// The built WASM module in Node (web/engine/, made by scripts/build): the same
// facade as the CLI, answering the same JSON. Run: node --test tests/wasm/
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// HEADROOM_ENGINE_DIR: another build of the module (scripts/sanitize runs these tests on its ASan+UBSan build).
const apiPath = path.join(process.env.HEADROOM_ENGINE_DIR || path.join(root, 'web/engine'), 'headroom-api.mjs');
const cliPath = path.join(root, 'build/headroom');

const seed = { model: 'kimi-linear-48b-a3b-instruct', hardware: 'nvidia-a100-40gb-sxm4', quant: 'Q4_K_M' };

let engine;

before(async () => {
    assert.ok(existsSync(apiPath), `${apiPath} missing: run scripts/build --wasm-only`);
    const { createEngine } = await import(apiPath);
    engine = await createEngine({
        models: readFileSync(path.join(root, 'catalog/models.json'), 'utf8'),
        hardware: readFileSync(path.join(root, 'catalog/hardware.json'), 'utf8'),
    });
});

function assertFinite(value, name) {
    assert.equal(typeof value, 'number', `${name} is not a number: ${JSON.stringify(value)}`);
    assert.ok(Number.isFinite(value), `${name} is not finite: ${value}`);
}

test('catalog loads and the module reports its version', () => {
    assert.equal(engine.loaded.ok, true);
    assert.ok(engine.loaded.models > 0, 'no models loaded');
    assert.ok(engine.loaded.hardware > 0, 'no hardware loaded');
    assert.match(engine.version(), /^\d+\.\d+\.\d+/);
});

test('seed case: Kimi Linear 48B A3B on A100 40GB SXM4 at Q4_K_M', () => {
    const r = engine.estimate(seed);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.model.id, seed.model);
    assert.equal(r.hardware.id, seed.hardware);
    assert.equal(r.quant, 'Q4_K_M');
    for (const f of ['weights_bytes', 'kv_cache_bytes', 'state_bytes', 'compute_bytes', 'runtime_overhead_bytes',
        'total_bytes']) {
        assertFinite(r.memory[f], `memory.${f}`);
        assert.ok(r.memory[f] >= 0, `memory.${f} negative`);
    }
    assert.ok(r.memory.weights_bytes > 0);
    for (const f of ['decode_tokens_per_s', 'prefill_tokens_per_s', 'ttft_ms']) {
        assertFinite(r.performance[f], `performance.${f}`);
    }
    assert.ok(['fits', 'tight', 'offload', 'no'].includes(r.fit.verdict), r.fit.verdict);
    assert.match(r.fit.grade, /^[A-F]$/);
    assertFinite(r.fit.score, 'fit.score');
    assertFinite(r.context_tokens, 'context_tokens');
});

test('a JSON string request gives the same report as the object', () => {
    assert.deepEqual(engine.estimate(JSON.stringify(seed)), engine.estimate(seed));
});

test('malformed JSON returns an error object and the module keeps working', () => {
    const bad = engine.estimate('{"model": "kimi-linear-48b-a3b-instruct", ');
    assert.equal(bad.ok, false);
    assert.equal(typeof bad.error.code, 'string');
    assert.ok(bad.error.code.length > 0);
    assert.equal(typeof bad.error.message, 'string');
    const good = engine.estimate(seed);
    assert.equal(good.ok, true, JSON.stringify(good.error));
});

test('an unknown model returns unknown_model', () => {
    const r = engine.estimate({ ...seed, model: 'no-such-model-7b' });
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'unknown_model');
    assert.equal(r.error.field, 'model');
    assert.equal(engine.estimate(seed).ok, true);
});

test('catalog listings come back as objects', () => {
    const hw = engine.catalog('hardware');
    assert.equal(typeof hw, 'object');
    assert.ok(JSON.stringify(hw).includes('nvidia-a100-40gb-sxm4'));
    const bad = engine.catalog('no-such-kind');
    assert.equal(bad.ok, false);
});

test('rankings answer objects; malformed input is an error object', () => {
    assert.equal(typeof engine.rankForHardware({ hardware: 'nvidia-rtx-4090' }), 'object');
    assert.equal(typeof engine.rankForModel({ model: seed.model }), 'object');
    const bad = engine.rankForHardware('{oops');
    assert.equal(bad.ok, false);
    assert.equal(bad.error.code, 'invalid_json');
    assert.equal(engine.estimate(seed).ok, true);
});

test('rankings refuse requests over the size and nesting limits, as estimate does', () => {
    // 1 MiB = 1,048,576 bytes is the request limit (request.cpp kMaxRequestBytes);
    // 33 nested arrays is one level past the depth limit of 32 (kMaxRequestDepth).
    const big = JSON.stringify({ hardware: 'nvidia-rtx-4090', note: 'x'.repeat(1048576) });
    for (const rank of [engine.rankForHardware, engine.rankForModel]) {
        const r = rank(big);
        assert.equal(r.ok, false);
        assert.equal(r.error.code, 'request_too_large');
        assert.match(r.error.message, /the limit is 1048576 bytes/);
        const deep = rank(`{"hardware":"nvidia-rtx-4090","x":${'['.repeat(33)}${']'.repeat(33)}}`);
        assert.equal(deep.ok, false);
        assert.equal(deep.error.code, 'request_too_deep');
    }
    assert.equal(engine.rankForHardware({ hardware: 'nvidia-rtx-4090' }).ok, true);
});

// Every number in the native report appears, equal, in the WASM report.
function compareNumbers(native, wasm, where, mismatches) {
    if (typeof native === 'number') {
        const ok = typeof wasm === 'number'
            && (native === wasm || Math.abs(native - wasm) <= 1e-9 * Math.max(Math.abs(native), Math.abs(wasm)));
        if (!ok) mismatches.push(`${where}: native ${native}, wasm ${wasm}`);
    } else if (Array.isArray(native)) {
        if (!Array.isArray(wasm) || wasm.length !== native.length) {
            mismatches.push(`${where}: array length native ${native.length}, wasm ${wasm?.length}`);
            return;
        }
        native.forEach((v, i) => compareNumbers(v, wasm[i], `${where}[${i}]`, mismatches));
    } else if (native !== null && typeof native === 'object') {
        if (wasm === null || typeof wasm !== 'object') {
            mismatches.push(`${where}: missing in wasm`);
            return;
        }
        for (const k of Object.keys(native)) compareNumbers(native[k], wasm[k], `${where}.${k}`, mismatches);
    }
}

test('WASM and native CLI give the same numbers for the seed request', () => {
    assert.ok(existsSync(cliPath), `${cliPath} missing: run scripts/build --native-only`);
    const out = spawnSync(cliPath, ['estimate', '--model', seed.model, '--hardware', seed.hardware,
        '--quant', seed.quant, '--json'], { encoding: 'utf8' });
    assert.ok(out.status === 0 || out.status === 1, `CLI exit ${out.status}: ${out.stderr}`);
    const native = JSON.parse(out.stdout);
    const wasm = engine.estimate(seed);
    assert.equal(wasm.ok, native.ok);
    const mismatches = [];
    compareNumbers(native, wasm, 'report', mismatches);
    assert.deepEqual(mismatches, []);
});
