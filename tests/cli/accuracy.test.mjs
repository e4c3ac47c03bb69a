// `headroom accuracy`: prints the error table scripts/accuracy wrote (--json FILE; scripts/build
// writes build/accuracy.json). The CLI only reads the harness's result, so these tests feed it
// a small hand-written result and, when the build wrote one, the real file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.HEADROOM_BIN || path.join(root, 'build', 'headroom');

function run(args, cwd = root) {
    const r = spawnSync(bin, args, { encoding: 'utf8', cwd });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

const summary = (n, median, p90, w10, w25, signed) => ({ n, median_ape: median, p90_ape: p90, within_10: w10, within_25: w25, median_signed: signed });

// The shape scripts/accuracy --json writes (metrics in the harness's order, weak spots with their rows).
const FIXTURE = {
    data: 'shared/validation/dev',
    engine_version: '9.9.9',
    gates: { tg: 15, pp: 25, kv_cache: 5 },
    failed_gates: [],
    metrics: [
        { metric: 'tg', title: 'decode', gate: 15, engine: summary(595, 12.04, 37.0, 0.41, 0.817, 0.4), baseline: summary(595, 67.34, 219.2, 0.02, 0.17, 67.0) },
        { metric: 'pp', title: 'prefill', gate: 25, engine: summary(398, 19.14, 76.7, 0.31, 0.59, 6.5), baseline: summary(398, 77.5, 329.9, 0.05, 0.2, 70) },
        { metric: 'kv_cache', title: 'KV', gate: 5, engine: summary(17, 0.004, 0.01, 1, 1, 0), baseline: summary(17, 0, 700, 0.8, 0.8, 0) },
        { metric: 'compute_buffer', title: 'compute', gate: 5, engine: summary(5, 0.71, 86.2, 0.8, 0.8, -0.7), baseline: null },
    ],
    weak_spots: [{ id: 'a100-hbm-decode', title: 'A100 (HBM) decode efficiency', text: 'Plainly stated.', rows: ['perf:9'], engine: summary(83, 17.0, 54.4, 0.3, 0.7, 10.2) }],
};

function fixtureFile(doc) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-accuracy-'));
    const file = path.join(dir, 'accuracy.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
}

test('accuracy prints the engine and naive-baseline medians per metric, in the harness order', () => {
    const r = run(['accuracy', '--file', fixtureFile(FIXTURE)]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /engine 9\.9\.9/);
    const lines = r.out.split('\n');
    const row = (m) => lines.find((l) => l.startsWith(`${m} `));
    // tg: n 595, median 12.0 %, p90 37.0 %, 41 % / 82 % within 10 / 25 %, naive 67.3 % / 219.2 %, gate 15 %.
    assert.match(row('tg'), /^tg\s+595\s+12\.0%\s+37\.0%\s+41%\s+82%\s+67\.3%\s+219\.2%\s+15%$/);
    assert.match(row('pp'), /^pp\s+398\s+19\.1%\s+76\.7%\s+31%\s+59%\s+77\.5%\s+329\.9%\s+25%$/);
    // Under 1 % two decimals: 0.004 -> 0.00 %; no baseline prints "-".
    assert.match(row('kv_cache'), /^kv_cache\s+17\s+0\.00%\s+0\.01%\s+100%\s+100%\s+0\.00%\s+700\.0%\s+5%$/);
    assert.match(row('compute_buffer'), /^compute_buffer\s+5\s+0\.71%\s+86\.2%\s+80%\s+80%\s+-\s+-\s+5%$/);
    assert.ok(lines.indexOf(row('tg')) < lines.indexOf(row('pp')) && lines.indexOf(row('pp')) < lines.indexOf(row('kv_cache')));
    assert.match(r.out, /A100 \(HBM\) decode efficiency: n 83, median 17\.0%, p90 54\.4%\n\s+Plainly stated\./);
    assert.match(r.out, /gates: all met/);
});

test('accuracy --json gives the table as JSON; exceeded gates exit 1', () => {
    const r = run(['accuracy', '--json', '--file', fixtureFile({ ...FIXTURE, failed_gates: ['pp'] })]);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.out);
    assert.equal(out.ok, true);
    assert.deepEqual(out.metrics.map((m) => m.metric), ['tg', 'pp', 'kv_cache', 'compute_buffer']);
    assert.equal(out.metrics[0].engine.median_ape, 12.04);
    assert.equal(out.metrics[0].baseline.median_ape, 67.34);
    assert.equal(out.metrics[3].baseline, null);
    assert.deepEqual(out.failed_gates, ['pp']);
    assert.equal(out.weak_spots[0].rows, undefined, 'row ids stay in the harness file');
});

test('accuracy without results says how to make them (exit 1); a bad option is a usage error', () => {
    const missing = path.join(os.tmpdir(), 'headroom-no-such-accuracy.json');
    const r = run(['accuracy', '--file', missing, '--json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.out);
    assert.equal(out.ok, false);
    assert.equal(out.error.code, 'no_accuracy_data');
    assert.equal(out.error.field, 'file');
    assert.match(out.error.message, /scripts\/build/);
    const text = run(['accuracy', '--file', missing]);
    assert.equal(text.code, 1);
    assert.match(text.err, /no accuracy results/);
    assert.equal(run(['accuracy', '--frobnicate', 'x']).code, 2);
});

const built = path.join(root, 'build', 'accuracy.json');
const builtSkip = fs.existsSync(built) ? false : 'build/accuracy.json not written (scripts/build needs python3 and ../shared/validation/dev/)';

test('accuracy reads build/accuracy.json by default and prints its medians', { skip: builtSkip }, () => {
    const doc = JSON.parse(fs.readFileSync(built, 'utf8'));
    const r = run(['accuracy', '--json']);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const out = JSON.parse(r.out);
    assert.equal(out.file, 'build/accuracy.json');
    const tg = out.metrics.find((m) => m.metric === 'tg');
    assert.equal(tg.engine.median_ape, doc.summary.tg.median_ape);
    assert.equal(tg.baseline.median_ape, doc.baseline_summary.tg.median_ape);
    assert.equal(r.code, doc.failed_gates.length ? 1 : 0);
    const text = run(['accuracy']);
    assert.match(text.out, new RegExp(`^tg\\s+${doc.summary.tg.n}\\s+${doc.summary.tg.median_ape.toFixed(1)}%`, 'm'));
});
