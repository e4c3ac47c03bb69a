// ModelArch helpers and the invariants every consumer of an architecture relies on.
#include "architecture.hpp"

#include <string>

namespace headroom {

std::uint32_t ModelArch::count_layers(AttentionKind kind) const {
    std::uint32_t n = 0;
    for (const LayerSpec& l : layers)
        if (l.attention == kind) ++n;
    return n;
}

std::uint32_t ModelArch::count_recurrent_layers() const {
    std::uint32_t n = 0;
    for (const LayerSpec& l : layers)
        if (l.recurrent != RecurrentKind::none) ++n;
    return n;
}

std::uint32_t ModelArch::count_moe_layers() const {
    std::uint32_t n = 0;
    for (const LayerSpec& l : layers)
        if (l.ffn == FfnKind::moe) ++n;
    return n;
}

namespace {

Error invalid(const std::string& prefix, const std::string& key, const std::string& message) {
    return make_error("invalid_model", prefix.empty() ? key : prefix + "." + key, message);
}

std::string num(std::uint64_t v) { return std::to_string(v); }

}  // namespace

Result<bool> check_architecture_limits(const ModelArch& a, const std::string& p) {
    struct Size {
        const char* key;
        std::uint64_t value;
        std::uint64_t limit;
    };
    const Size sizes[] = {
        {"num_hidden_layers", a.n_layer, kMaxModelLayers},
        {"vocab_size", a.n_vocab, kMaxModelVocab},
        {"hidden_size", a.n_embd, kMaxModelWidth},
        {"intermediate_size", a.n_ff, kMaxModelWidth},
        {"num_attention_heads", a.attn.n_head, kMaxModelHeads},
        {"num_key_value_heads", a.attn.n_head_kv, kMaxModelHeads},
        {"head_dim", a.attn.head_dim_k, kMaxModelHeads},
        {"v_head_dim", a.attn.head_dim_v, kMaxModelHeads},
        {"q_lora_rank", a.mla.q_lora_rank, kMaxModelWidth},
        {"kv_lora_rank", a.mla.kv_lora_rank, kMaxModelWidth},
        {"qk_rope_head_dim", a.mla.qk_rope_head_dim, kMaxModelHeads},
        {"qk_nope_head_dim", a.mla.qk_nope_head_dim, kMaxModelHeads},
        {"v_head_dim", a.mla.v_head_dim, kMaxModelHeads},
        {"num_experts", a.moe.n_expert, kMaxModelExperts},
        {"num_experts_per_tok", a.moe.n_expert_used, kMaxModelExperts},
        {"moe_intermediate_size", a.moe.n_ff_expert, kMaxModelWidth},
        {"n_shared_experts", a.moe.n_shared_expert, kMaxModelExperts},
        {"shared_expert_intermediate_size", a.moe.n_ff_shared, kMaxModelWidth},
        {"mamba_d_ssm", a.ssm.d_inner, kMaxModelWidth},
        {"mamba_d_state", a.ssm.d_state, kMaxModelWidth},
        {"mamba_n_groups", a.ssm.n_group, kMaxModelHeads},
        {"mamba_d_conv", a.ssm.d_conv, kMaxModelHeads},
        {"mamba_n_heads", a.ssm.n_head, kMaxModelHeads},
        {"mamba_dt_rank", a.ssm.dt_rank, kMaxModelWidth},
        {"linear_num_key_heads", a.linear.n_head_k, kMaxModelHeads},
        {"linear_num_value_heads", a.linear.n_head_v, kMaxModelHeads},
        {"linear_key_head_dim", a.linear.head_dim_k, kMaxModelHeads},
        {"linear_value_head_dim", a.linear.head_dim_v, kMaxModelHeads},
        {"linear_conv_kernel_dim", a.linear.d_conv, kMaxModelHeads},
        {"num_nextn_predict_layers", a.n_mtp_layers, kMaxModelLayers},
    };
    for (const Size& s : sizes) {
        if (s.value > s.limit) {
            return make_error("out_of_range", p.empty() ? s.key : p + "." + s.key,
                              std::string(s.key) + " is " + num(s.value) + "; the limit is " + num(s.limit));
        }
    }
    return true;
}

Result<bool> validate_architecture(const ModelArch& a, const std::string& p) {
    if (a.n_vocab == 0) return invalid(p, "vocab_size", "vocab_size must be positive, got 0");
    if (a.n_embd == 0) return invalid(p, "hidden_size", "hidden_size must be positive, got 0");
    if (a.n_layer == 0) return invalid(p, "num_hidden_layers", "num_hidden_layers must be positive, got 0");
    if (a.layers.size() != a.n_layer)
        return invalid(p, "num_hidden_layers",
                       "the layer list has " + num(a.layers.size()) + " entries but num_hidden_layers is " +
                           num(a.n_layer));

    bool any_attn = false, any_mla = false, any_sliding = false, any_dense = false, any_moe = false;
    bool any_mamba1 = false, any_mamba2 = false, any_linear = false;
    for (const LayerSpec& l : a.layers) {
        any_attn |= l.attention == AttentionKind::full || l.attention == AttentionKind::sliding;
        any_sliding |= l.attention == AttentionKind::sliding;
        any_mla |= l.attention == AttentionKind::mla;
        any_dense |= l.ffn == FfnKind::dense;
        any_moe |= l.ffn == FfnKind::moe;
        any_mamba1 |= l.recurrent == RecurrentKind::mamba1;
        any_mamba2 |= l.recurrent == RecurrentKind::mamba2;
        any_linear |= l.recurrent == RecurrentKind::gated_deltanet || l.recurrent == RecurrentKind::kda;
    }

    if (any_attn || any_mla) {
        if (a.attn.n_head == 0)
            return invalid(p, "num_attention_heads", "num_attention_heads must be positive for attention layers, got 0");
    }
    if (any_attn) {
        if (a.attn.n_head_kv == 0)
            return invalid(p, "num_key_value_heads", "num_key_value_heads must be positive for attention layers, got 0");
        if (a.attn.n_head % a.attn.n_head_kv != 0)
            return invalid(p, "num_key_value_heads",
                           "num_attention_heads " + num(a.attn.n_head) + " is not a multiple of num_key_value_heads " +
                               num(a.attn.n_head_kv));
        if (a.attn.head_dim_k == 0 || a.attn.head_dim_v == 0)
            return invalid(p, "head_dim", "head_dim must be positive for attention layers, got 0");
    }
    if (any_sliding && a.attn.sliding_window == 0)
        return invalid(p, "sliding_window", "sliding-window layers need a positive sliding_window, got 0");
    if (any_mla) {
        if (a.mla.kv_lora_rank == 0) return invalid(p, "kv_lora_rank", "MLA layers need a positive kv_lora_rank, got 0");
        if (a.mla.qk_rope_head_dim == 0)
            return invalid(p, "qk_rope_head_dim", "MLA layers need a positive qk_rope_head_dim, got 0");
        if (a.mla.qk_nope_head_dim == 0)
            return invalid(p, "qk_nope_head_dim", "MLA layers need a positive qk_nope_head_dim, got 0");
        if (a.mla.v_head_dim == 0) return invalid(p, "v_head_dim", "MLA layers need a positive v_head_dim, got 0");
    }
    if (any_dense && a.n_ff == 0)
        return invalid(p, "intermediate_size", "dense feed-forward layers need a positive intermediate_size, got 0");
    if (any_moe) {
        if (a.moe.n_expert < 2)
            return invalid(p, "num_experts", "MoE layers need at least 2 routed experts, got " + num(a.moe.n_expert));
        if (a.moe.n_expert_used == 0 || a.moe.n_expert_used > a.moe.n_expert)
            return invalid(p, "num_experts_per_tok",
                           "num_experts_per_tok must be between 1 and " + num(a.moe.n_expert) + ", got " +
                               num(a.moe.n_expert_used));
        if (a.moe.n_ff_expert == 0)
            return invalid(p, "moe_intermediate_size", "MoE layers need a positive expert intermediate size, got 0");
        if (a.moe.n_shared_expert > 0 && a.moe.n_ff_shared == 0)
            return invalid(p, "n_shared_experts",
                           num(a.moe.n_shared_expert) + " shared experts declared but their intermediate size is 0");
    } else if (a.moe.n_expert > 1) {
        return invalid(p, "num_experts",
                       num(a.moe.n_expert) + " experts declared but no layer is a MoE layer");
    }
    if (any_mamba1 || any_mamba2) {
        if (a.ssm.d_inner == 0) return invalid(p, "mamba_d_ssm", "Mamba layers need a positive inner size, got 0");
        if (a.ssm.d_state == 0) return invalid(p, "mamba_d_state", "Mamba layers need a positive state size, got 0");
        if (a.ssm.d_conv == 0) return invalid(p, "mamba_d_conv", "Mamba layers need a positive conv kernel, got 0");
    }
    if (any_mamba2) {
        if (a.ssm.n_head == 0) return invalid(p, "mamba_n_heads", "Mamba-2 layers need a positive head count, got 0");
        if (a.ssm.n_group == 0) return invalid(p, "mamba_n_groups", "Mamba-2 layers need a positive group count, got 0");
        if (a.ssm.d_inner % a.ssm.n_head != 0)
            return invalid(p, "mamba_n_heads",
                           "Mamba-2 inner size " + num(a.ssm.d_inner) + " is not a multiple of the head count " +
                               num(a.ssm.n_head));
    }
    if (any_mamba1 && a.ssm.dt_rank == 0)
        return invalid(p, "mamba_dt_rank", "Mamba-1 layers need a positive dt rank, got 0");
    if (any_linear) {
        if (a.linear.n_head_k == 0 || a.linear.n_head_v == 0)
            return invalid(p, "linear_num_key_heads", "linear-attention layers need positive head counts, got 0");
        if (a.linear.head_dim_k == 0 || a.linear.head_dim_v == 0)
            return invalid(p, "linear_key_head_dim", "linear-attention layers need positive head dims, got 0");
        if (a.linear.d_conv == 0)
            return invalid(p, "linear_conv_kernel_dim", "linear-attention layers need a positive conv kernel, got 0");
    }
    return true;
}

}  // namespace headroom
