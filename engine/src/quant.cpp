// Weight formats: the GGML block table, llama.cpp's per-tensor type choice for
// each GGUF file type, and the storage of the non-GGUF formats.
//
// Sources (facts restated, no code copied):
//  [G1] ggml/src/ggml-common.h (block structs) and ggml/src/ggml.c (type_traits
//       blck_size / type_size), ids from ggml/include/ggml.h — summarised in
//       shared/reference/runtime-memory.md §1.1.
//  [G2] llama.cpp src/llama-quant.cpp @ 007dbbf3 (tensor_get_category,
//       tensor_allows_quantization, tensor_type_fallback, llama_tensor_get_type_impl,
//       llama_ftype_get_default_type, init_quantize_state_counters) — runtime-memory.md
//       §1.2–§1.4.
//  [V3] runtime-memory.md §3 (vLLM quant formats, effective bits) and §4 (MLX).
#include "quant.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace headroom {
namespace {

using u64 = std::uint64_t;

// ---------------------------------------------------------------------------
// GGML type table [G1]. Order follows the GgmlType enum.
// ---------------------------------------------------------------------------
const GgmlTypeInfo kTypeTable[] = {
    {"F32", 0, 1, 4, false},
    {"F16", 1, 1, 2, false},
    {"BF16", 30, 1, 2, false},
    {"Q4_0", 2, 32, 18, true},      // f16 d + 16 B nibbles
    {"Q4_1", 3, 32, 20, true},      // f16 d + f16 m + 16 B
    {"Q5_0", 6, 32, 22, true},      // f16 d + 4 B high bits + 16 B
    {"Q5_1", 7, 32, 24, true},      // f16 d + f16 m + 4 B + 16 B
    {"Q8_0", 8, 32, 34, true},      // f16 d + 32 int8
    {"Q2_K", 10, 256, 84, true},    // 16 B scales + 64 B quants + 2 f16
    {"Q3_K", 11, 256, 110, true},   // 32 B hmask + 64 B + 12 B scales + f16
    {"Q4_K", 12, 256, 144, true},   // 2 f16 + 12 B scales + 128 B
    {"Q5_K", 13, 256, 176, true},   // Q4_K + 32 B high bits
    {"Q6_K", 14, 256, 210, true},   // 128 B + 64 B + 16 int8 scales + f16
    {"IQ2_XXS", 16, 256, 66, true},
    {"IQ2_XS", 17, 256, 74, true},
    {"IQ2_S", 22, 256, 82, true},
    {"IQ3_XXS", 18, 256, 98, true},
    {"IQ3_S", 21, 256, 110, true},
    {"IQ1_S", 19, 256, 50, true},
    {"IQ1_M", 29, 256, 56, true},
    {"IQ4_NL", 20, 32, 18, true},
    {"IQ4_XS", 23, 256, 136, true},
    {"TQ1_0", 34, 256, 54, true},
    {"TQ2_0", 35, 256, 66, true},
    {"MXFP4", 39, 32, 17, true},    // E8M0 exponent + 16 B E2M1
    {"NVFP4", 40, 64, 36, true},    // 4 × UE4M3 scales + 32 B E2M1
};
constexpr std::size_t kTypeCount = sizeof(kTypeTable) / sizeof(kTypeTable[0]);
static_assert(kTypeCount == static_cast<std::size_t>(GgmlType::NVFP4) + 1, "type table must follow the GgmlType enum");

std::uint32_t block_of(GgmlType t) { return ggml_type_info(t).block_size; }
double bits_of(GgmlType t) {
    const GgmlTypeInfo& i = ggml_type_info(t);
    return 8.0 * i.type_size / i.block_size;
}

std::string to_upper(const std::string& s) {
    std::string out = s;
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ---------------------------------------------------------------------------
// Names.
// ---------------------------------------------------------------------------
struct GgufName {
    const char* name;
    GgufFtype ftype;
    GgmlType base;   // llama_ftype_get_default_type [G2]
};

// Display order: low to high bits.
const GgufName kGgufNames[] = {
    {"IQ2_XXS", GgufFtype::IQ2_XXS, GgmlType::IQ2_XXS},
    {"IQ2_XS", GgufFtype::IQ2_XS, GgmlType::IQ2_XS},
    {"IQ2_M", GgufFtype::IQ2_M, GgmlType::IQ2_S},       // IQ2_M's base is IQ2_S [G2]
    {"Q2_K", GgufFtype::Q2_K, GgmlType::Q2_K},
    {"IQ3_XXS", GgufFtype::IQ3_XXS, GgmlType::IQ3_XXS},
    {"Q3_K_S", GgufFtype::Q3_K_S, GgmlType::Q3_K},
    {"IQ3_M", GgufFtype::IQ3_M, GgmlType::IQ3_S},       // IQ3_M's base is IQ3_S [G2]
    {"Q3_K_M", GgufFtype::Q3_K_M, GgmlType::Q3_K},
    {"Q3_K_L", GgufFtype::Q3_K_L, GgmlType::Q3_K},
    {"IQ4_XS", GgufFtype::IQ4_XS, GgmlType::IQ4_XS},
    {"IQ4_NL", GgufFtype::IQ4_NL, GgmlType::IQ4_NL},
    {"Q4_0", GgufFtype::Q4_0, GgmlType::Q4_0},
    {"Q4_K_S", GgufFtype::Q4_K_S, GgmlType::Q4_K},
    {"Q4_K_M", GgufFtype::Q4_K_M, GgmlType::Q4_K},
    {"MXFP4", GgufFtype::MXFP4_MOE, GgmlType::MXFP4},   // the MXFP4_MOE mix
    {"Q5_K_S", GgufFtype::Q5_K_S, GgmlType::Q5_K},
    {"Q5_K_M", GgufFtype::Q5_K_M, GgmlType::Q5_K},
    {"Q6_K", GgufFtype::Q6_K, GgmlType::Q6_K},
    {"Q8_0", GgufFtype::Q8_0, GgmlType::Q8_0},
    {"F16", GgufFtype::F16, GgmlType::F16},
    {"BF16", GgufFtype::BF16, GgmlType::BF16},
};

GgmlType ftype_base(GgufFtype f) {
    for (const GgufName& n : kGgufNames)
        if (n.ftype == f) return n.base;
    return GgmlType::F16;
}

// EXL2 range: exllamav2's convert.py accepts targets from 2 to 8 bits.
constexpr double kExl2MinBpw = 2.0;
constexpr double kExl2MaxBpw = 8.0;

// Non-GGUF effective bits per quantized linear weight [V3]:
// AWQ/GPTQ W4A16 group 128: 4-bit weight + fp16 scale (16 bits) + packed int4 zero
// (4 bits) per group of 128 → 4 + 20/128 = 4.15625 (§3 "4.16").
constexpr double kInt4GroupSize = 128.0;
constexpr double kInt4Bits = 4.0 + (16.0 + 4.0) / kInt4GroupSize;
// FP8 e4m3: 1 byte per weight (+ one fp32 scale per output row, added per tensor).
constexpr double kFp8Bits = 8.0;
// NVFP4: E2M1 (4 bits) + one FP8 E4M3 scale per 16 → 4.5 (§3; + fp32 global scales per tensor).
constexpr double kNvfp4Bits = 4.0 + 8.0 / 16.0;
// MLX affine, mlx_lm.convert default q_group_size 64, scale and bias in 16-bit (§4):
constexpr double kMlxGroupSize = 64.0;
constexpr double kMlx4Bits = 4.0 + 32.0 / kMlxGroupSize;   // 4.5
constexpr double kMlx8Bits = 8.0 + 32.0 / kMlxGroupSize;   // 8.5

std::string format_bpw(double bpw) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", bpw);
    std::string s = buf;
    while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
    return s;
}

std::string valid_names_text() {
    std::string s;
    for (const std::string& n : canonical_quant_names()) {
        if (n.rfind("EXL2-", 0) == 0) continue;
        if (!s.empty()) s += ", ";
        s += n;
    }
    return s + ", EXL2-<bpw> (bpw 2.0-8.0)";
}

// ---------------------------------------------------------------------------
// GGUF per-tensor rules [G2].
// ---------------------------------------------------------------------------
enum class Category { token_embd, output, attn_qkv, attn_kv_b, attn_v, attn_k, attn_q, attn_output, ffn_up, ffn_gate, ffn_down, other };

// llama.cpp categorizes by name substring (tensor_get_category); our tensors
// carry the role their name encodes, so the same mapping is a switch.
Category categorize(const Tensor& t) {
    switch (t.role) {
    case TensorRole::output: return Category::output;
    case TensorRole::token_embd: return Category::token_embd;
    case TensorRole::attn_qkv: return Category::attn_qkv;
    case TensorRole::attn_v: return Category::attn_v;
    case TensorRole::attn_k: return Category::attn_k;
    case TensorRole::attn_q: return Category::attn_q;
    case TensorRole::attn_output: return Category::attn_output;
    case TensorRole::ffn_up: case TensorRole::ffn_up_exps: case TensorRole::ffn_up_shexp: return Category::ffn_up;
    case TensorRole::ffn_gate: case TensorRole::ffn_gate_exps: case TensorRole::ffn_gate_shexp: return Category::ffn_gate;
    case TensorRole::ffn_down: case TensorRole::ffn_down_exps: case TensorRole::ffn_down_shexp: return Category::ffn_down;
    default: return Category::other;
    }
}

// The attn_v-like tensors that share the i_attention_wv counter. Fused attn_qkv
// is left out on purpose: it takes its own ATTENTION_QKV rule (as the llama.cpp
// releases that produced the published Phi-3 GGUFs did).
bool counts_as_attn_v(Category c) { return c == Category::attn_v || c == Category::attn_kv_b; }

// tensor_allows_quantization [G2], for the tensors our inventory creates:
// 2-D/3-D ".weight" tensors except norms, routers and short convolutions.
bool allows_quantization(const Tensor& t) {
    if (t.n_dims < 2) return false;
    switch (t.role) {
    case TensorRole::norm: case TensorRole::bias: case TensorRole::ssm_small:  // no ".weight" or "_norm.weight"
    case TensorRole::attn_sinks:
    case TensorRole::ffn_gate_inp: case TensorRole::ffn_gate_inp_shexp:      // router (and its shared-expert gate)
    case TensorRole::ssm_conv1d:
        return false;
    default:
        return true;
    }
}

// use_more_bits: first and last eighth plus every third layer in between [G2].
// C++ '%' on a negative left operand is intended (it never equals 2 there).
bool use_more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

// tensor_type_fallback [G2]: a row length that is not a multiple of the block.
GgmlType fallback_for_row(GgmlType t, u64 ne0) {
    if (!ggml_type_info(t).quantized || ne0 % block_of(t) == 0) return t;
    GgmlType r = GgmlType::F16;
    switch (t) {
    case GgmlType::IQ1_S: case GgmlType::IQ1_M: case GgmlType::IQ2_XXS: case GgmlType::IQ2_XS:
    case GgmlType::IQ2_S: case GgmlType::IQ3_XXS: case GgmlType::IQ3_S: case GgmlType::IQ4_XS:
        r = GgmlType::IQ4_NL; break;
    case GgmlType::Q2_K: case GgmlType::Q3_K: case GgmlType::TQ1_0: case GgmlType::TQ2_0:
        r = GgmlType::Q4_0; break;
    case GgmlType::Q4_K: r = GgmlType::Q5_0; break;
    case GgmlType::Q5_K: r = GgmlType::Q5_1; break;
    case GgmlType::Q6_K: r = GgmlType::Q8_0; break;
    default: r = GgmlType::F16; break;  // llama.cpp has no fallback here (it aborts); F16 is what its last resort uses
    }
    if (ne0 % block_of(r) != 0) r = GgmlType::F16;
    return r;
}

bool is_iq2_family(GgufFtype f) { return f == GgufFtype::IQ2_XXS || f == GgufFtype::IQ2_XS || f == GgufFtype::IQ2_M; }

// Importance matrix assumed by ftype: the IQ1/IQ2/IQ3_XXS targets cannot be made
// without one (tensor_requires_imatrix [G2]) and published IQ4/IQ3_M files are
// almost all imatrix quants; K-quants and Q4_0 are assumed static. The flag only
// matters for IQ3_XXS attn_v/ffn_down, IQ4_* ffn_down and Q4_0 ffn_down.
bool assumes_imatrix(GgufFtype f) {
    switch (f) {
    case GgufFtype::IQ2_XXS: case GgufFtype::IQ2_XS: case GgufFtype::IQ2_M: case GgufFtype::IQ3_XXS:
    case GgufFtype::IQ3_M: case GgufFtype::IQ4_XS: case GgufFtype::IQ4_NL: return true;
    default: return false;
    }
}

struct RuleState {
    GgufFtype ftype;
    GgmlType base;
    bool tied = false;       // no output.weight: token_embd is the head
    bool imatrix = false;
    bool moe = false;        // n_expert > 1: ffn layer index parsed from the name
    int n_layer = 0;
    int n_expert = 0;
    double gqa = 1.0;
    bool falcon = false;
    bool llama_70b = false;
    int n_attention_wv = 0;
    int i_attention_wv = 0;
    int i_ffn_down = 0;
};

int layer_from_name(const Tensor& t, int fallback) {
    // "blk.N." — the inventory stores N in t.layer.
    return t.layer >= 0 ? t.layer : fallback;
}

GgmlType output_rule(const RuleState& s, const Tensor& t) {
    const GgufFtype f = s.ftype;
    if (f == GgufFtype::MXFP4_MOE) return GgmlType::Q8_0;
    if (s.falcon || t.ne[0] % block_of(s.base) != 0) return GgmlType::Q8_0;
    if (f == GgufFtype::IQ2_XXS || f == GgufFtype::IQ2_XS || f == GgufFtype::IQ3_XXS || f == GgufFtype::IQ2_M)
        return GgmlType::Q5_K;
    if (s.base != GgmlType::Q8_0) return GgmlType::Q6_K;
    return s.base;
}

// llama_tensor_get_type_impl restated for the contract's ftypes.
GgmlType rule_type(RuleState& s, const Tensor& t, Category c) {
    const GgufFtype f = s.ftype;
    GgmlType ty = s.base;
    if (c == Category::output || (s.tied && c == Category::token_embd)) return output_rule(s, t);
    if (f == GgufFtype::MXFP4_MOE) return t.ne[2] > 1 ? GgmlType::MXFP4 : GgmlType::Q8_0;
    if (c == Category::token_embd) {
        if (f == GgufFtype::IQ2_XXS || f == GgufFtype::IQ2_XS) return GgmlType::Q2_K;
        if (f == GgufFtype::IQ2_M || f == GgufFtype::IQ3_XXS) return GgmlType::IQ3_S;
        return ty;
    }
    if (is_iq2_family(f)) {
        if (counts_as_attn_v(c)) {
            if (s.gqa >= 4.0 || s.n_expert >= 4) ty = GgmlType::Q4_K;
            else ty = f == GgufFtype::IQ2_M ? GgmlType::IQ3_S : GgmlType::Q2_K;
            ++s.i_attention_wv;
        } else if (s.n_expert == 8 && c == Category::attn_k) {
            ty = GgmlType::Q4_K;
        } else if (c == Category::ffn_down) {
            // Running count of ffn_down tensors against n_layer/8, even for MoE.
            if (s.i_ffn_down < s.n_layer / 8) ty = f == GgufFtype::IQ2_M ? GgmlType::IQ3_S : GgmlType::Q2_K;
            ++s.i_ffn_down;
        } else if (c == Category::attn_output) {
            if (s.n_expert == 8) ty = GgmlType::Q5_K;
            else if (f == GgufFtype::IQ2_M) ty = GgmlType::IQ3_S;
        }
        return ty;
    }
    if (counts_as_attn_v(c)) {
        const int i = s.i_attention_wv;
        if (f == GgufFtype::Q2_K) ty = s.gqa >= 4.0 ? GgmlType::Q4_K : GgmlType::Q3_K;
        else if (f == GgufFtype::IQ3_XXS) ty = s.gqa >= 4.0 ? GgmlType::Q4_K : (s.imatrix ? GgmlType::IQ3_XXS : GgmlType::IQ3_S);
        else if (f == GgufFtype::IQ3_M) ty = GgmlType::Q4_K;
        else if (f == GgufFtype::Q3_K_M) ty = i < 2 ? GgmlType::Q5_K : GgmlType::Q4_K;
        else if (f == GgufFtype::Q3_K_L) ty = GgmlType::Q5_K;
        else if ((f == GgufFtype::IQ4_NL || f == GgufFtype::IQ4_XS) && s.gqa >= 4.0) ty = GgmlType::Q5_K;
        else if ((f == GgufFtype::Q4_K_M || f == GgufFtype::Q5_K_M) && use_more_bits(i, s.n_attention_wv)) ty = GgmlType::Q6_K;
        else if (f == GgufFtype::Q4_K_S && i < 4) ty = GgmlType::Q5_K;
        // LLM_TYPE_70B: attn_v is 8× smaller than attn_q there, so Q3_K/Q4_K become Q5_K.
        if (s.llama_70b && (ty == GgmlType::Q3_K || ty == GgmlType::Q4_K)) ty = GgmlType::Q5_K;
        if (s.n_expert == 8) ty = GgmlType::Q8_0;
        ++s.i_attention_wv;
        return ty;
    }
    switch (c) {
    case Category::attn_k:
        if (s.n_expert == 8) ty = GgmlType::Q8_0;
        else if (f == GgufFtype::IQ3_XXS) ty = GgmlType::IQ2_S;
        return ty;
    case Category::attn_q:
        if (f == GgufFtype::IQ3_XXS) ty = GgmlType::IQ2_S;
        return ty;
    case Category::ffn_down: {
        const int il = s.moe ? layer_from_name(t, s.i_ffn_down) : s.i_ffn_down;
        const int n = s.n_layer;
        if (f == GgufFtype::Q2_K) ty = GgmlType::Q3_K;
        else if (f == GgufFtype::IQ3_XXS && !s.imatrix) ty = il < n / 8 ? GgmlType::Q4_K : GgmlType::Q3_K;
        else if (f == GgufFtype::Q3_K_M)
            ty = il < n / 16 ? GgmlType::Q5_K : (!s.falcon || use_more_bits(il, n)) ? GgmlType::Q4_K : GgmlType::Q3_K;
        else if (f == GgufFtype::IQ3_M && (il < n / 8 || (s.n_expert == 8 && use_more_bits(il, n)))) ty = GgmlType::Q4_K;
        else if (f == GgufFtype::Q3_K_L) ty = s.falcon ? GgmlType::Q4_K : GgmlType::Q5_K;
        else if (f == GgufFtype::Q4_K_M) {
            if (s.falcon) ty = il < n / 16 ? GgmlType::Q6_K : use_more_bits(il, n) ? GgmlType::Q5_K : GgmlType::Q4_K;
            else if (use_more_bits(il, n)) ty = GgmlType::Q6_K;
        } else if (il < n / 8 && (f == GgufFtype::IQ4_NL || f == GgufFtype::IQ4_XS) && !s.imatrix) ty = GgmlType::Q5_K;
        else if (f == GgufFtype::Q5_K_M && use_more_bits(il, n)) ty = GgmlType::Q6_K;
        else if (f == GgufFtype::Q4_K_S && !s.falcon && il < n / 8) ty = GgmlType::Q5_K;
        else if (f == GgufFtype::Q4_0 && s.imatrix && il < n / 8) ty = GgmlType::Q4_1;
        ++s.i_ffn_down;
        return ty;
    }
    case Category::attn_output:
        if (!s.falcon) {
            if (s.n_expert == 8) {
                switch (f) {
                case GgufFtype::Q2_K: case GgufFtype::IQ3_XXS: case GgufFtype::Q3_K_S: case GgufFtype::Q3_K_M:
                case GgufFtype::IQ4_NL: case GgufFtype::Q4_K_S: case GgufFtype::Q4_K_M: case GgufFtype::IQ3_M:
                case GgufFtype::IQ4_XS: ty = GgmlType::Q5_K; break;
                default: break;
                }
            } else if (f == GgufFtype::Q2_K) ty = GgmlType::Q3_K;
            else if (f == GgufFtype::IQ3_XXS) ty = GgmlType::IQ3_S;
            else if (f == GgufFtype::Q3_K_M) ty = GgmlType::Q4_K;
            else if (f == GgufFtype::Q3_K_L) ty = GgmlType::Q5_K;
            else if (f == GgufFtype::IQ3_M) ty = GgmlType::Q4_K;
        } else if (f == GgufFtype::Q3_K_L) {
            ty = GgmlType::Q4_K;
        }
        return ty;
    case Category::attn_qkv:
        if (f == GgufFtype::Q3_K_M || f == GgufFtype::Q3_K_L || f == GgufFtype::IQ3_M) ty = GgmlType::Q4_K;
        else if (f == GgufFtype::Q4_K_M) ty = GgmlType::Q5_K;
        else if (f == GgufFtype::Q5_K_M) ty = GgmlType::Q6_K;
        return ty;
    default:
        return ty;  // ffn_gate / ffn_up change only for IQ3_XS (not offered)
    }
}

TensorStorage ggml_storage(GgmlType type, const Tensor& t) {
    TensorStorage s;
    s.ggml_type = type;
    s.type_name = ggml_type_info(type).name;
    s.bytes = double(ggml_row_bytes(type, t.ne[0])) * double(t.ne[1]) * double(t.ne[2]);
    return s;
}

std::vector<TensorStorage> assign_gguf(const ModelArch& arch, const TensorInventory& inv, GgufFtype ftype) {
    std::vector<TensorStorage> out;
    out.reserve(inv.tensors.size());
    const GgmlType base = ftype_base(ftype);
    const bool float_file = ftype == GgufFtype::F16 || ftype == GgufFtype::BF16;

    RuleState s;
    s.ftype = ftype;
    s.base = base;
    s.imatrix = assumes_imatrix(ftype);
    s.moe = arch.moe.n_expert > 1;
    s.n_layer = static_cast<int>(arch.n_layer);
    s.n_expert = static_cast<int>(arch.moe.n_expert);
    s.gqa = arch.attn.n_head_kv > 0 ? double(arch.attn.n_head) / double(arch.attn.n_head_kv) : 1.0;
    s.falcon = arch.quant_falcon_rules;
    s.llama_70b = arch.quant_llama_70b;
    s.tied = true;
    for (const Tensor& t : inv.tensors) {
        const Category c = categorize(t);
        if (c == Category::output) s.tied = false;
        if (counts_as_attn_v(c)) ++s.n_attention_wv;
    }

    for (const Tensor& t : inv.tensors) {
        if (!allows_quantization(t)) {
            out.push_back(ggml_storage(GgmlType::F32, t));  // converter writes these F32 [G2 §1.2]
            continue;
        }
        if (float_file) {
            out.push_back(ggml_storage(base, t));
            continue;
        }
        GgmlType ty = rule_type(s, t, categorize(t));
        ty = fallback_for_row(ty, t.ne[0]);
        out.push_back(ggml_storage(ty, t));
    }
    return out;
}

// ---------------------------------------------------------------------------
// Non-GGUF formats [V3].
// ---------------------------------------------------------------------------
bool is_linear_role(TensorRole r) {
    switch (r) {
    case TensorRole::attn_q: case TensorRole::attn_k: case TensorRole::attn_v: case TensorRole::attn_qkv:
    case TensorRole::attn_output: case TensorRole::attn_q_a: case TensorRole::attn_q_b:
    case TensorRole::attn_kv_a_mqa: case TensorRole::attn_k_b: case TensorRole::attn_v_b:
    case TensorRole::ffn_gate: case TensorRole::ffn_up: case TensorRole::ffn_down:
    case TensorRole::ffn_gate_exps: case TensorRole::ffn_up_exps: case TensorRole::ffn_down_exps:
    case TensorRole::ffn_gate_shexp: case TensorRole::ffn_up_shexp: case TensorRole::ffn_down_shexp:
    case TensorRole::ssm_in: case TensorRole::ssm_x: case TensorRole::ssm_proj: case TensorRole::ssm_out:
        return true;
    case TensorRole::ssm_dt:
        return true;  // the 2-D dt projection; the 1-D dt bias has role ssm_small
    default:
        return false;
    }
}

TensorStorage half_storage(const Tensor& t) {
    TensorStorage s;
    s.ggml_type = GgmlType::BF16;
    s.type_name = "bf16";
    s.bytes = 2.0 * double(t.n_elements());
    return s;
}

GgmlType nearest_ggml(double bits) {
    if (bits <= 2.7) return GgmlType::Q2_K;
    if (bits <= 3.6) return GgmlType::Q3_K;
    if (bits <= 4.8) return GgmlType::Q4_K;
    if (bits <= 5.8) return GgmlType::Q5_K;
    if (bits <= 7.0) return GgmlType::Q6_K;
    if (bits <= 9.0) return GgmlType::Q8_0;
    return GgmlType::BF16;
}

TensorStorage quantized(const Tensor& t, double bits, GgmlType analogue, const std::string& name, double extra_bytes) {
    TensorStorage s;
    s.ggml_type = analogue;
    s.type_name = name;
    s.bytes = double(t.n_elements()) * bits / 8.0 + extra_bytes;
    return s;
}

// EXL2 head bits: exllamav2 convert.py `-hb/--head_bits` defaults to 6.
constexpr double kExl2HeadBits = 6.0;

std::vector<TensorStorage> assign_other(const TensorInventory& inv, const WeightFormat& f) {
    std::vector<TensorStorage> out;
    out.reserve(inv.tensors.size());
    for (const Tensor& t : inv.tensors) {
        const double rows = double(t.ne[1]) * double(t.ne[2]);  // output rows (× experts)
        const bool linear = is_linear_role(t.role) && t.n_dims >= 2;
        const bool embed_or_head = t.role == TensorRole::token_embd || t.role == TensorRole::output;
        switch (f.family) {
        case FormatFamily::awq:
            // AutoAWQ (GEMM): qweight int4, qzeros int4 and fp16 scales per group of 128
            // input features; embeddings, lm_head, norms and routers stay 16-bit (§3).
            if (linear && t.ne[0] % 128 == 0) out.push_back(quantized(t, kInt4Bits, GgmlType::Q4_1, "int4-g128", 0.0));
            else out.push_back(half_storage(t));
            break;
        case FormatFamily::gptq:
            // GPTQ: as AWQ plus g_idx, one int32 per input feature per matrix (§3).
            if (linear && t.ne[0] % 128 == 0)
                out.push_back(quantized(t, kInt4Bits, GgmlType::Q4_1, "int4-g128", 4.0 * double(t.ne[0]) * double(t.ne[2])));
            else out.push_back(half_storage(t));
            break;
        case FormatFamily::fp8:
            // FP8 e4m3 weights with one fp32 scale per output row (per-channel, §3).
            if (linear) out.push_back(quantized(t, kFp8Bits, GgmlType::Q8_0, "fp8-e4m3", 4.0 * rows));
            else out.push_back(half_storage(t));
            break;
        case FormatFamily::nvfp4:
            // NVFP4 (ModelOpt): 4.5 bpw + fp32 weight_scale_2 and input_scale per matrix (§3).
            if (linear && t.ne[0] % 16 == 0)
                out.push_back(quantized(t, kNvfp4Bits, GgmlType::NVFP4, "nvfp4", 8.0 * double(t.ne[2])));
            else out.push_back(half_storage(t));
            break;
        case FormatFamily::mlx: {
            // mlx nn.quantize: Linear and Embedding layers whose last dim divides the
            // group (64) are quantized — embedding and lm_head included (§4). mlx-lm's
            // MoE models return {"bits": 8, "group_size": 64} for the router gate from
            // their quant_predicate (e.g. mixtral / minimax model files).
            const bool divisible = std::fmod(double(t.ne[0]), kMlxGroupSize) == 0.0;
            const double bits = f.bits >= 8.0 ? kMlx8Bits : kMlx4Bits;
            const std::string name = f.bits >= 8.0 ? "mlx-affine8-g64" : "mlx-affine4-g64";
            const GgmlType analogue = f.bits >= 8.0 ? GgmlType::Q8_0 : GgmlType::Q4_1;
            if ((linear || embed_or_head) && divisible) out.push_back(quantized(t, bits, analogue, name, 0.0));
            else if (t.role == TensorRole::ffn_gate_inp && t.n_dims >= 2 && divisible)
                out.push_back(quantized(t, kMlx8Bits, GgmlType::Q8_0, "mlx-affine8-g64", 0.0));
            else out.push_back(half_storage(t));
            break;
        }
        case FormatFamily::exl2:
            // ExLlamaV2: linear layers at the target bpw (scales included in the
            // average), lm_head at head_bits, embedding and norms 16-bit.
            if (linear) out.push_back(quantized(t, f.bits, nearest_ggml(f.bits), "exl2-" + format_bpw(f.bits), 0.0));
            else if (t.role == TensorRole::output)
                out.push_back(quantized(t, kExl2HeadBits, GgmlType::Q6_K, "exl2-" + format_bpw(kExl2HeadBits), 0.0));
            else out.push_back(half_storage(t));
            break;
        case FormatFamily::float16:
        case FormatFamily::gguf:
            out.push_back(half_storage(t));
            break;
        }
    }
    return out;
}

}  // namespace

