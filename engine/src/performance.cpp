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
constexpr double kLlamaCudaBandwidth = 0.80;
// ROCm/HIP and Vulkan: the dev set's AMD rows (Strix Halo, llama-2-7b Q4_0,
// lhl/strix-halo-testing) reach ~0.7 of the 256 GB/s peak in tg128.
constexpr double kLlamaRocmBandwidth = 0.68;
// Metal: 0.55–0.65 for simple quants on M1/M2 Max (§6); complex quants lower.
constexpr double kLlamaMetalBandwidth = 0.66;
// Vulkan / SYCL: Strix Halo Vulkan tg rows (lhl/strix-halo-testing) and Arc reports.
constexpr double kLlamaVulkanBandwidth = 0.68;
constexpr double kLlamaSyclBandwidth = 0.50;
// llama.cpp's batch-1 matrix-vector kernels keep too few loads in flight to
// saturate HBM: A100 PCIe/SXM tg rows (Llama-3-8B F16 54.8 t/s reading 14 GB,
// Q4_K_M 140 t/s; 70B Q4_K_M) sit at ~0.6 of the GDDR cards' efficiency.
constexpr double kLlamaHbmFactor = 0.60;
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

// ---- Prefill paths ----
// llama.cpp CUDA, quantized weights: MMQ kernels on int8 tensor cores plus a
// per-token cost (activation quantization to q8_1, norms, RoPE, softmax) that
// does not shrink with tensor throughput. A line through the dev set's
// Llama-3-8B Q4_K_M pp512 readings (RTX 3070 … 4090, A100, L40S, RTX 6000 Ada;
// XiongjieDai README @aa72e0e) gives time = FLOPs / (0.25 × int8 peak)
// + 1.6 µs per token per layer.
constexpr double kMmqInt8Efficiency = 0.25;
constexpr double kMmqTokenLayerSeconds = 1.6e-6;
// Float weights (F16/BF16) go through cuBLAS with FP16 accumulation (twice the
// FP32-accumulate rate on GeForce): the same readings at F16 give ~0.47 of that
// peak and ~0.6 µs per token per layer.
constexpr double kCublasF16Efficiency = 0.47;
constexpr double kCublasTokenLayerSeconds = 0.6e-6;
// ROCm (MMQ on WMMA/MFMA int8) and Vulkan (cooperative-matrix FP16): Strix Halo
// and Radeon rows run well below CUDA's efficiency.
constexpr double kRocmInt8Efficiency = 0.15;
constexpr double kVulkanF16Efficiency = 0.25;
// Metal (simdgroup matrix FP16): M1 Max / M2 Ultra / M1 pp512 rows give ~0.58
// of the FP16 peak for quantized weights and ~0.70 for F16 weights.
constexpr double kMetalQuantEfficiency = 0.58;
constexpr double kMetalF16Efficiency = 0.70;
// CPU: GEMMs on AVX2/AVX-512 FP32 units.
constexpr double kCpuEfficiency = 0.45;
// vLLM / SGLang / TensorRT-LLM cuBLAS / Marlin GEMMs at large batch; MLX.
constexpr double kServerEfficiency = 0.55;
constexpr double kServerTokenLayerSeconds = 0.2e-6;
constexpr double kMlxEfficiency = 0.55;
// Attention in prefill (QKᵀ, softmax, AV) on the FP16 path: without flash
// attention the score matrix goes through memory; with it the kernel is fused.
constexpr double kAttentionEfficiencyNoFa = 0.12;
constexpr double kAttentionEfficiencyFa = 0.25;
// llama.cpp processes a prompt in n_batch = 2048-token batches of 512-token
// ubatches; with layer split over several GPUs the ubatches of one batch
// pipeline through the devices (GGML_SCHED_MAX_COPIES = 4).
constexpr double kLlamaBatchTokens = 2048.0;

// Decode FLOPs rarely bind at batch 1; when they do, GEMV-like kernels reach about half of peak.
constexpr double kDecodeComputeEfficiency = 0.5;
// CUDA/ROCm decode of K-quants and i-quants (MMVQ dequantization) reaches less
// bandwidth than F16/Q8_0/Q4_0: Llama-3-8B on an RTX 4090 reads 4.6 GB per
// token at Q4_K_M in 7.7 ms (130.6 t/s) but 14 GB at F16 in 18.2 ms (54.8 t/s)
// (XiongjieDai tg512 rows): ~0.86 of the F16 efficiency.
constexpr double kCudaKQuantFactor = 0.86;
constexpr double kCudaIQuantFactor = 0.80;

