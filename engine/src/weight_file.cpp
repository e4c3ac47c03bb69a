// A model file's own tensor table -> inventory + exact storage. GGUF names
// follow llama.cpp src/llama-arch.cpp (LLM_TENSOR_NAMES); Hugging Face names
// follow the transformers modeling files (model.layers.N.self_attn.q_proj, ...).
#include "weight_file.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <set>

#include "safetensors.hpp"

namespace headroom {
namespace {

using nlohmann::json;
using u64 = std::uint64_t;

constexpr u64 kMaxNameBytes = 1u << 16;  // as the GGUF reader's key limit
constexpr std::size_t kMaxQuantNameBytes = 32;
constexpr u64 kMaxElements = static_cast<u64>(std::numeric_limits<std::int64_t>::max());
constexpr std::uint32_t kGgufMaxDimsInRequest = 4;  // GGML_MAX_DIMS
constexpr std::uint32_t kSafetensorsMaxDimsInRequest = kSafetensorsMaxDims;

bool starts_with(const std::string& s, const char* p) {
    return s.rfind(p, 0) == 0;
}
bool ends_with(const std::string& s, const std::string& x) {
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}
bool has(const std::string& s, const char* x) {
    return s.find(x) != std::string::npos;
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// Parses "<digits>." at `pos`; returns the number and moves pos past the dot.
bool read_index(const std::string& s, std::size_t& pos, std::int32_t& out) {
    std::size_t i = pos;
    long long v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && v < 100000000) v = v * 10 + (s[i++] - '0');
    if (i == pos || i >= s.size() || s[i] != '.') return false;
    out = static_cast<std::int32_t>(v);
    pos = i + 1;
    return true;
}

TensorRole role_of_gguf_base(const std::string& base, std::uint32_t n_dims) {
    static const std::map<std::string, TensorRole> table = {
        {"token_embd", TensorRole::token_embd},
        {"output", TensorRole::output},
        {"attn_q", TensorRole::attn_q},
        {"attn_k", TensorRole::attn_k},
        {"attn_v", TensorRole::attn_v},
        {"attn_qkv", TensorRole::attn_qkv},
        {"attn_gate", TensorRole::attn_qkv},  // Qwen3-Next: in_proj_qkvz's z part (src/models/qwen3next.cpp)
        {"attn_output", TensorRole::attn_output},
        {"attn_q_a", TensorRole::attn_q_a},
        {"attn_q_b", TensorRole::attn_q_b},
        {"attn_kv_a_mqa", TensorRole::attn_kv_a_mqa},
        {"attn_k_b", TensorRole::attn_k_b},
        {"attn_v_b", TensorRole::attn_v_b},
        {"attn_kv_b", TensorRole::attn_v_b},  // legacy MLA files (before llama.cpp PR #12801)
        {"attn_sinks", TensorRole::attn_sinks},
        {"ffn_gate", TensorRole::ffn_gate},
        {"ffn_up", TensorRole::ffn_up},
        {"ffn_down", TensorRole::ffn_down},
        {"ffn_gate_inp", TensorRole::ffn_gate_inp},
        {"ffn_gate_exps", TensorRole::ffn_gate_exps},
        {"ffn_up_exps", TensorRole::ffn_up_exps},
        {"ffn_down_exps", TensorRole::ffn_down_exps},
        {"ffn_gate_up_exps", TensorRole::ffn_up_exps},
        {"ffn_gate_shexp", TensorRole::ffn_gate_shexp},
        {"ffn_up_shexp", TensorRole::ffn_up_shexp},
        {"ffn_down_shexp", TensorRole::ffn_down_shexp},
        {"ffn_gate_inp_shexp", TensorRole::ffn_gate_inp_shexp},
        {"ssm_in", TensorRole::ssm_in},
        {"ssm_x", TensorRole::ssm_x},
        {"ssm_out", TensorRole::ssm_out},
        {"ssm_a", TensorRole::ssm_small},
        {"ssm_d", TensorRole::ssm_small},
        {"exp_probs_b", TensorRole::bias},
    };
    auto it = table.find(base);
    if (it != table.end()) return it->second;
    if (starts_with(base, "ssm_conv1d")) return TensorRole::ssm_conv1d;
    if (base == "ssm_dt") return n_dims >= 2 ? TensorRole::ssm_dt : TensorRole::ssm_small;
    if (has(base, "norm")) return TensorRole::norm;
    if (starts_with(base, "ssm_")) return n_dims >= 2 ? TensorRole::ssm_proj : TensorRole::ssm_small;
    return n_dims >= 2 ? TensorRole::bias : TensorRole::norm;  // anything else counts under "other"
}

bool is_projection(TensorRole r) {
    switch (r) {
        case TensorRole::token_embd:
        case TensorRole::output:
        case TensorRole::norm:
        case TensorRole::bias:
        case TensorRole::ssm_small:
        case TensorRole::attn_sinks:
            return false;
        default:
            return true;
    }
}

// Nearest ftype for a quant the engine has no rules for (speed factors key on it).
GgufFtype ftype_for_dominant(GgmlType t) {
    switch (t) {
        case GgmlType::Q2_K:
            return GgufFtype::Q2_K;
        case GgmlType::Q3_K:
            return GgufFtype::Q3_K_M;
        case GgmlType::Q4_K:
            return GgufFtype::Q4_K_M;
        case GgmlType::Q5_K:
        case GgmlType::Q5_0:
        case GgmlType::Q5_1:
            return GgufFtype::Q5_K_M;
        case GgmlType::Q6_K:
            return GgufFtype::Q6_K;
        case GgmlType::Q8_0:
            return GgufFtype::Q8_0;
        case GgmlType::Q4_0:
        case GgmlType::Q4_1:
            return GgufFtype::Q4_0;
        case GgmlType::IQ4_NL:
            return GgufFtype::IQ4_NL;
        case GgmlType::IQ4_XS:
            return GgufFtype::IQ4_XS;
        case GgmlType::IQ3_S:
            return GgufFtype::IQ3_M;
        case GgmlType::IQ3_XXS:
            return GgufFtype::IQ3_XXS;
        case GgmlType::IQ2_S:
            return GgufFtype::IQ2_M;
        case GgmlType::IQ2_XS:
            return GgufFtype::IQ2_XS;
        case GgmlType::IQ2_XXS:
        case GgmlType::IQ1_S:
        case GgmlType::IQ1_M:
        case GgmlType::TQ1_0:
        case GgmlType::TQ2_0:
            return GgufFtype::IQ2_XXS;
        case GgmlType::MXFP4:
        case GgmlType::NVFP4:
            return GgufFtype::MXFP4_MOE;
        case GgmlType::BF16:
            return GgufFtype::BF16;
        case GgmlType::F16:
        case GgmlType::F32:
            return GgufFtype::F16;
    }
    return GgufFtype::Q4_K_M;
}

// GGML analogue of a safetensors dtype (speed factors and display only).
GgmlType analogue_of_dtype(const std::string& d) {
    if (d == "BF16") return GgmlType::BF16;
    if (d == "F16") return GgmlType::F16;
    if (d == "F32" || d == "F64" || d == "C64") return GgmlType::F32;
    if (d == "F4") return GgmlType::MXFP4;
    if (d == "I32" || d == "U32" || d == "I64" || d == "U64") return GgmlType::Q4_1;  // packed int4 (AWQ/GPTQ qweight)
    return GgmlType::Q8_0;                                                            // 8-bit and 6-bit types
}

Error row_error(const std::string& field, std::size_t i, const std::string& message) {
    return make_error("invalid_weights", field + ".tensors[" + std::to_string(i) + "]", message);
}

bool read_u64(const json& v, u64& out) {
    if (v.is_number_unsigned()) {
        out = v.get<u64>();
        return true;
    }
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
        out = static_cast<u64>(v.get<std::int64_t>());
        return true;
    }
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (d >= 0 && d < 9.2e18 && static_cast<double>(static_cast<u64>(d)) == d) {
            out = static_cast<u64>(d);
            return true;
        }
    }
    return false;
}

}  // namespace

