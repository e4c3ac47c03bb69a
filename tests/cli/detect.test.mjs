// `headroom detect` and `--hardware local`: the CLI runs the hardware tools it
// finds on PATH; these tests put fake nvidia-smi / sysctl / rocm-smi scripts
// (printing real outputs, sources in tests/test_detect.cpp) on a PATH of their own.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.HEADROOM_BIN || path.join(root, 'build', 'headroom');
const dirs = [];

after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** A directory holding fake tools: { name: stdout text } or { name: { script } }. */
function fakeTools(tools) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-detect-'));
    dirs.push(dir);
    for (const [name, body] of Object.entries(tools)) {
        // The CLI runs with PATH set to this directory alone; the scripts find their own cat and sleep.
        const script = typeof body === 'string'
            ? `#!/bin/sh\nPATH=/usr/bin:/bin\ncat <<'HEADROOM_EOF'\n${body}HEADROOM_EOF\n`
            : `#!/bin/sh\nPATH=/usr/bin:/bin\n${body.script}\n`;
        fs.writeFileSync(path.join(dir, name), script, { mode: 0o755 });
    }
    return dir;
}

function run(args, toolsDir, env = {}) {
    const r = spawnSync(bin, args, {
        encoding: 'utf8',
        env: { PATH: toolsDir, HEADROOM_TOOL_TIMEOUT_MS: '2000', ...env },
        timeout: 20000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

// Two RTX 4090s (github.com/RLinf/RLinf/issues/255), in --query-gpu CSV.
const TWO_4090 = 'name, memory.total [MiB]\nNVIDIA GeForce RTX 4090, 24564 MiB\nNVIDIA GeForce RTX 4090, 24564 MiB\n';

test('detect: nvidia-smi names the GPUs and the CLI says how sure it is', () => {
    const dir = fakeTools({ 'nvidia-smi': TWO_4090 });
    const r = run(['detect'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^This machine: 2 × NVIDIA GeForce RTX 4090\.$/m);
    assert.match(r.out, /Sure: exact match, --hardware nvidia-rtx-4090 --count 2/);
    assert.match(r.out, /Looked at: nvidia-smi ran; rocm-smi not found; sysctl not found; dmidecode not found/);

    const j = JSON.parse(run(['detect', '--json'], dir).out);
    assert.equal(j.confidence, 'exact');
    assert.equal(j.hardware, 'nvidia-rtx-4090');
    assert.equal(j.gpu_count, 2);
    assert.deepEqual(j.tools.find((t) => t.name === 'nvidia-smi'), { name: 'nvidia-smi', status: 'ran' });
    assert.equal(j.evidence[0].text, '2 × NVIDIA GeForce RTX 4090 with 24.0 GiB');
});

test('--hardware local: estimate and rank use the detected device and count', () => {
    const dir = fakeTools({ 'nvidia-smi': TWO_4090 });
    const est = run(['estimate', '--model', 'llama-3.1-8b-instruct', '--hardware', 'local', '--quant', 'Q4_K_M', '--json'], dir);
    assert.equal(est.code, 0, est.err);
    const rep = JSON.parse(est.out);
    assert.equal(rep.hardware.id, 'nvidia-rtx-4090');
    assert.equal(rep.hardware.count, 2);
    assert.match(est.err, /--hardware local is nvidia-rtx-4090 --count 2/);
    // An explicit --count wins over the detected one.
    const one = JSON.parse(run(['estimate', '--model', 'llama-3.1-8b-instruct', '--hardware', 'local', '--count', '1', '--json'], dir).out);
    assert.equal(one.hardware.count, 1);
    const rank = run(['rank', '--hardware', 'local', '--json'], dir);
    assert.equal(rank.code, 0, rank.err);
    assert.ok(JSON.parse(rank.out).items.every((i) => i.hardware === 'nvidia-rtx-4090'));
});

test('detect: sysctl on a Mac gives the exact chip and memory', () => {
    // An M3 Max, 16 cores, 64 GB (github.com/philipturner/applegpuinfo/issues/4).
    const dir = fakeTools({
        sysctl: 'machdep.cpu.brand_string: Apple M3 Max\nhw.memsize: 68719476736\nhw.ncpu: 16\niogpu.wired_limit_mb: 0\n',
    });
    const j = JSON.parse(run(['detect', '--json'], dir).out);
    assert.equal(j.confidence, 'exact');
    assert.equal(j.hardware, 'apple-m3-max-40c-64gb');
    assert.equal(j.vendor, 'apple');
});

test('detect: a family is listed with its choices', () => {
    // rocm-smi's pci.ids name covers two cards and no VRAM line came back.
    const dir = fakeTools({ 'rocm-smi': 'GPU[0]\t\t: Card series: \t\tNavi 31 [Radeon RX 7900 XT/7900 XTX]\n' });
    const r = run(['detect'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Radeon RX 7900 XT\/7900 XTX — 20 or 24 GB\?/);
    assert.match(r.out, /amd-rx-7900-xt\s+AMD Radeon RX 7900 XT\n/);
    assert.match(r.out, /amd-rx-7900-xtx\s+AMD Radeon RX 7900 XTX\n/);
    // --hardware local needs an exact answer: it says why and exits 1.
    const est = run(['estimate', '--model', 'llama-3.1-8b-instruct', '--hardware', 'local'], dir);
    assert.equal(est.code, 1);
    assert.match(est.err, /--hardware local: .*which memory size\?/);
    assert.match(est.err, /--hardware amd-rx-7900-xtx/);
});

test('nothing found: says so and exits 1', () => {
    const dir = fakeTools({});
    const r = run(['detect'], dir);
    assert.equal(r.code, 1);
    assert.match(r.out, /we could not tell which GPU this machine has/);
    assert.match(r.out, /Looked at: nvidia-smi not found; rocm-smi not found; sysctl not found; dmidecode not found/);
    const est = run(['estimate', '--model', 'llama-3.1-8b-instruct', '--hardware', 'local', '--json'], dir);
    assert.equal(est.code, 1);
    assert.equal(est.out, '');
    assert.match(est.err, /--hardware local: .*could not tell which GPU/);
});

test('a hung tool is stopped after the timeout and the rest still runs', () => {
    const dir = fakeTools({
        'nvidia-smi': { script: 'sleep 30' },
        sysctl: 'machdep.cpu.brand_string: Apple M1\nhw.memsize: 8589934592\n',
    });
    const start = Date.now();
    const j = JSON.parse(run(['detect', '--json'], dir, { HEADROOM_TOOL_TIMEOUT_MS: '300' }).out);
    assert.ok(Date.now() - start < 10000, 'the CLI waited for the hung tool');
    assert.deepEqual(j.tools.find((t) => t.name === 'nvidia-smi'), { name: 'nvidia-smi', status: 'timed_out', detail: 'after 300 ms' });
    assert.equal(j.hardware, 'apple-m1-8gb');
});