// ---- Multi-device ----
// Tensor parallel: two all-reduces per layer; a ring all-reduce over N devices
// takes 2 (N − 1) steps, each a link latency (PCIe through the host ~30 µs,
// NVLink ~5 µs). 8 × A100 PCIe over vLLM (mlc-ai/llm-perf-bench, Llama-2-70B)
// decodes at 14–18 t/s, i.e. ~57 ms per token, mostly these syncs.
constexpr double kRingStepPcieSeconds = 30e-6;
constexpr double kRingStepNvlinkSeconds = 5e-6;
// llama.cpp row split (-sm row; the only multi-GPU mode before PR #4766):
// every matmul's partial results are gathered on the main GPU, ~7 matmuls per
// layer, one copy per other device each (~25 µs through the host).
constexpr double kRowSplitMatmulsPerLayer = 7.0;
constexpr double kRowSplitCopySeconds = 25e-6;
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
    e.compute = kDecodeComputeEfficiency;
    if (is_llama_family(runtime)) {
        switch (backend) {
        case Backend::cuda:
            e = {kLlamaCudaBandwidth, kDecodeComputeEfficiency, kCudaLayerOverhead, kTokenOverhead, "llama.cpp CUDA"};
            if (is_k_quant(format)) e.bandwidth *= kCudaKQuantFactor;
            if (is_i_quant(format)) e.bandwidth *= kCudaIQuantFactor;
            break;
        case Backend::rocm:
            e = {kLlamaRocmBandwidth, kDecodeComputeEfficiency, kRocmLayerOverhead, kTokenOverhead, "llama.cpp ROCm"};
            if (is_k_quant(format)) e.bandwidth *= kCudaKQuantFactor;
            if (is_i_quant(format)) e.bandwidth *= kCudaIQuantFactor;
            break;
        case Backend::metal:
            e = {kLlamaMetalBandwidth, kDecodeComputeEfficiency, kMetalLayerOverhead, kTokenOverhead, "llama.cpp Metal"};
            if (is_k_quant(format)) e.bandwidth *= kMetalKQuantFactor;
            if (is_i_quant(format)) e.bandwidth *= kMetalIQuantFactor;
            break;
        case Backend::vulkan:
            e = {kLlamaVulkanBandwidth, kDecodeComputeEfficiency, kVulkanLayerOverhead, kTokenOverhead, "llama.cpp Vulkan"};
            break;
        case Backend::sycl:
            e = {kLlamaSyclBandwidth, kDecodeComputeEfficiency, kVulkanLayerOverhead, kTokenOverhead, "llama.cpp SYCL"};
            break;
        case Backend::cpu:
            e = {kLlamaCpuBandwidth, kDecodeComputeEfficiency, kCpuLayerOverhead, kTokenOverhead, "llama.cpp CPU"};
            break;
        }
    } else if (runtime == Runtime::mlx) {
        e = {kMlxBandwidth, kDecodeComputeEfficiency, kMetalLayerOverhead, kTokenOverhead, "MLX"};
    } else if (runtime == Runtime::exllamav2) {
        e = {kExllamaBandwidth, kDecodeComputeEfficiency, kCudaLayerOverhead, kTokenOverhead, "ExLlamaV2"};
    } else if (runtime == Runtime::tensorrt_llm) {
        e = {kTrtBandwidth, kDecodeComputeEfficiency, kCudaLayerOverhead * 0.5, kTokenOverhead, "TensorRT-LLM"};
    } else {
        e = {kPagedServerBandwidth, kDecodeComputeEfficiency, kCudaLayerOverhead * 0.5, kPagedServerTokenOverhead, "vLLM/SGLang"};
    }
    if (hw.vendor == Vendor::amd && !is_llama_family(runtime)) e.bandwidth *= kLlamaRocmBandwidth / kLlamaCudaBandwidth;
    if (is_llama_family(runtime) && hw.memory_type.find("HBM") != std::string::npos) e.bandwidth *= kLlamaHbmFactor;
    return e;
}

