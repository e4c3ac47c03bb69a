// Defaults, quant table, limits, improvements and commands.
#include "recommend.hpp"

#include <algorithm>
#include <cmath>

#include "format.hpp"
#include "units.hpp"

namespace headroom {
namespace {

// Default context per sequence by mode (tokens), capped by the model's maximum.
constexpr std::uint64_t kContextInteractive = 8192;
constexpr std::uint64_t kContextBalanced = 32768;
constexpr std::uint64_t kContextLightApi = 16384;
constexpr std::uint64_t kContextScaleOut = 8192;
// Concurrent sequences the memory is sized for.
constexpr std::uint32_t kParallelLightApi = 4;
constexpr std::uint32_t kParallelScaleOut = 16;
// Ollama's default context by total VRAM (server/routes.go, runtime-memory.md §5):
// ≥ 47 GiB -> 262,144; ≥ 23 GiB -> 32,768; else 4,096.
constexpr double kOllamaBigVramBytes = 47.0 * kGiB;
constexpr double kOllamaMidVramBytes = 23.0 * kGiB;

bool vendor_ok_for_backend(Vendor v, Backend b) {
    switch (b) {
    case Backend::cuda: return v == Vendor::nvidia;
    case Backend::rocm: return v == Vendor::amd;
    case Backend::metal: return v == Vendor::apple;
    case Backend::sycl: return v == Vendor::intel;
    case Backend::vulkan: return v != Vendor::cpu;
    case Backend::cpu: return true;
    }
    return true;
}

bool runtime_ok_for_hardware(Runtime r, const Hardware& hw, std::string& why) {
    switch (r) {
    case Runtime::mlx:
        if (hw.vendor != Vendor::apple) { why = "MLX runs only on Apple silicon"; return false; }
        return true;
    case Runtime::vllm:
    case Runtime::sglang:
        if (hw.vendor != Vendor::nvidia && hw.vendor != Vendor::amd) {
            why = std::string(runtime_name(r)) + " needs an NVIDIA (CUDA) or AMD (ROCm) GPU";
            return false;
        }
        return true;
    case Runtime::tensorrt_llm:
    case Runtime::exllamav2:
        if (hw.vendor != Vendor::nvidia) { why = std::string(runtime_name(r)) + " needs an NVIDIA GPU"; return false; }
        return true;
    default: return true;
    }
}

bool quant_ok_for_runtime(const WeightFormat& q, Runtime r) {
    switch (r) {
    case Runtime::llama_cpp:
    case Runtime::ollama:
    case Runtime::lmstudio: return q.is_gguf();
    case Runtime::mlx: return q.family == FormatFamily::mlx || q.family == FormatFamily::float16 ||
                              (q.is_gguf() && (q.ftype == GgufFtype::F16 || q.ftype == GgufFtype::BF16));
    case Runtime::exllamav2: return q.family == FormatFamily::exl2 || q.family == FormatFamily::gptq;
    case Runtime::vllm:
    case Runtime::sglang:
    case Runtime::tensorrt_llm:
        return q.family == FormatFamily::awq || q.family == FormatFamily::gptq || q.family == FormatFamily::fp8 ||
               q.family == FormatFamily::nvfp4 || q.family == FormatFamily::float16 ||
               (q.is_gguf() && (q.ftype == GgufFtype::F16 || q.ftype == GgufFtype::BF16));
    }
    return false;
}

Runtime runtime_for_quant(const WeightFormat& q, const Hardware& hw) {
    switch (q.family) {
    case FormatFamily::gguf: return Runtime::llama_cpp;
    case FormatFamily::mlx: return Runtime::mlx;
    case FormatFamily::exl2: return Runtime::exllamav2;
    case FormatFamily::float16: return hw.vendor == Vendor::apple ? Runtime::mlx : Runtime::vllm;
    default: return Runtime::vllm;
    }
}

WeightFormat format_or_die(const std::string& name) { return *parse_weight_format(name); }

std::string gguf_file_quant(const std::string& quant) { return quant == "MXFP4" ? "MXFP4" : quant; }

std::string repo_base_name(const std::string& repo) {
    const auto slash = repo.find('/');
    return slash == std::string::npos ? repo : repo.substr(slash + 1);
}

}  // namespace

// What each runtime loads, runs on and defaults to, for the "runtimes" and "quants"
// listings. catalog/runtimes.json holds the same facts with their citations
// (shared/reference/runtime-memory.md §2.1, §3, §4, §5 and vendor docs);
// tests/test_catalog.cpp checks that the two agree. Order follows runtime_names().
// Defaults: context_tokens 0 = the model's trained context, null = no fixed number.
const nlohmann::json& runtime_table() {
    using nlohmann::json;
    static const json table = [] {
        const json null_value;
        auto defaults = [&](json context_tokens, const char* context_rule, const char* kv_type, json flash_attention,
                            json batch_tokens, json ubatch_tokens, json parallel, json memory_fraction) {
            return json{{"context_tokens", context_tokens},
                        {"context_rule", context_rule},
                        {"kv_type", kv_type},
                        {"flash_attention", flash_attention},
                        {"batch_tokens", batch_tokens},
                        {"ubatch_tokens", ubatch_tokens},
                        {"parallel", parallel},
                        {"memory_fraction", memory_fraction}};
        };
        auto row = [](const char* runtime, const char* name, json families, json backends, json kv_types,
                      json multi_gpu, json defaults_value) {
            return json{{"runtime", runtime},        {"name", name},         {"format_families", families},
                        {"backends", backends},      {"kv_types", kv_types}, {"multi_gpu", multi_gpu},
                        {"defaults", defaults_value}};
        };
        json t = json::array();
        t.push_back(row("llama.cpp", "llama.cpp (llama-server / llama-cli)", {"gguf"},
                        {"cuda", "rocm", "metal", "vulkan", "sycl", "cpu"}, {"f16", "bf16", "q8_0", "q4_0"},
                        {"layer", "tensor"},
                        defaults(0, "the model's trained context (n_ctx 0), rounded up to a multiple of 256", "f16",
                                 "auto", 2048, 512, 4, null_value)));
        t.push_back(row("ollama", "Ollama", {"gguf"}, {"cuda", "rocm", "metal", "cpu"}, {"f16", "q8_0", "q4_0"},
                        {"layer"},
                        defaults(null_value, "VRAM-tiered: under 24 GiB 4096, 24-48 GiB 32768, 48 GiB and more 262144",
                                 "f16", "auto", 512, null_value, 1, null_value)));
        t.push_back(row("vllm", "vLLM", {"awq", "gptq", "fp8", "nvfp4", "float16", "gguf"}, {"cuda", "rocm", "cpu"},
                        {"bf16", "f16", "fp8"}, {"tensor", "layer"},
                        defaults(0, "max_model_len defaults to the model's max_position_embeddings",
                                 "auto (model dtype)", "on", 8192, null_value, 256, 0.9)));
        t.push_back(row("sglang", "SGLang", {"awq", "gptq", "fp8", "nvfp4", "float16"}, {"cuda", "rocm"},
                        {"bf16", "fp8"}, {"tensor", "layer"},
                        defaults(0, "the model's context length from config.json", "auto (model dtype)", "on",
                                 null_value, null_value, null_value, null_value)));
        t.push_back(row("mlx", "MLX (mlx-lm)", {"mlx", "float16"}, {"metal"}, {"f16", "bf16"}, json::array(),
                        defaults(0, "no fixed window: the KV cache grows with the prompt and output", "model dtype",
                                 "n/a", null_value, null_value, 1, null_value)));
        t.push_back(row("lmstudio", "LM Studio", {"gguf", "mlx"}, {"cuda", "rocm", "metal", "vulkan", "cpu"},
                        {"f16", "q8_0", "q4_0"}, {"layer"},
                        defaults(null_value, "set per model in the app (not sourced)", "f16", null_value, null_value,
                                 null_value, null_value, null_value)));
        t.push_back(row("exllamav2", "ExLlamaV2 (TabbyAPI)", {"exl2", "gptq"}, {"cuda", "rocm"},
                        {"f16", "q8_0", "q4_0"}, {"layer", "tensor"},
                        defaults(0, "the model's max_seq_len unless set", "f16", "on", null_value, null_value,
                                 null_value, null_value)));
        t.push_back(row("tensorrt-llm", "TensorRT-LLM", {"fp8", "nvfp4", "awq", "gptq", "float16"}, {"cuda"},
                        {"bf16", "f16", "fp8"}, {"tensor", "layer"},
                        defaults(0, "the model's max_position_embeddings", "auto (model dtype)", "on", null_value,
                                 null_value, null_value, null_value)));
        return t;
    }();
    return table;
}

namespace {

// The runtime's row in runtime_table() (rows are named as runtime_name() names them).
const nlohmann::json& runtime_row(Runtime r) {
    static const nlohmann::json empty = nlohmann::json::object();
    for (const nlohmann::json& row : runtime_table())
        if (row["runtime"] == runtime_name(r)) return row;
    return empty;
}

// Whether the runtime's row lists value under key ("backends", "kv_types", "multi_gpu").
bool runtime_lists(Runtime r, const char* key, const std::string& value) {
    const nlohmann::json& row = runtime_row(r);
    if (!row.contains(key)) return true;  // no row: nothing to refuse on
    for (const nlohmann::json& v : row[key])
        if (v == value) return true;
    return false;
}

// "a, b or c" from the runtime's list under key.
std::string runtime_options(Runtime r, const char* key) {
    const nlohmann::json& row = runtime_row(r);
    std::string out;
    if (!row.contains(key)) return out;
    const std::size_t n = row[key].size();
    for (std::size_t i = 0; i < n; ++i) {
        out += (i == 0 ? "" : i + 1 == n ? " or " : ", ") + row[key][i].get<std::string>();
    }
    return out;
}

// What a raised GPU limit on unified memory may take: all but 8 GiB or 15 % for
// the OS, whichever is more (a common community recommendation for Macs, used
// for AMD APUs too).
double gpu_share_leaving_os_bytes(double memory_bytes) {
    return memory_bytes - std::max(8.0 * kGiB, 0.15 * memory_bytes);
}

}  // namespace

Result<bool> resolve_settings(Request& req) {
    RunSettings& run = req.run;
    const Hardware& hw = req.hardware;
    const ModelArch& arch = req.model.arch;

    if (run.backend_given && !vendor_ok_for_backend(hw.vendor, run.backend)) {
        return make_error("incompatible_backend", "backend",
                          std::string("backend '") + backend_name(run.backend) + "' does not run on " + vendor_name(hw.vendor) +
                              " hardware (" + hw.name + ")");
    }
    if (!run.runtime_given) {
        if (run.quant_given) {
            run.runtime = runtime_for_quant(run.quant, hw);
            req.assumptions.push_back(std::string("runtime not given; ") + runtime_name(run.runtime) + " runs " +
                                      run.quant.name + " files");
        } else if (hw.vendor == Vendor::nvidia && hw.form_factor == "datacenter" &&
                   (run.mode == Mode::light_api || run.mode == Mode::scale_out)) {
            run.runtime = Runtime::vllm;
            req.assumptions.push_back("runtime not given; vLLM suits serving several users on a datacenter GPU");
        } else {
            run.runtime = Runtime::llama_cpp;
            req.assumptions.push_back("runtime not given; llama.cpp runs on every device and offloads what does not fit");
        }
    }
    std::string why;
    if (!runtime_ok_for_hardware(run.runtime, hw, why)) {
        return make_error("incompatible_runtime", "runtime", why + "; " + hw.name + " is " + vendor_name(hw.vendor) + " hardware");
    }
    if (run.quant_given && !quant_ok_for_runtime(run.quant, run.runtime)) {
        return make_error("incompatible_quant", "quant",
                          std::string(runtime_name(run.runtime)) + " does not load " + run.quant.name + " weights; try " +
                              supported_quants(run.runtime, hw, arch).back() + " or another runtime");
    }
    if (!run.backend_given) {
        run.backend = default_backend(hw);
        if (hw.vendor == Vendor::intel && is_llama_family(run.runtime)) run.backend = Backend::sycl;
    }
    // What the runtime supports (runtime_table, from catalog/runtimes.json): a
    // combination outside it is an error that lists what would work instead.
    if (run.backend_given && !runtime_lists(run.runtime, "backends", backend_name(run.backend))) {
        return make_error("incompatible_backend", "backend",
                          std::string("backend '") + backend_name(run.backend) + "' is not one " + runtime_name(run.runtime) +
                              " runs on; use " + runtime_options(run.runtime, "backends"));
    }
    if (run.kv_given && !runtime_lists(run.runtime, "kv_types", kv_type_name(run.kv_type))) {
        return make_error("incompatible_kv_cache_type", "kv_cache_type",
                          std::string("kv_cache_type '") + kv_type_name(run.kv_type) + "' is not available in " +
                              runtime_name(run.runtime) + "; use " + runtime_options(run.runtime, "kv_types"));
    }
    if (run.gpu_count > 1) {
        const char* split = run.split == SplitMode::tensor ? "tensor" : "layer";
        const std::string modes = runtime_options(run.runtime, "multi_gpu");
        if (modes.empty()) {
            return make_error("incompatible_gpu_count", "gpu_count",
                              std::string(runtime_name(run.runtime)) + " runs on one device; gpu_count " +
                                  std::to_string(run.gpu_count) + " needs llama.cpp, vLLM or another multi-GPU runtime");
        }
        if (run.split_given && !runtime_lists(run.runtime, "multi_gpu", split)) {
            return make_error("incompatible_split", "split",
                              std::string("split '") + split + "' is not a multi-GPU mode of " + runtime_name(run.runtime) +
                                  "; use " + modes);
        }
    }
    if (!run.flash_attention_given) {
        // llama.cpp: flash_attn = auto (on where supported); llama-bench defaults to off.
        run.flash_attention = !run.bench.present;
    }
    if (is_llama_family(run.runtime) && !run.flash_attention && (run.kv_type == KvType::q8_0 || run.kv_type == KvType::q4_0)) {
        return make_error("flash_attention_required", "flash_attention",
                          std::string("llama.cpp needs flash attention for a quantized V cache (kv_cache_type ") +
                              kv_type_name(run.kv_type) + "); set flash_attention to true");
    }
    if (run.split_given && run.split == SplitMode::tensor && is_llama_family(run.runtime)) {
        req.assumptions.push_back("llama.cpp's row split (-sm row) is modelled as tensor parallel");
    }
    if (!run.split_given && is_paged_server(run.runtime) && run.gpu_count > 1) run.split = SplitMode::tensor;

    // Parallel sequences by mode, unless the request says how many.
    if (!run.concurrency_given) {
        switch (run.mode) {
        case Mode::interactive:
        case Mode::balanced: run.n_parallel = 1; break;
        case Mode::light_api: run.n_parallel = kParallelLightApi; break;
        case Mode::scale_out: run.n_parallel = kParallelScaleOut; break;
        }
        if (run.bench.present) run.n_parallel = 1;
    }

    const std::uint64_t model_max = std::max<std::uint64_t>(1, req.model.context_max > 0 ? req.model.context_max : arch.n_ctx_train);
    if (!run.context_given) {
        std::uint64_t want = kContextBalanced;
        switch (run.mode) {
        case Mode::interactive: want = kContextInteractive; break;
        case Mode::balanced: want = kContextBalanced; break;
        case Mode::light_api: want = kContextLightApi; break;
        case Mode::scale_out: want = kContextScaleOut; break;
        }
        if (run.runtime == Runtime::ollama) {
            const double vram = hw.memory_bytes * run.gpu_count;
            want = vram >= kOllamaBigVramBytes ? 262144 : (vram >= kOllamaMidVramBytes ? 32768 : 4096);
            req.assumptions.push_back("context not given; Ollama's default for " + format_bytes(vram) + " of VRAM is " +
                                      std::to_string(want) + " tokens");
        }
        if (run.bench.present) want = std::uint64_t(run.bench.depth) + run.bench.pp + run.bench.tg;
        run.context_tokens = std::min(want, model_max);
        if (!run.bench.present && run.runtime != Runtime::ollama) {
            req.assumptions.push_back(std::string("context not given; ") + mode_name(run.mode) + " mode uses " +
                                      std::to_string(run.context_tokens) + " tokens" +
                                      (run.context_tokens < want ? " (the model's maximum)" : ""));
        }
    } else if (run.context_tokens > model_max) {
        return make_error("context_too_long", "context_tokens",
                          "context_tokens " + std::to_string(run.context_tokens) + " is beyond " + req.model.name +
                              "'s maximum of " + std::to_string(model_max) + " tokens");
    }
    if (run.gpu_count > 1 && (hw.unified_memory || hw.vendor == Vendor::cpu)) {
        return make_error("invalid_number", "gpu_count",
                          "gpu_count " + std::to_string(run.gpu_count) + " does not apply to " + hw.name +
                              " (one unified-memory system)");
    }
    return true;
}

std::vector<std::string> supported_quants(Runtime runtime, const Hardware& hw, const ModelArch& arch) {
    if (is_llama_family(runtime)) {
        std::vector<std::string> q = {"IQ2_XXS", "IQ2_XS", "IQ2_M", "Q2_K", "IQ3_XXS", "Q3_K_S", "IQ3_M", "Q3_K_M",
                                      "Q3_K_L", "IQ4_XS", "IQ4_NL", "Q4_0", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M",
                                      "Q6_K", "Q8_0", "BF16"};
        if (arch.is_moe()) q.insert(q.begin() + 11, "MXFP4");
        return q;
    }
    switch (runtime) {
    case Runtime::mlx: return {"MLX-4bit", "MLX-8bit", "BF16"};
    case Runtime::exllamav2: return {"EXL2-3.0", "EXL2-4.0", "GPTQ-INT4", "EXL2-5.0", "EXL2-6.0", "EXL2-8.0"};
    default: {
        std::vector<std::string> q = {"AWQ-INT4", "GPTQ-INT4"};
        if (hw.fp4_flops > 0) q.push_back("NVFP4");
        q.push_back("FP8");
        q.push_back("BF16");
        return q;
    }
    }
}

std::vector<QuantRow> quant_table(const Request& req) {
    std::vector<QuantRow> rows;
    for (const std::string& name : supported_quants(req.run.runtime, req.hardware, req.model.arch)) {
        RunSettings run = req.run;
        run.quant = format_or_die(name);
        run.quant_given = true;
        const Setup s = evaluate_setup(req.model, req.hardware, run, req.inventory);
        QuantRow r;
        r.quant = name;
        r.bits_per_weight = s.weights().bits_per_weight;
        r.weights_bytes = s.weights().total_bytes;
        r.total_bytes = s.device_used_bytes;
        r.quality = quant_quality_score(run.quant, s.weights().bits_per_weight);
        r.quality_tier = quant_quality_tier(r.quality);
        r.verdict = s.verdict;
        std::vector<WorkloadResult> wl;
        for (const WorkloadProfile& p : workload_profiles()) wl.push_back(evaluate_workload(s, p, r.quality));
        r.score = s.verdict == Verdict::no ? 0.0 : mode_score(run.mode, wl);
        r.grade = grade_for(r.score);
        r.decode_tokens_per_s = s.verdict == Verdict::no ? 0.0 : s.decode.tokens_per_s;
        rows.push_back(r);
    }
    const int best = best_quant_index(rows);
    if (best >= 0) rows[static_cast<std::size_t>(best)].best = true;
    return rows;
}

int best_quant_index(const std::vector<QuantRow>& rows) {
    int best = -1;
    auto rank = [](const QuantRow& r) {
        // Runs fully on the device first, then offload; within a class the score, then quality.
        const int cls = r.verdict == Verdict::fits || r.verdict == Verdict::tight ? 2 : (r.verdict == Verdict::offload ? 1 : 0);
        return std::make_tuple(cls, r.score, r.quality);
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].verdict == Verdict::no) continue;
        if (best < 0 || rank(rows[i]) > rank(rows[static_cast<std::size_t>(best)])) best = static_cast<int>(i);
    }
    return best;
}