const GgmlTypeInfo& ggml_type_info(GgmlType type) {
    const auto i = static_cast<std::size_t>(type);
    return kTypeTable[i < kTypeCount ? i : 0];
}

std::uint64_t ggml_row_bytes(GgmlType type, std::uint64_t ne0) {
    const GgmlTypeInfo& i = ggml_type_info(type);
    // Callers pass multiples of the block; a partial block still occupies a whole one.
    return (ne0 + i.block_size - 1) / i.block_size * i.type_size;
}

bool ggml_type_from_id(std::uint32_t id, GgmlType& out) {
    for (std::size_t i = 0; i < kTypeCount; ++i) {
        if (kTypeTable[i].ggml_id == id) {
            out = static_cast<GgmlType>(i);
            return true;
        }
    }
    return false;
}

const std::vector<std::string>& canonical_quant_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const GgufName& n : kGgufNames) v.push_back(n.name);
        // Non-GGUF formats, low to high bits; EXL2 at the bpw steps commonly published.
        for (const char* n : {"EXL2-3.0", "AWQ-INT4", "GPTQ-INT4", "EXL2-4.0", "NVFP4", "MLX-4bit", "EXL2-5.0",
                              "EXL2-6.0", "FP8", "EXL2-8.0", "MLX-8bit"})
            v.push_back(n);
        return v;
    }();
    return names;
}

