// Model files -> request `model` objects. GGUF metadata keys follow llama.cpp
// src/llama-arch.cpp (LLM_KV_NAMES, "%s.block_count", ...) and the converter
// convert_hf_to_gguf.py, which writes them from the same config.json fields
// this maps them back to; layer kinds of hybrids come from which tensors each
// block holds. general.file_type ids are llama.h's llama_ftype.
#include "model_import.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "config_import.hpp"
#include "quant.hpp"
#include "safetensors.hpp"
#include "tensors.hpp"

namespace headroom {
namespace {

using nlohmann::json;
using u64 = std::uint64_t;

// Strings from a hostile file reach JSON only as valid UTF-8 (bad bytes become '?').
std::string clean_utf8(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = n > 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
        if (ok && c >= 0x20)
            out.append(s, i, n);
        else if (ok && (c == '\n' || c == '\t'))
            out.push_back(static_cast<char>(c));
        else
            out.push_back('?');
        i += ok ? n : 1;
    }
    return out;
}

json error_json(const Error& e, u64 need_bytes = 0) {
    json j = {{"ok", false}, {"error", {{"code", e.code}, {"field", e.field}, {"message", e.message}}}};
    if (need_bytes > 0) j["need_bytes"] = need_bytes;
    return j;
}

std::string base_name(const std::string& path) {
    const auto slash = path.find_last_of("/\\");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// ---------------------------------------------------------------------------
// GGUF metadata access.
// ---------------------------------------------------------------------------
class Meta {
public:
    Meta(const GgufHeader& h, std::string arch) : h_(h), arch_(std::move(arch)) {}

    const GgufValue* raw(const std::string& key) const { return h_.find(key); }
    const GgufValue* arch_key(const std::string& suffix) const { return h_.find(arch_ + "." + suffix); }

    // A count: a scalar integer, or the largest entry of a per-layer array.
    bool count(const std::string& suffix, u64& out) const {
        const GgufValue* v = arch_key(suffix);
        if (!v) return false;
        if (v->is_integer()) {
            out = v->uinteger;
            return true;
        }
        if (v->is_array() && !v->numbers.empty()) {
            double m = 0;
            for (double x : v->numbers) m = std::max(m, x);
            out = m > 0 ? static_cast<u64>(m) : 0;
            return true;
        }
        return false;
    }
    u64 count_or(const std::string& suffix, u64 def) const {
        u64 v = def;
        return count(suffix, v) ? v : def;
    }
    const GgufValue* array(const std::string& suffix) const {
        const GgufValue* v = arch_key(suffix);
        return v && v->is_array() ? v : nullptr;
    }

private:
    const GgufHeader& h_;
    std::string arch_;
};

// Which tensors each block holds.
struct BlockKinds {
    std::vector<bool> attention, mla, mamba, kda, gdn, moe, dense_ffn;
    std::set<std::string> names;
    bool has(const std::string& n) const { return names.count(n) > 0; }
    bool any_layer_has(const char* suffix) const {
        for (const std::string& n : names) {
            if (n.rfind("blk.", 0) == 0 && n.size() > std::strlen(suffix) &&
                n.compare(n.size() - std::strlen(suffix), std::strlen(suffix), suffix) == 0)
                return true;
        }
        return false;
    }
};

BlockKinds block_kinds(const GgufHeader& h, u64 n_block) {
    BlockKinds k;
    const std::size_t n = static_cast<std::size_t>(std::min<u64>(n_block, 1u << 16));
    for (auto* v : {&k.attention, &k.mla, &k.mamba, &k.kda, &k.gdn, &k.moe, &k.dense_ffn}) v->assign(n, false);
    for (const GgufTensorInfo& t : h.tensors) {
        k.names.insert(t.name);
        if (t.name.rfind("blk.", 0) != 0) continue;
        std::size_t i = 4;
        std::size_t layer = 0;
        while (i < t.name.size() && std::isdigit(static_cast<unsigned char>(t.name[i])) && layer < n)
            layer = layer * 10 + std::size_t(t.name[i++] - '0');
        if (i == 4 || i >= t.name.size() || t.name[i] != '.' || layer >= n) continue;
        const std::string s = t.name.substr(i + 1);
        auto starts = [&](const char* p) { return s.rfind(p, 0) == 0; };
        if (starts("attn_q.") || starts("attn_qkv.") || starts("attn_q_a.") || starts("attn_kv_a_mqa."))
            k.attention[layer] = true;
        if (starts("attn_kv_a_mqa.")) k.mla[layer] = true;
        if (starts("ssm_in.")) k.mamba[layer] = true;
        if (starts("ssm_f_a.") || starts("ssm_beta.")) k.kda[layer] = true;
        // Gated DeltaNet (Qwen3-Next): ssm_ba (LLM_TENSOR_SSM_BETA_ALPHA, src/llama-arch.cpp) in every
        // linear-attention block; current files split ssm_in into attn_qkv + attn_gate there
        // (src/models/qwen3next.cpp load_arch_tensors: "ssm_in is used by legacy GGUF").
        if (starts("ssm_ba.") || starts("ssm_beta_alpha.") || starts("ssm_alpha.")) k.gdn[layer] = true;
        if (starts("ffn_gate_inp.") || starts("ffn_up_exps.") || starts("ffn_gate_up_exps.")) k.moe[layer] = true;
        if (starts("ffn_up.") || starts("ffn_down.")) k.dense_ffn[layer] = true;
    }
    // KDA layers carry attn_q too, Gated DeltaNet layers attn_qkv: linear attention, not attention.
    for (std::size_t i = 0; i < n; ++i)
        if (k.kda[i] || k.gdn[i]) k.attention[i] = false;
    return k;
}

std::string model_type_for(const std::string& arch, bool has_experts, const Meta& m) {
    static const std::map<std::string, std::string> table = {
        {"qwen2moe", "qwen2_moe"},
        {"qwen3moe", "qwen3_moe"},
        {"qwen3next", "qwen3_next"},
        {"gemma3", "gemma3_text"},
        {"gpt-oss", "gpt_oss"},
        {"glm4moe", "glm4_moe"},
        {"granitehybrid", "granitemoehybrid"},
        {"nemotron_h_moe", "nemotron_h"},
        {"falcon-h1", "falcon_h1"},
        {"kimi-linear", "kimi_linear"},
        {"command-r", "cohere"},
        {"minimax-m2", "minimax_m2"},
        {"hunyuan-moe", "hunyuan_v1_moe"},
        {"hunyuan-dense", "hunyuan_v1_dense"},
        {"bailingmoe", "bailing_moe"},
        {"ernie4_5-moe", "ernie4_5_moe"},
        {"llama4", "llama4_text"},
        {"mistral3", "mistral"},
        {"qwen2vl", "qwen2"},
        {"qwen3vl", "qwen3"},
        {"qwen3vlmoe", "qwen3_moe"},
        {"gemma-embedding", "gemma3_text"},
    };
    if (arch == "llama") return has_experts ? "mixtral" : "llama";
    if (arch == "deepseek2") {
        // expert_gating_func 2 = sigmoid (LLAMA_EXPERT_GATING_FUNC_TYPE_SIGMOID): DeepSeek-V3 / Kimi K2.
        const GgufValue* g = m.arch_key("expert_gating_func");
        return g && g->is_integer() && g->uinteger == 2 ? "deepseek_v3" : "deepseek_v2";
    }
    auto it = table.find(arch);
    return it == table.end() ? arch : it->second;
}

json ggml_tensor_rows(const GgufHeader& h) {
    json rows = json::array();
    for (const GgufTensorInfo& t : h.tensors) {
        GgmlType type;
        ggml_type_from_id(t.ggml_type_id, type);  // the reader refused unknown ids
        json shape = json::array();
        for (std::uint32_t d = 0; d < t.n_dims; ++d) shape.push_back(t.ne[d]);
        rows.push_back(json::array({clean_utf8(t.name), ggml_type_info(type).name, shape}));
    }
    return rows;
}

json metadata_summary(const GgufHeader& h) {
    json out = json::object();
    for (const GgufKv& kv : h.kvs) {
        const GgufValue& v = kv.value;
        const std::string key = clean_utf8(kv.key);
        if (v.type == GgufValueType::string) {
            if (v.text_bytes <= 200)
                out[key] = clean_utf8(v.text);
            else
                out[key] = {{"type", "string"}, {"bytes", v.text_bytes}};
        } else if (v.is_array()) {
            if (v.numbers_complete)
                out[key] = v.numbers;
            else
                out[key] = {{"type", gguf_value_type_name(v.array_type)}, {"count", v.array_count}};
        } else if (v.type == GgufValueType::boolean) {
            out[key] = v.boolean;
        } else if (v.is_integer()) {
            if (v.type == GgufValueType::i8 || v.type == GgufValueType::i16 || v.type == GgufValueType::i32 ||
                v.type == GgufValueType::i64)
                out[key] = v.integer;
            else
                out[key] = v.uinteger;
        } else {
            out[key] = v.number;
        }
    }
    return out;
}

// A header rebuilt from an inspect summary's metadata and tensor rows: enough
// for gguf_to_hf_config once the parts of a split GGUF are together.
GgufHeader header_from_summary(const json& metadata, const json& rows) {
    GgufHeader h;
    for (auto it = metadata.begin(); it != metadata.end(); ++it) {
        GgufKv kv;
        kv.key = it.key();
        GgufValue& v = kv.value;
        const json& x = it.value();
        if (x.is_string()) {
            v.type = GgufValueType::string;
            v.text = x.get<std::string>();
            v.text_bytes = v.text.size();
        } else if (x.is_boolean()) {
            v.type = GgufValueType::boolean;
            v.boolean = x.get<bool>();
        } else if (x.is_number_unsigned() || x.is_number_integer()) {
            v.type = x.is_number_unsigned() ? GgufValueType::u64 : GgufValueType::i64;
            v.integer = x.get<std::int64_t>();
            v.uinteger = x.is_number_unsigned() ? x.get<u64>() : (v.integer >= 0 ? u64(v.integer) : 0);
            v.number = double(v.uinteger);
        } else if (x.is_number()) {
            v.type = GgufValueType::f64;
            v.number = x.get<double>();
        } else if (x.is_array()) {
            v.type = GgufValueType::array;
            v.array_type = GgufValueType::f64;
            v.array_count = x.size();
            v.numbers_complete = true;
            for (const json& e : x) v.numbers.push_back(e.is_number() ? e.get<double>() : 0.0);
        } else if (x.is_object() && x.contains("count")) {
            v.type = GgufValueType::array;
            v.array_type = GgufValueType::string;
            v.array_count = x.value("count", u64(0));
        } else {
            continue;
        }
        h.kvs.push_back(std::move(kv));
    }
    for (const json& r : rows) {
        GgufTensorInfo t;
        t.name = r[0].get<std::string>();
        t.n_dims = static_cast<std::uint32_t>(std::min<std::size_t>(r[2].size(), kGgufMaxDims));
        for (std::uint32_t d = 0; d < t.n_dims; ++d) t.ne[d] = r[2][d].get<u64>();
        h.tensors.push_back(std::move(t));
    }
    return h;
}

std::string string_meta(const GgufHeader& h, const char* key) {
    const GgufValue* v = h.find(key);
    return v && v->type == GgufValueType::string ? clean_utf8(v->text) : std::string();
}

u64 int_meta(const GgufHeader& h, const char* key, u64 def) {
    const GgufValue* v = h.find(key);
    return v && v->is_integer() ? v->uinteger : def;
}

json inspect_gguf(const std::uint8_t* data, u64 size, u64 file_size, const std::string& file_name) {
    GgufReadResult r = read_gguf_header(data, size, file_size);
    if (!r.ok) {
        json e = error_json(r.failure.error, r.failure.need_bytes);
        e["kind"] = "gguf";
        return e;
    }
    const GgufHeader& h = r.header;
    json notes = json::array();
    json summary;
    summary["version"] = h.version;
    summary["tensor_count"] = h.tensor_count;
    summary["kv_count"] = h.kv_count;
    summary["alignment"] = h.alignment;
    summary["data_offset_bytes"] = h.data_offset_bytes;
    summary["tensor_bytes"] = h.data_bytes;
    summary["file_bytes"] = h.file_bytes;
    const std::string arch = string_meta(h, "general.architecture");
    summary["architecture"] = arch;
    summary["name"] = string_meta(h, "general.name");
    const GgufValue* ft = h.find("general.file_type");
    std::string quant;
    if (ft && ft->is_integer()) {
        summary["file_type"] = ft->uinteger;
        quant = gguf_file_type_name(ft->uinteger);
    }
    // Exact bytes per type.
    std::map<std::string, std::pair<u64, u64>> by_type;
    u64 params = 0;
    for (const GgufTensorInfo& t : h.tensors) {
        GgmlType type;
        ggml_type_from_id(t.ggml_type_id, type);
        auto& e = by_type[ggml_type_info(type).name];
        e.first += 1;
        e.second += t.size_bytes;
        params += t.n_elements;
    }
    json types = json::object();
    for (const auto& [name, e] : by_type) types[name] = {{"tensors", e.first}, {"bytes", e.second}};
    summary["types"] = types;
    summary["params"] = params;
    const u64 split_count = int_meta(h, "split.count", 1);
    const u64 split_no = int_meta(h, "split.no", 0);
    const u64 split_tensors = int_meta(h, "split.tensors.count", h.tensor_count);
    if (split_count > 1)
        summary["split"] = {{"no", split_no}, {"count", split_count}, {"tensors_total", split_tensors}};
    summary["metadata"] = metadata_summary(h);

    json offsets = json::array();
    for (const GgufTensorInfo& t : h.tensors) offsets.push_back(t.offset_bytes);
    summary["tensor_offsets"] = offsets;  // data-section offsets, parallel to model.weights.tensors
    json weights = {{"format", "gguf"}, {"tensors", ggml_tensor_rows(h)}, {"file_bytes", h.file_bytes}};
    if (!quant.empty()) weights["quant"] = quant;
    if (split_count > 1) {
        weights["parts"] = 1;
        weights["parts_total"] = split_count;
        weights["tensors_total"] = split_tensors;
    }
    json model = {{"weights", weights}};
    if (!arch.empty()) {
        std::vector<std::string> cfg_notes;
        auto cfg = gguf_to_hf_config(h, cfg_notes, split_count <= 1);
        if (!cfg) return error_json(cfg.error());
        auto a = import_hf_config(*cfg, "model.config");
        if (!a) {
            Error e = a.error();
            e.message = "the GGUF metadata does not describe a model Headroom can read: " + e.message;
            return error_json(e);
        }
        for (const std::string& n : cfg_notes) notes.push_back(n);
        const TensorInventory predicted = build_tensor_inventory(*a);
        summary["params_predicted"] = predicted.params_total;
        model["config"] = *cfg;
        const std::string name = string_meta(h, "general.name");
        model["name"] = name.empty() ? base_name(file_name) : name;
        const std::string repo = string_meta(h, "general.source.huggingface.repository");
        if (!repo.empty() && repo.size() < 200) model["hf_repo"] = repo;
    } else if (split_no == 0) {
        return error_json(make_error("gguf_missing_metadata", "file", "the GGUF has no general.architecture"));
    }
    return {{"ok", true},         {"kind", "gguf"}, {"file", {{"name", base_name(file_name)}, {"bytes", h.file_bytes}}},
            {"summary", summary}, {"model", model}, {"notes", notes}};
}

json inspect_safetensors(const std::uint8_t* data, u64 size, u64 file_size, const std::string& file_name) {
    SafetensorsReadResult r = read_safetensors_header(data, size, file_size);
    if (!r.ok) {
        json e = error_json(r.error, r.need_bytes);
        e["kind"] = "safetensors";
        return e;
    }
    const SafetensorsHeader& h = r.header;
    json rows = json::array();
    std::map<std::string, std::pair<u64, u64>> by_dtype;
    u64 params = 0;
    for (const SafetensorsTensor& t : h.tensors) {
        rows.push_back(json::array({clean_utf8(t.name), t.dtype, t.shape}));
        auto& e = by_dtype[t.dtype];
        e.first += 1;
        e.second += t.size_bytes();
        params += t.n_elements;
    }
    json dtypes = json::object();
    for (const auto& [name, e] : by_dtype) dtypes[name] = {{"tensors", e.first}, {"bytes", e.second}};
    json meta = json::object();
    for (const auto& [k, v] : h.metadata) meta[clean_utf8(k)] = clean_utf8(v.substr(0, 200));
    json summary = {{"header_bytes", h.header_bytes},
                    {"tensor_count", h.tensors.size()},
                    {"tensor_bytes", h.data_bytes},
                    {"file_bytes", h.file_bytes},
                    {"dtypes", dtypes},
                    {"elements", params},
                    {"metadata", meta}};
    json model = {{"weights", {{"format", "safetensors"}, {"tensors", rows}, {"file_bytes", h.file_bytes}}}};
    return {{"ok", true},
            {"kind", "safetensors"},
            {"file", {{"name", base_name(file_name)}, {"bytes", h.file_bytes}}},
            {"summary", summary},
            {"model", model},
            {"notes", json::array({"a safetensors header has no architecture: add the model's config.json"})}};
}

std::string quant_from_config(const json& cfg);

// What quantization_config says, for the notes: method, bits, group size.
std::string quantization_note(const json& q, const std::string& quant) {
    std::string s = "quantization_config: " + q.value("quant_method", std::string("?"));
    if (q.contains("bits") && q["bits"].is_number_integer()) s += ", " + q["bits"].dump() + "-bit";
    if (q.contains("group_size") && q["group_size"].is_number_integer()) {
        s += ", group size " + q["group_size"].dump();
        const auto g = q["group_size"].get<std::int64_t>();
        if ((quant == "AWQ-INT4" || quant == "GPTQ-INT4") && g != 128)
            s += " (predicted rows of the quant table assume 128; the checkpoint's own bytes are exact)";
    }
    return s + " -> " + quant;
}

json inspect_json(const std::uint8_t* data, u64 size, u64 file_size, const std::string& file_name) {
    if (file_size > 0 && size < file_size) {
        if (file_size > kSafetensorsMaxIndexBytes) {
            return error_json(make_error("file_too_large", "file",
                                         "a JSON file of " + std::to_string(file_size) +
                                             " bytes is beyond the limit of " +
                                             std::to_string(kSafetensorsMaxIndexBytes)));
        }
        json e = error_json(make_error("json_truncated", "file", "need more bytes: " + std::to_string(file_size)),
                            file_size);
        e["kind"] = "json";
        return e;
    }
    if (size > kSafetensorsMaxIndexBytes) {
        return error_json(make_error("file_too_large", "file",
                                     "a JSON file of " + std::to_string(size) + " bytes is beyond the limit of " +
                                         std::to_string(kSafetensorsMaxIndexBytes)));
    }
    const char* text = reinterpret_cast<const char*>(data);
    const json j = json::parse(text, text + size, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return error_json(
            make_error("invalid_json", "file", "'" + clean_utf8(base_name(file_name)) + "' is not a JSON object"));
    }
    const json file = {{"name", clean_utf8(base_name(file_name))}, {"bytes", size}};
    if (looks_like_safetensors_index(j)) {
        auto idx = read_safetensors_index(j);
        if (!idx) return error_json(idx.error());
        json summary = {{"tensor_count", idx->tensor_count}, {"files", idx->files}};
        if (idx->total_size_known) summary["total_size_bytes"] = idx->total_size_bytes;
        return {{"ok", true},
                {"kind", "safetensors_index"},
                {"file", file},
                {"summary", summary},
                {"model", json::object()},
                {"notes",
                 json::array(
                     {"an index lists the shards; add config.json (and the .safetensors files for exact dtypes)"})}};
    }
    auto arch = import_hf_config(j, "config");
    if (!arch) return error_json(arch.error());
    const TensorInventory inv = build_tensor_inventory(*arch);
    json summary = {
        {"model_type", arch->model_type}, {"layers", arch->n_layer},          {"hidden_size", arch->n_embd},
        {"vocab_size", arch->n_vocab},    {"params_total", inv.params_total}, {"params_active", inv.params_active},
        {"tensors", inv.tensors.size()},  {"context_max", arch->n_ctx_train}, {"moe", arch->is_moe()}};
    json model = {{"config", j}};
    if (j.contains("_name_or_path") && j["_name_or_path"].is_string()) model["name"] = j["_name_or_path"];
    json notes = arch->notes;
    if (const std::string q = quant_from_config(j); !q.empty()) {
        summary["quant"] = q;
        notes.push_back(quantization_note(j["quantization_config"], q));
    }
    return {{"ok", true},         {"kind", "config"}, {"file", file},
            {"summary", summary}, {"model", model},   {"notes", notes}};
}

// Per-expert safetensors tensors (…experts.17.up_proj.weight) stacked into one
// row per layer and projection, as GGUF stores them: [n_expert, out, in].
json stack_experts(const json& rows) {
    struct Group {
        std::string dtype;
        json shape;
        u64 count = 0;
        bool uniform = true;
        std::vector<std::size_t> members;
    };
    std::map<std::string, Group> groups;
    std::vector<std::string> order;
    json out = json::array();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::string& name = rows[i][0].get_ref<const std::string&>();
        const std::size_t at = name.find(".experts.");
        std::size_t p = at == std::string::npos ? 0 : at + 9;
        std::size_t q = p;
        while (q < name.size() && std::isdigit(static_cast<unsigned char>(name[q]))) ++q;
        if (at == std::string::npos || q == p || q >= name.size() || name[q] != '.') continue;
        const std::string key = name.substr(0, p) + name.substr(q + 1);
        auto [it, fresh] = groups.try_emplace(key);
        Group& g = it->second;
        if (fresh) {
            g.dtype = rows[i][1].get<std::string>();
            g.shape = rows[i][2];
            order.push_back(key);
        } else if (g.dtype != rows[i][1].get<std::string>() || g.shape != rows[i][2]) {
            g.uniform = false;
        }
        ++g.count;
        g.members.push_back(i);
    }
    std::vector<bool> stacked(rows.size(), false);
    for (const std::string& key : order) {
        Group& g = groups[key];
        if (!g.uniform || g.count < 2 || g.shape.size() >= kSafetensorsMaxDims) continue;
        json shape = json::array({g.count});
        for (const json& d : g.shape) shape.push_back(d);
        out.push_back(json::array({key, g.dtype, shape}));
        for (std::size_t i : g.members) stacked[i] = true;
    }
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (!stacked[i]) out.push_back(rows[i]);
    return out;
}

// The checkpoint's quant from config.json quantization_config, when it says. AutoAWQ and GPTQ
// write {"quant_method": "awq" | "gptq", "bits": 4, "group_size": 128, ...}; Headroom's AWQ-INT4 /
// GPTQ-INT4 formats are 4-bit (quant.cpp), other widths keep their own name (exact bytes still
// come from the file; speed factors fall back, and the report says so).
std::string quant_from_config(const json& cfg) {
    const json* q = nullptr;
    if (cfg.contains("quantization_config") && cfg["quantization_config"].is_object()) q = &cfg["quantization_config"];
    if (!q) return {};
    const std::string method = q->value("quant_method", std::string());
    if (method == "fp8") return "FP8";
    if (method == "awq" || method == "gptq") {
        const json& b = q->contains("bits") ? (*q)["bits"] : json(4);
        const std::int64_t bits = b.is_number_integer() ? b.get<std::int64_t>() : 4;
        const std::string name = method == "awq" ? "AWQ" : "GPTQ";
        if (bits == 2 || bits == 3 || bits == 8) return name + "-INT" + std::to_string(bits);
        return name + "-INT4";
    }
    if (method == "mxfp4") return "MXFP4";
    if (method == "modelopt" && q->value("quant_algo", std::string()) == "NVFP4") return "NVFP4";
    return {};
}

}  // namespace