namespace {

bool is_float_weights(const WeightFormat& f) {
    return f.family == FormatFamily::float16 || (f.is_gguf() && (f.ftype == GgufFtype::F16 || f.ftype == GgufFtype::BF16));
}

// GeForce parts run FP16 tensor math with FP32 accumulation at half rate; the
// catalog's fp16 figure is that FP32-accumulate rate (hardware-notes.md).
bool is_geforce(const Hardware& hw) {
    return hw.vendor == Vendor::nvidia && (hw.form_factor == "desktop" || hw.form_factor == "laptop");
}

struct PrefillPath {
    double peak = 1.0;                 // FLOP/s of the matrix path
    double efficiency = 0.5;           // achieved share of it
    double token_layer_seconds = 0.0;  // per token per layer, outside the GEMMs
};

PrefillPath prefill_path(Runtime runtime, Backend backend, const Hardware& hw, const WeightFormat& format) {
    const double fp16 = hw.fp16_flops > 0 ? hw.fp16_flops : hw.fp32_flops;
    const bool float_weights = is_float_weights(format);
    PrefillPath p;
    if (backend == Backend::cpu || hw.vendor == Vendor::cpu) {
        p.peak = hw.fp32_flops > 0 ? hw.fp32_flops : fp16;
        p.efficiency = kCpuEfficiency;
        return p;
    }
    if (!is_llama_family(runtime)) {
        p.peak = fp16;
        if (format.family == FormatFamily::fp8 && hw.fp8_flops > 0) p.peak = hw.fp8_flops;
        if (format.family == FormatFamily::nvfp4 && hw.fp4_flops > 0) p.peak = hw.fp4_flops;
        p.efficiency = runtime == Runtime::mlx ? kMlxEfficiency : kServerEfficiency;
        p.token_layer_seconds = runtime == Runtime::mlx ? 0.0 : kServerTokenLayerSeconds;
        return p;
    }
    switch (backend) {
    case Backend::cuda:
        if (float_weights) {
            p.peak = fp16 * (is_geforce(hw) ? 2.0 : 1.0);
            p.efficiency = kCublasF16Efficiency;
            p.token_layer_seconds = kCublasTokenLayerSeconds;
        } else {
            p.peak = hw.int8_ops > 0 ? hw.int8_ops : fp16;
            p.efficiency = kMmqInt8Efficiency;
            p.token_layer_seconds = kMmqTokenLayerSeconds;
        }
        break;
    case Backend::rocm:
        p.peak = !float_weights && hw.int8_ops > 0 ? hw.int8_ops : fp16;
        p.efficiency = float_weights ? kCublasF16Efficiency * kRocmInt8Efficiency / kMmqInt8Efficiency : kRocmInt8Efficiency;
        p.token_layer_seconds = kMmqTokenLayerSeconds;
        break;
    case Backend::metal:
        p.peak = fp16;
        p.efficiency = float_weights ? kMetalF16Efficiency : kMetalQuantEfficiency;
        break;
    default:  // Vulkan, SYCL
        p.peak = fp16;
        p.efficiency = kVulkanF16Efficiency;
        p.token_layer_seconds = kMmqTokenLayerSeconds;
        break;
    }
    return p;
}

}  // namespace

double prefill_peak_flops(Runtime runtime, Backend backend, const Hardware& hw, const WeightFormat& format) {
    return prefill_path(runtime, backend, hw, format).peak;
}

double decode_flops_per_token(const ModelArch& arch, double active_params, std::uint64_t depth) {
    return 2.0 * active_params + attention_flops_per_token(arch, depth);
}

namespace {

struct StepTime {
    double t_mem = 0, t_compute = 0, t_host = 0, t_overhead = 0, total = 0;
    double device_bytes = 0, host_bytes = 0, flops = 0, par = 1;
};

// One decode step for `batch` sequences at `depth`: weights are read once per
// step, KV/state and FLOPs once per sequence. With a batch, more distinct
// experts are touched: E × (1 − (1 − k/E)^B) of them per MoE layer.
StepTime decode_step(const SpeedModel& m, std::uint64_t depth, double batch) {
    const ModelArch& a = *m.arch;
    const Hardware& hw = m.hw;
    const RunSettings& run = m.run;
    const Efficiency e = efficiency_for(run.runtime, run.backend, hw, m.run.quant, m.weight_total_bytes);
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
    const double host_kv = m.placement.host_kv_fraction;
    st.device_bytes = weight_bytes + batch * (kv_bytes + state_bytes) * (1.0 - host_kv);
    host_bytes += batch * (kv_bytes + state_bytes) * host_kv;
    st.host_bytes = host_bytes;
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
    if (tensor_parallel && is_llama_family(run.runtime)) {
        st.t_overhead += a.n_layer * kRowSplitMatmulsPerLayer * (n_dev - 1) * kRowSplitCopySeconds;
    } else if (tensor_parallel) {
        // A bridge (NVLink bridge, "2-way", "optional ... (2 GPUs)") joins pairs of
        // cards (4 for a "4-way" bridge): with more devices the ring crosses PCIe.
        const std::string& ic = hw.interconnect;
        const bool bridged = ic.find("bridge") != std::string::npos || ic.find("2-way") != std::string::npos;
        const double bridge_devices = ic.find("4-way") != std::string::npos ? 4.0 : 2.0;
        const bool nvlink = (ic.find("NVLink") != std::string::npos || ic.find("Infinity Fabric") != std::string::npos) &&
                            (!bridged || n_dev <= bridge_devices);
        const double step = nvlink ? kRingStepNvlinkSeconds : kRingStepPcieSeconds;
        st.t_overhead += 2.0 * a.n_layer * 2.0 * (n_dev - 1) * step;
    } else if (n_dev > 1) {
        st.t_overhead += (n_dev - 1) * kPipelineHopSeconds;
    }
    st.total = std::max(st.t_mem, st.t_compute) + st.t_host + st.t_overhead;
    return st;
}

}  // namespace