Result<WeightFormat> parse_weight_format(const std::string& raw) {
    std::string trimmed = raw;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
    std::size_t lead = 0;
    while (lead < trimmed.size() && std::isspace(static_cast<unsigned char>(trimmed[lead]))) ++lead;
    trimmed = trimmed.substr(lead);
    const std::string u = to_upper(trimmed);

    WeightFormat w;
    // GGUF file types (and the two accepted shorthands).
    std::string gguf = u;
    if (gguf == "Q4_K") gguf = "Q4_K_M";
    if (gguf == "MXFP4_MOE") gguf = "MXFP4";
    for (const GgufName& n : kGgufNames) {
        if (gguf == n.name) {
            w.name = n.name;
            w.family = FormatFamily::gguf;
            w.ftype = n.ftype;
            w.bits = bits_of(n.base);
            return w;
        }
    }
    if (u == "AWQ-INT4" || u == "AWQ") {
        w.name = "AWQ-INT4"; w.family = FormatFamily::awq; w.bits = kInt4Bits;
        return w;
    }
    if (u == "GPTQ-INT4" || u == "GPTQ") {
        w.name = "GPTQ-INT4"; w.family = FormatFamily::gptq; w.bits = kInt4Bits;
        return w;
    }
    if (u == "FP8") {
        w.name = "FP8"; w.family = FormatFamily::fp8; w.bits = kFp8Bits;
        return w;
    }
    if (u == "NVFP4") {
        w.name = "NVFP4"; w.family = FormatFamily::nvfp4; w.bits = kNvfp4Bits;
        return w;
    }
    if (u == "MLX-4BIT" || u == "MLX-8BIT") {
        const bool eight = u == "MLX-8BIT";
        w.name = eight ? "MLX-8bit" : "MLX-4bit";
        w.family = FormatFamily::mlx;
        w.bits = eight ? 8.0 : 4.0;
        return w;
    }
    if (u.rfind("EXL2-", 0) == 0) {
        std::string num = u.substr(5);
        if (ends_with(num, "BPW")) num.resize(num.size() - 3);
        bool digits = !num.empty(), dot = false;
        for (char ch : num) {
            if (ch == '.' && !dot) dot = true;
            else if (!std::isdigit(static_cast<unsigned char>(ch))) digits = false;
        }
        if (!digits || num == ".")
            return make_error("invalid_quant", "quant", "quant '" + raw + "' needs a number of bits per weight after EXL2-, e.g. EXL2-4.65");
        const double bpw = std::strtod(num.c_str(), nullptr);
        if (!(bpw >= kExl2MinBpw && bpw <= kExl2MaxBpw))
            return make_error("invalid_quant", "quant",
                              "quant '" + raw + "' asks for " + format_bpw(bpw) + " bits per weight; EXL2 takes 2.0 to 8.0");
        w.name = "EXL2-" + format_bpw(bpw);
        w.family = FormatFamily::exl2;
        w.bits = bpw;
        return w;
    }
    return make_error("unknown_quant", "quant", "quant '" + raw + "' is not known; valid names: " + valid_names_text());
}

std::vector<TensorStorage> assign_tensor_storage(const ModelArch& arch, const TensorInventory& inventory,
                                                 const WeightFormat& format) {
    if (format.is_gguf()) return assign_gguf(arch, inventory, format.ftype);
    return assign_other(inventory, format);
}

}  // namespace headroom