std::string gguf_file_type_name(std::uint64_t id) {
    switch (id) {
        case 0:
            return "F32";
        case 1:
            return "F16";
        case 2:
            return "Q4_0";
        case 3:
            return "Q4_1";
        case 7:
            return "Q8_0";
        case 8:
            return "Q5_0";
        case 9:
            return "Q5_1";
        case 10:
            return "Q2_K";
        case 11:
            return "Q3_K_S";
        case 12:
            return "Q3_K_M";
        case 13:
            return "Q3_K_L";
        case 14:
            return "Q4_K_S";
        case 15:
            return "Q4_K_M";
        case 16:
            return "Q5_K_S";
        case 17:
            return "Q5_K_M";
        case 18:
            return "Q6_K";
        case 19:
            return "IQ2_XXS";
        case 20:
            return "IQ2_XS";
        case 21:
            return "Q2_K_S";
        case 22:
            return "IQ3_XS";
        case 23:
            return "IQ3_XXS";
        case 24:
            return "IQ1_S";
        case 25:
            return "IQ4_NL";
        case 26:
            return "IQ3_S";
        case 27:
            return "IQ3_M";
        case 28:
            return "IQ2_S";
        case 29:
            return "IQ2_M";
        case 30:
            return "IQ4_XS";
        case 31:
            return "IQ1_M";
        case 32:
            return "BF16";
        case 36:
            return "TQ1_0";
        case 37:
            return "TQ2_0";
        case 38:
            return "MXFP4";  // LLAMA_FTYPE_MOSTLY_MXFP4_MOE, named MXFP4 in requests
        case 39:
            return "NVFP4";
        default:
            return {};
    }
}

