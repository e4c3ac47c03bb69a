// report-view.js: renders one engine report into the report page's sections.
// Every number shown is a field of the report, formatted by format.js; the
// text around it is a template. Nothing here estimates anything.

import { h, replace, setText, $ } from './dom.js';
import * as fmt from './format.js';

const SEGMENTS = [
    { key: 'weights_bytes', label: 'Weights', cls: 'seg-weights' },
    { key: 'kv_cache_bytes', label: 'KV cache', cls: 'seg-kv' },
    { key: 'state_bytes', label: 'Recurrent state', cls: 'seg-state' },
    { key: 'compute_bytes', label: 'Compute buffers', cls: 'seg-compute' },
    { key: 'runtime_overhead_bytes', label: 'Runtime overhead', cls: 'seg-runtime' },
    { key: 'headroom_bytes', label: 'Headroom (free)', cls: 'seg-headroom' },
];

const BOUND_TEXT = {
    memory: 'memory bandwidth',
    compute: 'compute',
    overhead: 'kernel overhead',
    offload: 'system RAM (offload)',
    interconnect: 'interconnect',
};

export function deviceName(r) {
    const n = r.hardware.count;
    const parts = String(r.hardware.name).split(' + ');
    if (parts.length > 1 && parts.length === n) {
        // Mixed GPUs ("A + A + B"): "2 × A + B".
        const groups = [];
        for (const p of parts) {
            const last = groups[groups.length - 1];
            if (last && last.name === p) last.n += 1;
            else groups.push({ name: p, n: 1 });
        }
        return groups.map((g) => (g.n > 1 ? `${g.n} × ${g.name}` : g.name)).join(' + ');
    }
    return n > 1 ? `${n} × ${r.hardware.name}` : r.hardware.name;
}

const LLAMA_FAMILY = ['llama.cpp', 'ollama', 'lmstudio'];

/** memory.per_device, split into GPU rows and the system RAM ("cpu") row. */
function devices(r) {
    const rows = r.memory.per_device ?? [];
    return { gpus: rows.filter((d) => d.device !== 'cpu'), cpu: rows.find((d) => d.device === 'cpu') ?? null };
}

/** Whether the report places anything in system RAM on purpose (llama.cpp offload). */
function offloads(r) {
    const o = r.offload;
    const partial = LLAMA_FAMILY.includes(r.runtime) && o && (o.gpu_layers < o.layers || o.cpu_moe_layers > 0);
    return Boolean(partial) || r.memory.offloaded_bytes > 0;
}

/** "gpu1 (NVIDIA GeForce RTX 3060 12GB)" -> "GPU 1 · NVIDIA GeForce RTX 3060 12GB"; "cpu" -> "System RAM". */
export function deviceLabel(d, r) {
    if (d.device === 'cpu') return 'System RAM (CPU)';
    const m = /^gpu(\d+)(?: \((.*)\))?$/.exec(d.device);
    if (!m) return d.device;
    return `GPU ${m[1]} · ${m[2] ?? r.hardware.name}`;
}

/** The flags of the llama.cpp command that set context and placement ("-c 4096 -ngl 42"). */
function placementFlags(r) {
    const cmd = (r.commands ?? []).find((c) => c.runtime === 'llama.cpp')?.command ?? '';
    const flags = [...cmd.matchAll(/(?:^|\s)(-c \d+|-ngl \d+|--n-cpu-moe \d+|--cpu-moe|-sm \w+)(?=\s|$)/g)].map((x) => x[1]);
    if (flags.length) return flags.join(' ');
    const o = r.offload;
    return [`-c ${r.context_tokens}`, `-ngl ${o.gpu_layers}`, o.cpu_moe_layers > 0 ? `--n-cpu-moe ${o.cpu_moe_layers}` : null].filter(Boolean).join(' ');
}

function gradeBadge(grade, score, extraClass = '') {
    return h('span', { class: `badge grade-${String(grade).toLowerCase()} ${extraClass}`.trim(),
                       title: `Grade ${grade}, score ${Math.round(score)} of 100` },
             h('span', { class: 'badge-letter', text: grade }), ' ', h('span', { class: 'badge-score', text: String(Math.round(score)) }));
}