bool ggml_type_from_name(const std::string& name, GgmlType& out) {
    const std::string u = upper(name);
    for (std::uint32_t i = 0; i <= static_cast<std::uint32_t>(GgmlType::NVFP4); ++i) {
        const auto t = static_cast<GgmlType>(i);
        if (u == ggml_type_info(t).name) {
            out = t;
            return true;
        }
    }
    return false;
}

TensorRole role_from_gguf_name(const std::string& name, std::uint32_t n_dims, std::int32_t& layer) {
    layer = -1;
    std::string rest = name;
    if (starts_with(name, "blk.")) {
        std::size_t pos = 4;
        if (read_index(name, pos, layer))
            rest = name.substr(pos);
        else
            layer = -1;
    }
    bool bias = false;
    if (ends_with(rest, ".weight"))
        rest.resize(rest.size() - 7);
    else if (ends_with(rest, ".bias")) {
        rest.resize(rest.size() - 5);
        bias = true;
    }
    // Legacy per-expert tensors: ffn_gate.E / ffn_up.E / ffn_down.E (routed).
    const auto dot = rest.find('.');
    if (dot != std::string::npos && layer >= 0) {
        const std::string base = rest.substr(0, dot);
        if (base == "ffn_gate") return TensorRole::ffn_gate_exps;
        if (base == "ffn_up") return TensorRole::ffn_up_exps;
        if (base == "ffn_down") return TensorRole::ffn_down_exps;
        rest = base;
    }
    const TensorRole r = role_of_gguf_base(rest, n_dims);
    if (bias && is_projection(r)) return TensorRole::bias;
    return r;
}