Result<nlohmann::json> gguf_to_hf_config(const GgufHeader& h, std::vector<std::string>& notes, bool all_tensors) {
    const std::string arch = string_meta(h, "general.architecture");
    if (arch.empty()) return make_error("gguf_missing_metadata", "file", "the GGUF has no general.architecture");
    const Meta m(h, arch);
    auto need = [&](const char* suffix, u64& out) -> Result<bool> {
        if (!m.count(suffix, out) || out == 0)
            return make_error("gguf_missing_metadata", "file", "the GGUF has no " + arch + "." + suffix);
        return true;
    };
    u64 n_embd = 0, n_block = 0;
    if (auto r = need("embedding_length", n_embd); !r) return r.error();
    if (auto r = need("block_count", n_block); !r) return r.error();
    if (n_block > (1u << 16))
        return make_error("gguf_bad_metadata", "file",
                          arch + ".block_count " + std::to_string(n_block) + " is implausible");
    const BlockKinds k = block_kinds(h, n_block);
    const u64 n_expert = m.count_or("expert_count", 0);
    const std::string type = model_type_for(arch, n_expert > 1, m);

    json c;
    c["model_type"] = type;
    c["hidden_size"] = n_embd;
    const u64 nextn = m.count_or("nextn_predict_layers", 0);
    const u64 n_layer = nextn > 0 && nextn < n_block ? n_block - nextn : n_block;
    c["num_hidden_layers"] = n_layer;
    const auto layers = static_cast<std::size_t>(n_layer);  // ≤ 65,536 (checked above)
    if (nextn > 0 && nextn < n_block) c["num_nextn_predict_layers"] = nextn;

    // Vocabulary: the tokenizer's token list, else <arch>.vocab_size, else the embedding's rows.
    u64 n_vocab = 0;
    if (const GgufValue* tok = h.find("tokenizer.ggml.tokens"); tok && tok->is_array()) n_vocab = tok->array_count;
    if (n_vocab == 0) n_vocab = m.count_or("vocab_size", 0);
    for (const GgufTensorInfo& t : h.tensors)
        if (t.name == "token_embd.weight" && t.n_dims >= 2) n_vocab = std::max<u64>(n_vocab, t.ne[1]);
    if (n_vocab == 0)
        return make_error("gguf_missing_metadata", "file",
                          "the GGUF has no tokenizer.ggml.tokens and no token_embd.weight");
    c["vocab_size"] = n_vocab;
    if (u64 ctx = m.count_or("context_length", 0); ctx > 0) c["max_position_embeddings"] = ctx;
    // Tied when there is no output head; a split file with parts missing cannot tell (class default).
    if (all_tensors || k.has("output.weight")) c["tie_word_embeddings"] = !k.has("output.weight");
    if (!all_tensors) notes.push_back("parts of the split GGUF are missing: layer kinds read from the parts given");

    // Attention.
    u64 n_head = 0;
    if (m.count("attention.head_count", n_head) && n_head > 0) c["num_attention_heads"] = n_head;
    u64 n_head_kv = 0;
    if (m.count("attention.head_count_kv", n_head_kv) && n_head_kv > 0) c["num_key_value_heads"] = n_head_kv;
    const bool mla = m.count_or("attention.kv_lora_rank", 0) > 0;
    if (u64 kl = m.count_or("attention.key_length", 0); kl > 0 && !mla) c["head_dim"] = kl;
    if (u64 sw = m.count_or("attention.sliding_window", 0); sw > 0) c["sliding_window"] = sw;
    if (const GgufValue* pat = m.array("attention.sliding_window_pattern");
        pat && pat->numbers_complete && pat->array_count == n_layer) {
        json types = json::array();
        for (double x : pat->numbers) types.push_back(x != 0.0 ? "sliding_attention" : "full_attention");
        c["layer_types"] = types;
    } else if (u64 p = m.count_or("attention.sliding_window_pattern", 0); p > 0) {
        c["sliding_window_pattern"] = p;
    } else if (type == "gemma3_text") {
        // llama.cpp reads only gemma3.attention.sliding_window and hard-codes the layout:
        // set_swa_pattern(6), five sliding layers then one full (src/llama-model.cpp, LLM_ARCH_GEMMA3);
        // no window (or 0) means no sliding layers at all.
        if (m.count_or("attention.sliding_window", 0) > 0) {
            c["sliding_window_pattern"] = 6;
        } else {
            c["layer_types"] = json::array();
            for (std::size_t i = 0; i < layers; ++i) c["layer_types"].push_back("full_attention");
        }
    } else if (type == "gpt_oss" && m.count_or("attention.sliding_window", 0) > 0) {
        // set_swa_pattern(2) for LLM_ARCH_OPENAI_MOE (src/llama-model.cpp): even layers sliding.
        c["layer_types"] = json::array();
        for (std::size_t i = 0; i < layers; ++i)
            c["layer_types"].push_back(i % 2 == 0 ? "sliding_attention" : "full_attention");
    }
    const bool q_bias = k.any_layer_has(".attn_q.bias") || k.any_layer_has(".attn_qkv.bias");
    c["attention_bias"] = q_bias;
    if (k.any_layer_has(".attn_output.bias") && !q_bias) c["attention_out_bias"] = true;
    c["use_qk_norm"] = k.any_layer_has(".attn_q_norm.weight");
    if (k.any_layer_has(".ffn_up.bias")) c["mlp_bias"] = true;
    if (mla) {
        const u64 rope = m.count_or("rope.dimension_count", 0);
        c["kv_lora_rank"] = m.count_or("attention.kv_lora_rank", 0);
        c["q_lora_rank"] = m.count_or("attention.q_lora_rank", 0);
        c["qk_rope_head_dim"] = rope;
        // Since llama.cpp PR #12801 key_length is the cached latent (kv_lora_rank + rope) and
        // key_length_mla the per-head q/k width; older files have only key_length = nope + rope.
        const u64 k_mla = m.count_or("attention.key_length_mla", 0);
        const u64 v_mla = m.count_or("attention.value_length_mla", 0);
        const u64 k_head = k_mla > 0 ? k_mla : m.count_or("attention.key_length", 0);
        const u64 v_head = v_mla > 0 ? v_mla : m.count_or("attention.value_length", 0);
        if (k_head <= rope || v_head == 0)
            return make_error("gguf_missing_metadata", "file",
                              "the GGUF's MLA key/value lengths (" + arch + ".attention.key_length_mla) are missing");
        c["qk_nope_head_dim"] = k_head - rope;
        c["v_head_dim"] = v_head;
        if (k_mla == 0) notes.push_back("MLA GGUF from before llama.cpp PR #12801 (no key_length_mla)");
    }

    // Feed-forward and experts.
    const u64 n_ff = m.count_or("feed_forward_length", 0);
    const u64 n_ff_exp = m.count_or("expert_feed_forward_length", 0);
    const u64 n_ff_shexp = m.count_or("expert_shared_feed_forward_length", 0);
    const u64 n_shared = m.count_or("expert_shared_count", 0);
    if (n_ff > 0) c["intermediate_size"] = n_ff;
    if (n_expert > 1) {
        c["num_experts"] = n_expert;
        c["num_local_experts"] = n_expert;
        c["num_experts_per_tok"] = m.count_or("expert_used_count", 0);
        if (n_ff_exp > 0) c["moe_intermediate_size"] = n_ff_exp;
        if (n_shared > 0) c["n_shared_experts"] = n_shared;
        if (n_ff_shexp > 0) c["shared_expert_intermediate_size"] = n_ff_shexp;
        // Families whose experts use intermediate_size (config_import.cpp expert_is_intermediate).
        if (type == "gpt_oss" || type == "granitemoehybrid" || type == "llama4_text" || type == "olmoe" ||
            type == "phimoe" || type == "minimax_m2" || type == "granitemoe" || type == "jamba") {
            if (n_ff_exp > 0) c["intermediate_size"] = n_ff_exp;
            if (type == "llama4_text" && n_ff > 0) c["intermediate_size_mlp"] = n_ff;
        }
        if (type == "granitemoehybrid") {
            c["shared_intermediate_size"] = n_ff_shexp > 0 ? n_ff_shexp : n_ff;
            c.erase("shared_expert_intermediate_size");
        }
        // Which blocks are MoE: the leading dense count, or the blocks without a router.
        if (m.arch_key("leading_dense_block_count")) {
            c["first_k_dense_replace"] = m.count_or("leading_dense_block_count", 0);
        } else if (type != "nemotron_h" && type != "jamba") {
            json dense = json::array();
            for (std::size_t i = 0; i < layers; ++i)
                if (!k.moe[i] && k.dense_ffn[i]) dense.push_back(i);
            c["decoder_sparse_step"] = 1;
            c["mlp_only_layers"] = dense;
        }
        if (type == "deepseek_v3") c["topk_method"] = k.any_layer_has(".exp_probs_b.bias") ? "noaux_tc" : "greedy";
    } else if (type == "granitemoehybrid") {
        c["shared_intermediate_size"] = n_ff;
        c["num_local_experts"] = 0;
    }

    // Recurrent mixers (Mamba-1/2: ssm.* keys as convert_hf_to_gguf.py writes them).
    const u64 d_conv = m.count_or("ssm.conv_kernel", 4), d_inner = m.count_or("ssm.inner_size", 0);
    const u64 d_state = m.count_or("ssm.state_size", 0), dt_rank = m.count_or("ssm.time_step_rank", 0);
    const u64 n_group = m.count_or("ssm.group_count", 1);
    auto mamba2 = [&]() {
        c["mamba_d_state"] = d_state;
        c["mamba_n_groups"] = n_group;
        c["mamba_d_conv"] = d_conv;
        c["mamba_d_ssm"] = d_inner;
        c["mamba_n_heads"] = dt_rank;  // Mamba-2 files store the head count as time_step_rank
    };
    if (type == "granitemoehybrid") {
        mamba2();
        json types = json::array();
        for (std::size_t i = 0; i < layers; ++i) types.push_back(k.mamba[i] ? "mamba" : "attention");
        c["layer_types"] = types;
    } else if (type == "nemotron_h") {
        mamba2();
        std::string pattern;
        for (std::size_t i = 0; i < layers; ++i) pattern += k.mamba[i] ? 'M' : k.attention[i] ? '*' : k.moe[i] ? 'E' : '-';
        c["hybrid_override_pattern"] = pattern;
        c["mlp_hidden_act"] = k.any_layer_has(".ffn_gate.weight") ? "silu" : "relu2";
        // Per-layer head_count / feed_forward_length arrays hold zeros for other blocks: the largest stands.
    } else if (type == "falcon_h1") {
        mamba2();
    } else if (type == "mamba2") {
        mamba2();
    } else if (type == "mamba" || type == "jamba") {
        c["mamba_d_state"] = d_state;
        c["mamba_d_conv"] = d_conv;
        c["mamba_dt_rank"] = dt_rank;
        c["mamba_expand"] = d_inner > 0 ? double(d_inner) / double(n_embd) : 2.0;
        if (type == "mamba") c["intermediate_size"] = d_inner;
        if (type == "jamba") {
            std::vector<u64> attn, moe;
            for (std::size_t i = 0; i < layers; ++i) {
                if (k.attention[i]) attn.push_back(i);
                if (k.moe[i]) moe.push_back(i);
            }
            c["attn_layer_offset"] = attn.empty() ? n_layer : attn[0];
            c["attn_layer_period"] = attn.size() > 1 ? attn[1] - attn[0] : n_layer;
            if (!moe.empty()) {
                c["expert_layer_offset"] = moe[0];
                c["expert_layer_period"] = moe.size() > 1 ? moe[1] - moe[0] : n_layer;
            }
        }
    } else if (type == "qwen3_next") {
        // src/models/qwen3next.cpp load_arch_hparams: ssm.group_count = key heads, ssm.time_step_rank =
        // value heads, ssm.state_size = key head dim, ssm.inner_size = value heads x value head dim.
        if (dt_rank == 0 || d_inner % dt_rank != 0)
            return make_error("gguf_missing_metadata", "file",
                              "the GGUF's qwen3next.ssm.time_step_rank / inner_size are missing");
        c["linear_num_key_heads"] = n_group;
        c["linear_num_value_heads"] = dt_rank;
        c["linear_key_head_dim"] = d_state;
        c["linear_value_head_dim"] = d_inner / dt_rank;
        c["linear_conv_kernel_dim"] = d_conv;
        // A block is linear attention when it holds the Gated DeltaNet tensors (ssm_ba), full attention
        // when it holds attn_q; a block absent from a partial split follows
        // qwen3next.full_attention_interval (default 4, as llama.cpp).
        const u64 interval = m.count_or("full_attention_interval", 4);
        json types = json::array();
        for (std::size_t i = 0; i < layers; ++i) {
            const bool full = k.gdn[i] ? false : k.attention[i] ? true : interval > 0 && (i + 1) % interval == 0;
            types.push_back(full ? "full_attention" : "linear_attention");
        }
        c["layer_types"] = types;
    } else if (type == "kimi_linear") {
        json full = json::array();
        for (std::size_t i = 0; i < layers; ++i)
            if (k.mla[i]) full.push_back(i + 1);  // 1-indexed, as Kimi Linear's config numbers them
        u64 kda_heads = n_head;
        for (const GgufTensorInfo& t : h.tensors)
            if (t.name.size() > 17 && t.name.compare(t.name.size() - 16, 16, ".ssm_beta.weight") == 0 && t.n_dims >= 2)
                kda_heads = t.ne[1];
        c["linear_attn_config"] = {{"num_heads", kda_heads},
                                   {"head_dim", m.count_or("kda.head_dim", m.count_or("ssm.state_size", 128))},
                                   {"short_conv_kernel_size", d_conv},
                                   {"full_attn_layers", full}};
    }
    if (type == "llama4_text") {
        // llama.cpp keeps no chunk size in the file: LLM_ARCH_LLAMA4 sets n_swa = 8192 (chunked) and
        // set_swa_pattern(4), three chunked layers then one global (src/llama-model.cpp); a file that
        // writes llama4.attention.sliding_window = 0 turns chunking off.
        const GgufValue* sw = m.arch_key("attention.sliding_window");
        const bool off = sw && sw->is_integer() && sw->uinteger == 0;
        if (!off) {
            c["attention_chunk_size"] = sw && sw->is_integer() && sw->uinteger > 0 ? sw->uinteger : u64(8192);
            c["no_rope_layer_interval"] = 4;
            notes.push_back("llama4: chunked attention of " + c["attention_chunk_size"].dump() +
                            " tokens on three layers of every four, as llama.cpp sets it");
        }
        c.erase("sliding_window");
    }
    notes.push_back("architecture read from the GGUF metadata (" + arch + ")");
    return c;
}