function verdictPill(verdict) {
    return h('span', { class: `pill verdict-${verdict}`, text: fmt.verdictShort(verdict) });
}

function renderHeadline(r) {
    setText($('#question'), `Can ${r.model.name} run on ${deviceName(r)}?`);
    const card = $('#verdict-card');
    card.dataset.verdict = r.fit.verdict;
    setText($('#verdict'), `${fmt.verdictHeadline(r.fit.verdict)}`);
    setText($('#grade-letter'), r.fit.grade);
    setText($('#grade-score'), String(Math.round(r.fit.score)));
    setText($('#grade-label'), r.fit.label);
    $('#grade').className = `grade grade-${r.fit.grade.toLowerCase()}`;
    $('#grade').setAttribute('aria-label', `Grade ${r.fit.grade}, score ${Math.round(r.fit.score)} of 100: ${r.fit.label}`);

    const m = r.memory;
    const usable = fmt.bytes(r.hardware.usable_bytes);
    let sentence;
    const { gpus, cpu } = devices(r);
    const fullGpu = gpus.find((d) => d.bytes > d.usable_bytes);
    if (r.fit.verdict === 'no' && cpu && !fullGpu && m.offloaded_bytes > 0 && cpu.bytes > cpu.usable_bytes) {
        // System RAM is what is short: say so plainly.
        sentence = `Does not run: system RAM is too small. The part of ${r.model.name} (${r.quant}) that does not fit on ${deviceName(r)} needs ${fmt.bytes(cpu.bytes)} of system RAM, and only ${fmt.bytes(cpu.usable_bytes)} is usable.`;
    } else if (r.fit.verdict === 'no' && fullGpu && gpus.length > 1) {
        sentence = `Does not run: ${r.model.name} with ${r.quant} needs ${fmt.bytes(fullGpu.bytes)} on ${deviceLabel(fullGpu, r)}, which has ${fmt.bytes(fullGpu.usable_bytes)} usable.`;
    } else if (r.fit.verdict === 'no') {
        sentence = `${r.model.name} needs ${fmt.bytes(m.device_bytes)} on the device with ${r.quant}; ${deviceName(r)} has ${usable} usable, and the rest does not fit in system RAM.`;
    } else if (r.fit.verdict === 'offload') {
        sentence = `${r.model.name} uses ${fmt.bytes(m.device_bytes)} of ${usable} usable on the device and keeps ${fmt.bytes(m.offloaded_bytes)} in system RAM. Expect about ${fmt.rate(r.performance.decode_tokens_per_s)} with ${r.quant} on ${r.runtime}.`;
    } else {
        sentence = `${r.model.name} needs ${fmt.bytes(m.device_bytes)} of ${usable} usable (${fmt.percent(r.fit.memory_used_fraction)}). Expect about ${fmt.rate(r.performance.decode_tokens_per_s)} with ${r.quant} on ${r.runtime}.`;
    }
    setText($('#summary'), sentence);

    const chip = (label, value, title) => h('li', { class: 'chip', title }, h('span', { class: 'chip-label', text: label }), h('span', { class: 'chip-value', text: value }));
    replace($('#chips'),
        chip('Runtime', `${r.runtime}`),
        chip('Capacity', `${fmt.bytes(r.hardware.memory_bytes)}${r.hardware.unified_memory ? ' unified' : ''}`, `${fmt.bytes(r.hardware.usable_bytes)} usable: ${r.hardware.usable_reason}`),
        chip('Bandwidth', fmt.bandwidth(r.hardware.bandwidth_bytes_per_s)),
        chip('Stack', `${r.backend}${r.flash_attention ? ' · flash attention' : ''}`),
        chip('Bottleneck', r.fit.verdict === 'no' ? 'memory capacity' : (BOUND_TEXT[r.performance.bound] ?? r.performance.bound)));
}