DecodeSpeed decode_speed(const SpeedModel& m, std::uint64_t depth) {
    const Hardware& hw = m.hw;
    const StepTime st = decode_step(m, depth, 1.0);
    DecodeSpeed d;
    d.tokens_per_s = 1.0 / st.total;
    const double peak = std::max(1.0, hw.fp16_flops > 0 ? hw.fp16_flops : hw.fp32_flops);
    const double sys_bw = hw.system_bandwidth_bytes_per_s > 0 ? hw.system_bandwidth_bytes_per_s : 64e9;
    const double t_ceiling = std::max(st.device_bytes / (hw.bandwidth_bytes_per_s * st.par), st.flops / (peak * st.par)) +
                             st.host_bytes / sys_bw;
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
    const Hardware& hw = m.hw;
    const RunSettings& run = m.run;
    const Efficiency e = efficiency_for(run.runtime, run.backend, hw, m.run.quant, m.weight_total_bytes);
    const PrefillPath path = prefill_path(run.runtime, run.backend, hw, m.run.quant);
    const double n_dev = double(std::max<std::uint32_t>(1, m.placement.n_devices));
    const bool tensor_parallel = m.placement.split == SplitMode::tensor && n_dev > 1;
    // llama.cpp's row split gathers every matmul on the main GPU: no prefill speed-up is assumed.
    const double par = tensor_parallel && !is_llama_family(run.runtime) ? n_dev : 1.0;
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
    const double gemm_flops = 2.0 * ((m.active_params - routed_active) + routed_active / moe_efficiency);
    const double t_gemm = n * gemm_flops / (path.efficiency * std::max(1.0, path.peak) * par);
    const double t_tokens = n * a.n_layer * path.token_layer_seconds / par;
    // Attention: tokens attend to depth + their position; mean context depth + n/2.
    const double attn_eff = run.flash_attention ? kAttentionEfficiencyFa : kAttentionEfficiencyNoFa;
    const double t_attn = n * attention_flops_per_token(a, depth + n_tokens / 2) / (attn_eff * fp16_peak * par);
    // Every ubatch streams the device-resident weights once (MoE: most experts are hit).
    const double ubatch = double(std::max<std::uint32_t>(1, run.n_ubatch));
    const double n_ubatches = std::ceil(n / ubatch);
    const double t_stream = n_ubatches * m.placement.device_weight_bytes / (e.bandwidth * hw.bandwidth_bytes_per_s * par);
    // Offloaded weights are copied over PCIe for large batches (op_offload).
    double t_host = 0.0;
    if (m.placement.host_weight_bytes > 0) {
        const double link = hw.interconnect_bytes_per_s > 0 ? hw.interconnect_bytes_per_s : 16e9;
        t_host = n_ubatches * m.placement.host_weight_bytes / link;
    }
    double t_device = std::max(t_gemm + t_tokens + t_attn, t_stream);
    // Layer split: the ubatches of one 2048-token batch pipeline through the
    // devices: U ubatches over N devices take (U + N − 1) stages of 1/N each.
    if (!tensor_parallel && n_dev > 1 && is_llama_family(run.runtime)) {
        const double u = std::min(n_ubatches, std::max(1.0, std::floor(kLlamaBatchTokens / ubatch)));
        t_device /= u * n_dev / (u + n_dev - 1.0);
    }
    const double t = t_device + t_host;
    return n / t;
}

double cold_start_seconds(Runtime runtime, double weight_bytes) {
    double init = kLlamaInitSeconds;
    if (is_paged_server(runtime)) init = kServerInitSeconds;
    if (runtime == Runtime::mlx) init = kMlxInitSeconds;
    return weight_bytes / kDiskBytesPerSecond + init;
}

}  // namespace headroom