TensorRole role_from_hf_name(const std::string& name, std::uint32_t n_dims, std::int32_t& layer) {
    layer = -1;
    for (const char* marker : {".layers.", ".h.", ".blocks.", ".block.", ".layer."}) {
        const std::size_t at = name.find(marker);
        if (at == std::string::npos) continue;
        std::size_t pos = at + std::string(marker).size();
        std::int32_t l = -1;
        if (read_index(name, pos, l)) {
            layer = l;
            break;
        }
    }
    if (starts_with(name, "layers.")) {
        std::size_t pos = 7;
        std::int32_t l = -1;
        if (read_index(name, pos, l)) layer = l;
    }
    const bool bias = ends_with(name, ".bias");
    const bool two_d = n_dims >= 2;
    if (layer < 0) {
        if (has(name, "embed_tokens") || has(name, "wte.") || has(name, "word_embeddings") ||
            has(name, "tok_embeddings") || ends_with(name, "embeddings.weight"))
            return TensorRole::token_embd;
        if (starts_with(name, "lm_head") || has(name, ".lm_head") || has(name, "embed_out") || name == "output.weight")
            return TensorRole::output;
        return two_d ? TensorRole::bias : TensorRole::norm;
    }
    auto proj = [&](std::initializer_list<const char*> keys) {
        for (const char* k : keys)
            if (has(name, k)) return true;
        return false;
    };
    if (has(name, ".experts.") || ends_with(name, ".experts") || has(name, ".experts_")) {
        if (has(name, "e_score_correction") || !two_d) return TensorRole::bias;
        if (proj({"gate_up", "w13"})) return TensorRole::ffn_up_exps;
        if (proj({"gate_proj", ".w1.", ".w1_", "gate."})) return TensorRole::ffn_gate_exps;
        if (proj({"down_proj", ".w2.", ".w2_", "down"})) return TensorRole::ffn_down_exps;
        return TensorRole::ffn_up_exps;
    }
    if (proj({"shared_expert_gate"})) return TensorRole::ffn_gate_inp_shexp;
    if (proj({"shared_expert.", "shared_experts.", "shared_mlp."})) {
        if (!two_d) return TensorRole::bias;
        if (proj({"gate_proj", ".w1."})) return TensorRole::ffn_gate_shexp;
        if (proj({"down_proj", ".w2."})) return TensorRole::ffn_down_shexp;
        return TensorRole::ffn_up_shexp;
    }
    if (has(name, "norm") || has(name, "layernorm") || has(name, ".ln_")) return TensorRole::norm;
    if (proj({"e_score_correction", "expert_bias"})) return TensorRole::bias;
    if (proj({".mlp.gate.weight", "block_sparse_moe.gate.", ".router.", ".gate.weight"}))
        return two_d ? TensorRole::ffn_gate_inp : TensorRole::bias;
    if (bias && !two_d) return TensorRole::bias;
    if (proj({"sinks"})) return TensorRole::attn_sinks;
    if (proj({"q_a_proj"})) return TensorRole::attn_q_a;
    if (proj({"q_b_proj"})) return TensorRole::attn_q_b;
    if (proj({"kv_a_proj"})) return TensorRole::attn_kv_a_mqa;
    if (proj({"kv_b_proj"})) return TensorRole::attn_v_b;
    if (proj({"qkv_proj", "query_key_value", "Wqkv", "c_attn"})) return TensorRole::attn_qkv;
    // Recurrent / linear-attention mixers (Mamba, Gated DeltaNet, KDA).
    const bool mixer =
        proj({".mamba.", ".mixer.", ".linear_attn.", ".ssm.", ".self_attn.f_", ".self_attn.g_", ".self_attn.b_proj"});
    if (mixer || proj({"A_log", ".D", "dt_bias", "conv1d", "dt_proj", "x_proj", "in_proj"})) {
        if (proj({"conv1d", "conv."})) return TensorRole::ssm_conv1d;
        if (!two_d) return TensorRole::ssm_small;
        if (proj({"in_proj"})) return TensorRole::ssm_in;
        if (proj({"x_proj"})) return TensorRole::ssm_x;
        if (proj({"dt_proj"})) return TensorRole::ssm_dt;
        if (proj({"out_proj", "o_proj"}))
            return has(name, ".self_attn.") ? TensorRole::attn_output : TensorRole::ssm_out;
        if (!proj({"q_proj", "k_proj", "v_proj"})) return TensorRole::ssm_proj;
    }
    if (proj({"q_proj", ".query."})) return TensorRole::attn_q;
    if (proj({"k_proj", ".key."})) return TensorRole::attn_k;
    if (proj({"v_proj", ".value."})) return TensorRole::attn_v;
    if (proj({"o_proj", "self_attn.out_proj", "attention.dense", "attn.c_proj", "attention.wo", "self_attn.dense"}))
        return TensorRole::attn_output;
    if (proj({"gate_up_proj"})) return TensorRole::ffn_up;
    if (proj({"gate_proj", ".w1.", "fc1"})) return TensorRole::ffn_gate;
    if (proj({"up_proj", ".w3.", "c_fc", "fc_in", "dense_h_to_4h"})) return TensorRole::ffn_up;
    if (proj({"down_proj", ".w2.", "fc2", "fc_out", "mlp.c_proj", "dense_4h_to_h"})) return TensorRole::ffn_down;
    return two_d ? TensorRole::bias : TensorRole::norm;
}