function renderFigures(r) {
    const p = r.performance;
    const runs = r.fit.verdict !== 'no';
    setText($('#fig-fit'), fmt.verdictShort(r.fit.verdict));
    setText($('#fig-fit-sub'), `Grade ${r.fit.grade} ${Math.round(r.fit.score)} · ${r.fit.label}`);
    setText($('#fig-decode'), runs ? fmt.rate(p.decode_tokens_per_s) : '—');
    setText($('#fig-decode-sub'), runs ? `range ${fmt.rateRange(p.decode_range)}` : 'does not run');
    setText($('#fig-ttft'), runs ? fmt.ms(p.ttft_ms) : '—');
    setText($('#fig-ttft-sub'), runs ? `${fmt.tokens(p.ttft_prompt_tokens)}-token prompt · cold ${fmt.ms(p.cold_start_ms)}` : 'does not run');
    setText($('#fig-context'), `${fmt.tokens(r.fit.safe_context_tokens)}`);
    setText($('#fig-context-sub'), `tokens · model max ${fmt.tokens(r.model.context_max)}`);
    setText($('#fig-memory'), `${fmt.bytes(r.memory.device_bytes)}`);
    setText($('#fig-memory-sub'), `of ${fmt.bytes(r.hardware.usable_bytes)} usable · ${fmt.percent(r.fit.memory_used_fraction)}`);
}

function renderMemory(r) {
    const m = r.memory;
    const usable = r.hardware.usable_bytes;
    const onDevice = SEGMENTS.map((s) => ({ ...s, value: m[s.key] ?? 0 }));
    // Bar widths only: the weights segment on the device is what the engine
    // placed there (device bytes less the other device parts).
    const others = onDevice.filter((s) => s.key !== 'weights_bytes' && s.key !== 'headroom_bytes').reduce((a, s) => a + s.value, 0);
    const scale = Math.max(usable, m.device_bytes + m.headroom_bytes, 1);
    const widths = onDevice.map((s) => {
        const v = s.key === 'weights_bytes' && m.offloaded_bytes > 0 ? Math.max(0, m.device_bytes - others) : s.value;
        return { ...s, width: (100 * v) / scale };
    });
    replace($('#membar'), widths.filter((s) => s.width > 0).map((s) =>
        h('span', { class: `seg ${s.cls}`, style: { width: `${s.width.toFixed(3)}%` } })));
    $('#membar').setAttribute('aria-label', `Device memory: ${onDevice.filter((s) => s.value > 0).map((s) => `${s.label} ${fmt.bytes(s.value)}`).join(', ')}; ${fmt.bytes(usable)} usable`);

    const host = $('#hostbar');
    if (m.offloaded_bytes > 0) {
        host.hidden = false;
        replace(host, h('span', { class: 'seg seg-offload', style: { width: `${Math.min(100, (100 * m.offloaded_bytes) / scale).toFixed(3)}%` } }),
            h('span', { class: 'hostbar-label', text: `System RAM: ${fmt.bytes(m.offloaded_bytes)}` }));
        host.setAttribute('aria-label', `Offloaded to system RAM: ${fmt.bytes(m.offloaded_bytes)}`);
    } else {
        host.hidden = true;
        host.replaceChildren();
    }

    const items = onDevice.filter((s) => s.value > 0 || s.key === 'kv_cache_bytes' || s.key === 'headroom_bytes').map((s) =>
        h('li', {}, h('span', { class: `swatch ${s.cls}`, 'aria-hidden': 'true' }),
          h('span', { class: 'legend-label', text: s.label }),
          h('span', { class: 'legend-value', text: fmt.bytes(s.value) })));
    if (m.offloaded_bytes > 0) {
        items.push(h('li', {}, h('span', { class: 'swatch seg-offload', 'aria-hidden': 'true' }),
            h('span', { class: 'legend-label', text: 'In system RAM (offloaded)' }),
            h('span', { class: 'legend-value', text: fmt.bytes(m.offloaded_bytes) })));
    }
    items.push(h('li', { class: 'legend-total' }, h('span', { class: 'swatch', 'aria-hidden': 'true' }),
        h('span', { class: 'legend-label', text: 'Used on the device' }),
        h('span', { class: 'legend-value', text: `${fmt.bytes(m.device_bytes)} of ${fmt.bytes(usable)}` })));
    replace($('#legend'), items);

    setText($('#memory-lede'), `${r.quant} at ${fmt.number(m.bits_per_weight, 2)} bits per weight, ${fmt.tokens(r.context_tokens)} context with ${r.kv_cache_type} KV cache. Usable: ${fmt.bytes(usable)} (${r.hardware.usable_reason}).`);
    renderDevices(r);
}