json inspect_model_file(const std::uint8_t* data, std::uint64_t size, std::uint64_t file_size,
                        const std::string& file_name) {
    try {
        if (file_size > 0 && size > file_size) size = file_size;
        if (size == 0) {
            if (file_size == 0 && data == nullptr)
                return error_json(make_error("empty_file", "file", "the file is empty"));
            if (file_size == 0) return error_json(make_error("empty_file", "file", "the file is empty"));
            return error_json(make_error("file_truncated", "file", "need more bytes: 8"), 8);
        }
        if (looks_like_gguf(data, size)) return inspect_gguf(data, size, file_size, file_name);
        std::size_t first = 0;
        while (first < size && first < 4096 && std::isspace(data[first])) ++first;
        if (first < size && data[first] == '{') return inspect_json(data, size, file_size, file_name);
        if (size >= 9 && data[8] == '{') return inspect_safetensors(data, size, file_size, file_name);
        if (size < 9 && (file_size == 0 || file_size > size))
            return error_json(make_error("file_truncated", "file", "need more bytes: 9"), 9);
        return error_json(
            make_error("unsupported_file", "file",
                       "'" + clean_utf8(base_name(file_name)) +
                           "' is not a GGUF file, a safetensors file or a config.json / model.safetensors.index.json"));
    } catch (const std::exception& e) {
        return error_json(make_error("internal_error", "file", std::string("internal error: ") + e.what()));
    }
}

