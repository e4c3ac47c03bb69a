// Bring your own model, in Node: GGUF files written by gguf-fixture.mjs are
// parsed by the engine (WASM inspect) and by an independent reader, npm
// @huggingface/gguf, which must agree on every tensor's type, shape and offset;
// then the inspected model gives exact weight bytes in a report, and the CLI
// (build/headroom inspect) reads the same bytes the same way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { gguf } from '@huggingface/gguf';
import { writeGguf, tinyLlamaGguf, tinyLlamaKv, tinyLlamaTensors, tinyLlamaConfig, GGML, GGML_NAME_BY_ID,
    TINY_LLAMA_TENSOR_BYTES, TINY_LLAMA_PARAMS } from './gguf-fixture.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const engineDir = process.env.HEADROOM_ENGINE_DIR || path.join(root, 'web/engine');
const cliPath = process.env.HEADROOM_BIN || path.join(root, 'build/headroom');

let engine;
let dir;

before(async () => {
    assert.ok(existsSync(path.join(engineDir, 'headroom-api.mjs')), `${engineDir} has no engine: run scripts/build --wasm-only`);
    const { createEngine } = await import(path.join(engineDir, 'headroom-api.mjs'));
    engine = await createEngine({
        models: readFileSync(path.join(root, 'catalog/models.json'), 'utf8'),
        hardware: readFileSync(path.join(root, 'catalog/hardware.json'), 'utf8'),
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-gguf-'));
});

after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

// Files the cross-check covers: the tiny Llama (v3, alignment 32), the same as
// version 2 with general.alignment 64, and a MoE file with 3-D expert tensors.
function fixtures() {
    const moe = [
        { name: 'token_embd.weight', type: GGML.Q8_0, ne: [256, 512] },
        { name: 'blk.0.attn_norm.weight', type: GGML.F32, ne: [256] },
        { name: 'blk.0.attn_q.weight', type: GGML.Q8_0, ne: [256, 256] },
        { name: 'blk.0.attn_k.weight', type: GGML.Q8_0, ne: [256, 128] },
        { name: 'blk.0.attn_v.weight', type: GGML.Q8_0, ne: [256, 128] },
        { name: 'blk.0.attn_output.weight', type: GGML.Q8_0, ne: [256, 256] },
        { name: 'blk.0.ffn_norm.weight', type: GGML.F32, ne: [256] },
        { name: 'blk.0.ffn_gate_inp.weight', type: GGML.F32, ne: [256, 4] },
        { name: 'blk.0.ffn_gate_exps.weight', type: GGML.Q4_K, ne: [256, 128, 4] },
        { name: 'blk.0.ffn_up_exps.weight', type: GGML.Q4_K, ne: [256, 128, 4] },
        { name: 'blk.0.ffn_down_exps.weight', type: GGML.Q8_0, ne: [128, 256, 4] },
        { name: 'output_norm.weight', type: GGML.F32, ne: [256] },
        { name: 'output.weight', type: GGML.F16, ne: [256, 512] },
    ];
    const moeKv = [
        ['general.architecture', 'string', 'qwen3moe'], ['general.file_type', 'u32', 7],
        ['qwen3moe.block_count', 'u32', 1], ['qwen3moe.context_length', 'u32', 8192], ['qwen3moe.embedding_length', 'u32', 256],
        ['qwen3moe.feed_forward_length', 'u32', 512], ['qwen3moe.expert_feed_forward_length', 'u32', 128],
        ['qwen3moe.expert_count', 'u32', 4], ['qwen3moe.expert_used_count', 'u32', 2], ['qwen3moe.attention.head_count', 'u32', 4],
        ['qwen3moe.attention.head_count_kv', 'u32', 2], ['qwen3moe.attention.key_length', 'u32', 64],
        ['qwen3moe.vocab_size', 'u32', 512], ['general.tags', ['array', 'string'], ['a', 'b']],
        ['qwen3moe.rope.freq_base', 'f32', 1000000], ['general.flag', 'bool', true], ['general.big', 'u64', 2n ** 40n],
    ];
    return {
        'tiny-llama-v3.gguf': tinyLlamaGguf(),
        'tiny-llama-v2-align64.gguf': writeGguf({ kv: [...tinyLlamaKv(), ['general.alignment', 'u32', 64]], tensors: tinyLlamaTensors(), alignment: 64, version: 2 }),
        'tiny-moe.gguf': writeGguf({ kv: moeKv, tensors: moe }),
    };
}

test('engine and @huggingface/gguf agree on every tensor\'s type, shape and offset', async () => {
    for (const [name, file] of Object.entries(fixtures())) {
        const p = path.join(dir, name);
        writeFileSync(p, file.bytes);
        const theirs = await gguf(p, { allowLocalFile: true });
        const ours = engine.inspect(file.bytes, file.bytes.length, name);
        assert.equal(ours.ok, true, `${name}: ${JSON.stringify(ours.error)}`);
        const rows = ours.model.weights.tensors;
        const offsets = ours.summary.tensor_offsets;
        assert.equal(rows.length, theirs.tensorInfos.length, name);
        assert.equal(ours.summary.data_offset_bytes, Number(theirs.tensorDataOffset), `${name}: data offset`);
        assert.equal(ours.summary.data_offset_bytes, file.dataOffset, `${name}: data offset vs the writer`);
        theirs.tensorInfos.forEach((t, i) => {
            const [rowName, rowType, rowShape] = rows[i];
            assert.equal(rowName, t.name, `${name}: tensor ${i} name`);
            assert.equal(rowType, GGML_NAME_BY_ID[t.dtype], `${name}: ${t.name} type`);
            assert.deepEqual(rowShape, t.shape.map(Number), `${name}: ${t.name} shape`);
            assert.equal(offsets[i], Number(t.offset), `${name}: ${t.name} offset`);
            assert.equal(offsets[i], file.offsets[i], `${name}: ${t.name} offset vs the writer`);
        });
        // Metadata both readers see.
        assert.equal(ours.summary.architecture, theirs.metadata['general.architecture']);
        assert.equal(ours.summary.kv_count, Number(theirs.metadata.kv_count));
        assert.equal(ours.summary.version, theirs.metadata.version);
    }
});

test('the inspected GGUF gives exact weight bytes in the report (WASM)', () => {
    const file = tinyLlamaGguf();
    const inspected = engine.inspect(file.bytes, file.bytes.length, 'tiny.gguf');
    const combined = engine.combine([inspected]);
    assert.equal(combined.ok, true, JSON.stringify(combined.error));
    const r = engine.estimate({ model: combined.model, hardware: 'nvidia-rtx-4090', context_tokens: 4096 });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.quant, 'Q4_K_M');
    // 147,456 (token_embd) + 2 × 376,064 (layers) + 1,024 (output_norm) + 215,040 (output) = 1,115,648.
    assert.equal(r.memory.weights_bytes, TINY_LLAMA_TENSOR_BYTES);
    assert.equal(r.memory.file_bytes, file.bytes.length);
    assert.equal(r.model.params_total, TINY_LLAMA_PARAMS);
    assert.ok(r.assumptions.some((a) => a.includes('exact bytes from the GGUF header (21 tensors, Q4_K_M)')));
    // The same model from its config.json is predicted, with the same parameter count.
    const fromConfig = engine.estimate({ model: tinyLlamaConfig(), hardware: 'nvidia-rtx-4090', context_tokens: 4096, quant: 'Q4_K_M' });
    assert.equal(fromConfig.ok, true);
    assert.equal(fromConfig.model.params_total, TINY_LLAMA_PARAMS);
});

test('a prefix asks for more bytes; corrupt files are errors and the module keeps working', () => {
    const file = tinyLlamaGguf();
    let have = 64;
    let r = engine.inspect(file.bytes.subarray(0, have), file.bytes.length, 'tiny.gguf');
    let rounds = 0;
    while (!r.ok && r.error.code === 'gguf_truncated' && rounds < 10000) {
        assert.ok(r.need_bytes > have, `need ${r.need_bytes} after ${have}`);
        assert.match(r.error.message, /^need more bytes: \d+/);
        have = Math.max(r.need_bytes, have * 2);
        r = engine.inspect(file.bytes.subarray(0, have), file.bytes.length, 'tiny.gguf');
        rounds += 1;
    }
    assert.equal(r.ok, true);
    assert.ok(have < file.bytes.length, 'the tensor data was never needed');

    const bad = file.bytes.slice();
    bad[4] = 1; // version 1
    assert.equal(engine.inspect(bad, bad.length, 'v1.gguf').error.code, 'gguf_unsupported_version');
    const huge = file.bytes.slice();
    new DataView(huge.buffer).setBigUint64(8, 2n ** 40n, true); // tensor count
    assert.equal(engine.inspect(huge, huge.length, 'huge.gguf').error.code, 'gguf_too_large');
    assert.equal(engine.inspect(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 10, 'x.bin').error.code, 'unsupported_file');
    assert.equal(engine.combine('not json').error.code, 'invalid_json');
    assert.equal(engine.estimate({ model: 'llama-3.1-8b-instruct', hardware: 'nvidia-rtx-4090' }).ok, true);
});

test('the CLI inspects the same bytes the same way, and estimates --model FILE', { skip: !existsSync(cliPath) && 'build/headroom missing' }, () => {
    const file = tinyLlamaGguf();
    const p = path.join(dir, 'cli-tiny.gguf');
    writeFileSync(p, file.bytes);
    const ins = spawnSync(cliPath, ['inspect', p, '--json'], { encoding: 'utf8' });
    assert.equal(ins.status, 0, ins.stderr);
    const cli = JSON.parse(ins.stdout);
    const wasm = engine.inspect(file.bytes, file.bytes.length, 'cli-tiny.gguf');
    assert.deepEqual(cli.model.weights.tensors, wasm.model.weights.tensors);
    assert.deepEqual(cli.model.config, wasm.model.config);
    const est = spawnSync(cliPath, ['estimate', '--model', p, '--hardware', 'nvidia-rtx-4090', '--context', '4096', '--json'], { encoding: 'utf8' });
    assert.equal(est.status, 0, est.stderr + est.stdout.slice(0, 400));
    assert.equal(JSON.parse(est.stdout).memory.weights_bytes, TINY_LLAMA_TENSOR_BYTES);
    const broken = path.join(dir, 'broken.gguf');
    const bytes = file.bytes.slice(0, 200);
    writeFileSync(broken, bytes);
    const bad = spawnSync(cliPath, ['estimate', '--model', broken, '--hardware', 'nvidia-rtx-4090', '--json'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.equal(JSON.parse(bad.stdout).error.code, 'gguf_truncated');
});
