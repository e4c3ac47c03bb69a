// Speed model. Decode step = max(bytes / (η_bw × BW), FLOPs / (η_c × peak))
// + per-layer and per-token overheads; offloaded bytes add their own term at
// system bandwidth. Prefill = max(FLOPs / (η_c × peak), weights streamed per
// ubatch / BW). Efficiencies are fitted on shared/validation/dev (scripts/accuracy
// prints the fit's error); physics: shared/reference/runtime-memory.md §6.
#include "performance.hpp"

#include <algorithm>
#include <cmath>

#include "units.hpp"

namespace headroom {
namespace {

// ---- Bandwidth efficiency η_bw (decode), by runtime family × backend ----
// llama.cpp CUDA: 0.82 for 8B Q4_0 on RTX 6000 Ada, ~0.62–0.8 on consumer
// cards (runtime-memory.md §6 table); fitted on the dev set's CUDA tg rows.
constexpr double kLlamaCudaBandwidth = 0.78;
// ROCm/HIP: dev-set Radeon and Instinct tg rows run below CUDA's efficiency.
constexpr double kLlamaRocmBandwidth = 0.62;
// Metal: 0.55–0.65 for simple quants on M1/M2 Max (§6); complex quants lower.
constexpr double kLlamaMetalBandwidth = 0.66;
// Vulkan / SYCL: Strix Halo Vulkan tg rows (lhl/strix-halo-testing) and Arc reports.
constexpr double kLlamaVulkanBandwidth = 0.62;
constexpr double kLlamaSyclBandwidth = 0.50;
// CPU: DDR streams reach ~60–70 % of theoretical in llama.cpp decode.
constexpr double kLlamaCpuBandwidth = 0.60;
// Metal runs K-quants and i-quants slower than Q4_0/Q8_0 (M1 Max 27B: IQ4_NL
// 233 GB/s vs Q3_K_M 175 GB/s, §6): relative factors on η_bw.
constexpr double kMetalKQuantFactor = 0.85;
constexpr double kMetalIQuantFactor = 0.75;
// vLLM / SGLang / TensorRT-LLM decode with CUDA graphs (mlc-ai/llm-perf-bench batch-1 rows).
constexpr double kPagedServerBandwidth = 0.75;
constexpr double kTrtBandwidth = 0.80;
// MLX on Metal (mlx-lm decode of 4-bit models ~ 65–75 % of peak bandwidth).
constexpr double kMlxBandwidth = 0.70;
// ExLlamaV2 (README 4090 / 3090 Ti rows).
constexpr double kExllamaBandwidth = 0.78;

// ---- Per-layer / per-token decode overheads (launch, sync), seconds ----
// Small models are overhead-bound: RTX 4090 qwen2.5-3B Q4_0 (1.86 GiB) runs
// 236 t/s where bandwidth alone allows ~430 t/s (§6).
constexpr double kCudaLayerOverhead = 22e-6;
constexpr double kRocmLayerOverhead = 35e-6;
constexpr double kMetalLayerOverhead = 30e-6;
constexpr double kVulkanLayerOverhead = 35e-6;
constexpr double kCpuLayerOverhead = 10e-6;
constexpr double kTokenOverhead = 0.25e-3;       // sampling + graph launch per step
// MoE layers add router, top-k and expert-gather kernels (mul_mat_id) per
// layer: llama.cpp decodes Qwen3-30B-A3B Q4_K_M (≈2.0 GB read per token) at
// ~180 t/s on an RTX 4090 where a dense model of the same bytes reaches ~260 t/s
// (community llama-bench reports); the difference over 48 MoE layers is ~35 µs
// per layer on CUDA. Other backends scale by their own per-layer cost.
constexpr double kMoeLayerOverheadCuda = 35e-6;
// Prefill of routed experts: each expert sees ubatch × k / n_expert tokens; a
// GEMM with fewer rows than a full tile (~128) runs at a lower share of peak.
// Efficiency = sqrt(tokens per expert / 128), capped at 1.
constexpr double kMoeFullTileTokens = 128.0;
constexpr double kPagedServerTokenOverhead = 1.0e-3;  // scheduler + detokenizer per step (Python loop)

// ---- Compute efficiency η_c (prefill) ----
// llama.cpp CUDA MMQ: RTX 6000 Ada 8B Q4_0 pp 8008 t/s ≈ 129 TFLOPS of weight
// GEMMs vs 728 TOPS int8 dense peak (§6) → ~0.18 of int8 peak, ~0.36 of fp16.
constexpr double kLlamaCudaCompute = 0.40;       // of the FP16 (FP32-acc) tensor peak
constexpr double kLlamaRocmCompute = 0.30;
constexpr double kLlamaMetalCompute = 0.55;      // of the GPU's FP16 peak
constexpr double kLlamaVulkanCompute = 0.30;
constexpr double kLlamaCpuCompute = 0.45;        // of vector FP32 peak
constexpr double kServerCompute = 0.55;          // vLLM/TRT cuBLAS GEMMs at large batch
constexpr double kMlxCompute = 0.50;
// Attention in prefill runs on FP16 at lower efficiency than the weight GEMMs.
constexpr double kAttentionComputeFactor = 0.5;

// ---- Multi-device ----
// Per-layer all-reduce latency for tensor parallel (two per layer).
constexpr double kAllReducePcieSeconds = 25e-6;
constexpr double kAllReduceNvlinkSeconds = 8e-6;
// Layer split hands activations from one device to the next once per boundary.
constexpr double kPipelineHopSeconds = 30e-6;

// ---- Cold start ----
// NVMe read speed for loading weights (assumption: a PCIe 4.0 SSD, ~2.5 GB/s sustained).
constexpr double kDiskBytesPerSecond = 2.5e9;
constexpr double kLlamaInitSeconds = 1.5;    // context creation, graph reserve
constexpr double kServerInitSeconds = 45.0;  // vLLM: torch.compile + CUDA-graph capture on first start
constexpr double kMlxInitSeconds = 1.0;

bool is_k_quant(const WeightFormat& f) {
    if (!f.is_gguf()) return false;
    switch (f.ftype) {
    case GgufFtype::Q2_K: case GgufFtype::Q3_K_S: case GgufFtype::Q3_K_M: case GgufFtype::Q3_K_L:
    case GgufFtype::Q4_K_S: case GgufFtype::Q4_K_M: case GgufFtype::Q5_K_S: case GgufFtype::Q5_K_M:
    case GgufFtype::Q6_K: return true;
    default: return false;
    }
}

bool is_i_quant(const WeightFormat& f) {
    if (!f.is_gguf()) return false;
    switch (f.ftype) {
    case GgufFtype::IQ2_XXS: case GgufFtype::IQ2_XS: case GgufFtype::IQ2_M: case GgufFtype::IQ3_XXS:
    case GgufFtype::IQ3_M: case GgufFtype::IQ4_XS: case GgufFtype::IQ4_NL: return true;
    default: return false;
    }
}

double attention_flops_per_token(const ModelArch& a, std::uint64_t depth) {
    // QKᵀ and AV: 2 × 2 × heads × head_dim × attended tokens per attention layer.
    double flops = 0.0;
    for (const LayerSpec& l : a.layers) {
        if (l.attention == AttentionKind::none) continue;
        double cells = double(depth);
        if (l.attention == AttentionKind::sliding) cells = std::min(cells, double(a.attn.sliding_window));
        if (l.attention == AttentionKind::mla) {
            // Absorbed MLA attends in the latent space: (kv_lora + rope) for scores, kv_lora for values.
            flops += 2.0 * a.attn.n_head * (2.0 * a.mla.kv_lora_rank + a.mla.qk_rope_head_dim) * cells;
        } else {
            flops += 2.0 * a.attn.n_head * (double(a.attn.head_dim_k) + a.attn.head_dim_v) * cells;
        }
    }
    return flops;
}

}  // namespace

Efficiency efficiency_for(Runtime runtime, Backend backend, const Hardware& hw, const WeightFormat& format,
                          double weight_bytes) {
    (void)weight_bytes;
    Efficiency e;
    if (is_llama_family(runtime)) {
        switch (backend) {
        case Backend::cuda:
            e = {kLlamaCudaBandwidth, kLlamaCudaCompute, kCudaLayerOverhead, kTokenOverhead, "llama.cpp CUDA"};
            break;
        case Backend::rocm:
            e = {kLlamaRocmBandwidth, kLlamaRocmCompute, kRocmLayerOverhead, kTokenOverhead, "llama.cpp ROCm"};
            break;
        case Backend::metal:
            e = {kLlamaMetalBandwidth, kLlamaMetalCompute, kMetalLayerOverhead, kTokenOverhead, "llama.cpp Metal"};
            if (is_k_quant(format)) e.bandwidth *= kMetalKQuantFactor;
            if (is_i_quant(format)) e.bandwidth *= kMetalIQuantFactor;
            break;
        case Backend::vulkan:
            e = {kLlamaVulkanBandwidth, kLlamaVulkanCompute, kVulkanLayerOverhead, kTokenOverhead, "llama.cpp Vulkan"};
            break;
        case Backend::sycl:
            e = {kLlamaSyclBandwidth, kLlamaVulkanCompute, kVulkanLayerOverhead, kTokenOverhead, "llama.cpp SYCL"};
            break;
        case Backend::cpu:
            e = {kLlamaCpuBandwidth, kLlamaCpuCompute, kCpuLayerOverhead, kTokenOverhead, "llama.cpp CPU"};
            break;
        }
    } else if (runtime == Runtime::mlx) {
        e = {kMlxBandwidth, kMlxCompute, kMetalLayerOverhead, kTokenOverhead, "MLX"};
    } else if (runtime == Runtime::exllamav2) {
        e = {kExllamaBandwidth, kServerCompute, kCudaLayerOverhead, kTokenOverhead, "ExLlamaV2"};
    } else if (runtime == Runtime::tensorrt_llm) {
        e = {kTrtBandwidth, kServerCompute, kCudaLayerOverhead * 0.5, kTokenOverhead, "TensorRT-LLM"};
    } else {
        e = {kPagedServerBandwidth, kServerCompute, kCudaLayerOverhead * 0.5, kPagedServerTokenOverhead, "vLLM/SGLang"};
    }
    if (hw.vendor == Vendor::amd && !is_llama_family(runtime)) e.bandwidth *= kLlamaRocmBandwidth / kLlamaCudaBandwidth;
    return e;
}

double prefill_peak_flops(Runtime runtime, Backend backend, const Hardware& hw, const WeightFormat& format) {
    const double fp16 = hw.fp16_flops > 0 ? hw.fp16_flops : hw.fp32_flops;
    if (backend == Backend::cpu || hw.vendor == Vendor::cpu) return hw.fp32_flops > 0 ? hw.fp32_flops : fp16;
    if (!is_llama_family(runtime)) {
        if (format.family == FormatFamily::fp8 && hw.fp8_flops > 0) return hw.fp8_flops;
        if (format.family == FormatFamily::nvfp4 && hw.fp4_flops > 0) return hw.fp4_flops;
        return fp16;
    }
    // llama.cpp: quantized weights run through MMQ on int8 tensor cores (NVIDIA
    // Turing+, AMD RDNA3/CDNA); float weights through cuBLAS / hipBLAS FP16.
    // MMQ reaches a lower fraction of the int8 peak, so we use the FP16 peak
    // as the reference for both and let η_c absorb the path (§6).
    (void)format;
    return fp16;
}

double decode_flops_per_token(const ModelArch& arch, double active_params, std::uint64_t depth) {
    return 2.0 * active_params + attention_flops_per_token(arch, depth);
}

namespace {

struct StepTime {
    double t_mem = 0, t_compute = 0, t_host = 0, t_overhead = 0, total = 0;
    double device_bytes = 0, flops = 0, par = 1;
};

// One decode step for `batch` sequences at `depth`: weights are read once per
// step, KV/state and FLOPs once per sequence. With a batch, more distinct
// experts are touched: E × (1 − (1 − k/E)^B) of them per MoE layer.
StepTime decode_step(const SpeedModel& m, std::uint64_t depth, double batch) {
    const ModelArch& a = *m.arch;
    const Hardware& hw = *m.hw;
    const RunSettings& run = *m.run;
    const Efficiency e = efficiency_for(run.runtime, run.backend, hw, *m.format, m.weight_total_bytes);
    const double n_dev = double(std::max<std::uint32_t>(1, m.placement.n_devices));
    const bool tensor_parallel = m.placement.split == SplitMode::tensor && n_dev > 1;
    StepTime st;
    double weight_bytes = m.placement.device_read_bytes_per_token;
    double host_bytes = m.placement.host_read_bytes_per_token;
    if (batch > 1.0 && a.is_moe()) {
        const double f = routed_fraction_per_token(a);
        const double touched = 1.0 - std::pow(1.0 - f, batch);
        weight_bytes += m.placement.device_routed_read_bytes_per_token * (touched / f - 1.0);
        host_bytes += m.placement.host_routed_read_bytes_per_token * (touched / f - 1.0);
    }
    const double kv_bytes = kv_read_bytes_at_depth(a, m.kv, depth);
    // Recurrent state is read and written back every token.
    const double state_bytes = 2.0 * recurrent_state_bytes_per_sequence(a);
    st.device_bytes = weight_bytes + batch * (kv_bytes + state_bytes);
    st.flops = batch * decode_flops_per_token(a, m.active_params, depth);
    const double peak = std::max(1.0, hw.fp16_flops > 0 ? hw.fp16_flops : hw.fp32_flops);
    // Tensor parallel divides every device's share; layer split runs devices in sequence.
    st.par = tensor_parallel ? n_dev : 1.0;
    st.t_mem = st.device_bytes / (e.bandwidth * hw.bandwidth_bytes_per_s * st.par);
    st.t_compute = st.flops / (e.compute * peak * st.par);
    if (host_bytes > 0) {
        const double sys_bw = hw.system_bandwidth_bytes_per_s > 0 ? hw.system_bandwidth_bytes_per_s : 64e9;
        st.t_host = host_bytes / (kLlamaCpuBandwidth * sys_bw);
    }
    const double moe_layer_overhead = kMoeLayerOverheadCuda * (e.layer_overhead_s / kCudaLayerOverhead);
    st.t_overhead = a.n_layer * e.layer_overhead_s + a.count_moe_layers() * moe_layer_overhead + e.token_overhead_s;
    if (tensor_parallel) {
        const bool nvlink = hw.interconnect.find("NVLink") != std::string::npos || hw.interconnect.find("Infinity Fabric") != std::string::npos;
        st.t_overhead += 2.0 * a.n_layer * (nvlink ? kAllReduceNvlinkSeconds : kAllReducePcieSeconds);
    } else if (n_dev > 1) {
        st.t_overhead += (n_dev - 1) * kPipelineHopSeconds;
    }
    st.total = std::max(st.t_mem, st.t_compute) + st.t_host + st.t_overhead;
    return st;
}

}  // namespace

DecodeSpeed decode_speed(const SpeedModel& m, std::uint64_t depth) {
    const Hardware& hw = *m.hw;
    const StepTime st = decode_step(m, depth, 1.0);
    DecodeSpeed d;
    d.tokens_per_s = 1.0 / st.total;
    const double peak = std::max(1.0, hw.fp16_flops > 0 ? hw.fp16_flops : hw.fp32_flops);
    const double sys_bw = hw.system_bandwidth_bytes_per_s > 0 ? hw.system_bandwidth_bytes_per_s : 64e9;
    const double t_ceiling = std::max(st.device_bytes / (hw.bandwidth_bytes_per_s * st.par), st.flops / (peak * st.par)) +
                             m.placement.host_read_bytes_per_token / sys_bw;
    d.ceiling_tokens_per_s = 1.0 / t_ceiling;
    d.low = d.tokens_per_s * kDecodeRangeLow;
    d.high = std::min(d.ceiling_tokens_per_s, d.tokens_per_s * kDecodeRangeHigh);
    if (st.t_host > std::max(st.t_mem, st.t_compute)) d.bound = "offload";
    else if (st.t_overhead > std::max(st.t_mem, st.t_compute)) d.bound = "overhead";
    else if (st.t_compute > st.t_mem) d.bound = "compute";
    else d.bound = "memory";
    return d;
}

double decode_aggregate_tokens_per_s(const SpeedModel& m, std::uint64_t depth, std::uint32_t batch) {
    const double b = double(std::max<std::uint32_t>(1, batch));
    return b / decode_step(m, depth, b).total;
}

double decode_speed_average(const SpeedModel& m, std::uint64_t depth, std::uint64_t n_tokens) {
    if (n_tokens <= 1) return decode_speed(m, depth).tokens_per_s;
    // Time is linear in depth (KV bytes grow linearly), so the mean step time is
    // the step time at the midpoint.
    const double t = 1.0 / decode_speed(m, depth + n_tokens / 2).tokens_per_s;
    return 1.0 / t;
}

double prefill_speed(const SpeedModel& m, std::uint64_t n_tokens, std::uint64_t depth) {
    if (n_tokens == 0) return 0.0;
    const ModelArch& a = *m.arch;
    const Hardware& hw = *m.hw;
    const RunSettings& run = *m.run;
    const Efficiency e = efficiency_for(run.runtime, run.backend, hw, *m.format, m.weight_total_bytes);
    const double n_dev = double(std::max<std::uint32_t>(1, m.placement.n_devices));
    const bool tensor_parallel = m.placement.split == SplitMode::tensor && n_dev > 1;
    const double par = tensor_parallel ? n_dev : 1.0;

    const double peak = std::max(1.0, prefill_peak_flops(run.runtime, run.backend, hw, *m.format));
    const double fp16_peak = std::max(1.0, hw.fp16_flops > 0 ? hw.fp16_flops : hw.fp32_flops);
    const double n = double(n_tokens);
    // Weight GEMMs: 2 FLOPs per active parameter per token; routed experts run
    // as small grouped GEMMs (see kMoeFullTileTokens).
    double moe_efficiency = 1.0;
    double routed_active = 0.0;
    if (a.is_moe()) {
        const double tokens_per_expert = double(run.n_ubatch) * a.moe.n_expert_used / a.moe.n_expert;
        moe_efficiency = std::min(1.0, std::sqrt(tokens_per_expert / kMoeFullTileTokens));
        routed_active = m.routed_active_params;
    }
    const double t_gemm = n * 2.0 * ((m.active_params - routed_active) + routed_active / moe_efficiency) / (e.compute * peak * par);
    // Attention: tokens attend to depth + their position; mean context depth + n/2.
    const double t_attn = n * attention_flops_per_token(a, depth + n_tokens / 2) /
                          (e.compute * kAttentionComputeFactor * fp16_peak * par);
    // Every ubatch streams the device-resident weights once (MoE: most experts are hit).
    const double ubatch = double(std::max<std::uint32_t>(1, run.n_ubatch));
    const double n_ubatches = std::ceil(n / ubatch);
    const double t_stream = n_ubatches * m.placement.device_weight_bytes / (e.bandwidth * hw.bandwidth_bytes_per_s * par);
    // Offloaded weights are copied over PCIe for large batches (op_offload) or run on the CPU.
    double t_host = 0.0;
    if (m.placement.host_weight_bytes > 0) {
        const double link = hw.interconnect_bytes_per_s > 0 ? hw.interconnect_bytes_per_s : 16e9;
        t_host = n_ubatches * m.placement.host_weight_bytes / link;
    }
    const double t_overhead = n_ubatches * a.n_layer * e.layer_overhead_s * 4.0;
    const double t = std::max(t_gemm + t_attn, t_stream) + t_host + t_overhead;
    return n / t;
}

double cold_start_seconds(Runtime runtime, double weight_bytes) {
    double init = kLlamaInitSeconds;
    if (is_paged_server(runtime)) init = kServerInitSeconds;
    if (runtime == Runtime::mlx) init = kMlxInitSeconds;
    return weight_bytes / kDiskBytesPerSecond + init;
}

}  // namespace headroom