std::vector<std::string> setup_limits(const Setup& s, const std::vector<WorkloadResult>& workloads, double quality) {
    std::vector<std::string> out;
    const double used = s.usable_bytes > 0 ? s.device_used_bytes / s.usable_bytes : 1.0;
    const std::string dev = s.n_devices > 1 ? std::to_string(s.n_devices) + " × " + s.hw.name : s.hw.name;
    if (s.verdict == Verdict::no && s.host_too_small) {
        // The GPU side fits; system RAM is what is short.
        out.push_back("Does not run: " + s.no_reason + " — " + format_bytes(s.host_weight_bytes + s.host_kv_bytes) +
                      " must sit in system RAM, " + format_bytes(s.host_limit_bytes) + " of it is free for the model.");
        return out;
    }
    if (s.verdict == Verdict::no) {
        out.push_back("Does not run: " + s.no_reason + " — needs " + format_bytes(s.device_used_bytes) + " on the device, " +
                      format_bytes(s.usable_bytes) + " usable on " + dev + ".");
        return out;
    }
    if (s.verdict == Verdict::offload) {
        out.push_back("Offload: " + format_bytes(s.host_weight_bytes) + " of weights sit in system RAM and " +
                      format_bytes(s.speed.placement.host_read_bytes_per_token) + " of them are read every token at " +
                      format_number(s.hw.system_bandwidth_bytes_per_s / 1e9, 0) + " GB/s — that dominates decode.");
    }
    if (used >= 0.9) {
        out.push_back("Memory is tight: " + format_bytes(s.device_used_bytes) + " of " + format_bytes(s.usable_bytes) +
                      " usable (" + format_percent(used) + "); little room for more context or other programs.");
    }
    const std::uint64_t max_ctx = s.model->context_max > 0 ? s.model->context_max : s.model->arch.n_ctx_train;
    if (s.safe_context_tokens < max_ctx) {
        out.push_back("Context is limited by memory to " + format_tokens(s.safe_context_tokens) + " tokens (the model supports " +
                      format_tokens(max_ctx) + ").");
    }
    if (s.decode.bound == "memory") {
        out.push_back("Decode is bandwidth-bound: each token reads " +
                      format_bytes(s.speed.placement.device_read_bytes_per_token) + " at " +
                      format_number(s.hw.bandwidth_bytes_per_s / 1e9, 0) + " GB/s (physical ceiling " +
                      format_rate(s.decode.ceiling_tokens_per_s) + ").");
    } else if (s.decode.bound == "overhead") {
        out.push_back("Decode is overhead-bound: each token reads only " + format_bytes(s.speed.placement.device_read_bytes_per_token) +
                      ", so per-layer kernel launches" + std::string(s.model->arch.is_moe() ? " and MoE routing" : "") +
                      " over " + std::to_string(s.model->arch.n_layer) + " layers cost more than the memory traffic.");
    } else if (s.decode.bound == "compute") {
        out.push_back("Decode is compute-bound on this device.");
    }
    for (const WorkloadResult& w : workloads) {
        if (w.name == "agentic coding" && w.ttft_ms > 15000.0) {
            out.push_back("Long prompts are slow: a " + format_tokens(24576) + "-token agent prompt takes " +
                          format_seconds(w.ttft_ms / 1000.0) + " before the first token.");
        }
    }
    if (quality < 82.0) out.push_back("The quant costs noticeable quality (" + std::string(quant_quality_tier(quality)) + " quality).");
    if (s.decode.tokens_per_s < 8.0) out.push_back("Decode at " + format_rate(s.decode.tokens_per_s) + " is below comfortable reading speed.");
    if (out.empty()) out.push_back("No major limits: memory, speed and context are all comfortable for this model.");
    return out;
}

