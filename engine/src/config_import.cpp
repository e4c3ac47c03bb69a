// Hugging Face config.json -> ModelArch.
//
// Key names and class defaults follow the transformers configuration classes
// (configuration_<model_type>.py); the layer patterns follow how llama.cpp lays
// the layers out (src/llama-model.cpp, see shared/reference/runtime-memory.md
// §2.4-2.5). Whatever had to be assumed is written to ModelArch::notes.
#include "config_import.hpp"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace headroom {
namespace {

using nlohmann::json;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

bool in(const std::string& s, std::initializer_list<const char*> list) {
    for (const char* x : list)
        if (s == x) return true;
    return false;
}

// Reads keys from one config object; the first failure sticks and is reported at the end.
class Reader {
public:
    Reader(const json& cfg, std::string prefix) : c_(cfg), prefix_(std::move(prefix)) {}

    const json& cfg() const { return c_; }
    bool failed() const { return failed_; }
    const Error& error() const { return error_; }
    std::string field(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

    void fail(const std::string& code, const std::string& key, const std::string& message) {
        if (failed_) return;
        failed_ = true;
        error_ = make_error(code, field(key), message);
    }

    bool has(const char* key) const {
        auto it = c_.find(key);
        return it != c_.end() && !it->is_null();
    }
    const char* first_present(std::initializer_list<const char*> keys) const {
        for (const char* k : keys)
            if (has(k)) return k;
        return nullptr;
    }

    // Non-negative integer (an integral float such as 4096.0 is accepted).
    u64 integer(const char* key, u64 def) {
        if (!has(key)) return def;
        const json& v = c_.at(key);
        if (v.is_number_unsigned()) return v.get<u64>();
        if (v.is_number_integer()) {
            const std::int64_t x = v.get<std::int64_t>();
            if (x >= 0) return static_cast<u64>(x);
        } else if (v.is_number_float()) {
            const double x = v.get<double>();
            if (x >= 0 && std::floor(x) == x && x < 1e19) return static_cast<u64>(x);
        } else if (v.is_array() && !v.empty() && v.front().is_number()) {
            // Per-layer lists (e.g. Hunyuan's moe_topk) — the first entry stands for all.
            const json& f = v.front();
            if (f.is_number_integer() && f.get<std::int64_t>() >= 0) return static_cast<u64>(f.get<std::int64_t>());
        }
        fail("invalid_model", key, std::string(key) + " must be a non-negative integer, got " + v.dump());
        return def;
    }
    u64 integer_any(std::initializer_list<const char*> keys, u64 def) {
        const char* k = first_present(keys);
        return k ? integer(k, def) : def;
    }
    // Required positive integer; `keys` are alternative spellings, the first names the error.
    u64 required(std::initializer_list<const char*> keys) {
        const char* k = first_present(keys);
        if (!k) {
            fail("missing_field", *keys.begin(), std::string("config has no ") + *keys.begin());
            return 0;
        }
        const u64 v = integer(k, 0);
        if (v == 0) fail("invalid_model", k, std::string(k) + " must be positive, got " + c_.at(k).dump());
        return v;
    }
    u32 u32_of(u64 v, const char* key) {
        if (v > 0xffffffffull) {
            fail("invalid_model", key, std::string(key) + " is too large: " + std::to_string(v));
            return 0;
        }
        return static_cast<u32>(v);
    }
    double number(const char* key, double def) const {
        if (!has(key)) return def;
        const json& v = c_.at(key);
        return v.is_number() ? v.get<double>() : def;
    }
    bool flag(const char* key, bool def) const {
        if (!has(key)) return def;
        const json& v = c_.at(key);
        if (v.is_boolean()) return v.get<bool>();
        if (v.is_number()) return v.get<double>() != 0.0;
        return def;
    }
    std::string text(const char* key) const {
        if (!has(key)) return {};
        const json& v = c_.at(key);
        return v.is_string() ? v.get<std::string>() : std::string();
    }
    const json* object(const char* key) const {
        auto it = c_.find(key);
        return (it != c_.end() && it->is_object()) ? &*it : nullptr;
    }
    const json* array(const char* key) const {
        auto it = c_.find(key);
        return (it != c_.end() && it->is_array()) ? &*it : nullptr;
    }

private:
    const json& c_;
    std::string prefix_;
    bool failed_ = false;
    Error error_;
};

// model_type -> the family whose rules apply (text parts of multimodal types, aliases).
std::string family_of(const std::string& t) {
    if (t == "gemma3_text") return "gemma3";
    if (t == "llama4_text") return "llama4";
    if (t == "mistral3") return "mistral";
    if (t == "qwen2_5_vl" || t == "qwen2_5_vl_text" || t == "qwen2_vl" || t == "qwen2_vl_text") return "qwen2";
    if (t == "qwen3_vl" || t == "qwen3_vl_text") return "qwen3";
    if (t == "qwen3_vl_moe" || t == "qwen3_vl_moe_text") return "qwen3_moe";
    if (t == "kimi_k2" || t == "deepseek_v32") return "deepseek_v3";
    if (t == "mimo") return "qwen2";
    return t;
}

bool is_multimodal_type(const std::string& t) {
    return in(t, {"gemma3", "mistral3", "llama4", "qwen2_5_vl", "qwen2_vl", "qwen3_vl", "qwen3_vl_moe", "llava",
                  "internvl_chat", "idefics3", "paligemma"});
}

// Types recognised but not representable with the layer kinds the engine models.
bool is_unmodelled_type(const std::string& t) {
    return in(t, {"lfm2", "gemma3n", "gemma3n_text", "nemotron-nas", "deci", "rwkv", "rwkv7", "zamba", "zamba2",
                  "bamba_lora", "xlstm"});
}

bool is_known_family(const std::string& f) {
    return in(f, {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "qwen3_next", "gemma",
                  "gemma2", "gemma3", "phi3", "phimoe", "phi", "deepseek_v2", "deepseek_v3", "kimi_linear", "gpt_oss",
                  "glm", "glm4", "glm4_moe", "llama4", "granitemoehybrid", "granite", "granitemoe", "nemotron_h",
                  "falcon_h1", "jamba", "cohere", "cohere2", "olmo", "olmo2", "olmo3", "olmoe", "smollm3",
                  "starcoder2", "exaone", "exaone4", "internlm2", "internlm3", "stablelm", "falcon", "mpt",
                  "minimax_m2", "seed_oss", "hunyuan_v1_moe", "hunyuan_v1_dense", "dots1", "apertus", "bailing_moe",
                  "ernie4_5", "ernie4_5_moe", "mamba", "mamba2", "qwen"});
}

// Hugging Face class defaults for tie_word_embeddings when config.json omits it.
bool default_tied(const std::string& f) {
    return in(f, {"gemma", "gemma2", "gemma3", "cohere", "cohere2", "falcon", "mpt", "granitemoehybrid", "smollm3",
                  "ernie4_5", "ernie4_5_moe", "hunyuan_v1_moe", "hunyuan_v1_dense", "mamba", "mamba2"});
}

std::vector<bool> bool_list_from_layer_types(const json& types, const char* truthy_prefix) {
    std::vector<bool> out;
    for (const json& t : types) out.push_back(t.is_string() && t.get<std::string>().rfind(truthy_prefix, 0) == 0);
    return out;
}

}  // namespace

Result<ModelArch> import_hf_config(const nlohmann::json& config_in, const std::string& field_prefix) {
    if (!config_in.is_object())
        return make_error("invalid_model", field_prefix, "config must be a JSON object, got " + std::string(config_in.type_name()));

    ModelArch a;
    // ---- multimodal wrappers: use the text part --------------------------------------------
    const json* text_cfg = nullptr;
    std::string outer_type;
    {
        auto it = config_in.find("model_type");
        if (it != config_in.end() && it->is_string()) outer_type = it->get<std::string>();
        for (const char* k : {"text_config", "llm_config", "language_config"}) {
            auto t = config_in.find(k);
            if (t != config_in.end() && t->is_object() &&
                (t->contains("hidden_size") || t->contains("num_hidden_layers"))) {
                text_cfg = &*t;
                break;
            }
        }
    }
    json merged;
    std::string prefix = field_prefix;
    if (text_cfg) {
        merged = *text_cfg;
        // Keys the wrapper may hold for the whole model.
        for (const char* k : {"tie_word_embeddings"})
            if (!merged.contains(k) && config_in.contains(k)) merged[k] = config_in.at(k);
        if (!merged.contains("model_type") || !merged.at("model_type").is_string()) merged["model_type"] = outer_type;
        a.notes.push_back("multimodal: text part only");
    }
    const json& c = text_cfg ? merged : config_in;
    Reader r(c, text_cfg ? field_prefix + (config_in.contains("text_config") ? ".text_config" : ".llm_config") : prefix);

    if (!r.has("model_type")) return make_error("missing_field", r.field("model_type"), "config has no model_type");
    if (!c.at("model_type").is_string())
        return make_error("invalid_model", r.field("model_type"), "model_type must be a string, got " + c.at("model_type").dump());
    std::string type = c.at("model_type").get<std::string>();
    a.model_type = text_cfg && !outer_type.empty() ? outer_type : type;
    if (!text_cfg && is_multimodal_type(type) && type != "llama4") a.notes.push_back("multimodal: text part only");
    if (!text_cfg && type == "llama4") a.notes.push_back("multimodal: text part only");

    if (is_unmodelled_type(type))
        return make_error("unsupported_model_type", r.field("model_type"),
                          "model_type '" + type + "' has layer kinds Headroom does not model yet");
    std::string f = family_of(type);
    if (!is_known_family(f)) {
        const bool llama_like = r.has("hidden_size") && r.has("num_hidden_layers") && r.has("num_attention_heads") &&
                                r.has("intermediate_size") && r.has("vocab_size");
        if (!llama_like)
            return make_error("unsupported_model_type", r.field("model_type"),
                              "model_type '" + type + "' is not supported and its config is not Llama-like");
        a.notes.push_back("unknown model_type '" + type + "': read as a Llama-style decoder");
        f = "llama";
    }

    // ---- core sizes -------------------------------------------------------------------------
    a.n_embd = r.u32_of(r.required({"hidden_size", "d_model", "n_embd"}), "hidden_size");
    a.n_layer = r.u32_of(r.required({"num_hidden_layers", "num_layers", "n_layers", "n_layer"}), "num_hidden_layers");
    a.n_vocab = r.required({"vocab_size", "padded_vocab_size"});
    const bool attention_free = in(f, {"mamba", "mamba2"});
    u32 n_head = 0;
    if (!attention_free) n_head = r.u32_of(r.required({"num_attention_heads", "n_heads", "n_head"}), "num_attention_heads");
    if (r.failed()) return r.error();
    // Before the layer list is allocated (check_architecture_limits checks the rest at the end).
    if (a.n_layer > kMaxModelLayers)
        return make_error("out_of_range", r.field("num_hidden_layers"),
                          "num_hidden_layers is " + std::to_string(a.n_layer) + "; the limit is " + std::to_string(kMaxModelLayers));

    AttentionParams& at = a.attn;
    at.n_head = n_head;
    if (f == "falcon") {
        const bool new_arch = r.flag("new_decoder_architecture", false);
        if (new_arch) at.n_head_kv = r.u32_of(r.integer_any({"num_kv_heads", "num_key_value_heads"}, n_head), "num_kv_heads");
        else at.n_head_kv = r.flag("multi_query", true) ? 1u : n_head;
    } else if (f == "mpt") {
        const json* ac = r.object("attn_config");
        at.n_head_kv = n_head;
        if (ac && ac->contains("kv_n_heads") && ac->at("kv_n_heads").is_number_integer())
            at.n_head_kv = static_cast<u32>(ac->at("kv_n_heads").get<std::int64_t>());
    } else {
        at.n_head_kv = r.u32_of(r.integer_any({"num_key_value_heads", "num_kv_heads", "n_head_kv"}, n_head), "num_key_value_heads");
        if (!r.has("num_key_value_heads") && !r.has("num_kv_heads") && !attention_free)
            a.notes.push_back("num_key_value_heads absent: multi-head attention (kv heads = heads) assumed");
    }
    if (!attention_free) {
        if (r.has("head_dim") && !in(f, {"kimi_linear"})) {
            at.head_dim_k = r.u32_of(r.integer("head_dim", 0), "head_dim");
        } else {
            if (a.n_embd % n_head != 0)
                return make_error("invalid_model", r.field("num_attention_heads"),
                                  "hidden_size " + std::to_string(a.n_embd) + " is not divisible by num_attention_heads " +
                                      std::to_string(n_head) + " and head_dim is absent");
            at.head_dim_k = a.n_embd / n_head;
        }
        at.head_dim_v = at.head_dim_k;
    }

    // Dense FFN width.
    u64 n_ff = 0;
    if (f == "mpt") {
        n_ff = u64(r.number("expansion_ratio", 4.0) * a.n_embd);
    } else if (f == "falcon" || f == "phi") {
        n_ff = r.integer_any({"ffn_hidden_size", "intermediate_size", "n_inner"}, 4ull * a.n_embd);
    } else if (f == "llama4") {
        n_ff = r.integer_any({"intermediate_size_mlp", "intermediate_size"}, 0);
    } else if (f == "granitemoehybrid" && r.integer_any({"num_local_experts"}, 0) == 0) {
        n_ff = r.integer_any({"shared_intermediate_size", "intermediate_size"}, 0);
    } else {
        n_ff = r.integer_any({"intermediate_size", "ffn_hidden_size", "n_inner"}, 0);
    }
    a.n_ff = r.u32_of(n_ff, "intermediate_size");

    // Embeddings and context.
    if (f == "mpt") a.tied_embeddings = true;
    else a.tied_embeddings = r.flag("tie_word_embeddings", default_tied(f));
    if (!r.has("tie_word_embeddings") && f != "mpt")
        a.notes.push_back(std::string("tie_word_embeddings absent: ") + (a.tied_embeddings ? "tied" : "untied") +
                          " (the " + type + " class default)");
    if (const char* k = r.first_present({"max_position_embeddings", "max_seq_len", "seq_length", "n_positions",
                                         "max_sequence_length", "model_max_length"})) {
        a.n_ctx_train = r.integer(k, 0);
        if (std::string(k) != "max_position_embeddings") a.notes.push_back(std::string("trained context read from ") + k);
    } else {
        a.notes.push_back("no max_position_embeddings in config: trained context unknown");
    }
    a.n_mtp_layers = r.u32_of(r.integer_any({"num_nextn_predict_layers", "num_mtp_layers"}, 0), "num_nextn_predict_layers");
    if (a.n_mtp_layers > 0)
        a.notes.push_back(std::to_string(a.n_mtp_layers) + " next-token-prediction layer(s) in the checkpoint are not loaded by llama.cpp and not counted");

    // ---- per-family flags ---------------------------------------------------------------------
    if (in(f, {"qwen2", "qwen2_moe"})) at.qkv_bias = r.flag("attention_bias", true) || r.flag("qkv_bias", false);
    if (in(f, {"llama", "mistral", "granite", "smollm3", "exaone", "apertus", "hunyuan_v1_moe", "hunyuan_v1_dense",
               "olmo", "olmo2", "olmo3", "olmoe", "qwen3", "qwen3_moe", "qwen3_next", "cohere", "cohere2",
               "exaone4", "minimax_m2", "dots1", "granitemoe", "phimoe"})) {
        at.qkv_bias = at.o_bias = r.flag("attention_bias", false);
    }
    if (f == "seed_oss") {
        at.qkv_bias = r.flag("attention_bias", true);
        at.o_bias = r.flag("attention_out_bias", false);
    }
    if (in(f, {"glm", "glm4"})) at.qkv_bias = r.flag("attention_bias", true);
    if (f == "glm4_moe") at.qkv_bias = r.flag("attention_bias", false);
    if (f == "internlm2") at.qkv_bias = at.o_bias = r.flag("bias", true);
    if (f == "internlm3") {
        at.qkv_bias = r.flag("qkv_bias", false);
        at.o_bias = r.flag("bias", false);
    }
    if (f == "gpt_oss") at.qkv_bias = at.o_bias = at.sinks = true;
    if (f == "starcoder2") {
        at.qkv_bias = at.o_bias = a.ffn_bias = r.flag("use_bias", true);
        a.norm_bias = true;
        a.gated_ffn = false;
    }
    if (f == "phi") {
        at.qkv_bias = at.o_bias = a.ffn_bias = true;
        a.norm_bias = true;
        a.gated_ffn = false;
        a.norms_per_layer = 1;
        a.notes.push_back("phi: parallel block with one LayerNorm; lm_head bias not counted");
    }
    if (f == "stablelm") {
        at.qkv_bias = r.flag("use_qkv_bias", false);
        a.norm_bias = true;
        at.qk_norm = r.flag("qk_layernorm", false);
    }
    if (f == "phimoe") {
        a.norm_bias = true;
        a.notes.push_back("phimoe: LayerNorm with bias; lm_head bias not counted");
    }
    if (f == "falcon") {
        at.fused_qkv = true;
        at.qkv_bias = at.o_bias = a.ffn_bias = r.flag("bias", false);
        a.norm_bias = true;
        a.gated_ffn = false;
        a.norms_per_layer = r.flag("new_decoder_architecture", false) ? 2u : 1u;
        a.quant_falcon_rules = true;
    }
    if (f == "mpt") {
        const bool no_bias = r.flag("no_bias", true);
        at.fused_qkv = true;
        at.qkv_bias = at.o_bias = a.ffn_bias = a.norm_bias = !no_bias;
        a.gated_ffn = false;
    }
    if (f == "phi3") at.fused_qkv = true;
    if (f == "internlm2") at.fused_qkv = true;
    if (f == "bailing_moe") {
        at.fused_qkv = true;
        at.qkv_bias = r.flag("use_qkv_bias", false);
        at.o_bias = r.flag("use_bias", false);
        at.qk_norm = r.flag("use_qk_norm", true);
    }
    if (in(f, {"qwen3", "qwen3_moe", "qwen3_next", "gemma3", "olmo2", "olmo3", "olmoe", "exaone4", "dots1", "apertus"}))
        at.qk_norm = true;
    if (in(f, {"cohere", "cohere2", "glm4_moe", "minimax_m2", "hunyuan_v1_moe", "hunyuan_v1_dense"}))
        at.qk_norm = r.flag("use_qk_norm", f == "minimax_m2" || f == "hunyuan_v1_moe" || f == "hunyuan_v1_dense");
    if (in(f, {"gemma2", "gemma3", "glm4"})) a.norms_per_layer = 4;
    if (in(f, {"cohere", "cohere2"})) a.norms_per_layer = 1;
    if (f == "olmo") {
        a.norms_per_layer = 0;
        a.notes.push_back("olmo: non-parametric LayerNorm (no norm weights)");
    }
    if (in(f, {"apertus"})) a.gated_ffn = false;
    if (f == "llama" || f == "granite") a.ffn_bias = r.flag("mlp_bias", false);
    if (f == "nemotron_h") {
        a.norms_per_layer = 1;
        const std::string act = r.text("mlp_hidden_act");
        a.gated_ffn = !(act.empty() || act == "relu2");
    }
    if ((f == "llama" || f == "mistral" || f == "mixtral") && a.n_layer == 80) a.quant_llama_70b = true;

    // ---- layers ---------------------------------------------------------------------------------
    a.layers.assign(a.n_layer, LayerSpec{});
    auto& L = a.layers;
    const u32 n = a.n_layer;

    // Sliding window / chunked attention.
    const u64 window = r.integer_any({"sliding_window"}, 0);
    auto set_sliding = [&](const std::vector<bool>& sliding, u64 win, const char* win_key) {
        if (win == 0) {
            r.fail("missing_field", win_key, std::string("sliding layers declared but ") + win_key + " is absent");
            return;
        }
        at.sliding_window = r.u32_of(win, win_key);
        for (u32 i = 0; i < n && i < sliding.size(); ++i)
            if (sliding[i]) L[i].attention = AttentionKind::sliding;
    };
    const json* layer_types = r.array("layer_types");
    if (layer_types && layer_types->size() != n)
        return make_error("invalid_model", r.field("layer_types"),
                          "layer_types has " + std::to_string(layer_types->size()) + " entries but num_hidden_layers is " +
                              std::to_string(n));

    if (in(f, {"gemma2", "gemma3", "cohere2", "gpt_oss", "olmo3", "exaone4"})) {
        std::vector<bool> sliding(n, false);
        if (layer_types) {
            sliding = bool_list_from_layer_types(*layer_types, "sliding");
        } else if (f == "gemma2" || f == "gpt_oss") {
            for (u32 i = 0; i < n; ++i) sliding[i] = (i % 2) == 0;  // alternate, starting with a local layer
            a.notes.push_back("no layer_types: sliding/full alternate starting with sliding");
        } else if (f == "exaone4" && r.has("sliding_window_pattern") && c.at("sliding_window_pattern").is_string()) {
            const std::string pat = c.at("sliding_window_pattern").get<std::string>();
            for (u32 i = 0; i < n && !pat.empty(); ++i) sliding[i] = pat[i % pat.size()] == 'L';
        } else {
            u64 p = r.integer("sliding_window_pattern", f == "gemma3" ? 6 : 4);
            if (f == "exaone4" && !r.has("sliding_window_pattern")) p = 0;
            if (p > 0)
                for (u32 i = 0; i < n; ++i) sliding[i] = ((i + 1) % p) != 0;
            if (p > 0 && !r.has("sliding_window_pattern"))
                a.notes.push_back("no layer_types: one full layer every " + std::to_string(p) + " assumed");
        }
        bool any = false;
        for (bool s : sliding) any |= s;
        if (any) set_sliding(sliding, window, "sliding_window");
    } else if (f == "llama4") {
        const u64 chunk = r.integer("attention_chunk_size", 0);
        std::vector<bool> chunked(n, false);
        if (const json* nr = r.array("no_rope_layers"); nr && nr->size() == n) {
            for (u32 i = 0; i < n; ++i) chunked[i] = (*nr)[i].is_number() && (*nr)[i].get<double>() != 0.0;
        } else {
            const u64 interval = r.integer("no_rope_layer_interval", 4);
            for (u32 i = 0; i < n; ++i) chunked[i] = interval == 0 || ((i + 1) % interval) != 0;
            a.notes.push_back("no no_rope_layers list: every " + std::to_string(interval) + "th layer global (NoPE)");
        }
        if (chunk > 0) {
            set_sliding(chunked, chunk, "attention_chunk_size");
            a.notes.push_back("chunked attention (attention_chunk_size) modelled as a sliding window");
        }
    } else if (window > 0 && r.flag("use_sliding_window", true) &&
               in(f, {"mistral", "mixtral", "phi3", "starcoder2", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe"})) {
        a.notes.push_back("sliding_window " + std::to_string(window) + " in config is ignored by llama.cpp for " + type +
                          ": all layers use full attention");
    }

    // Mixers per layer: MLA, hybrids.
    if (r.has("kv_lora_rank")) {
        a.mla.kv_lora_rank = r.u32_of(r.required({"kv_lora_rank"}), "kv_lora_rank");
        a.mla.q_lora_rank = r.u32_of(r.integer("q_lora_rank", 0), "q_lora_rank");
        a.mla.qk_rope_head_dim = r.u32_of(r.required({"qk_rope_head_dim"}), "qk_rope_head_dim");
        a.mla.qk_nope_head_dim = r.u32_of(r.required({"qk_nope_head_dim"}), "qk_nope_head_dim");
        a.mla.v_head_dim = r.u32_of(r.required({"v_head_dim"}), "v_head_dim");
        at.head_dim_k = a.mla.qk_nope_head_dim + a.mla.qk_rope_head_dim;
        at.head_dim_v = a.mla.v_head_dim;
        if (f != "kimi_linear")
            for (auto& l : L) l.attention = AttentionKind::mla;
    } else if (in(f, {"deepseek_v2", "deepseek_v3", "kimi_linear"})) {
        r.fail("missing_field", "kv_lora_rank", "config has no kv_lora_rank (multi-head latent attention)");
    }

    auto read_mamba2 = [&]() {
        SsmParams& s = a.ssm;
        s.d_state = r.u32_of(r.required({"mamba_d_state", "ssm_state_size", "state_size"}), "mamba_d_state");
        s.n_group = r.u32_of(r.integer_any({"mamba_n_groups", "n_groups"}, 1), "mamba_n_groups");
        s.d_conv = r.u32_of(r.integer_any({"mamba_d_conv", "conv_kernel"}, 4), "mamba_d_conv");
        const u64 heads = r.integer_any({"mamba_n_heads", "mamba_num_heads", "num_heads"}, 0);
        const u64 head_dim = r.integer_any({"mamba_d_head", "mamba_head_dim", "head_dim"}, 0);
        const double expand = r.number("mamba_expand", r.number("expand", 2.0));
        u64 d_inner = r.integer_any({"mamba_d_ssm"}, 0);
        if (d_inner == 0 && heads > 0 && head_dim > 0) d_inner = heads * head_dim;
        if (d_inner == 0) {
            d_inner = u64(expand * a.n_embd);
            a.notes.push_back("Mamba-2 inner size = expand x hidden_size");
        }
        s.d_inner = r.u32_of(d_inner, "mamba_d_ssm");
        s.n_head = r.u32_of(heads > 0 ? heads : (head_dim > 0 ? d_inner / head_dim : 0), "mamba_n_heads");
        if (s.n_head == 0) r.fail("missing_field", "mamba_n_heads", "config has no mamba_n_heads");
    };
    auto read_mamba1 = [&]() {
        SsmParams& s = a.ssm;
        s.d_state = r.u32_of(r.integer_any({"mamba_d_state", "state_size", "ssm_state_size"}, 16), "mamba_d_state");
        s.d_conv = r.u32_of(r.integer_any({"mamba_d_conv", "conv_kernel"}, 4), "mamba_d_conv");
        const double expand = r.number("mamba_expand", r.number("expand", 2.0));
        u64 d_inner = f == "mamba" ? r.integer("intermediate_size", 0) : 0;
        if (d_inner == 0) d_inner = u64(expand * a.n_embd);
        s.d_inner = r.u32_of(d_inner, "mamba_expand");
        s.n_group = 1;
        s.n_head = 0;
        const char* k = r.first_present({"mamba_dt_rank", "time_step_rank"});
        if (k && c.at(k).is_string()) {
            if (c.at(k).get<std::string>() != "auto")
                r.fail("invalid_model", k, std::string(k) + " must be an integer or \"auto\", got " + c.at(k).dump());
            s.dt_rank = (a.n_embd + 15) / 16;
        } else if (k) {
            s.dt_rank = r.u32_of(r.integer(k, 0), k);
        } else {
            s.dt_rank = (a.n_embd + 15) / 16;
            a.notes.push_back("no mamba_dt_rank: ceil(hidden_size/16) assumed");
        }
    };

    if (f == "qwen3_next") {
        LinearAttentionParams& la = a.linear;
        la.n_head_k = r.u32_of(r.required({"linear_num_key_heads"}), "linear_num_key_heads");
        la.n_head_v = r.u32_of(r.required({"linear_num_value_heads"}), "linear_num_value_heads");
        la.head_dim_k = r.u32_of(r.required({"linear_key_head_dim"}), "linear_key_head_dim");
        la.head_dim_v = r.u32_of(r.required({"linear_value_head_dim"}), "linear_value_head_dim");
        la.d_conv = r.u32_of(r.integer("linear_conv_kernel_dim", 4), "linear_conv_kernel_dim");
        at.output_gate = true;
        std::vector<bool> full(n, false);
        if (layer_types) {
            full = bool_list_from_layer_types(*layer_types, "full");
        } else {
            const u64 interval = r.integer("full_attention_interval", 4);
            for (u32 i = 0; i < n; ++i) full[i] = interval > 0 && ((i + 1) % interval) == 0;
        }
        for (u32 i = 0; i < n; ++i) {
            if (!full[i]) {
                L[i].attention = AttentionKind::none;
                L[i].recurrent = RecurrentKind::gated_deltanet;
            }
        }
    } else if (f == "kimi_linear") {
        const json* lac = r.object("linear_attn_config");
        if (!lac) return make_error("missing_field", r.field("linear_attn_config"), "config has no linear_attn_config");
        Reader lr(*lac, r.field("linear_attn_config"));
        LinearAttentionParams& la = a.linear;
        la.n_head_k = la.n_head_v = lr.u32_of(lr.required({"num_heads"}), "num_heads");
        la.head_dim_k = la.head_dim_v = lr.u32_of(lr.required({"head_dim"}), "head_dim");
        la.d_conv = lr.u32_of(lr.integer("short_conv_kernel_size", 4), "short_conv_kernel_size");
        const json* full = lr.array("full_attn_layers");
        if (!full) lr.fail("missing_field", "full_attn_layers", "linear_attn_config has no full_attn_layers");
        if (lr.failed()) return lr.error();
        for (auto& l : L) {
            l.attention = AttentionKind::none;
            l.recurrent = RecurrentKind::kda;
        }
        for (const json& x : *full) {
            // 1-indexed layer numbers (Kimi Linear's convention).
            if (!x.is_number_integer() || x.get<std::int64_t>() < 1 || x.get<std::int64_t>() > std::int64_t(n))
                return make_error("invalid_model", lr.field("full_attn_layers"),
                                  "full_attn_layers entry " + x.dump() + " is not a layer number 1.." + std::to_string(n));
            auto& l = L[static_cast<std::size_t>(x.get<std::int64_t>() - 1)];
            l.attention = AttentionKind::mla;
            l.recurrent = RecurrentKind::none;
        }
        a.notes.push_back("linear_attn_config.full_attn_layers are 1-indexed: those are MLA layers, the others KDA");
    } else if (f == "granitemoehybrid") {
        read_mamba2();
        if (!layer_types) return make_error("missing_field", r.field("layer_types"), "config has no layer_types");
        for (u32 i = 0; i < n; ++i) {
            const json& t = (*layer_types)[i];
            if (t.is_string() && t.get<std::string>() == "mamba") {
                L[i].attention = AttentionKind::none;
                L[i].recurrent = RecurrentKind::mamba2;
            }
        }
    } else if (f == "nemotron_h") {
        read_mamba2();
        const std::string pat = r.text("hybrid_override_pattern");
        if (pat.empty())
            return make_error("missing_field", r.field("hybrid_override_pattern"), "config has no hybrid_override_pattern");
        if (pat.size() != n)
            return make_error("invalid_model", r.field("hybrid_override_pattern"),
                              "hybrid_override_pattern has " + std::to_string(pat.size()) +
                                  " characters but num_hidden_layers is " + std::to_string(n));
        for (u32 i = 0; i < n; ++i) {
            LayerSpec& l = L[i];
            switch (pat[i]) {
            case 'M': l = {AttentionKind::none, RecurrentKind::mamba2, FfnKind::none}; break;
            case '*': l = {AttentionKind::full, RecurrentKind::none, FfnKind::none}; break;
            case '-': l = {AttentionKind::none, RecurrentKind::none, FfnKind::dense}; break;
            case 'E': l = {AttentionKind::none, RecurrentKind::none, FfnKind::moe}; break;
            default:
                return make_error("invalid_model", r.field("hybrid_override_pattern"),
                                  std::string("hybrid_override_pattern has an unknown layer code '") + pat[i] + "'");
            }
        }
    } else if (f == "falcon_h1") {
        read_mamba2();
        for (auto& l : L) l.recurrent = RecurrentKind::mamba2;  // attention and Mamba-2 side by side
        a.notes.push_back("falcon_h1: every layer has attention and Mamba-2 in parallel");
    } else if (f == "jamba") {
        read_mamba1();
        a.ssm.dt_bc_norms = true;
        const u64 period = r.integer("attn_layer_period", 8), offset = r.integer("attn_layer_offset", 4);
        for (u32 i = 0; i < n; ++i) {
            if (period == 0 || i % period != offset) {
                L[i].attention = AttentionKind::none;
                L[i].recurrent = RecurrentKind::mamba1;
            }
        }
    } else if (f == "mamba" || f == "mamba2") {
        if (f == "mamba") read_mamba1();
        else read_mamba2();
        for (auto& l : L) l = {AttentionKind::none, f == "mamba" ? RecurrentKind::mamba1 : RecurrentKind::mamba2, FfnKind::none};
        a.norms_per_layer = 1;
    }
    if (r.failed()) return r.error();

    // ---- MoE --------------------------------------------------------------------------------------
    MoeParams& m = a.moe;
    const bool expert_is_intermediate = in(f, {"mixtral", "gpt_oss", "phimoe", "olmoe", "minimax_m2", "granitemoehybrid",
                                              "granitemoe", "jamba", "llama4"});
    m.n_expert = r.u32_of(r.integer_any({"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"}, 0),
                          "num_experts");
    if (m.n_expert > 1) {
        m.n_expert_used = r.u32_of(r.integer_any({"num_experts_per_tok", "experts_per_token", "num_experts_per_token",
                                                  "moe_k", "moe_topk", "top_k"}, 0), "num_experts_per_tok");
        if (m.n_expert_used == 0)
            return make_error("missing_field", r.field("num_experts_per_tok"), "MoE config has no num_experts_per_tok");
        if (m.n_expert_used > m.n_expert)
            return make_error("invalid_model", r.field("num_experts_per_tok"),
                              "num_experts_per_tok is " + std::to_string(m.n_expert_used) + "; a token cannot use more than the " +
                                  std::to_string(m.n_expert) + " experts the model has");
        u64 ff_e = expert_is_intermediate ? r.integer("intermediate_size", 0) : r.integer("moe_intermediate_size", 0);
        if (ff_e == 0) ff_e = r.integer_any({"moe_intermediate_size", "intermediate_size"}, 0);
        if (ff_e == 0) return make_error("missing_field", r.field("moe_intermediate_size"), "MoE config has no moe_intermediate_size");
        m.n_ff_expert = r.u32_of(ff_e, "moe_intermediate_size");

        u64 n_shared = r.integer_any({"n_shared_experts", "num_shared_experts", "moe_num_shared_experts", "num_shared_expert"}, 0);
        u64 ff_shared = 0;
        if (r.has("shared_expert_intermediate_size")) {
            ff_shared = r.integer("shared_expert_intermediate_size", 0);
            if (n_shared == 0 && ff_shared > 0) n_shared = 1;
        } else if (r.has("moe_shared_expert_intermediate_size")) {
            ff_shared = r.integer("moe_shared_expert_intermediate_size", 0);
            if (n_shared == 0 && ff_shared > 0) n_shared = 1;
        } else if (f == "granitemoehybrid" || f == "granitemoe") {
            ff_shared = r.integer("shared_intermediate_size", 0);
            n_shared = ff_shared > 0 ? 1 : 0;
        } else if (f == "llama4") {
            n_shared = 1;
            ff_shared = m.n_ff_expert;
            a.notes.push_back("llama4: one shared expert of the routed-expert width");
        } else if (in(f, {"hunyuan_v1_moe"})) {
            ff_shared = n_shared * r.integer("intermediate_size", 0);
        } else {
            ff_shared = n_shared * m.n_ff_expert;
        }
        m.n_shared_expert = r.u32_of(n_shared, "n_shared_experts");
        m.n_ff_shared = r.u32_of(ff_shared, "shared_expert_intermediate_size");
        m.shared_gate = in(f, {"qwen2_moe", "qwen3_next"}) && m.n_ff_shared > 0;
        if (f == "gpt_oss") m.expert_bias = m.router_bias = true;
        if (in(f, {"glm4_moe", "dots1", "minimax_m2", "kimi_linear", "ernie4_5_moe"})) m.router_bias = true;
        if (f == "deepseek_v3") m.router_bias = r.text("topk_method").empty() || r.text("topk_method") == "noaux_tc";
        if (f == "bailing_moe") m.router_bias = r.flag("moe_router_enable_expert_bias", true);
        if (f == "nemotron_h") m.router_bias = true;

        // Which layers are MoE.
        std::vector<bool> moe(n, true);
        if (f == "nemotron_h") {
            for (u32 i = 0; i < n; ++i) moe[i] = L[i].ffn == FfnKind::moe;
        } else if (r.has("first_k_dense_replace") || r.has("moe_layer_freq")) {
            const u64 k = r.integer("first_k_dense_replace", 0);
            u64 freq = 1;
            if (r.has("moe_layer_freq") && c.at("moe_layer_freq").is_number()) freq = r.integer("moe_layer_freq", 1);
            for (u32 i = 0; i < n; ++i) moe[i] = i >= k && (freq <= 1 || i % freq == 0);
        } else if (r.has("decoder_sparse_step") || r.has("mlp_only_layers")) {
            const u64 step = r.integer("decoder_sparse_step", 1);
            std::set<u64> only;
            if (const json* mo = r.array("mlp_only_layers"))
                for (const json& x : *mo)
                    if (x.is_number_integer()) only.insert(static_cast<u64>(x.get<std::int64_t>()));
            for (u32 i = 0; i < n; ++i) moe[i] = !only.count(i) && step > 0 && ((i + 1) % step) == 0;
        } else if (r.has("interleave_moe_layer_step")) {
            const u64 step = r.integer("interleave_moe_layer_step", 1);
            for (u32 i = 0; i < n; ++i) moe[i] = step > 0 && ((i + 1) % step) == 0;
        } else if (r.has("expert_layer_period")) {
            const u64 period = r.integer("expert_layer_period", 1), offset = r.integer("expert_layer_offset", 0);
            for (u32 i = 0; i < n; ++i) moe[i] = period > 0 && i % period == offset;
        } else if (r.has("moe_layer_start_index")) {
            const u64 start = r.integer("moe_layer_start_index", 0);
            const u64 interval = r.integer("moe_layer_interval", 1);
            const u64 end = r.integer("moe_layer_end_index", n - 1);
            for (u32 i = 0; i < n; ++i) moe[i] = i >= start && i <= end && interval > 0 && ((i + 1) % interval) == 0;
        }
        bool any_dense = false;
        for (u32 i = 0; i < n; ++i) {
            if (L[i].ffn == FfnKind::none) continue;
            L[i].ffn = moe[i] ? FfnKind::moe : FfnKind::dense;
            any_dense |= !moe[i];
        }
        if (any_dense && a.n_ff == 0)
            return make_error("missing_field", r.field("intermediate_size"), "dense layers need intermediate_size");
    } else if (m.n_expert == 1) {
        m.n_expert = 0;  // a single "expert" is a dense FFN
    }
    if (r.failed()) return r.error();
    std::string where = r.field("");
    if (!where.empty() && where.back() == '.') where.pop_back();
    if (auto ok = check_architecture_limits(a, where); !ok) return ok.error();

    return a;
}

}  // namespace headroom
