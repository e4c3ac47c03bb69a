// Runtime memory models. Facts and citations: shared/reference/runtime-memory.md
// (§2 llama.cpp, §3 vLLM, §4 MLX, §5 Ollama).
#include "runtime_memory.hpp"

#include <algorithm>
#include <cmath>

#include "units.hpp"

namespace headroom {
namespace {

// --- Device reserves --------------------------------------------------------

// nvidia-smi reports a little less than the nominal size on datacenter parts
// (H100 80GB: 81,559 MiB of 81,920 MiB = 0.44 % for ECC/driver reserve).
constexpr double kDriverReserveFraction = 0.0044;
// A desktop/laptop GPU usually also drives the display: compositor and
// browser take ~0.3–0.5 GiB (typical idle nvidia-smi readings on desktops).
constexpr double kDisplayReserveBytes = 0.4 * kGiB;
// Apple: Metal's recommendedMaxWorkingSetSize is about 2/3 of RAM on machines
// with ≤ 36 GB and about 3/4 above (runtime-memory.md §4: M3 16 GB reports
// 11.84 GB; mlx-lm log on 128 GB shows 98,304 MB = 75 %).
constexpr double kAppleWiredFractionSmall = 2.0 / 3.0;
constexpr double kAppleWiredFractionLarge = 0.75;
constexpr double kAppleSmallMemoryLimitBytes = 36.0 * kGiB;
// Other unified-memory systems (Strix Halo, DGX Spark, Jetson, CPU-only):
// the OS and desktop keep at least 4 GiB or 10 % of RAM (assumption; the GPU
// share is configurable via GTT / carve-out on these systems).
constexpr double kUnifiedOsReserveMinBytes = 4.0 * kGiB;
constexpr double kUnifiedOsReserveFraction = 0.10;
// AMD APUs (Strix Halo / Ryzen AI Max) on Linux: the iGPU allocates through
// GTT, which the kernel caps at TTM's page limit, by default half of system RAM
// (linux drivers/gpu/drm/ttm/ttm_tt.c v6.16 L52, ttm_tt_pages_limit; a 128 GB
// Strix Halo shows 62.2 GB to ROCm by default, github.com/ROCm/ROCm/issues/5595;
// AMD's Strix Halo optimization page, rocm.docs.amd.com .../system-optimization/strixhalo.html,
// raises it with ttm.pages_limit = GiB x 262144).
constexpr double kAmdApuGttFraction = 0.50;

// --- Runtime overheads ------------------------------------------------------

// llama.cpp "unaccounted" device memory (CUDA context, kernels, cuBLAS, pool):
// 455 MiB on a 24 GiB RTX 4090 (PR #15860) and 749 MiB on a 96 GiB RTX PRO
// 6000 (issue #27953). A line through both: 357 MiB + 0.4 % of device memory.
constexpr double kCudaContextBaseBytes = 357.0 * kMiB;
constexpr double kCudaContextPerDeviceByte = 0.004;
// Metal: Ollama budgets 512 MiB per Metal device (ml/device.go MinimumMemory).
constexpr double kMetalContextBytes = 512.0 * kMiB;
// CPU backend: thread pools and scratch, small.
constexpr double kCpuContextBytes = 128.0 * kMiB;
// llama.cpp --fit keeps 1 GiB free on every device (common.h fit_params_target).
constexpr double kLlamaFitMarginBytes = 1.0 * kGiB;
// Pipeline parallelism (multi-GPU layer split with every layer offloaded)
// keeps GGML_SCHED_MAX_COPIES = 4 copies of the graph inputs.
constexpr double kPipelineCopies = 4.0;
// Attention-phase temporaries, in n_embd-wide F32 rows per token (fitted on the
// two logged buffers above: 6.0 for 8B, 5.25 for 70B).
constexpr double kAttentionPhaseEmbdRows = 5.5;

// vLLM: gpu_memory_utilization default 0.9 of total memory (§3).
constexpr double kVllmMemoryUtilization = 0.90;
// SGLang mem_fraction_static default for large GPUs (server_args.py; ~0.88 on 80 GB parts).
constexpr double kSglangMemoryFraction = 0.88;
// TensorRT-LLM: kv_cache_free_gpu_mem_fraction default 0.9 of what is free after weights.
constexpr double kTrtMemoryFraction = 0.90;
// vLLM non-torch memory (CUDA context, NCCL, cuBLAS) and CUDA-graph pool:
// graph pools of 0.36–1.3 GiB are reported (PR #21489, #30515); context ~0.5 GiB.
constexpr double kVllmCudaContextBytes = 0.5 * kGiB;
constexpr double kVllmCudaGraphBytes = 0.5 * kGiB;
// MLX: Metal context and allocator cache headroom.
constexpr double kMlxContextBytes = 0.3 * kGiB;
// ExLlamaV2: CUDA context + scratch.
constexpr double kExllamaContextBytes = 0.5 * kGiB;

double llama_overhead_bytes(const Hardware& hw, Backend backend) {
    switch (backend) {
    case Backend::metal: return kMetalContextBytes;
    case Backend::cpu: return kCpuContextBytes;
    default: return kCudaContextBaseBytes + kCudaContextPerDeviceByte * hw.memory_bytes;
    }
}

}  // namespace

double paged_server_memory_fraction(Runtime runtime) {
    switch (runtime) {
    case Runtime::vllm: return kVllmMemoryUtilization;
    case Runtime::sglang: return kSglangMemoryFraction;
    case Runtime::tensorrt_llm: return kTrtMemoryFraction;
    default: return 1.0;
    }
}

std::uint32_t paged_server_batched_tokens(const Hardware& hw) {
    // vLLM get_batch_defaults: ≥ 70 GiB GPUs that are not A100 use 8192 for the
    // API server, other GPUs 2048.
    const bool big = hw.memory_bytes >= 70.0 * kGiB && hw.name.find("A100") == std::string::npos;
    return big ? 8192u : 2048u;
}

bool is_amd_apu(const Hardware& hw) {
    return hw.unified_memory && hw.vendor == Vendor::amd && hw.form_factor != "datacenter";  // not MI300A
}

DeviceBudget device_budget(const Hardware& hw, Runtime runtime) {
    DeviceBudget b;
    b.memory_bytes = hw.memory_bytes;
    if (hw.vendor == Vendor::apple) {
        const double f = hw.memory_bytes <= kAppleSmallMemoryLimitBytes ? kAppleWiredFractionSmall : kAppleWiredFractionLarge;
        b.usable_bytes = hw.memory_bytes * f;
        b.why = "macOS lets the GPU wire about " + std::to_string(int(std::lround(f * 100))) +
                "% of unified memory (recommendedMaxWorkingSetSize; raise it with sudo sysctl iogpu.wired_limit_mb)";
    } else if (is_amd_apu(hw)) {
        b.usable_bytes = hw.memory_bytes * kAmdApuGttFraction;
        b.why = "Linux lets the iGPU map half of RAM by default (GTT, TTM pages_limit); raise it with the kernel "
                "parameter ttm.pages_limit (GiB x 262144) or the BIOS UMA carve-out";
    } else if (hw.unified_memory || hw.vendor == Vendor::cpu) {
        const double reserve = std::max(kUnifiedOsReserveMinBytes, kUnifiedOsReserveFraction * hw.memory_bytes);
        b.usable_bytes = hw.memory_bytes - reserve;
        b.why = "memory is shared with the operating system, which keeps about max(4 GiB, 10%)";
    } else {
        double reserve = kDriverReserveFraction * hw.memory_bytes;
        if (hw.form_factor == "desktop" || hw.form_factor == "laptop") reserve += kDisplayReserveBytes;
        b.usable_bytes = hw.memory_bytes - reserve;
        b.why = hw.form_factor == "desktop" || hw.form_factor == "laptop"
                    ? "driver reserve and ~0.4 GiB for the display are not available to the model"
                    : "the driver reserves a small part (~0.44%) of device memory";
    }
    if (is_paged_server(runtime)) {
        const double f = paged_server_memory_fraction(runtime);
        b.usable_bytes = std::min(b.usable_bytes, hw.memory_bytes * f);
        b.why = std::string(runtime_name(runtime)) + " may use " + std::to_string(int(std::lround(f * 100))) +
                "% of device memory (gpu_memory_utilization)";
    }
    b.usable_bytes = std::max(0.0, b.usable_bytes);
    return b;
}

KvLayout kv_layout_for(const RunSettings& run, std::uint64_t n_ctx) {
    KvLayout l;
    l.type = run.kv_type;
    l.n_ctx = n_ctx;
    l.n_seq = std::max<std::uint32_t>(1, run.n_parallel);
    l.n_ubatch = run.n_ubatch;
    if (is_llama_family(run.runtime)) {
        l.ctx_pad = 256;           // llama.cpp pads n_ctx to a multiple of 256
        l.mla_v_less = true;       // PR #19067 (Jan 2026): MLA cache stores the latent only
        l.mla_latent = true;
    } else if (is_paged_server(run.runtime)) {
        l.ctx_pad = 16;            // vLLM block_size 16
        l.mla_latent = true;       // MLAAttentionSpec: one latent vector per token
        l.mla_v_less = true;
        l.per_sequence_window = true;
        l.n_ubatch = 2048;         // window + one scheduler step of tokens
    } else {
        l.ctx_pad = 256;           // MLX / ExLlamaV2 grow their caches in 256-token steps
        l.mla_latent = false;      // no latent cache: full per-head K/V (assumption)
        l.mla_v_less = false;
        l.per_sequence_window = true;
        l.n_ubatch = 0;
    }
    return l;
}

double llama_compute_buffer_bytes(const ModelArch& a, const RunSettings& run, std::uint64_t n_ctx, bool holds_output) {
    // The graph reserve for a worst-case ubatch (runtime-memory.md §2.6): one
    // layer's live F32 intermediates (buffers are reused across layers) and the
    // logits on the device holding the output layer.
    const double n_tokens = double(std::min<std::uint64_t>(n_ctx, run.n_ubatch));
    const double ctx = double(pad_to(n_ctx, 256));
    // Attention scratch: without flash attention the KQ matrix is materialised
    // (n_ctx × n_tokens × n_head × 4 B); with it only the F16 mask remains.
    double attn_ctx = 0.0;
    std::uint32_t heads = a.attn.n_head;
    bool any_full = false;
    for (const LayerSpec& l : a.layers) {
        if (l.attention == AttentionKind::full || l.attention == AttentionKind::mla) any_full = true;
    }
    if (any_full) {
        attn_ctx = ctx;
    } else if (a.count_layers(AttentionKind::sliding) > 0) {
        attn_ctx = std::min(ctx, double(pad_to(a.attn.sliding_window + run.n_ubatch, 256)));
    }
    double attn_scratch = 0.0;
    if (attn_ctx > 0) {
        attn_scratch = run.flash_attention ? attn_ctx * n_tokens * 2.0 : attn_ctx * n_tokens * heads * 4.0;
    }
    // ggml-alloc reuses memory between phases of a layer, so the peak is the
    // larger of the attention phase (scores + q/k/v/output temporaries, ~5.5
    // n_embd-wide F32 rows per token: 560 MiB logged for Llama-3-8B at 8k without
    // FA = 512 MiB of scores + 48 MiB; 1108 MiB for 70B = 1024 + 84) and the FFN
    // phase (gate, up and the activation product: 3 n_ff-wide rows + 2 n_embd).
    double ff = double(a.n_ff);
    if (a.is_moe()) ff = std::max(ff, double(a.moe.n_ff_expert) * a.moe.n_expert_used + a.moe.n_ff_shared);
    const double attention_phase = attn_scratch + kAttentionPhaseEmbdRows * n_tokens * a.n_embd * 4.0;
    const double ffn_phase = (3.0 * ff + 2.0 * a.n_embd) * n_tokens * 4.0;
    double peak = std::max(attention_phase, ffn_phase);
    if (holds_output) {
        const double logits = double(a.n_vocab) * n_tokens * 4.0 + n_tokens * a.n_embd * 4.0;
        peak = std::max(peak, logits);
    }
    // Quantized KV with flash attention: one layer's K/V converted to F16 for the kernel.
    if (run.flash_attention && (run.kv_type == KvType::q8_0 || run.kv_type == KvType::q4_0)) {
        peak += ctx * double(a.attn.n_head_kv) * (a.attn.head_dim_k + a.attn.head_dim_v) * 2.0;
    }
    // Multi-GPU layer split with everything offloaded runs as a pipeline with
    // 4 copies of the graph inputs (the KQ mask dominates them).
    if (run.gpu_count > 1 && run.split == SplitMode::layer) {
        const double mask = attn_ctx * n_tokens * (run.flash_attention ? 2.0 : 4.0);
        peak += kPipelineCopies * mask;
    }
    return peak;
}

RuntimeMemory runtime_memory(const ModelArch& a, const Hardware& hw, const RunSettings& run, std::uint64_t n_ctx,
                             bool holds_output) {
    RuntimeMemory m;
    if (is_llama_family(run.runtime)) {
        m.compute_bytes = llama_compute_buffer_bytes(a, run, n_ctx, holds_output);
        m.overhead_bytes = llama_overhead_bytes(hw, run.backend);
        m.host_bytes = double(a.n_vocab) * std::max<std::uint32_t>(1, run.n_parallel) * 4.0;
        m.margin_bytes = 0.0;
        if (run.runtime == Runtime::lmstudio) m.notes.push_back("LM Studio runs llama.cpp; its memory is modelled as llama.cpp's");
        if (run.runtime == Runtime::ollama) m.notes.push_back("Ollama runs GGUF models in llama-server; memory modelled as llama.cpp's");
    } else if (is_paged_server(run.runtime)) {
        // Activation peak of the profiling run: max_num_batched_tokens through one
        // layer (bf16 hidden states, q/k/v, MLP intermediates) plus sampler logits
        // for max_num_seqs sequences in F32 (vLLM gpu_worker.determine_available_memory).
        const double t = double(paged_server_batched_tokens(hw));
        double ff = double(a.n_ff);
        if (a.is_moe()) ff = std::max(ff, double(a.moe.n_ff_expert) * a.moe.n_expert_used + a.moe.n_ff_shared);
        const double max_num_seqs = hw.memory_bytes >= 70.0 * kGiB ? 1024.0 : 256.0;
        const double hidden = t * (8.0 * a.n_embd + 4.0 * ff) * 2.0;
        const double sampler = max_num_seqs * double(a.n_vocab) * 4.0 * 2.0;
        m.compute_bytes = hidden + sampler;
        m.overhead_bytes = kVllmCudaContextBytes + kVllmCudaGraphBytes;
        if (run.runtime != Runtime::vllm) {
            m.notes.push_back(std::string(runtime_name(run.runtime)) + " memory is modelled on vLLM's (approximate)");
        }
    } else if (run.runtime == Runtime::mlx) {
        const double t = double(std::min<std::uint64_t>(n_ctx, 512));  // mlx-lm prefill step 512 (prefill_step_size)
        double ff = double(a.n_ff);
        if (a.is_moe()) ff = std::max(ff, double(a.moe.n_ff_expert) * a.moe.n_expert_used);
        // Prefill runs in 512-token steps through MLX's fused attention (no score
        // matrix kept); the peak is one step's hidden states and MLP intermediates
        // in 16-bit plus the last-token logits.
        m.compute_bytes = t * (4.0 * a.n_embd + 3.0 * ff) * 2.0 + double(a.n_vocab) * 4.0 * 2.0;
        m.overhead_bytes = kMlxContextBytes;
    } else {  // exllamav2
        const double t = double(std::min<std::uint64_t>(n_ctx, 2048));  // max_input_len default chunk
        m.compute_bytes = t * (4.0 * a.n_embd + 3.0 * double(a.n_ff)) * 2.0 + double(a.n_vocab) * t * 2.0 / 4.0;
        m.overhead_bytes = kExllamaContextBytes;
        m.notes.push_back("ExLlamaV2 memory is approximate (no published breakdown); flash attention assumed");
    }
    if (run.runtime == Runtime::llama_cpp || run.runtime == Runtime::ollama) {
        m.margin_bytes = 0.0;  // the --fit margin is applied when solving the safe context (fit.cpp)
    }
    return m;
}

double llama_fit_margin_bytes() { return kLlamaFitMarginBytes; }

}  // namespace headroom
