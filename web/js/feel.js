// feel.js: "See how fast it feels". Replays a sample answer at the engine's
// estimated speed: the cold turn waits cold_start_ms, the warm turn ttft_ms,
// then tokens appear at decode_tokens_per_s. Timing only; no estimate here.

import * as fmt from './format.js';

const ANSWERS = {
    cold: `Here's a Python function that sorts a list using quicksort:

def quicksort(arr):
    if len(arr) <= 1:
        return arr
    pivot = arr[len(arr) // 2]
    left = [x for x in arr if x < pivot]
    middle = [x for x in arr if x == pivot]
    right = [x for x in arr if x > pivot]
    return quicksort(left) + middle + quicksort(right)

print(quicksort([3, 6, 8, 10, 1, 2, 1]))  # [1, 1, 2, 3, 6, 8, 10]

It picks a pivot, splits the list into smaller, equal and larger parts, sorts each part and joins them.`,
    warm: `def quicksort(arr: list[int]) -> list[int]:
    """Sort a list using the quicksort algorithm.

    Args:
        arr: List of integers to sort.

    Returns:
        A new sorted list.
    """
    if len(arr) <= 1:
        return arr
    pivot = arr[len(arr) // 2]
    left = [x for x in arr if x < pivot]
    middle = [x for x in arr if x == pivot]
    right = [x for x in arr if x > pivot]
    return quicksort(left) + middle + quicksort(right)

Added type hints for the input and return value, and a Google-style docstring.`,
};

// Roughly how a BPE tokenizer cuts code and prose: short word pieces,
// each punctuation mark, runs of spaces.
function tokenize(text) {
    return text.match(/ ?[A-Za-z]{1,5}| ?\d{1,3}|\s+|[^\sA-Za-z\d]/g) ?? [];
}

const TOKENS = { cold: tokenize(ANSWERS.cold), warm: tokenize(ANSWERS.warm) };

export function createFeel({ els, reducedMotion }) {
    let timing = null; // { cold_ms, ttft_ms, tps }
    let raf = 0;
    let start = 0;
    let pendingStart = false;
    let visible = false;

    const observer = 'IntersectionObserver' in window
        ? new IntersectionObserver((entries) => {
            visible = entries.some((e) => e.isIntersecting);
            if (visible && pendingStart) play();
        })
        : null;
    observer?.observe(els.root);

    function stop() {
        if (raf) cancelAnimationFrame(raf);
        raf = 0;
    }

    function renderAt(elapsed) {
        const t = timing;
        const coldTokens = TOKENS.cold.length;
        const warmTokens = TOKENS.warm.length;
        const perToken = 1000 / t.tps;
        const coldEnd = t.cold_ms + coldTokens * perToken;
        const gap = 600;
        const warmStart = coldEnd + gap;
        const warmEnd = warmStart + t.ttft_ms + warmTokens * perToken;

        const turn = (tokens, waitMs, from, answerEl, statusEl, label) => {
            const local = elapsed - from;
            if (local < 0) {
                answerEl.textContent = '';
                statusEl.textContent = '';
                return;
            }
            if (local < waitMs) {
                answerEl.textContent = '';
                answerEl.dataset.state = 'waiting';
                statusEl.textContent = `${label}… ${fmt.ms(waitMs - local)} until the first token`;
                return;
            }
            const n = Math.min(tokens.length, Math.floor((local - waitMs) / perToken) + 1);
            answerEl.dataset.state = n < tokens.length ? 'streaming' : 'done';
            answerEl.textContent = tokens.slice(0, n).join('');
            statusEl.textContent = n < tokens.length
                ? `${n} of ${tokens.length} tokens at ${fmt.rate(t.tps)}`
                : `${tokens.length} tokens in ${fmt.ms(waitMs + tokens.length * perToken)} (${fmt.ms(waitMs)} wait, then ${fmt.rate(t.tps)})`;
        };
        turn(TOKENS.cold, t.cold_ms, 0, els.answerCold, els.statusCold, 'Loading the model');
        turn(TOKENS.warm, t.ttft_ms, warmStart, els.answerWarm, els.statusWarm, 'Reading the prompt');
        return elapsed < warmEnd;
    }

    function frame(now) {
        if (!start) start = now;
        raf = renderAt(now - start) ? requestAnimationFrame(frame) : 0;
    }

    function play() {
        stop();
        pendingStart = false;
        if (!timing) return;
        if (reducedMotion()) {
            renderAt(Number.MAX_SAFE_INTEGER);
            return;
        }
        start = 0;
        raf = requestAnimationFrame(frame);
    }

    function showIdle(text) {
        stop();
        for (const el of [els.answerCold, els.answerWarm]) {
            el.textContent = '';
            el.dataset.state = 'idle';
        }
        els.statusCold.textContent = text;
        els.statusWarm.textContent = '';
    }

    return {
        /** report: a successful engine report. */
        update(report) {
            const p = report.performance;
            const next = p.decode_tokens_per_s > 0
                ? { cold_ms: p.cold_start_ms, ttft_ms: p.ttft_ms, tps: p.decode_tokens_per_s }
                : null;
            els.lede.textContent = next
                ? `${report.model.name} on ${report.hardware.count > 1 ? `${report.hardware.count} × ` : ''}${report.hardware.name} with ${report.quant}: ${fmt.rate(next.tps)} after ${fmt.ms(next.ttft_ms)} (warm) or ${fmt.ms(next.cold_ms)} (cold, loading the model first). Replayed in real time.`
                : `${report.model.name} does not run on this setup.`;
            els.coldWait.textContent = next ? `${fmt.ms(next.cold_ms)} before the first token` : 'does not run';
            els.warmWait.textContent = next ? `${fmt.ms(next.ttft_ms)} before the first token` : 'does not run';
            const same = timing && next && timing.cold_ms === next.cold_ms && timing.ttft_ms === next.ttft_ms && timing.tps === next.tps;
            if (same) return;
            timing = next;
            if (!timing) {
                showIdle('This setup does not run, so there is nothing to stream. See the improvement path below.');
                return;
            }
            if (visible || !observer) play();
            else {
                stop();
                pendingStart = true;
                renderAt(-1);
            }
        },
        replay: play,
        stop,
    };
}
