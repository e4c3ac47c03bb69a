// The CLI door (shared/design/contract.md "Doors"): estimate, batch, catalog,
// rank, inspect; exit status 0 when every report is ok, 1 when any is not, 2 for usage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.HEADROOM_BIN || path.join(root, 'build', 'headroom');

function run(args, input) {
  const r = spawnSync(bin, args, { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('estimate --json answers the seed question with a complete report', () => {
  const r = run(['estimate', '--model', 'kimi-linear-48b-a3b-instruct', '--hardware', 'nvidia-a100-40gb-sxm4',
                 '--quant', 'Q4_K_M', '--runtime', 'llama.cpp', '--json']);
  assert.equal(r.code, 0);
  const rep = JSON.parse(r.out);
  assert.equal(rep.ok, true);
  assert.equal(rep.quant, 'Q4_K_M');
  // 7 MLA layers × 576 × 2 B = 8064 B per token; the default balanced context is 32768 tokens.
  assert.equal(rep.memory.kv_cache_bytes, 8064 * 32768);
  assert.ok(rep.performance.decode_tokens_per_s > 0);
});

test('estimate text output reads like the page', () => {
  const r = run(['estimate', '--model', 'llama-3.1-8b-instruct', '--hardware', 'rtx 4090', '--quant', 'Q4_K_M', '--context', '8192']);
  assert.equal(r.code, 0);
  assert.match(r.out, /Can Llama 3\.1 8B .* run on NVIDIA GeForce RTX 4090\?/);
  assert.match(r.out, /KV cache +1\.0 GiB/);  // 1024 MiB
  assert.match(r.out, /llama-server .* -c 8192 -ngl 99/);
});

test('an unknown model exits 1 with the error naming it', () => {
  const r = run(['estimate', '--model', 'lama-3.1-8b', '--hardware', 'nvidia-rtx-4090', '--json']);
  assert.equal(r.code, 1);
  const rep = JSON.parse(r.out);
  assert.equal(rep.error.code, 'unknown_model');
  assert.match(rep.error.message, /lama-3\.1-8b/);
});

test('usage errors exit 2', () => {
  assert.equal(run([]).code, 2);
  assert.equal(run(['frobnicate']).code, 2);
  assert.equal(run(['estimate', '--model']).code, 2);
  assert.equal(run(['estimate', '--context', 'lots', '--model', 'x', '--hardware', 'y']).code, 2);
});

test('batch: one report per line, same order; a bad line yields an error report and the run goes on', () => {
  const input = [
    JSON.stringify({ model: 'llama-3.1-8b', hardware: 'nvidia-rtx-4090', quant: 'Q4_K_M' }),
    '{not json',
    JSON.stringify({ model: 'gpt-oss-20b', hardware: 'nvidia-rtx-4090', quant: 'MXFP4' }),
    JSON.stringify({ model: 'llama-3.1-8b', hardware: 'nvidia-rtx-4090', context_tokens: -1 }),
  ].join('\n') + '\n';
  const r = run(['batch'], input);
  assert.equal(r.code, 1);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 4);
  assert.equal(lines[0].ok, true);
  assert.equal(lines[0].model.id, 'llama-3.1-8b');
  assert.equal(lines[1].error.code, 'invalid_json');
  assert.equal(lines[2].ok, true);
  assert.equal(lines[2].model.id, 'gpt-oss-20b');
  assert.equal(lines[3].error.field, 'context_tokens');
});

test('catalog listings', () => {
  const models = JSON.parse(run(['catalog', 'models', '--json']).out);
  assert.ok(models.items.length >= 150);
  const hw = run(['catalog', 'hardware']);
  assert.equal(hw.code, 0);
  assert.match(hw.out, /nvidia-rtx-4090\tNVIDIA GeForce RTX 4090/);
  const runtimes = JSON.parse(run(['catalog', 'runtimes', '--json']).out);
  assert.deepEqual(runtimes.items.map((i) => i.runtime),
                   ['llama.cpp', 'ollama', 'vllm', 'sglang', 'mlx', 'lmstudio', 'exllamav2', 'tensorrt-llm']);
  assert.equal(run(['catalog', 'gpus', '--json']).code, 1);
});

test('rank by hardware and by model', () => {
  const byHw = JSON.parse(run(['rank', '--hardware', 'nvidia-rtx-4090', '--json']).out);
  assert.equal(byHw.ok, true);
  assert.ok(byHw.items.length > 50);
  for (const it of byHw.items) assert.notEqual(it.verdict, 'no');
  const byModel = JSON.parse(run(['rank', '--model', 'llama-3.1-70b', '--json']).out);
  assert.ok(byModel.items.length > 10);
  assert.ok(byModel.items[0].score >= byModel.items[byModel.items.length - 1].score);
});

test('inspect and --model read a config.json file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-cli-'));
  const cfg = path.join(dir, 'config.json');
  fs.writeFileSync(cfg, JSON.stringify({
    model_type: 'llama', hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8,
    intermediate_size: 14336, vocab_size: 128256, max_position_embeddings: 131072, tie_word_embeddings: false }));
  const ins = JSON.parse(run(['inspect', cfg, '--json']).out);
  // Llama-3-8B: 8,030,261,248 parameters exactly.
  assert.equal(ins.params_total, 8030261248);
  const est = JSON.parse(run(['estimate', '--model', cfg, '--hardware', 'nvidia-rtx-4090', '--quant', 'Q4_K_M', '--json']).out);
  assert.equal(est.ok, true);
  assert.equal(est.model.params_total, 8030261248);
  fs.rmSync(dir, { recursive: true });
});