/** The offload sentence: what sits where, and the llama.cpp flags that place it so. */
function offloadSentence(r) {
    const o = r.offload;
    const m = r.memory;
    const ram = m.offloaded_bytes > 0 ? ` (${fmt.bytes(m.offloaded_bytes)})` : '';
    const gpuWord = (r.memory.per_device ?? []).filter((d) => d.device !== 'cpu').length > 1 ? 'the GPUs' : 'the GPU';
    if (!LLAMA_FAMILY.includes(r.runtime) || !o) return null;
    let what;
    if (o.cpu_moe_layers > 0) {
        const n = Math.min(o.cpu_moe_layers, o.layers);
        what = `Offload: the routed experts of ${n} of ${o.layers} layers sit in system RAM${ram}; attention and the rest of ${o.gpu_layers < o.layers ? `${o.gpu_layers} layers` : 'every layer'} stay on ${gpuWord}.`;
    } else if (o.gpu_layers < o.layers) {
        what = `Offload: ${o.gpu_layers} of ${o.layers} layers on ${gpuWord}, ${o.layers - o.gpu_layers} in system RAM${ram}.`;
    } else {
        what = `All ${o.layers} layers on ${gpuWord}.`;
    }
    return [what, ' llama.cpp flags: ', h('code', { text: placementFlags(r) }), '.'];
}

function renderDevices(r) {
    const { gpus, cpu } = devices(r);
    const box = $('#per-device');
    if (!(gpus.length > 1 || offloads(r))) {
        box.hidden = true;
        return;
    }
    box.hidden = false;
    const line = offloadSentence(r);
    $('#offload-line').hidden = !line;
    replace($('#offload-line'), line);
    const rows = [...gpus, ...(cpu ? [cpu] : [])].map((d) => {
        const label = deviceLabel(d, r);
        const fraction = d.usable_bytes > 0 ? d.bytes / d.usable_bytes : 0;
        const over = d.bytes > d.usable_bytes;
        return h('tr', { class: over ? 'over' : null, dataset: { device: d.device } },
            h('th', { scope: 'row', text: label }),
            h('td', {}, h('span', { class: 'pd-bar', role: 'img', 'aria-label': `${label}: ${fmt.percent(fraction)} of usable${over ? ', more than it has' : ''}` },
                h('span', { class: 'pd-fill', style: { width: `${Math.min(100, 100 * fraction).toFixed(3)}%` } }))),
            h('td', { class: 'num pd-holds', text: over ? `${fmt.bytes(d.bytes)} — too much` : fmt.bytes(d.bytes) }),
            h('td', { class: 'num pd-usable', text: fmt.bytes(d.usable_bytes) }));
    });
    replace($('#devices tbody'), rows);
}

function renderLimits(r) {
    replace($('#limits'), (r.limits.length ? r.limits : ['Nothing stands out: memory and speed are both comfortable for this setup.'])
        .map((l) => h('li', { text: l })));
    const imps = r.improvement_details ?? [];
    replace($('#improvements'), imps.length
        ? imps.map((i) => h('li', {}, h('strong', { text: i.title }), ' ', verdictPill(i.verdict_after), h('p', { text: i.detail })))
        : [h('li', { class: 'muted', text: 'No change scores better than this setup.' })]);
}

