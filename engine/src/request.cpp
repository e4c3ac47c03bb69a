// Request parsing and validation (shared/design/contract.md "Request").
#include "request.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "config_import.hpp"
#include "weight_file.hpp"

namespace headroom {
namespace {

using nlohmann::json;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string dump_short(const json& v) {
    std::string s = v.dump();
    if (s.size() > 60) {
        // Cut on a UTF-8 character boundary, so the message stays valid text.
        std::size_t cut = 57;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
        s = s.substr(0, cut) + "...";
    }
    return s;
}

// Reads a whole number in [lo, hi] from j[key]; error names the field and value.
Result<std::uint64_t> read_count(const json& v, const std::string& field, std::uint64_t lo, std::uint64_t hi) {
    double d = 0;
    if (v.is_number_unsigned() || v.is_number_integer()) {
        if (v.is_number_integer() && v.get<std::int64_t>() < 0) {
            return make_error("invalid_number", field, field + " must be at least " + std::to_string(lo) + ", got " + dump_short(v));
        }
        d = v.get<double>();
    } else if (v.is_number_float()) {
        d = v.get<double>();
        if (!std::isfinite(d) || std::floor(d) != d) {
            return make_error("invalid_number", field, field + " must be a whole number, got " + dump_short(v));
        }
    } else {
        return make_error("invalid_type", field, field + " must be a number, got " + dump_short(v));
    }
    if (d < double(lo)) {
        return make_error("invalid_number", field, field + " must be at least " + std::to_string(lo) + ", got " + dump_short(v));
    }
    if (d > double(hi)) {
        return make_error("out_of_range", field, field + " is " + dump_short(v) + "; the largest supported value is " + std::to_string(hi));
    }
    return static_cast<std::uint64_t>(d);
}

// A model or hardware key: a string of at most kMaxIdBytes (look-ups and
// "did you mean" compare it with every catalog name).
Result<bool> check_id_length(const std::string& key, const std::string& field) {
    if (key.size() <= kMaxIdBytes) return true;
    return make_error("out_of_range", field, field + " is " + std::to_string(key.size()) + " bytes long; the limit is " +
                                                 std::to_string(kMaxIdBytes) + " bytes");
}

Result<std::string> read_string(const json& v, const std::string& field) {
    if (!v.is_string()) return make_error("invalid_type", field, field + " must be a string, got " + dump_short(v));
    return v.get<std::string>();
}

bool looks_like_hf_config(const json& m) {
    return m.contains("model_type") || m.contains("architectures");
}

Result<ModelEntry> model_from_inline(const json& m) {
    ModelEntry e;
    const json* cfg = nullptr;
    if (m.contains("config")) {
        if (!m["config"].is_object()) return make_error("invalid_type", "model.config", "model.config must be a config.json object");
        cfg = &m["config"];
    } else if (looks_like_hf_config(m)) {
        cfg = &m;
    } else {
        return make_error("invalid_model", "model",
                          "inline model needs a config.json object (with model_type) or a catalog-style entry with \"config\"");
    }
    const std::string prefix = cfg == &m ? "model" : "model.config";
    auto arch = import_hf_config(*cfg, prefix);
    if (!arch) return arch.error();
    e.arch = std::move(*arch);
    e.config = *cfg;
    e.id = m.contains("id") && m["id"].is_string() ? m["id"].get<std::string>() : std::string("custom");
    if (m.contains("name") && m["name"].is_string()) e.name = m["name"].get<std::string>();
    if (e.name.empty()) {
        if (cfg->contains("_name_or_path") && (*cfg)["_name_or_path"].is_string()) e.name = (*cfg)["_name_or_path"].get<std::string>();
        else e.name = "Custom " + e.arch.model_type + " model";
    }
    if (m.contains("hf_repo") && m["hf_repo"].is_string()) e.hf_repo = m["hf_repo"].get<std::string>();
    if (m.contains("params_total") && m["params_total"].is_number()) {
        double p = m["params_total"].get<double>();
        if (std::isfinite(p) && p > 0) e.params_published_total = p;
    }
    if (m.contains("context_max") && m["context_max"].is_number_unsigned()) e.context_max = m["context_max"].get<std::uint64_t>();
    if (e.context_max == 0) e.context_max = e.arch.n_ctx_train;
    e.native_format = m.contains("native_format") && m["native_format"].is_string() ? m["native_format"].get<std::string>() : "BF16";
    // A model file's own tensor table (weight_file.hpp): exact bytes for its own quant.
    if (m.contains("weights") && !m["weights"].is_null()) {
        auto wf = weight_file_from_json(m["weights"], e.arch, "model.weights");
        if (!wf) return wf.error();
        e.weight_file = *wf;
        if (e.native_format == "BF16" && !m.contains("native_format")) e.native_format = (*wf)->quant;
    }
    return e;
}

// The file a model came with sets the default quant and says where the bytes come from.
void apply_weight_file(Request& req) {
    const WeightFile& wf = *req.model.weight_file;
    RunSettings& run = req.run;
    if (!run.quant_given) {
        run.quant = wf.weight_format;
        run.quant_given = true;
        req.assumptions.push_back("quant not given; the model file's own " + wf.quant + " is used");
    }
    const std::string what = wf.format == "gguf" ? "the GGUF header" : "the safetensors headers";
    if (wf.applies_to(run.quant)) {
        req.assumptions.push_back("weights: exact bytes from " + what + " (" + std::to_string(wf.tensors_exact) + " tensors, " +
                                  wf.quant + ")");
    } else {
        req.assumptions.push_back("quant " + run.quant.name + " is not the model file's own (" + wf.quant +
                                  "): its weights are predicted from the architecture");
    }
    for (const std::string& n : wf.notes) req.assumptions.push_back(n);
}

}  // namespace

const char* runtime_name(Runtime r) {
    switch (r) {
    case Runtime::llama_cpp: return "llama.cpp";
    case Runtime::ollama: return "ollama";
    case Runtime::vllm: return "vllm";
    case Runtime::sglang: return "sglang";
    case Runtime::mlx: return "mlx";
    case Runtime::lmstudio: return "lmstudio";
    case Runtime::exllamav2: return "exllamav2";
    case Runtime::tensorrt_llm: return "tensorrt-llm";
    }
    return "llama.cpp";
}

const std::vector<std::string>& runtime_names() {
    static const std::vector<std::string> names = {"llama.cpp", "ollama", "vllm", "sglang",
                                                   "mlx", "lmstudio", "exllamav2", "tensorrt-llm"};
    return names;
}

bool parse_runtime(const std::string& s, Runtime& out) {
    const std::string l = lower(s);
    static const std::pair<const char*, Runtime> table[] = {
        {"llama.cpp", Runtime::llama_cpp}, {"llamacpp", Runtime::llama_cpp}, {"llama-cpp", Runtime::llama_cpp},
        {"ollama", Runtime::ollama},       {"vllm", Runtime::vllm},          {"sglang", Runtime::sglang},
        {"mlx", Runtime::mlx},             {"mlx-lm", Runtime::mlx},         {"lmstudio", Runtime::lmstudio},
        {"lm studio", Runtime::lmstudio},  {"exllamav2", Runtime::exllamav2}, {"tensorrt-llm", Runtime::tensorrt_llm},
        {"trt-llm", Runtime::tensorrt_llm}, {"tensorrt_llm", Runtime::tensorrt_llm}};
    for (const auto& [name, r] : table) {
        if (l == name) { out = r; return true; }
    }
    return false;
}

const char* backend_name(Backend b) {
    switch (b) {
    case Backend::cuda: return "cuda";
    case Backend::rocm: return "rocm";
    case Backend::metal: return "metal";
    case Backend::vulkan: return "vulkan";
    case Backend::sycl: return "sycl";
    case Backend::cpu: return "cpu";
    }
    return "cuda";
}

bool parse_backend(const std::string& s, Backend& out) {
    const std::string l = lower(s);
    static const std::pair<const char*, Backend> table[] = {
        {"cuda", Backend::cuda}, {"rocm", Backend::rocm},     {"hip", Backend::rocm},   {"metal", Backend::metal},
        {"vulkan", Backend::vulkan}, {"sycl", Backend::sycl}, {"cpu", Backend::cpu}};
    for (const auto& [name, b] : table) {
        if (l == name) { out = b; return true; }
    }
    return false;
}

const char* mode_name(Mode m) {
    switch (m) {
    case Mode::interactive: return "interactive";
    case Mode::balanced: return "balanced";
    case Mode::light_api: return "light-api";
    case Mode::scale_out: return "scale-out";
    }
    return "balanced";
}

bool parse_mode(const std::string& s, Mode& out) {
    const std::string l = lower(s);
    if (l == "interactive") { out = Mode::interactive; return true; }
    if (l == "balanced") { out = Mode::balanced; return true; }
    if (l == "light-api" || l == "light_api" || l == "light api") { out = Mode::light_api; return true; }
    if (l == "scale-out" || l == "scale_out" || l == "scale out") { out = Mode::scale_out; return true; }
    return false;
}

const char* kv_type_name(KvType k) {
    switch (k) {
    case KvType::f16: return "f16";
    case KvType::bf16: return "bf16";
    case KvType::fp8: return "fp8";
    case KvType::q8_0: return "q8_0";
    case KvType::q4_0: return "q4_0";
    }
    return "f16";
}

bool parse_kv_type(const std::string& s, KvType& out) {
    const std::string l = lower(s);
    if (l == "f16" || l == "fp16" || l == "auto") { out = KvType::f16; return true; }
    if (l == "bf16") { out = KvType::bf16; return true; }
    if (l == "fp8" || l == "fp8_e4m3" || l == "fp8_e5m2") { out = KvType::fp8; return true; }
    if (l == "q8_0") { out = KvType::q8_0; return true; }
    if (l == "q4_0") { out = KvType::q4_0; return true; }
    return false;
}

Backend default_backend(const Hardware& hw) {
    switch (hw.vendor) {
    case Vendor::nvidia: return Backend::cuda;
    case Vendor::amd: return Backend::rocm;
    case Vendor::apple: return Backend::metal;
    case Vendor::intel: return Backend::sycl;
    case Vendor::cpu: return Backend::cpu;
    }
    return Backend::cuda;
}

Result<bool> check_request_text(const std::string& text) {
    if (text.size() > kMaxRequestBytes) {
        return make_error("request_too_large", "", "the request is " + std::to_string(text.size()) + " bytes; the limit is " +
                                                       std::to_string(kMaxRequestBytes) + " bytes (1 MiB)");
    }
    // Nesting outside strings; the parser checks everything else.
    std::uint32_t depth = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxRequestDepth) {
                return make_error("request_too_deep", "", "the request nests arrays and objects more than " +
                                                              std::to_string(kMaxRequestDepth) + " levels deep (the limit)");
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return true;
}

Result<Request> parse_request(const json& j, const Catalog& catalog) {
    if (!j.is_object()) {
        return make_error("invalid_request", "", "the request must be a JSON object, got " + dump_short(j));
    }
    Request req;

    // model
    if (!j.contains("model") || j["model"].is_null()) {
        return make_error("missing_field", "model", "model is required: a catalog id, a Hugging Face repo id or a config.json object");
    }
    const json& m = j["model"];
    if (m.is_string()) {
        const std::string key = m.get<std::string>();
        if (auto ok = check_id_length(key, "model"); !ok) return ok.error();
        const ModelEntry* entry = find_model(catalog, key);
        if (!entry) {
            std::string msg = "model '" + key + "' is not in the catalog";
            std::string hint = suggest_model(catalog, key);
            if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
            return make_error("unknown_model", "model", msg);
        }
        req.model = *entry;
    } else if (m.is_object()) {
        auto e = model_from_inline(m);
        if (!e) return e.error();
        req.model = std::move(*e);
    } else {
        return make_error("invalid_type", "model", "model must be a string id or an object, got " + dump_short(m));
    }

    // hardware
    const bool has_devices = j.contains("devices") && j["devices"].is_array() && !j["devices"].empty();
    if ((!j.contains("hardware") || j["hardware"].is_null()) && !has_devices) {
        return make_error("missing_field", "hardware", "hardware is required: a catalog id or an object with memory_gb and bandwidth_gbs");
    }
    const json& h = j.contains("hardware") && !j["hardware"].is_null() ? j["hardware"] : j["devices"][0];
    if (h.is_string()) {
        const std::string key = h.get<std::string>();
        if (auto ok = check_id_length(key, "hardware"); !ok) return ok.error();
        const Hardware* hw = find_hardware(catalog, key);
        if (!hw) {
            std::string msg = "hardware '" + key + "' is not in the catalog";
            std::string hint = suggest_hardware(catalog, key);
            if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
            return make_error("unknown_hardware", "hardware", msg);
        }
        req.hardware = *hw;
    } else if (h.is_object()) {
        auto hw = parse_hardware(h, "hardware");
        if (!hw) return hw.error();
        req.hardware = std::move(*hw);
        if (req.hardware.id.empty()) req.hardware.id = "custom";
        if (req.hardware.name.empty()) req.hardware.name = "Custom device";
    } else {
        return make_error("invalid_type", "hardware", "hardware must be a string id or an object, got " + dump_short(h));
    }

    // Several (possibly different) devices: "devices": ["nvidia-rtx-4090", {...}, ...].
    if (j.contains("devices") && !j["devices"].is_null()) {
        const json& d = j["devices"];
        if (!d.is_array() || d.empty()) return make_error("invalid_type", "devices", "devices must be a non-empty array of hardware ids or objects");
        if (d.size() > kMaxGpuCount) {
            return make_error("out_of_range", "devices", "devices lists " + std::to_string(d.size()) + " entries; the limit is " + std::to_string(kMaxGpuCount));
        }
        std::vector<Hardware> list;
        for (std::size_t i = 0; i < d.size(); ++i) {
            const std::string field = "devices[" + std::to_string(i) + "]";
            if (d[i].is_string()) {
                if (auto ok = check_id_length(d[i].get<std::string>(), field); !ok) return ok.error();
                const Hardware* hw = find_hardware(catalog, d[i].get<std::string>());
                if (!hw) return make_error("unknown_hardware", field, "hardware '" + d[i].get<std::string>() + "' is not in the catalog");
                list.push_back(*hw);
            } else {
                auto hw = parse_hardware(d[i], field);
                if (!hw) return hw.error();
                list.push_back(*hw);
            }
        }
        auto combined = combine_devices(list);
        if (!combined) return combined.error();
        req.hardware = std::move(*combined);
        req.run.gpu_count = static_cast<std::uint32_t>(list.size());
        if (j.contains("gpu_count") && j["gpu_count"].is_number_integer() && j["gpu_count"].get<std::int64_t>() != std::int64_t(list.size())) {
            return make_error("invalid_value", "gpu_count", "gpu_count " + j["gpu_count"].dump() + " disagrees with the " +
                                                                std::to_string(list.size()) + " devices listed");
        }
    }

    // System RAM for offload, overriding (or adding to) the hardware entry's.
    for (const char* key : {"system_memory_gb", "system_bandwidth_gbs"}) {
        if (!j.contains(key) || j[key].is_null()) continue;
        const json& v = j[key];
        if (v.is_number() && v.get<double>() > 1e6) {
            return make_error("out_of_range", key, std::string(key) + " is " + dump_short(v) + "; the limit is 1000000");
        }
        if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() <= 0) {
            return make_error("invalid_number", key, std::string(key) + " must be a positive number, got " + dump_short(v));
        }
        if (std::string(key) == "system_memory_gb") req.hardware.system_memory_bytes = v.get<double>() * 1073741824.0;
        else req.hardware.system_bandwidth_bytes_per_s = v.get<double>() * 1e9;
    }