std::vector<Improvement> setup_improvements(const Request& req, const Setup& s, double score,
                                            const std::vector<QuantRow>& quants) {
    std::vector<Improvement> out;
    const double current_quality = quant_quality_score(req.run.quant, s.weights().bits_per_weight);

    // 1. A better quant that still fits, or a smaller one that makes it fit.
    const int best = best_quant_index(quants);
    if (best >= 0) {
        const QuantRow& b = quants[static_cast<std::size_t>(best)];
        if (b.quant != req.run.quant.name && (b.score > score || (s.verdict != Verdict::fits && b.verdict == Verdict::fits))) {
            Improvement i;
            i.kind = "quant";
            i.title = "Use " + b.quant;
            i.detail = "Use " + b.quant + " (" + b.quality_tier + " quality): " + verdict_name(b.verdict) + ", " +
                       format_bytes(b.total_bytes) + " on the device, about " + format_rate(b.decode_tokens_per_s) +
                       ", grade " + b.grade + " " + format_number(b.score, 0) + ".";
            i.score_after = b.score;
            i.verdict_after = b.verdict;
            out.push_back(i);
        }
    }
    // 2. Quantize the KV cache when context is memory-limited.
    const std::uint64_t max_ctx = req.model.context_max > 0 ? req.model.context_max : req.model.arch.n_ctx_train;
    if (s.verdict != Verdict::no && s.safe_context_tokens < max_ctx && (req.run.kv_type == KvType::f16 || req.run.kv_type == KvType::bf16) &&
        s.context.kv_bytes_per_token > 0) {
        RunSettings run = req.run;
        run.kv_type = is_paged_server(run.runtime) ? KvType::fp8 : KvType::q8_0;
        if (is_llama_family(run.runtime)) run.flash_attention = true;
        const Setup t = evaluate_setup(req.model, req.hardware, run, req.inventory);
        if (t.safe_context_tokens > s.safe_context_tokens) {
            Improvement i;
            i.kind = "kv_cache";
            i.title = std::string("Quantize the KV cache to ") + kv_type_name(run.kv_type);
            i.detail = std::string("KV cache in ") + kv_type_name(run.kv_type) + ": safe context grows from " +
                       format_tokens(s.safe_context_tokens) + " to " + format_tokens(t.safe_context_tokens) +
                       " tokens at a small quality cost.";
            i.verdict_after = t.verdict;
            out.push_back(i);
        }
    }
    // 3. Flash attention (llama.cpp) frees the score buffer.
    if (is_llama_family(req.run.runtime) && !req.run.flash_attention) {
        RunSettings run = req.run;
        run.flash_attention = true;
        const Setup t = evaluate_setup(req.model, req.hardware, run, req.inventory);
        if (t.device_used_bytes < s.device_used_bytes) {
            Improvement i;
            i.kind = "flash_attention";
            i.title = "Turn on flash attention";
            i.detail = "Flash attention (-fa on) drops the attention score buffer: " + format_bytes(s.device_used_bytes) +
                       " -> " + format_bytes(t.device_used_bytes) + " on the device.";
            i.verdict_after = t.verdict;
            out.push_back(i);
        }
    }
    // 4. Another GPU when it does not fit, offloads or is tight.
    if ((s.verdict == Verdict::no || s.verdict == Verdict::offload || s.verdict == Verdict::tight) && !req.hardware.unified_memory &&
        req.hardware.vendor != Vendor::cpu && req.run.gpu_count < kMaxGpuCount && req.hardware.member_names.empty()) {
        RunSettings run = req.run;
        std::uint32_t n = run.gpu_count;
        Setup t;
        // Smallest count that runs fully on the GPUs (up to 8).
        const std::uint32_t last = std::max<std::uint32_t>(8, req.run.gpu_count + 1);
        for (n = req.run.gpu_count + 1; n <= last; ++n) {
            run.gpu_count = n;
            if (is_paged_server(run.runtime)) run.split = SplitMode::tensor;
            t = evaluate_setup(req.model, req.hardware, run, req.inventory);
            if (t.verdict == Verdict::fits || t.verdict == Verdict::tight) break;
        }
        if (t.verdict == Verdict::fits || t.verdict == Verdict::tight) {
            Improvement i;
            i.kind = "gpu_count";
            i.title = "Use " + std::to_string(n) + " × " + req.hardware.name;
            i.detail = std::to_string(n) + " × " + req.hardware.name + ": " + verdict_name(t.verdict) + " with " +
                       format_bytes(t.device_used_bytes) + " of " + format_bytes(t.usable_bytes) + ", about " +
                       format_rate(t.decode.tokens_per_s) +
                       (is_llama_family(run.runtime) ? " (layer split adds capacity, not single-stream speed)." : " (tensor parallel).");
            i.verdict_after = t.verdict;
            out.push_back(i);
        }
    }
    // 5. Apple: raise the GPU wired limit.
    if (req.hardware.vendor == Vendor::apple && s.verdict != Verdict::fits) {
        const double limit_mb = std::floor(gpu_share_leaving_os_bytes(req.hardware.memory_bytes) / kMiB);
        if (limit_mb * kMiB > s.budget.usable_bytes) {
            Improvement i;
            i.kind = "wired_limit";
            i.title = "Raise the GPU wired-memory limit";
            i.detail = "sudo sysctl iogpu.wired_limit_mb=" + format_number(limit_mb, 0) + " lets the GPU use " +
                       format_bytes(limit_mb * kMiB) + " instead of " + format_bytes(s.budget.usable_bytes) +
                       " (resets at reboot; leave the OS enough).";
            out.push_back(i);
        }
    }
    // 5b. AMD APUs (Strix Halo) on Linux: raise the iGPU's GTT limit, set in
    // 4 KiB pages by the kernel parameter ttm.pages_limit (AMD's Strix Halo
    // system-optimization page; runtime_memory.cpp kAmdApuGttFraction), leaving
    // the OS the same share as on a Mac.
    if (is_amd_apu(req.hardware) && s.verdict != Verdict::fits) {
        const double limit_gib = std::floor(gpu_share_leaving_os_bytes(req.hardware.memory_bytes) / kGiB);
        if (limit_gib * kGiB > s.budget.usable_bytes) {
            Improvement i;
            i.kind = "gtt_limit";
            i.title = "Raise the iGPU's memory limit (GTT)";
            i.detail = "Boot Linux with ttm.pages_limit=" + format_number(limit_gib * 262144.0, 0) + " (" +
                       format_number(limit_gib, 0) + " GiB in 4 KiB pages) to let the GPU use " +
                       format_bytes(limit_gib * kGiB) + " instead of " + format_bytes(s.budget.usable_bytes) +
                       " (leave the OS enough).";
            out.push_back(i);
        }
    }
    // 6. Another runtime that suits the mode.
    if (req.hardware.vendor == Vendor::nvidia && is_llama_family(req.run.runtime) &&
        (req.run.mode == Mode::light_api || req.run.mode == Mode::scale_out)) {
        Improvement i;
        i.kind = "runtime";
        i.title = "Serve with vLLM";
        i.detail = "For several concurrent users vLLM's paged KV cache and continuous batching give far more aggregate tokens/s than llama-server.";
        out.push_back(i);
    }
    if (req.hardware.vendor == Vendor::apple && req.run.runtime != Runtime::mlx) {
        Improvement i;
        i.kind = "runtime";
        i.title = "Try MLX";
        i.detail = "On Apple silicon MLX (mlx-lm) usually decodes 4-bit models faster than llama.cpp's K-quants.";
        out.push_back(i);
    }
    (void)current_quality;
    return out;
}

