// A model's fixed facts (llama.cpp calls them hparams): what each layer holds
// and the sizes of its parts. Per-run settings live in request.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "errors.hpp"

namespace headroom {

// How a layer mixes tokens.
enum class AttentionKind : std::uint8_t {
    none,     // no attention in this layer (pure SSM / linear-attention / MLP-only block)
    full,     // global causal attention (MHA / GQA / MQA): KV grows with context
    sliding,  // sliding-window or chunked attention: KV stops growing at the window
    mla,      // multi-head latent attention (DeepSeek V2/V3, Kimi): cached latent grows with context
};

// Recurrent / linear-attention mixer in a layer: a fixed-size state per sequence.
enum class RecurrentKind : std::uint8_t {
    none,
    mamba1,          // Mamba (Jamba)
    mamba2,          // Mamba-2 (Granite 4, Nemotron-H, Falcon-H1)
    gated_deltanet,  // Gated DeltaNet (Qwen3-Next)
    kda,             // Kimi Delta Attention (Kimi Linear)
};

enum class FfnKind : std::uint8_t {
    none,   // no feed-forward in this block (Nemotron-H mixer-only blocks)
    dense,  // gate/up/down (or up/down when not gated)
    moe,    // router + routed experts (+ shared experts)
};

struct LayerSpec {
    AttentionKind attention = AttentionKind::full;
    RecurrentKind recurrent = RecurrentKind::none;
    FfnKind ffn = FfnKind::dense;
};

struct AttentionParams {
    std::uint32_t n_head = 0;
    std::uint32_t n_head_kv = 0;
    std::uint32_t head_dim_k = 0;
    std::uint32_t head_dim_v = 0;
    std::uint32_t sliding_window = 0;  // tokens, for AttentionKind::sliding layers
    bool qkv_bias = false;             // q/k/v projections carry a bias (Qwen2, gpt-oss)
    bool o_bias = false;               // output projection carries a bias
    bool qk_norm = false;              // per-head RMSNorm on q and k (Qwen3, Gemma 3, OLMo 2)
    bool fused_qkv = false;            // stored as one attn_qkv tensor (Phi-3)
    bool output_gate = false;          // q projection doubled to carry a gate (Qwen3-Next)
    bool sinks = false;                // learned per-head sink logits (gpt-oss)
};

struct MlaParams {
    std::uint32_t q_lora_rank = 0;  // 0 = q projected directly (DeepSeek-V2-Lite, Kimi Linear)
    std::uint32_t kv_lora_rank = 0;
    std::uint32_t qk_rope_head_dim = 0;
    std::uint32_t qk_nope_head_dim = 0;
    std::uint32_t v_head_dim = 0;
};

struct MoeParams {
    std::uint32_t n_expert = 0;        // routed experts per MoE layer
    std::uint32_t n_expert_used = 0;   // top-k per token
    std::uint32_t n_ff_expert = 0;     // intermediate size of one routed expert
    std::uint32_t n_shared_expert = 0; // shared experts (always active)
    std::uint32_t n_ff_shared = 0;     // intermediate size of the shared expert block (all shared experts together)
    bool expert_bias = false;          // routed experts carry biases (gpt-oss)
    bool router_bias = false;          // router carries a bias / expert score correction
    bool shared_gate = false;          // a scalar gate on the shared expert (Qwen2-MoE, Qwen3-Next)
};

// Mamba / Mamba-2 sizes.
struct SsmParams {
    std::uint32_t d_inner = 0;   // expand * hidden (or n_head * head_dim)
    std::uint32_t d_state = 0;
    std::uint32_t n_group = 1;
    std::uint32_t d_conv = 4;
    std::uint32_t n_head = 0;    // Mamba-2 heads (0 for Mamba-1)
    std::uint32_t dt_rank = 0;   // Mamba-1 dt projection rank
    // Jamba's Mamba-1 mixer normalizes dt, B and C (HF modeling_jamba.py JambaMambaMixer
    // dt_layernorm / b_layernorm / c_layernorm; llama.cpp ssm_dt_norm, ssm_b_norm, ssm_c_norm).
    bool dt_bc_norms = false;
};

// Gated DeltaNet / KDA sizes.
struct LinearAttentionParams {
    std::uint32_t n_head_k = 0;
    std::uint32_t n_head_v = 0;
    std::uint32_t head_dim_k = 0;
    std::uint32_t head_dim_v = 0;
    std::uint32_t d_conv = 4;
};

struct ModelArch {
    std::string model_type;      // Hugging Face model_type, e.g. "llama", "qwen3_next"
    std::uint64_t n_vocab = 0;
    std::uint32_t n_embd = 0;
    std::uint32_t n_layer = 0;
    std::uint32_t n_ff = 0;      // dense FFN intermediate size (dense layers of MoE models too)
    bool gated_ffn = true;       // SwiGLU/GeGLU (3 matrices) vs plain up/down (2 matrices)
    bool ffn_bias = false;
    bool tied_embeddings = false;
    bool norm_bias = false;      // LayerNorm with bias (vs RMSNorm)
    std::uint32_t norms_per_layer = 2;  // Gemma 2/3 and OLMo 2 have more
    std::uint64_t n_ctx_train = 0;      // trained / maximum context, tokens
    std::uint32_t n_mtp_layers = 0;     // next-token-prediction modules (not loaded by llama.cpp)

    AttentionParams attn;
    MlaParams mla;
    MoeParams moe;
    SsmParams ssm;
    LinearAttentionParams linear;

    std::vector<LayerSpec> layers;      // size n_layer

    // Facts that change llama.cpp's quantization mix (llama-quant.cpp).
    bool quant_falcon_rules = false;    // LLM_ARCH_FALCON
    bool quant_llama_70b = false;       // LLM_TYPE_70B (80-layer Llama)

    std::vector<std::string> notes;     // what was assumed while reading the config

    std::uint32_t count_layers(AttentionKind kind) const;
    std::uint32_t count_recurrent_layers() const;
    std::uint32_t count_moe_layers() const;
    bool is_moe() const { return moe.n_expert > 1; }
};

// Limits on an architecture read from a config.json. Real models are far
// below each (catalog maxima: 126 layers, hidden 16,384, FFN 59,392, vocab
// 262,208, 512 experts, head_dim 256); the limits keep every tensor's element
// count and the model's parameter total well inside 64 bits, and the layer
// list small, whatever a pasted config says.
constexpr std::uint32_t kMaxModelLayers = 1024;        // num_hidden_layers
constexpr std::uint64_t kMaxModelVocab = 1u << 24;     // vocab_size: 16,777,216
constexpr std::uint32_t kMaxModelWidth = 1u << 18;     // hidden, FFN, expert FFN, SSM and LoRA sizes: 262,144
constexpr std::uint32_t kMaxModelHeads = 1u << 12;     // head counts, head dims, groups, conv kernels: 4,096
constexpr std::uint32_t kMaxModelExperts = 1u << 12;   // routed / shared experts: 4,096

// An error (out_of_range, naming the field and the limit) when a size is beyond
// the limits above.
Result<bool> check_architecture_limits(const ModelArch& arch, const std::string& field_prefix);

// Checks the invariants every consumer relies on (counts positive, layers sized, ...).
// Returns an error naming the first bad field.
Result<bool> validate_architecture(const ModelArch& arch, const std::string& field_prefix);

}  // namespace headroom