    RunSettings& run = req.run;
    if (j.contains("gpu_count") && !j["gpu_count"].is_null()) {
        auto n = read_count(j["gpu_count"], "gpu_count", 1, kMaxGpuCount);
        if (!n) return n.error();
        run.gpu_count = static_cast<std::uint32_t>(*n);
    }
    if (j.contains("split") && !j["split"].is_null()) {
        auto s = read_string(j["split"], "split");
        if (!s) return s.error();
        const std::string l = lower(*s);
        if (l == "layer") run.split = SplitMode::layer;
        else if (l == "tensor") run.split = SplitMode::tensor;
        else return make_error("invalid_value", "split", "split must be \"layer\" or \"tensor\", got '" + *s + "'");
        run.split_given = true;
    }
    if (j.contains("quant") && !j["quant"].is_null()) {
        auto s = read_string(j["quant"], "quant");
        if (!s) return s.error();
        auto q = parse_weight_format(*s);
        if (!q) return q.error();
        run.quant = *q;
        run.quant_given = true;
    }
    if (j.contains("runtime") && !j["runtime"].is_null()) {
        auto s = read_string(j["runtime"], "runtime");
        if (!s) return s.error();
        if (!parse_runtime(*s, run.runtime)) {
            return make_error("unknown_runtime", "runtime",
                              "runtime '" + *s + "' is not supported; use one of llama.cpp, ollama, vllm, sglang, mlx, lmstudio, exllamav2, tensorrt-llm");
        }
        run.runtime_given = true;
    }
    if (j.contains("context_tokens") && !j["context_tokens"].is_null()) {
        auto n = read_count(j["context_tokens"], "context_tokens", 1, kMaxContextTokens);
        if (!n) return n.error();
        run.context_tokens = *n;
        run.context_given = true;
    }
    if (j.contains("kv_cache_type") && !j["kv_cache_type"].is_null()) {
        auto s = read_string(j["kv_cache_type"], "kv_cache_type");
        if (!s) return s.error();
        if (!parse_kv_type(*s, run.kv_type)) {
            return make_error("unknown_kv_cache_type", "kv_cache_type",
                              "kv_cache_type '" + *s + "' is not supported; use one of f16, bf16, fp8, q8_0, q4_0");
        }
        run.kv_given = true;
    }
    if (j.contains("mode") && !j["mode"].is_null()) {
        auto s = read_string(j["mode"], "mode");
        if (!s) return s.error();
        if (!parse_mode(*s, run.mode)) {
            return make_error("unknown_mode", "mode",
                              "mode '" + *s + "' is not supported; use one of interactive, balanced, light-api, scale-out");
        }
    }
    run.backend = default_backend(req.hardware);
    if (j.contains("backend") && !j["backend"].is_null()) {
        auto s = read_string(j["backend"], "backend");
        if (!s) return s.error();
        if (!parse_backend(*s, run.backend)) {
            return make_error("unknown_backend", "backend",
                              "backend '" + *s + "' is not supported; use one of cuda, rocm, metal, vulkan, sycl, cpu");
        }
        run.backend_given = true;
    }
    if (j.contains("flash_attention") && !j["flash_attention"].is_null()) {
        if (!j["flash_attention"].is_boolean()) {
            return make_error("invalid_type", "flash_attention", "flash_attention must be true or false, got " + dump_short(j["flash_attention"]));
        }
        run.flash_attention = j["flash_attention"].get<bool>();
        run.flash_attention_given = true;
    }
    if (j.contains("offload") && !j["offload"].is_null()) {
        const json& o = j["offload"];
        if (o.is_string()) {
            if (lower(o.get<std::string>()) != "auto") {
                return make_error("invalid_value", "offload", "offload must be \"auto\", {\"gpu_layers\": N} or {\"cpu_moe_layers\": N}, got " + dump_short(o));
            }
            run.offload.kind = OffloadSettings::Kind::automatic;
        } else if (o.is_object() && o.contains("gpu_layers")) {
            auto n = read_count(o["gpu_layers"], "offload.gpu_layers", 0, 100000);
            if (!n) return n.error();
            run.offload.kind = OffloadSettings::Kind::gpu_layers;
            run.offload.count = static_cast<std::uint32_t>(*n);
        } else if (o.is_object() && o.contains("cpu_moe") ) {
            if (!o["cpu_moe"].is_boolean()) return make_error("invalid_type", "offload.cpu_moe", "offload.cpu_moe must be true or false");
            run.offload.kind = o["cpu_moe"].get<bool>() ? OffloadSettings::Kind::cpu_moe_layers : OffloadSettings::Kind::none;
            run.offload.count = o["cpu_moe"].get<bool>() ? 100000u : 0u;  // --cpu-moe: every layer's experts
        } else if (o.is_object() && o.contains("cpu_moe_layers")) {
            auto n = read_count(o["cpu_moe_layers"], "offload.cpu_moe_layers", 0, 100000);
            if (!n) return n.error();
            run.offload.kind = OffloadSettings::Kind::cpu_moe_layers;
            run.offload.count = static_cast<std::uint32_t>(*n);
        } else {
            return make_error("invalid_value", "offload", "offload must be \"auto\", {\"gpu_layers\": N} or {\"cpu_moe_layers\": N}, got " + dump_short(o));
        }
    }
    if (j.contains("concurrency") && !j["concurrency"].is_null()) {
        auto n = read_count(j["concurrency"], "concurrency", 1, kMaxConcurrency);
        if (!n) return n.error();
        run.n_parallel = static_cast<std::uint32_t>(*n);
        run.concurrency_given = true;
    }
    if (j.contains("bench") && !j["bench"].is_null()) {
        const json& b = j["bench"];
        if (!b.is_object()) return make_error("invalid_type", "bench", "bench must be an object {pp, tg, depth}, got " + dump_short(b));
        run.bench.present = true;
        run.bench.pp = 512;
        run.bench.tg = 128;
        run.bench.depth = 0;
        if (b.contains("pp")) {
            auto n = read_count(b["pp"], "bench.pp", 0, kMaxBenchTokens);
            if (!n) return n.error();
            run.bench.pp = static_cast<std::uint32_t>(*n);
        }
        if (b.contains("tg")) {
            auto n = read_count(b["tg"], "bench.tg", 0, kMaxBenchTokens);
            if (!n) return n.error();
            run.bench.tg = static_cast<std::uint32_t>(*n);
        }
        if (b.contains("depth")) {
            auto n = read_count(b["depth"], "bench.depth", 0, kMaxContextTokens);
            if (!n) return n.error();
            run.bench.depth = static_cast<std::uint32_t>(*n);
        }
        if (b.contains("ubatch")) {
            auto n = read_count(b["ubatch"], "bench.ubatch", 1, 65536);
            if (!n) return n.error();
            run.n_ubatch = static_cast<std::uint32_t>(*n);
        }
    }

    if (req.model.weight_file) apply_weight_file(req);

    static const std::set<std::string> known = {"model", "hardware", "gpu_count", "split", "quant", "runtime",
                                                "context_tokens", "kv_cache_type", "mode", "offload", "backend",
                                                "flash_attention", "bench", "devices", "concurrency", "system_memory_gb", "system_bandwidth_gbs"};
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!known.count(it.key())) req.assumptions.push_back("ignored unknown request field '" + it.key() + "'");
    }
    return req;
}

}  // namespace headroom