json combine_model_files(const json& inspected) {
    try {
        if (!inspected.is_array() || inspected.empty()) {
            return error_json(make_error("missing_field", "files", "give at least one inspected file"));
        }
        const json* config = nullptr;
        const json* index = nullptr;
        std::vector<const json*> ggufs, shards;
        json notes = json::array();
        for (const json& f : inspected) {
            if (!f.is_object() || !f.value("ok", false)) {
                if (f.is_object() && f.contains("error")) return f;
                return error_json(make_error("invalid_value", "files", "every file must be an ok inspect result"));
            }
            const std::string kind = f.value("kind", std::string());
            if (kind == "config") {
                if (config)
                    return error_json(
                        make_error("invalid_value", "files", "two config.json files were given; give one"));
                config = &f;
            } else if (kind == "safetensors_index") {
                index = &f;
            } else if (kind == "gguf") {
                ggufs.push_back(&f);
            } else if (kind == "safetensors") {
                shards.push_back(&f);
            } else {
                return error_json(
                    make_error("invalid_value", "files", "unknown inspected kind '" + kind.substr(0, 40) + "'"));
            }
        }
        if (!ggufs.empty() && !shards.empty()) {
            return error_json(
                make_error("invalid_value", "files", "give either GGUF files or safetensors files, not both"));
        }
        json out = {{"ok", true}};
        json summary = json::object();

        if (!ggufs.empty()) {
            // One GGUF, or parts of one split GGUF (split.no 0 carries the metadata).
            const json* first = nullptr;
            std::set<u64> seen;
            u64 split_count = 1, file_bytes = 0;
            json rows = json::array();
            for (const json* g : ggufs) {
                const json& s = (*g)["summary"];
                const u64 count = s.contains("split") ? s["split"].value("count", u64(1)) : 1;
                const u64 no = s.contains("split") ? s["split"].value("no", u64(0)) : 0;
                if (g != ggufs.front() && count != split_count) {
                    return error_json(make_error(
                        "gguf_split_mismatch", "files",
                        "the GGUF files are not parts of one split model (split.count differs); give one model"));
                }
                split_count = count;
                if (!seen.insert(no).second) {
                    return error_json(make_error(
                        "gguf_split_mismatch", "files",
                        "GGUF part " + std::to_string(no + 1) + " was given twice (or two unsplit GGUFs were given)"));
                }
                if (no == 0) first = g;
                file_bytes += (*g)["file"].value("bytes", u64(0));
                for (const json& r : (*g)["model"]["weights"]["tensors"]) rows.push_back(r);
            }
            if (!first || !(*first)["model"].contains("config")) {
                return error_json(make_error("gguf_split_first_part_missing", "files",
                                             "the first part (-00001-of-" + std::to_string(split_count) +
                                                 ") holds the model's metadata; add it"));
            }
            json model = (*first)["model"];
            if (split_count > 1) {
                // The architecture again, now from every tensor name the parts hold.
                std::vector<std::string> cfg_notes;
                const GgufHeader merged = header_from_summary((*first)["summary"]["metadata"], rows);
                auto cfg = gguf_to_hf_config(merged, cfg_notes, seen.size() == split_count);
                if (!cfg) return error_json(cfg.error());
                model["config"] = *cfg;
                for (const std::string& n : cfg_notes) notes.push_back(n);
            } else {
                for (const json& n : (*first)["notes"]) notes.push_back(n);
            }
            json& w = model["weights"];
            w["tensors"] = rows;
            w["file_bytes"] = file_bytes;
            if (split_count > 1) {
                w["parts"] = seen.size();
                w["parts_total"] = split_count;
            }
            if (config) notes.push_back("config.json ignored: the GGUF metadata describes the model");
            summary = {{"files", ggufs.size()},
                       {"tensors", rows.size()},
                       {"file_bytes", file_bytes},
                       {"quant", w.value("quant", std::string())},
                       {"parts", seen.size()},
                       {"parts_total", split_count},
                       {"complete", seen.size() == split_count}};
            out["kind"] = "gguf";
            out["model"] = model;
        } else if (!shards.empty()) {
            if (!config) {
                return error_json(make_error("missing_config", "files",
                                             "a safetensors header has tensor shapes and dtypes but no architecture: "
                                             "add the model's config.json"));
            }
            json rows = json::array();
            u64 file_bytes = 0;
            std::set<std::string> names;
            for (const json* s : shards) {
                const std::string n = (*s)["file"].value("name", std::string());
                if (!n.empty() && !names.insert(n).second) {
                    return error_json(make_error("invalid_value", "files", "'" + n + "' was given twice"));
                }
                file_bytes += (*s)["file"].value("bytes", u64(0));
                for (const json& r : (*s)["model"]["weights"]["tensors"]) rows.push_back(r);
            }
            json model = (*config)["model"];
            json w = {{"format", "safetensors"}, {"tensors", stack_experts(rows)}, {"file_bytes", file_bytes}};
            const std::string q = quant_from_config(model["config"]);
            if (!q.empty()) w["quant"] = q;
            u64 total = shards.size();
            if (index) {
                total = std::max<u64>(total, (*index)["summary"]["files"].size());
                if (total > shards.size())
                    notes.push_back(std::to_string(shards.size()) + " of " + std::to_string(total) +
                                    " shards given; the others are predicted");
            }
            w["parts"] = shards.size();
            w["parts_total"] = total;
            model["weights"] = w;
            summary = {{"files", shards.size()}, {"tensors", rows.size()}, {"file_bytes", file_bytes},
                       {"parts", shards.size()}, {"parts_total", total},   {"complete", total == shards.size()}};
            if (!q.empty()) summary["quant"] = q;
            out["kind"] = "safetensors";
            out["model"] = model;
        } else if (config) {
            out["kind"] = "config";
            out["model"] = (*config)["model"];
            summary = (*config)["summary"];
            if (index && (*index)["summary"].contains("total_size_bytes")) {
                summary["checkpoint_bytes"] = (*index)["summary"]["total_size_bytes"];
                notes.push_back(
                    "the index's total_size is the checkpoint's bytes; add the .safetensors files for exact dtypes");
            }
        } else {
            return error_json(make_error(
                "missing_config", "files",
                "an index names the shards but not the architecture: add config.json (and the .safetensors files)"));
        }
        if (config && out["kind"] != "gguf")
            for (const json& n : (*config)["notes"]) notes.push_back(n);
        out["summary"] = summary;
        out["notes"] = notes;
        return out;
    } catch (const std::exception& e) {
        return error_json(make_error("internal_error", "files", std::string("internal error: ") + e.what()));
    }
}

}  // namespace headroom