function renderWorkloads(r) {
    replace($('#workloads tbody'), r.workloads.map((w) => h('tr', {},
        h('th', { scope: 'row', text: fmt.workloadName(w.name) }),
        h('td', {}, gradeBadge(w.grade, w.score)),
        h('td', {}, verdictPill(w.verdict)),
        h('td', { class: 'num', text: w.decode_tokens_per_s > 0 ? fmt.rate(w.decode_tokens_per_s) : '—' }),
        h('td', { class: 'num', text: w.ttft_ms > 0 ? fmt.ms(w.ttft_ms) : '—' }),
        h('td', { class: 'num' }, fmt.tokens(w.safe_context_tokens), w.context_enough ? null : h('span', { class: 'warn', title: 'Less context than this workload usually needs', text: ' (short)' })))));
}

function renderQuants(r, onPick) {
    const active = r.model.params_active && r.model.moe ? `, ${fmt.params(r.model.params_active)} active` : '';
    setText($('#quants-lede'), `How ${r.model.name} (${fmt.params(r.model.params_total)} parameters${active}) fits in each format ${r.runtime} loads, on ${deviceName(r)} (${fmt.bytes(r.hardware.usable_bytes)} usable). Choose a row to use it.`);
    replace($('#quants tbody'), r.quantizations.map((q) => {
        const selected = q.quant === r.quant;
        const button = h('button', { type: 'button', class: 'linkish', 'aria-pressed': selected ? 'true' : 'false',
                                     onclick: (e) => { e.stopPropagation(); onPick(q.quant); } }, q.quant);
        return h('tr', { class: selected ? 'selected' : null, dataset: { quant: q.quant }, onclick: () => onPick(q.quant) },
            h('th', { scope: 'row' }, button, q.best ? h('span', { class: 'best', text: 'Best' }) : null),
            h('td', { class: 'num', text: fmt.number(q.bits_per_weight, 2) }),
            h('td', { class: 'num', text: fmt.bytes(q.total_bytes) }),
            h('td', { text: fmt.capitalize(q.quality) }),
            h('td', {}, verdictPill(q.verdict)),
            h('td', {}, gradeBadge(q.grade, q.score)),
            h('td', { class: 'num', text: q.verdict !== 'no' && q.decode_tokens_per_s > 0 ? fmt.rate(q.decode_tokens_per_s) : '—' }));
    }));
}

function renderCommands(r) {
    const blocks = r.commands.map((c, i) => h('div', { class: 'command' },
        h('div', { class: 'command-head' }, h('h3', { text: c.runtime }),
          h('button', { type: 'button', class: 'btn copy', dataset: { copyTarget: `cmd-${i}` }, 'aria-label': `Copy the ${c.runtime} command` }, 'Copy')),
        h('pre', { class: 'code' }, h('code', { id: `cmd-${i}`, text: c.command })),
        c.note ? h('p', { class: 'note', text: c.note }) : null));
    replace($('#commands'), blocks.length ? blocks : [h('p', { class: 'muted', text: 'No command: this setup does not run.' })]);
}

