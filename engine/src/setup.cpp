// Evaluating a setup: memory per device, placement (llama.cpp layer and expert
// offload, tensor parallel), verdict, speeds and the safe context.
// Placement follows llama.cpp src/llama-model.cpp load_tensors and --fit
// (shared/reference/runtime-memory.md §2.8–2.9).
#include "setup.hpp"

#include <algorithm>
#include <cmath>

#include "units.hpp"
#include "weight_file.hpp"

namespace headroom {
namespace {

// When a GPU entry says nothing about the host: a desktop with 64 GiB of
// dual-channel DDR5-5600 (89.6 GB/s theoretical), or a server with 512 GiB of
// 8-channel DDR5-4800 (307 GB/s). Stated in assumptions whenever used.
constexpr double kDefaultDesktopHostBytes = 64.0 * kGiB;
constexpr double kDefaultDesktopHostBandwidth = 89.6e9;
constexpr double kDefaultServerHostBytes = 512.0 * kGiB;
constexpr double kDefaultServerHostBandwidth = 307.2e9;
// The OS and other programs keep part of system RAM.
constexpr double kHostOsReserveFraction = 0.15;
// llama.cpp --fit shrinks an unset context no further than this (common.h fit_params_min_ctx).
constexpr std::uint64_t kFitMinContextTokens = 4096;
// "fits" leaves at least this share of usable memory free; above it is "tight".
constexpr double kComfortableFraction = 0.90;

struct Need {
    double device = 0.0;  // all devices together
    double host = 0.0;    // weights + KV in system RAM
    double device_weights = 0.0;
    double host_weights = 0.0;
    double device_kv = 0.0;
    double host_kv = 0.0;
    double device_read = 0.0;  // weight bytes read per token from device memory
    double host_read = 0.0;
    double device_routed_read = 0.0;
    double host_routed_read = 0.0;
    double per_device_fixed = 0.0;  // compute + overhead on each device
    double largest_host_tensor = 0.0;
};

double routed_read(const ModelArch& a, double routed_bytes) { return routed_bytes * routed_fraction_per_token(a); }

// The llama.cpp placement for gpu_layers (last g layers on the GPU; output on
// the GPU only when every layer is) and cpu_moe_layers (experts of the first
// n layers in RAM). token_embd always stays on the host (CPU get_rows).
Need llama_need(const Setup& s, std::uint32_t gpu_layers, std::uint32_t cpu_moe_layers, std::uint64_t n_ctx_alloc) {
    const ModelArch& a = s.model->arch;
    const WeightBreakdown& w = s.weights();
    Need n;
    KvLayout layout = s.kv_layout;
    layout.n_ctx = n_ctx_alloc;
    const ContextMemory ctx = context_memory(a, layout);
    const std::uint32_t first_gpu = a.n_layer - std::min(gpu_layers, a.n_layer);
    const bool output_on_gpu = gpu_layers >= a.n_layer;
    // Per-layer share of context memory: split evenly over attention / recurrent layers.
    const double kv_per_attn_layer = [&] {
        std::uint32_t n_attn = 0;
        for (const LayerSpec& l : a.layers) n_attn += l.attention != AttentionKind::none ? 1u : 0u;
        return n_attn ? ctx.kv_bytes / n_attn : 0.0;
    }();
    const double state_per_layer = [&] {
        const std::uint32_t n_rec = a.count_recurrent_layers();
        return n_rec ? ctx.state_bytes / n_rec : 0.0;
    }();
    for (std::uint32_t il = 0; il < a.n_layer; ++il) {
        const double layer = il < w.layer_bytes.size() ? w.layer_bytes[il] : 0.0;
        const double routed = il < w.layer_routed_bytes.size() ? w.layer_routed_bytes[il] : 0.0;
        const double kv = (a.layers[il].attention != AttentionKind::none ? kv_per_attn_layer : 0.0) +
                          (a.layers[il].recurrent != RecurrentKind::none ? state_per_layer : 0.0);
        const double dense_part = layer - routed;
        if (il < first_gpu) {
            n.host_weights += layer;
            n.host_read += dense_part + routed_read(a, routed);
            n.host_routed_read += routed_read(a, routed);
            n.host_kv += kv;
            n.largest_host_tensor = std::max(n.largest_host_tensor, routed > 0 ? routed / 3.0 : dense_part / 4.0);
        } else if (il < cpu_moe_layers) {
            n.device_weights += dense_part;
            n.device_read += dense_part;
            n.host_weights += routed;
            n.host_read += routed_read(a, routed);
            n.host_routed_read += routed_read(a, routed);
            n.device_kv += kv;
            n.largest_host_tensor = std::max(n.largest_host_tensor, routed / 3.0);
        } else {
            n.device_weights += layer;
            n.device_read += dense_part + routed_read(a, routed);
            n.device_routed_read += routed_read(a, routed);
            n.device_kv += kv;
        }
    }
    // Model-level tensors: output norm and head; token embedding on the host.
    const double head = a.tied_embeddings ? w.token_embd_bytes : w.output_bytes;
    double model_level = w.total_bytes - w.token_embd_bytes - w.output_bytes;
    for (double lb : w.layer_bytes) model_level -= lb;
    model_level = std::max(0.0, model_level);
    if (output_on_gpu) {
        n.device_weights += head + model_level;
        n.device_read += head + model_level;
    } else {
        n.host_weights += a.tied_embeddings ? 0.0 : head;
        n.host_weights += model_level;
        n.host_read += head + model_level;
        n.largest_host_tensor = std::max(n.largest_host_tensor, head);
    }
    n.host_weights += w.token_embd_bytes;  // input embedding (only one row is read per token)
    n.host_read += w.token_embd_bytes / double(std::max<std::uint64_t>(1, a.n_vocab));

    RunSettings run = s.run;
    RuntimeMemory rt = runtime_memory(a, s.hw, run, n_ctx_alloc, output_on_gpu || gpu_layers > 0);
    // With weights in RAM, op_offload copies the largest CPU tensor to the GPU for big batches.
    double compute = rt.compute_bytes;
    if (n.host_weights > w.token_embd_bytes * 1.0001) compute += n.largest_host_tensor;
    n.per_device_fixed = compute + rt.overhead_bytes;
    const double n_dev = double(s.n_devices);
    n.device = n.device_weights + n.device_kv + n.per_device_fixed * n_dev;
    n.host = n.host_weights + n.host_kv + rt.host_bytes;
    return n;
}

// Paged servers, MLX, ExLlamaV2: everything on the device(s).
Need resident_need(const Setup& s, std::uint64_t n_ctx_alloc) {
    const ModelArch& a = s.model->arch;
    Need n;
    KvLayout layout = s.kv_layout;
    layout.n_ctx = n_ctx_alloc;
    const ContextMemory ctx = context_memory(a, layout);
    RuntimeMemory rt = runtime_memory(a, s.hw, s.run, n_ctx_alloc, true);
    n.device_weights = s.weights().total_bytes;
    n.device_kv = ctx.kv_bytes + ctx.state_bytes;
    n.device_read = s.weights().read_per_token_bytes;
    n.device_routed_read = routed_read(a, s.weights().routed_expert_bytes);
    n.per_device_fixed = rt.compute_bytes + rt.overhead_bytes;
    n.device = n.device_weights + n.device_kv + n.per_device_fixed * double(s.n_devices);
    n.host = rt.host_bytes;
    return n;
}

Need need_for(const Setup& s, std::uint64_t n_ctx_alloc) {
    if (is_llama_family(s.run.runtime)) return llama_need(s, s.gpu_layers, s.cpu_moe_layers, n_ctx_alloc);
    return resident_need(s, n_ctx_alloc);
}

void apply_need(Setup& s, const Need& n) {
    s.device_weight_bytes = n.device_weights;
    s.host_weight_bytes = n.host_weights;
    s.host_kv_bytes = n.host_kv;
    s.device_used_bytes = n.device;
    s.speed.placement.n_devices = s.n_devices;
    s.speed.placement.split = s.run.split;
    s.speed.placement.device_read_bytes_per_token = n.device_read;
    s.speed.placement.host_read_bytes_per_token = n.host_read;
    s.speed.placement.device_routed_read_bytes_per_token = n.device_routed_read;
    s.speed.placement.host_routed_read_bytes_per_token = n.host_routed_read;
    s.speed.placement.device_weight_bytes = n.device_weights;
    s.speed.placement.host_kv_fraction = n.host_kv + n.device_kv > 0 ? n.host_kv / (n.host_kv + n.device_kv) : 0.0;
    // Only weights beyond the input embedding are streamed from the host in prefill.
    const bool llama = is_llama_family(s.run.runtime);
    s.speed.placement.host_weight_bytes = llama ? std::max(0.0, n.host_weights - s.weights().token_embd_bytes) : n.host_weights;
}

struct FitPlacement {
    std::uint32_t gpu_layers = 0;
    std::uint32_t cpu_moe_layers = 0;
    Need need;
};

// The largest n in [lo, hi] with pred(n) true, for a pred that is true up to
// some point and false after it (pred(lo) is assumed true).
template <class Pred>
std::uint32_t last_true(std::uint32_t lo, std::uint32_t hi, Pred pred) {
    while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo + 1) / 2;
        if (pred(mid)) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

// llama.cpp --fit's placement for a context (common/common.cpp fit_params):
// routed experts to the CPU layer by layer first (MoE), then whole layers,
// until the device(s) hold everything else with the 1 GiB margin to spare. The
// device bytes fall as experts or layers leave, so each count is found by
// bisection: the fewest expert layers, then the most GPU layers, that fit.
FitPlacement fit_placement(const Setup& s, std::uint64_t n_ctx_alloc) {
    const ModelArch& a = s.model->arch;
    const double target = s.usable_bytes - llama_fit_margin_bytes();
    FitPlacement p;
    p.gpu_layers = a.n_layer;
    auto fits = [&](std::uint32_t g, std::uint32_t k) { return llama_need(s, g, k, n_ctx_alloc).device <= target; };
    if (a.is_moe() && !fits(a.n_layer, 0)) {
        // The fewest k with fits(k): the complement of the last k that does not fit.
        p.cpu_moe_layers = fits(a.n_layer, a.n_layer)
                               ? 1 + last_true(0, a.n_layer - 1, [&](std::uint32_t k) { return !fits(a.n_layer, k); })
                               : a.n_layer;
    }
    if (!fits(p.gpu_layers, p.cpu_moe_layers))
        p.gpu_layers = fits(0, p.cpu_moe_layers)
                           ? last_true(0, a.n_layer, [&](std::uint32_t g) { return fits(g, p.cpu_moe_layers); })
                           : 0;
    p.need = llama_need(s, p.gpu_layers, p.cpu_moe_layers, n_ctx_alloc);
    return p;
}

bool offload_allowed(const Setup& s) {
    return is_llama_family(s.run.runtime) && !s.hw.unified_memory && s.hw.vendor != Vendor::cpu &&
           s.run.split == SplitMode::layer;
}

}  // namespace

const char* verdict_name(Verdict v) {
    switch (v) {
    case Verdict::fits: return "fits";
    case Verdict::tight: return "tight";
    case Verdict::offload: return "offload";
    case Verdict::no: return "no";
    }
    return "no";
}

double device_bytes_for_context(const Setup& s, std::uint64_t n_ctx) {
    const std::uint64_t alloc = n_ctx * std::max<std::uint32_t>(1, s.run.n_parallel);
    return need_for(s, alloc).device;
}

Setup evaluate_setup(const ModelEntry& model, const Hardware& hw, const RunSettings& run,
                     std::shared_ptr<const TensorInventory> inventory, std::shared_ptr<const WeightBreakdown> weights) {
    Setup s;
    s.model = &model;
    s.hw = hw;
    s.run = run;
    const ModelArch& a = model.arch;
    // Model import (issue 7): a model file's own tensors and exact bytes replace the prediction for its own quant.
    if (model.weight_file && model.weight_file->applies_to(run.quant)) {
        inventory = model.weight_file->inventory;
        weights = model.weight_file->weights;
    }
    s.inventory_ptr = inventory ? std::move(inventory) : std::make_shared<const TensorInventory>(build_tensor_inventory(a));
    s.weights_ptr = weights ? std::move(weights) : std::make_shared<const WeightBreakdown>(compute_weights(a, s.inventory(), run.quant));
    s.n_devices = std::max<std::uint32_t>(1, run.gpu_count);
    s.n_ctx = std::max<std::uint64_t>(1, run.context_tokens);
    s.n_ctx_alloc = s.n_ctx * std::max<std::uint32_t>(1, run.n_parallel);
    s.kv_layout = kv_layout_for(run, s.n_ctx_alloc);
    s.context = context_memory(a, s.kv_layout);
    s.runtime = runtime_memory(a, hw, run, s.n_ctx_alloc, true);
    s.budget = device_budget(hw, run.runtime);
    s.usable_bytes = s.budget.usable_bytes * s.n_devices;
    s.memory_bytes = s.budget.memory_bytes * s.n_devices;

    // System RAM for offload.
    double host_bytes = hw.system_memory_bytes;
    double host_bw = hw.system_bandwidth_bytes_per_s;
    if (!hw.unified_memory && hw.vendor != Vendor::cpu && (host_bytes <= 0 || host_bw <= 0)) {
        const bool server = hw.form_factor == "datacenter";
        // Say exactly which of the two was assumed (the other came with the request).
        const std::string size = server ? "512 GiB" : "64 GiB";
        const std::string memory = server ? "8-channel DDR5-4800 (307 GB/s)" : "dual-channel DDR5-5600 (89.6 GB/s)";
        if (host_bytes <= 0 && host_bw <= 0) s.assumptions.push_back("system RAM not given; assumed " + size + " of " + memory + " for offload");
        else if (host_bw <= 0) s.assumptions.push_back("system RAM bandwidth not given; assumed " + memory + " for offload");
        else s.assumptions.push_back("system RAM size not given; assumed " + size + " for offload");
        if (host_bytes <= 0) host_bytes = server ? kDefaultServerHostBytes : kDefaultDesktopHostBytes;
        if (host_bw <= 0) host_bw = server ? kDefaultServerHostBandwidth : kDefaultDesktopHostBandwidth;
        s.hw.system_memory_bytes = host_bytes;
        s.hw.system_bandwidth_bytes_per_s = host_bw;
    }
    s.host_limit_bytes = hw.unified_memory ? 0.0 : host_bytes * (1.0 - kHostOsReserveFraction);

    // Speed model inputs that do not depend on placement.
    s.speed.arch = &s.model->arch;
    s.speed.hw = s.hw;
    s.speed.run = s.run;
    s.speed.weight_total_bytes = s.weights().total_bytes;
    double embd_params = 0.0;
    double routed_params = 0.0;
    for (const Tensor& t : s.inventory().tensors) {
        if (t.role == TensorRole::token_embd) embd_params = double(t.n_elements());
        if (t.is_routed_expert()) routed_params += double(t.n_elements());
    }
    s.speed.routed_active_params = routed_params * routed_fraction_per_token(a);
    // The embedding is a lookup, not a matmul; a tied model still multiplies by it as the head.
    s.speed.active_params = double(s.inventory().params_active) - (a.tied_embeddings ? 0.0 : embd_params);
    s.speed.kv = s.kv_layout;

    // Placement.
    if (is_llama_family(run.runtime)) {
        s.gpu_layers = a.n_layer;
        s.cpu_moe_layers = 0;
        if (run.offload.kind == OffloadSettings::Kind::gpu_layers) {
            s.gpu_layers = std::min(run.offload.count, a.n_layer);
            if (run.offload.count > a.n_layer) s.gpu_layers = a.n_layer;
        } else if (run.offload.kind == OffloadSettings::Kind::cpu_moe_layers) {
            s.cpu_moe_layers = a.is_moe() ? std::min(run.offload.count, a.n_layer) : 0;
        }
        Need n = llama_need(s, s.gpu_layers, s.cpu_moe_layers, s.n_ctx_alloc);
        const bool automatic = run.offload.kind == OffloadSettings::Kind::automatic ||
                               run.offload.kind == OffloadSettings::Kind::none;
        // --fit acts when a device would keep less than its margin free (runtime-memory.md
        // §2.9 step 1), not only when it overflows. llama-bench (a bench request) has no
        // --fit: its -ngl 99 either fits or fails.
        const double fit_trigger = run.bench.present ? s.usable_bytes : s.usable_bytes - llama_fit_margin_bytes();
        if (automatic && n.device > fit_trigger && is_llama_family(run.runtime) && !run.context_given &&
            s.n_ctx > kFitMinContextTokens) {
            // llama.cpp --fit, step 1: with the context left to it, shrink the
            // context (down to fit_params_min_ctx = 4096) before moving weights.
            const double target = s.usable_bytes - llama_fit_margin_bytes();
            const std::uint32_t seqs = std::max<std::uint32_t>(1, run.n_parallel);
            auto fits_ctx = [&](std::uint64_t ctx) { return llama_need(s, s.gpu_layers, 0, ctx * seqs).device <= target; };
            std::uint64_t lo = kFitMinContextTokens, hi = s.n_ctx;
            if (fits_ctx(lo)) {
                while (hi - lo > 256) {
                    const std::uint64_t mid = (lo + hi) / 2 / 256 * 256;
                    if (mid <= lo) break;
                    if (fits_ctx(mid)) lo = mid;
                    else hi = mid;
                }
            }
            s.assumptions.push_back("context shrunk from " + std::to_string(s.n_ctx) + " to " + std::to_string(lo) +
                                    " tokens to fit, as llama.cpp's --fit does when -c is not given");
            s.n_ctx = lo;
            s.n_ctx_alloc = lo * seqs;
            s.kv_layout.n_ctx = s.n_ctx_alloc;
            s.context = context_memory(a, s.kv_layout);
            s.runtime = runtime_memory(a, s.hw, run, s.n_ctx_alloc, true);
            n = llama_need(s, s.gpu_layers, s.cpu_moe_layers, s.n_ctx_alloc);
        }
        s.auto_offload = automatic && offload_allowed(s);
        if (automatic && n.device > fit_trigger && offload_allowed(s)) {
            const FitPlacement p = fit_placement(s, s.n_ctx_alloc);
            s.gpu_layers = p.gpu_layers;
            s.cpu_moe_layers = p.cpu_moe_layers;
            n = p.need;
        }
        apply_need(s, n);
    } else {
        apply_need(s, resident_need(s, s.n_ctx_alloc));
    }

    // Per-device view.
    const bool mixed = hw.member_memory_bytes.size() == s.n_devices && s.n_devices > 1;
    double member_total = 0.0;
    for (double m : hw.member_memory_bytes) member_total += m;
    for (std::uint32_t i = 0; i < s.n_devices; ++i) {
        // Layer split shares layers by memory; identical devices share evenly.
        const double share = mixed && member_total > 0 ? hw.member_memory_bytes[i] / member_total : 1.0 / s.n_devices;
        const std::string name = "gpu" + std::to_string(i) + (mixed ? " (" + hw.member_names[i] + ")" : "");
        s.per_device.push_back({name, s.device_used_bytes * share, s.usable_bytes * share});
    }
    const double host_used = s.host_weight_bytes + s.host_kv_bytes;
    if (host_used > 0) s.per_device.push_back({"cpu", host_used, s.host_limit_bytes});

    // Verdict.
    // llama.cpp always keeps the input embedding in RAM; anything beyond it is offload.
    const bool offloaded = s.host_weight_bytes > s.weights().token_embd_bytes * 1.0001 + 1.0;
    const bool device_ok = s.device_used_bytes <= s.usable_bytes;
    s.host_too_small = offloaded && host_used > s.host_limit_bytes;
    if (!device_ok) {
        s.verdict = Verdict::no;
        s.no_reason = "needs more memory than the device(s) can give, even with offload";
        if (!offload_allowed(s)) s.no_reason = "needs more memory than the device(s) can give";
    } else if (offloaded) {
        s.verdict = s.host_too_small ? Verdict::no : Verdict::offload;
        if (s.host_too_small) s.no_reason = "the weights that do not fit on the GPU do not fit in system RAM either";
    } else if (s.device_used_bytes <= kComfortableFraction * s.usable_bytes) {
        s.verdict = Verdict::fits;
    } else {
        s.verdict = Verdict::tight;
    }
    if (run.split == SplitMode::tensor && s.n_devices > 1 && is_paged_server(run.runtime)) {
        // vLLM/SGLang tensor parallel: query heads must divide by the device
        // count; KV heads must divide, or the device count must divide them
        // (then KV heads are replicated).
        const std::uint32_t kv = a.attn.n_head_kv;
        if (a.attn.n_head % s.n_devices != 0) {
            s.verdict = Verdict::no;
            s.no_reason = "tensor parallel needs the " + std::to_string(a.attn.n_head) + " attention heads to divide by " +
                          std::to_string(s.n_devices) + " devices";
        } else if (kv > 0 && kv % s.n_devices != 0 && s.n_devices % kv != 0) {
            s.verdict = Verdict::no;
            s.no_reason = "tensor parallel needs the " + std::to_string(kv) + " KV heads and " + std::to_string(s.n_devices) +
                          " devices to divide one another";
        }
    }

    // Speeds.
    s.decode = decode_speed(s.speed, kHeadlineDepthTokens);
    const std::uint64_t prompt = std::min<std::uint64_t>(kHeadlinePromptTokens, s.n_ctx);
    s.prefill_tokens_per_s = prefill_speed(s.speed, prompt, 0);
    s.ttft_ms = 1000.0 * (double(prompt) / s.prefill_tokens_per_s + 1.0 / s.decode.tokens_per_s);
    s.cold_start_ms = 1000.0 * cold_start_seconds(run.runtime, s.weights().total_bytes) + s.ttft_ms;

    // Concurrency: llama.cpp serves its fixed slots; a paged server fills the
    // free pool with sequences of n_ctx (vLLM caps running sequences at max_num_seqs).
    {
        KvLayout one = s.kv_layout;
        one.n_seq = 1;
        one.n_ctx = s.n_ctx;
        const ContextMemory per_seq = context_memory(a, one);
        const double per_seq_bytes = per_seq.kv_bytes + per_seq.state_bytes;
        if (s.verdict == Verdict::no) {
            s.max_concurrency = 0;
        } else if (is_paged_server(run.runtime) && per_seq_bytes > 0) {
            const double fixed = s.device_used_bytes - s.context.kv_bytes - s.context.state_bytes;
            const double pool = std::max(0.0, s.usable_bytes - fixed);
            s.max_concurrency = static_cast<std::uint32_t>(std::min(1e6, std::floor(pool / per_seq_bytes)));
        } else {
            s.max_concurrency = std::max<std::uint32_t>(1, run.n_parallel);
        }
        const std::uint32_t max_num_seqs = hw.memory_bytes >= 70.0 * kGiB ? 1024u : 256u;  // vLLM default
        const std::uint32_t wanted = run.concurrency_given ? run.n_parallel : (is_paged_server(run.runtime) ? max_num_seqs : run.n_parallel);
        s.aggregate_batch = std::max<std::uint32_t>(1, std::min(s.max_concurrency, wanted));
        if (s.verdict == Verdict::no) {
            s.aggregate_tokens_per_s = 0.0;
        } else if (run.bench.present && run.bench.tg > 0) {
            // End to end, as serving benchmarks count it: each of B sequences
            // prefills pp tokens, then all decode tg tokens together.
            const double b = double(s.aggregate_batch);
            const double t_prefill = b * run.bench.pp / std::max(1.0, prefill_speed(s.speed, std::max<std::uint32_t>(1, run.bench.pp), 0));
            const double t_decode = run.bench.tg * b /
                                    decode_aggregate_tokens_per_s(s.speed, run.bench.pp + run.bench.tg / 2, s.aggregate_batch);
            s.aggregate_tokens_per_s = b * run.bench.tg / (t_prefill + t_decode);
        } else {
            s.aggregate_tokens_per_s = decode_aggregate_tokens_per_s(s.speed, kHeadlineDepthTokens, s.aggregate_batch);
        }
    }

    // Safe context: the largest per-sequence context that keeps this placement
    // within usable memory (llama.cpp: minus --fit's 1 GiB margin), capped at the model's maximum.
    const std::uint64_t max_ctx = std::max<std::uint64_t>(1, model.context_max > 0 ? model.context_max : a.n_ctx_train);
    const double margin = is_llama_family(run.runtime) ? llama_fit_margin_bytes() : 0.0;
    const double limit = s.usable_bytes - margin;
    const std::uint64_t step = s.kv_layout.ctx_pad > 0 ? s.kv_layout.ctx_pad : 1;
    // The longest multiple of step up to max_ctx for which runs(ctx) holds
    // (runs falls from true to false as the context grows), or 0.
    auto longest = [&](auto runs) -> std::uint64_t {
        if (runs(max_ctx)) return max_ctx;
        if (!runs(step)) return 0;
        std::uint64_t lo = 1, hi = max_ctx / step;  // in steps: lo runs, hi does not
        while (hi - lo > 1) {
            const std::uint64_t mid = lo + (hi - lo) / 2;
            if (runs(mid * step)) lo = mid;
            else hi = mid;
        }
        return lo * step;
    };
    if (s.verdict == Verdict::no) {
        s.safe_context_tokens = 0;  // it does not run at any context
    } else if (s.verdict == Verdict::offload && s.auto_offload) {
        // With llama.cpp placing layers itself (--fit), a longer -c moves more
        // experts or layers to RAM rather than failing: the safe context is the
        // longest one whose own placement fits the device(s) and system RAM.
        // (Decode at that context is slower than at the headline placement.)
        const std::uint32_t seqs = std::max<std::uint32_t>(1, run.n_parallel);
        s.safe_context_tokens = longest([&](std::uint64_t ctx) {
            const Need n = fit_placement(s, ctx * seqs).need;
            return n.device <= limit && n.host_weights + n.host_kv <= s.host_limit_bytes;
        });
        if (s.safe_context_tokens > s.n_ctx) {
            s.assumptions.push_back("safe context " + std::to_string(s.safe_context_tokens) +
                                    " tokens counts the layers llama.cpp's --fit moves to RAM for it (decode is slower "
                                    "there than at " + std::to_string(s.n_ctx) + ")");
        }
    } else {
        s.safe_context_tokens = longest([&](std::uint64_t ctx) { return device_bytes_for_context(s, ctx) <= limit; });
    }
    return s;
}

}  // namespace headroom