Result<std::shared_ptr<const WeightFile>> weight_file_from_json(const nlohmann::json& w, const ModelArch& arch,
                                                                const std::string& field) {
    if (!w.is_object()) return make_error("invalid_type", field, field + " must be an object {format, tensors}");
    auto wf = std::make_shared<WeightFile>();
    if (!w.contains("format") || !w["format"].is_string()) {
        return make_error("missing_field", field + ".format", field + ".format must be \"gguf\" or \"safetensors\"");
    }
    wf->format = w["format"].get<std::string>();
    const bool gguf = wf->format == "gguf";
    if (!gguf && wf->format != "safetensors") {
        return make_error(
            "invalid_value", field + ".format",
            field + ".format must be \"gguf\" or \"safetensors\", got '" + wf->format.substr(0, 40) + "'");
    }
    if (!w.contains("tensors") || !w["tensors"].is_array() || w["tensors"].empty()) {
        return make_error("missing_field", field + ".tensors",
                          field + ".tensors must be a non-empty array of [name, type, shape]");
    }
    const json& rows = w["tensors"];
    if (rows.size() > kWeightFileMaxTensors) {
        return make_error("out_of_range", field + ".tensors",
                          field + ".tensors has " + std::to_string(rows.size()) + " rows; the limit is " +
                              std::to_string(kWeightFileMaxTensors));
    }
    auto read_count = [&](const char* key, u64 lo, u64 hi, u64 def, u64& out) -> Result<bool> {
        out = def;
        if (!w.contains(key) || w[key].is_null()) return true;
        if (!read_u64(w[key], out) || out < lo || out > hi) {
            return make_error(
                "invalid_number", field + "." + key,
                field + "." + key + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
        }
        return true;
    };
    u64 parts = 1, parts_total = 1, tensors_total = 0, file_bytes = 0;
    if (auto r = read_count("parts", 1, 65535, 1, parts); !r) return r.error();
    if (auto r = read_count("parts_total", 1, 65535, parts, parts_total); !r) return r.error();
    if (auto r = read_count("tensors_total", 0, kWeightFileMaxTensors, 0, tensors_total); !r) return r.error();
    if (auto r = read_count("file_bytes", 0, u64(1) << 62, 0, file_bytes); !r) return r.error();
    if (parts > parts_total) {
        return make_error(
            "invalid_number", field + ".parts",
            field + ".parts " + std::to_string(parts) + " is more than parts_total " + std::to_string(parts_total));
    }
    wf->parts = static_cast<std::uint32_t>(parts);
    wf->parts_total = static_cast<std::uint32_t>(parts_total);

    TensorInventory inv;
    std::vector<TensorStorage> storage;
    std::set<std::string> names;
    std::map<std::string, double> bytes_by_type;  // 2-D+ weights, for the dominant type
    bool packed_ints = false, any_gidx = false, any_qzeros = false;
    const std::uint32_t max_dims = gguf ? kGgufMaxDimsInRequest : kSafetensorsMaxDimsInRequest;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const json& row = rows[i];
        if (!row.is_array() || row.size() != 3 || !row[0].is_string() || !row[1].is_string() || !row[2].is_array()) {
            return row_error(field, i, "each tensor row must be [name, type, shape]");
        }
        const std::string& name = row[0].get_ref<const std::string&>();
        if (name.empty() || name.size() > kMaxNameBytes)
            return row_error(field, i, "tensor name must be 1 to 65536 bytes");
        if (!names.insert(name).second)
            return row_error(field, i, "tensor '" + name.substr(0, 200) + "' is listed twice");
        const std::string& type = row[1].get_ref<const std::string&>();
        const json& shape = row[2];
        if (shape.empty() || shape.size() > max_dims) {
            return row_error(field, i,
                             "tensor '" + name.substr(0, 200) + "' has " + std::to_string(shape.size()) +
                                 " dimensions (1 to " + std::to_string(max_dims) + " allowed)");
        }
        std::vector<u64> dims;
        u64 elements = 1;
        for (const json& d : shape) {
            u64 v = 0;
            if (!read_u64(d, v) || v == 0)
                return row_error(
                    field, i,
                    "tensor '" + name.substr(0, 200) + "' has a dimension that is not a positive whole number");
            if (v > kMaxElements / elements)
                return row_error(field, i,
                                 "tensor '" + name.substr(0, 200) + "' has more elements than ggml can address");
            elements *= v;
            dims.push_back(v);
        }
        Tensor t;
        t.name = name;
        t.n_dims = static_cast<std::uint32_t>(dims.size());
        // ne[0] is the row length: GGUF lists ne first-to-last, safetensors the PyTorch shape outermost first.
        if (!gguf) std::reverse(dims.begin(), dims.end());
        t.ne = {dims[0], dims.size() > 1 ? dims[1] : 1, 1};
        for (std::size_t d = 2; d < dims.size(); ++d) t.ne[2] *= dims[d];
        t.role = gguf ? role_from_gguf_name(name, t.n_dims, t.layer) : role_from_hf_name(name, t.n_dims, t.layer);

        TensorStorage s;
        if (gguf) {
            GgmlType gt;
            if (!ggml_type_from_name(type, gt))
                return row_error(
                    field, i,
                    "tensor '" + name.substr(0, 200) + "' has unknown ggml type '" + type.substr(0, 32) + "'");
            const GgmlTypeInfo& info = ggml_type_info(gt);
            if (t.ne[0] % info.block_size != 0) {
                return row_error(field, i,
                                 "tensor '" + name.substr(0, 200) + "' has rows of " + std::to_string(t.ne[0]) +
                                     " elements, not a multiple of " + info.name + "'s block of " +
                                     std::to_string(info.block_size));
            }
            s.ggml_type = gt;
            s.type_name = info.name;
            s.bytes = double(elements / info.block_size) * double(info.type_size);
        } else {
            const SafetensorsDtype* dt = safetensors_dtype(type);
            if (!dt)
                return row_error(field, i,
                                 "tensor '" + name.substr(0, 200) + "' has unknown dtype '" + type.substr(0, 32) + "'");
            s.ggml_type = analogue_of_dtype(type);
            s.type_name = dt->name;
            // ceil(elements × bits / 8) without overflow: whole bytes plus the remainder's bits.
            s.bytes = double(elements / 8) * double(dt->bits) + double(((elements % 8) * dt->bits + 7) / 8);
            if (!dt->floating && t.n_dims >= 2) packed_ints = true;
            any_gidx |= ends_with(name, ".g_idx");
            any_qzeros |= ends_with(name, ".qzeros");
        }
        if (t.layer >= 0 && static_cast<std::uint32_t>(t.layer) >= arch.n_layer) {
            if (arch.n_mtp_layers > 0) {
                ++wf->tensors_skipped;
                continue;
            }
            return row_error(field, i,
                             "tensor '" + name.substr(0, 200) + "' belongs to layer " + std::to_string(t.layer) +
                                 " but the model has " + std::to_string(arch.n_layer) + " layers");
        }
        if (t.n_dims >= 2 && t.role != TensorRole::token_embd) bytes_by_type[s.type_name] += s.bytes;
        inv.tensors.push_back(std::move(t));
        storage.push_back(std::move(s));
    }
    wf->tensors_exact = inv.tensors.size();

    // The file's quant: given, or the type holding most of the weight bytes.
    std::string dominant;
    double most = -1.0;
    for (const auto& [type, b] : bytes_by_type)
        if (b > most) most = b, dominant = type;
    if (w.contains("quant") && !w["quant"].is_null()) {
        if (!w["quant"].is_string() || w["quant"].get<std::string>().empty() ||
            w["quant"].get<std::string>().size() > kMaxQuantNameBytes) {
            return make_error("invalid_value", field + ".quant",
                              field + ".quant must be a quant name such as Q4_K_M or BF16");
        }
        wf->quant = w["quant"].get<std::string>();
    } else if (gguf) {
        wf->quant = dominant.empty() ? "F32" : dominant;
    } else if (packed_ints) {
        wf->quant = any_gidx ? "GPTQ-INT4" : "AWQ-INT4";
        wf->notes.push_back(std::string("packed integer weights read as ") + wf->quant +
                            (any_qzeros ? " (qweight/qzeros/scales)" : ""));
    } else {
        wf->quant = dominant == "F8_E4M3" || dominant == "F8_E5M2" ? "FP8" : (dominant.empty() ? "BF16" : dominant);
    }
    auto parsed = parse_weight_format(wf->quant);
    if (parsed && upper(parsed->name) == upper(wf->quant)) {
        wf->weight_format = *parsed;
        wf->quant = parsed->name;
    } else {
        WeightFormat f;
        f.name = wf->quant;
        GgmlType dt = GgmlType::F16;
        if (gguf && !ggml_type_from_name(dominant, dt)) dt = GgmlType::Q4_K;
        if (!gguf) dt = analogue_of_dtype(dominant);
        f.family = gguf || dt == GgmlType::F16 || dt == GgmlType::BF16 ? FormatFamily::gguf : FormatFamily::float16;
        if (!gguf && dt == GgmlType::F32) f.family = FormatFamily::float16;
        f.ftype = ftype_for_dominant(dt);
        const GgmlTypeInfo& info = ggml_type_info(dt);
        f.bits = 8.0 * info.type_size / info.block_size;
        wf->weight_format = f;
        wf->notes.push_back("quant " + wf->quant + " has no per-tensor rules in Headroom; speed factors of " +
                            ggml_type_info(dt).name + " apply");
    }

    // Split files with parts missing: the absent tensors are predicted for the file's quant.
    const bool missing =
        parts < parts_total || (tensors_total > 0 && tensors_total > inv.tensors.size() + wf->tensors_skipped);
    if (missing) {
        wf->complete = false;
        const TensorInventory predicted = build_tensor_inventory(arch);
        const std::vector<TensorStorage> pred_storage = assign_tensor_storage(arch, predicted, wf->weight_format);
        // GGUF parts share the predicted names; Hugging Face names are matched by layer and role.
        std::set<std::pair<std::int32_t, TensorRole>> covered;
        for (const Tensor& t : inv.tensors) covered.insert({t.layer, t.role});
        for (std::size_t i = 0; i < predicted.tensors.size() && i < pred_storage.size(); ++i) {
            const Tensor& p = predicted.tensors[i];
            if (gguf ? names.count(p.name) > 0 : covered.count({p.layer, p.role}) > 0) continue;
            inv.tensors.push_back(predicted.tensors[i]);
            storage.push_back(pred_storage[i]);
            ++wf->tensors_predicted;
        }
        wf->notes.push_back(std::string(gguf ? "split GGUF" : "sharded checkpoint") + ": " + std::to_string(parts) +
                            " of " + std::to_string(parts_total) + " parts given; " +
                            std::to_string(wf->tensors_exact) + " tensors exact, " +
                            std::to_string(wf->tensors_predicted) + " predicted for " + wf->quant);
    }
    if (wf->tensors_skipped > 0) {
        wf->notes.push_back(std::to_string(wf->tensors_skipped) +
                            " tensors of next-token-prediction layers are in the file but not loaded, so not counted");
    }

    // Packed integer checkpoints (AutoAWQ GEMM / GPTQ): a `.qweight` int32 holds 32 / bits weights, packed
    // along the output features for AWQ ([in, out / pack]) and along the input features for GPTQ
    // ([in / pack, out]); `.qzeros`, `.scales` and `.g_idx` are quantization data, not parameters. The
    // tensor's shape becomes the unpacked one; its bytes stay those of the file.
    if (packed_ints) {
        const u64 bits = has(upper(wf->quant), "INT8") ? 8 : has(upper(wf->quant), "INT2") ? 2 : 4;
        const u64 pack = 32 / bits;
        const bool gptq_layout = any_gidx || starts_with(upper(wf->quant), "GPTQ");
        std::size_t unpacked = 0;
        for (std::size_t i = 0; i < wf->tensors_exact && i < inv.tensors.size(); ++i) {
            Tensor& t = inv.tensors[i];
            if (ends_with(t.name, ".qweight") && (storage[i].type_name == "I32" || storage[i].type_name == "U32")) {
                u64& d = gptq_layout ? t.ne[1] : t.ne[0];
                if (d <= kMaxElements / pack / std::max<u64>(1, t.ne[gptq_layout ? 0 : 1] * t.ne[2])) d *= pack;
                ++unpacked;
            }
        }
        wf->notes.push_back("parameters counted from the unpacked shapes of " + std::to_string(unpacked) + " " +
                            std::to_string(bits) + "-bit packed tensors (" + std::to_string(pack) +
                            " weights per int32; qzeros, scales and g_idx are not parameters)");
    }
    auto is_quant_data = [&](const Tensor& t) {
        return packed_ints &&
               (ends_with(t.name, ".qzeros") || ends_with(t.name, ".scales") || ends_with(t.name, ".g_idx"));
    };

    // Parameters: every element (packed weights unpacked above, quantization data left out).
    const double unused = 1.0 - routed_fraction_per_token(arch);
    double inactive = 0.0;
    for (const Tensor& t : inv.tensors) {
        if (is_quant_data(t)) continue;
        inv.params_total += t.n_elements();
        if (t.is_routed_expert()) inactive += double(t.n_elements()) * unused;
    }
    inv.params_active = inv.params_total - std::min<u64>(inv.params_total, static_cast<u64>(inactive + 0.5));

    auto inventory = std::make_shared<const TensorInventory>(std::move(inv));
    WeightBreakdown breakdown = compute_weights_from_storage(arch, *inventory, std::move(storage), gguf);
    if (file_bytes > 0 && wf->complete) breakdown.file_bytes = double(file_bytes);
    wf->file_bytes = breakdown.file_bytes;
    wf->inventory = inventory;
    wf->weights = std::make_shared<const WeightBreakdown>(std::move(breakdown));
    return std::shared_ptr<const WeightFile>(std::move(wf));
}

}  // namespace headroom