function renderFaq(r) {
    const hw = deviceName(r);
    const p = r.performance;
    const m = r.memory;
    const runs = r.fit.verdict !== 'no';
    const best = r.quantizations.find((q) => q.best);
    const coding = r.workloads.find((w) => w.name === 'coding');
    const qa = [];
    qa.push([`Can ${hw} run ${r.model.name}?`,
        runs
            ? `${fmt.verdictHeadline(r.fit.verdict)}: with ${r.quant} on ${r.runtime} it ${r.fit.verdict === 'offload' ? 'runs with part of the model in system RAM' : r.fit.verdict === 'tight' ? 'fits, with little memory to spare' : 'fits'}, grade ${r.fit.grade} ${Math.round(r.fit.score)} (${r.fit.label}), at about ${fmt.rate(p.decode_tokens_per_s)}.`
            : `No: with ${r.quant} on ${r.runtime} it does not run (grade ${r.fit.grade}). ${r.limits[0] ?? ''}`]);
    qa.push([`How much memory does ${r.model.name} need?`,
        `With ${r.quant} and a ${fmt.tokens(r.context_tokens)}-token context: ${fmt.bytes(m.device_bytes)} on the device (weights ${fmt.bytes(m.weights_bytes)}, KV cache ${fmt.bytes(m.kv_cache_bytes)}${m.state_bytes > 0 ? `, recurrent state ${fmt.bytes(m.state_bytes)}` : ''}, compute buffers ${fmt.bytes(m.compute_bytes)}, runtime ${fmt.bytes(m.runtime_overhead_bytes)})${m.offloaded_bytes > 0 ? `, plus ${fmt.bytes(m.offloaded_bytes)} in system RAM` : ''}. ${hw} has ${fmt.bytes(r.hardware.usable_bytes)} usable.`]);
    if (best) {
        qa.push([`What is the best quantization for ${r.model.name} on ${hw}?`,
            best.quant === r.quant
                ? `${best.quant}, the one selected: ${best.quality} quality, ${fmt.bytes(best.total_bytes)}, grade ${best.grade} ${Math.round(best.score)} on ${r.runtime}.`
                : `${best.quant}: ${best.quality} quality, ${fmt.bytes(best.total_bytes)}, ${fmt.verdictShort(best.verdict).toLowerCase()}, grade ${best.grade} ${Math.round(best.score)} on ${r.runtime} (the selected ${r.quant} scores ${Math.round(r.fit.score)}).`]);
    }
    qa.push([`How fast will ${r.model.name} run on ${hw}?`,
        runs
            ? `About ${fmt.rate(p.decode_tokens_per_s)} while generating (likely ${fmt.rateRange(p.decode_range)}), prompt processing at ${fmt.rate(p.prefill_tokens_per_s)}, ${fmt.ms(p.ttft_ms)} to the first token for a ${fmt.tokens(p.ttft_prompt_tokens)}-token prompt, and ${fmt.ms(p.cold_start_ms)} for the first answer after loading. Decode is limited by ${BOUND_TEXT[p.bound] ?? p.bound}.`
            : `It does not run as set up, so there is no speed to give. ${(r.improvement_details ?? [])[0]?.detail ?? ''}`]);
    if (coding && runs) {
        qa.push([`Is it good for coding on ${hw}?`,
            `For coding the grade is ${coding.grade} ${Math.round(coding.score)}: ${fmt.rate(coding.decode_tokens_per_s)}, ${fmt.ms(coding.ttft_ms)} to the first token, ${fmt.tokens(coding.safe_context_tokens)} tokens of context${coding.context_enough ? '' : ' (shorter than coding usually needs)'}.`]);
    }
    qa.push([`What context can ${r.model.name} use on ${hw}?`,
        `Up to ${fmt.tokens(r.fit.safe_context_tokens)} tokens fit safely in memory; the model supports ${fmt.tokens(r.model.context_max)}. This estimate allocates ${fmt.tokens(r.context_tokens)} with a ${r.kv_cache_type} KV cache.`]);
    replace($('#faq'), qa.map(([q, a]) => h('div', { class: 'qa' }, h('h3', { text: q }), h('p', { text: a }))));
}

function renderAssumptions(r) {
    const list = [...r.assumptions, `Usable memory: ${r.hardware.usable_reason}.`];
    setText($('#assumption-count'), String(list.length));
    replace($('#assumptions'), list.map((a) => h('li', { text: a })));
    setText($('#engine-meta'), `Headroom engine ${r.engine_version}, mode ${r.mode}, ${r.parallel_sequences} parallel sequence${r.parallel_sequences === 1 ? '' : 's'}.`);
}

export function renderReport(r, { onPickQuant }) {
    renderHeadline(r);
    renderFigures(r);
    renderMemory(r);
    renderLimits(r);
    renderWorkloads(r);
    renderQuants(r, onPickQuant);
    renderCommands(r);
    renderFaq(r);
    renderAssumptions(r);
}

export { gradeBadge, verdictPill, LLAMA_FAMILY };