std::vector<Command> setup_commands(const Request& req, const Setup& s) {
    std::vector<Command> out;
    const ModelEntry& m = req.model;
    const RunSettings& run = req.run;
    const std::string quant = run.quant.name;
    const std::string hf = m.hf_repo.empty() ? m.id : m.hf_repo;
    const std::uint64_t ctx_total = s.n_ctx * std::max<std::uint32_t>(1, run.n_parallel);

    if (is_llama_family(run.runtime) || run.runtime == Runtime::llama_cpp) {
        std::string model_arg;
        std::string note;
        if (!m.gguf_repos.empty()) {
            model_arg = "-hf " + m.gguf_repos.front() + ":" + gguf_file_quant(quant);
        } else {
            model_arg = "-m " + repo_base_name(hf) + "-" + quant + ".gguf";
            note = "No GGUF repository is catalogued for this model: convert it with llama.cpp's convert_hf_to_gguf.py and llama-quantize " + quant + ".";
        }
        std::string cmd = "llama-server " + model_arg + " -c " + std::to_string(ctx_total);
        cmd += " -ngl " + (s.gpu_layers >= m.arch.n_layer ? std::string("99") : std::to_string(s.gpu_layers));
        if (s.cpu_moe_layers > 0) cmd += " --n-cpu-moe " + std::to_string(s.cpu_moe_layers);
        cmd += run.flash_attention ? " -fa on" : " -fa off";
        if (run.kv_type != KvType::f16) cmd += std::string(" -ctk ") + kv_type_name(run.kv_type) + " -ctv " + kv_type_name(run.kv_type);
        cmd += " -np " + std::to_string(std::max<std::uint32_t>(1, run.n_parallel));
        if (run.gpu_count > 1) cmd += run.split == SplitMode::tensor ? " -sm row" : " -sm layer";
        out.push_back({"llama.cpp", cmd, note});

        std::string tag;
        for (const std::string& a : m.aliases) {
            if (a.find(':') != std::string::npos && a.find(' ') == std::string::npos) { tag = a; break; }
        }
        std::string ollama_model = tag;
        if (ollama_model.empty() && !m.gguf_repos.empty()) ollama_model = "hf.co/" + m.gguf_repos.front() + ":" + gguf_file_quant(quant);
        if (!ollama_model.empty()) {
            std::string env = "OLLAMA_CONTEXT_LENGTH=" + std::to_string(ctx_total);
            if (run.flash_attention) env += " OLLAMA_FLASH_ATTENTION=1";
            if (run.kv_type == KvType::q8_0 || run.kv_type == KvType::q4_0) env += std::string(" OLLAMA_KV_CACHE_TYPE=") + kv_type_name(run.kv_type);
            if (run.n_parallel > 1) env += " OLLAMA_NUM_PARALLEL=" + std::to_string(run.n_parallel);
            out.push_back({"ollama", env + " ollama serve & ollama run " + ollama_model,
                           tag.empty() ? "" : "the Ollama library tag's default quant may differ from " + quant});
        }
        if (!m.gguf_repos.empty()) {
            out.push_back({"lmstudio", "lms get " + m.gguf_repos.front() + "@" + quant + " && lms load " + repo_base_name(m.gguf_repos.front()) +
                                           " --context-length " + std::to_string(ctx_total) + " --gpu max", ""});
        }
    } else if (is_paged_server(run.runtime)) {
        const std::string tp = run.gpu_count > 1 ? " --tensor-parallel-size " + std::to_string(run.gpu_count) : "";
        std::string model_arg = hf;
        std::string q;
        std::string note;
        if (run.quant.family == FormatFamily::fp8 && m.native_format != "FP8") q = " --quantization fp8";
        if (run.quant.family == FormatFamily::awq || run.quant.family == FormatFamily::gptq || run.quant.family == FormatFamily::nvfp4) {
            note = "Use a pre-quantized " + quant + " checkpoint of " + hf + " (search Hugging Face for '" + repo_base_name(hf) +
                   " " + quant.substr(0, quant.find('-')) + "').";
        }
        const std::string kv = run.kv_type == KvType::fp8 ? " --kv-cache-dtype fp8" : "";
        if (run.runtime == Runtime::sglang) {
            out.push_back({"sglang", "python -m sglang.launch_server --model-path " + model_arg + " --context-length " +
                                         std::to_string(s.n_ctx) + (run.gpu_count > 1 ? " --tp " + std::to_string(run.gpu_count) : "") +
                                         " --mem-fraction-static 0.88" + q + (run.kv_type == KvType::fp8 ? " --kv-cache-dtype fp8_e4m3" : ""), note});
        } else if (run.runtime == Runtime::tensorrt_llm) {
            out.push_back({"tensorrt-llm", "trtllm-serve " + model_arg + " --max_seq_len " + std::to_string(s.n_ctx) +
                                               (run.gpu_count > 1 ? " --tp_size " + std::to_string(run.gpu_count) : "") +
                                               " --kv_cache_free_gpu_memory_fraction 0.9", note});
        } else {
            out.push_back({"vllm", "vllm serve " + model_arg + " --max-model-len " + std::to_string(s.n_ctx) +
                                       " --gpu-memory-utilization 0.90" + q + kv + tp +
                                       (run.n_parallel > 1 ? " --max-num-seqs " + std::to_string(run.n_parallel) : ""), note});
        }
    } else if (run.runtime == Runtime::mlx) {
        const int bits = run.quant.name == "MLX-8bit" ? 8 : 4;
        const bool quantized = run.quant.family == FormatFamily::mlx;
        const std::string local = "./" + repo_base_name(hf) + (quantized ? "-" + std::to_string(bits) + "bit" : "-bf16");
        out.push_back({"mlx", "mlx_lm.convert --hf-path " + hf + (quantized ? " -q --q-bits " + std::to_string(bits) + " --q-group-size 64" : "") +
                                  " --mlx-path " + local + " && mlx_lm.server --model " + local, ""});
    } else if (run.runtime == Runtime::exllamav2) {
        out.push_back({"exllamav2", "python convert.py -i ./" + repo_base_name(hf) + " -o ./work -cf ./" + repo_base_name(hf) + "-exl2 -b " +
                                        format_number(run.quant.bits, 2) + " && python test_inference.py -m ./" + repo_base_name(hf) +
                                        "-exl2 -l " + std::to_string(s.n_ctx) + " -p \"Hello\"",
                       "ExLlamaV2 ships convert.py and test_inference.py in its repository; TabbyAPI serves the same folder."});
    }
    return out;
}

}  // namespace headroom
