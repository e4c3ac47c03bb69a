// Tensor inventory: the tensors llama.cpp creates for each architecture
// (llama.cpp src/llama-model.cpp load_tensors; names from src/llama-arch.cpp),
// with Hugging Face shapes. ne[0] is the row length (the input dimension).
#include "tensors.hpp"

#include <algorithm>
#include <string>

namespace headroom {
namespace {

using u64 = std::uint64_t;

class InventoryBuilder {
public:
    explicit InventoryBuilder(TensorInventory& out) : out_(out) {}

    void add(const std::string& name, TensorRole role, std::int32_t layer, u64 ne0, u64 ne1 = 1, u64 ne2 = 1) {
        Tensor t;
        t.name = name;
        t.role = role;
        t.layer = layer;
        t.ne = {ne0, ne1, ne2};
        t.n_dims = ne2 > 1 ? 3u : (ne1 > 1 ? 2u : 1u);
        out_.tensors.push_back(std::move(t));
    }

    void add_layer(std::int32_t il, const char* suffix, TensorRole role, u64 ne0, u64 ne1 = 1, u64 ne2 = 1) {
        add("blk." + std::to_string(il) + "." + suffix, role, il, ne0, ne1, ne2);
    }

private:
    TensorInventory& out_;
};

void add_norms(InventoryBuilder& b, const ModelArch& a, std::int32_t il, const LayerSpec& spec) {
    // Pre-mixer norm always; pre-FFN norm when the block has an FFN; extra
    // norms (Gemma's post-norms, OLMo 2's) as the config family says.
    std::uint32_t count = spec.ffn == FfnKind::none ? 1u : a.norms_per_layer;
    for (std::uint32_t i = 0; i < count; ++i) {
        std::string n = i == 0 ? "attn_norm" : (i == 1 ? "ffn_norm" : "post_norm_" + std::to_string(i));
        b.add_layer(il, (n + ".weight").c_str(), TensorRole::norm, a.n_embd);
        if (a.norm_bias) b.add_layer(il, (n + ".bias").c_str(), TensorRole::norm, a.n_embd);
    }
}

void add_attention(InventoryBuilder& b, const ModelArch& a, std::int32_t il) {
    const AttentionParams& p = a.attn;
    const u64 q_out = u64(p.n_head) * p.head_dim_k * (p.output_gate ? 2u : 1u);
    const u64 k_out = u64(p.n_head_kv) * p.head_dim_k;
    const u64 v_out = u64(p.n_head_kv) * p.head_dim_v;
    if (p.fused_qkv) {
        b.add_layer(il, "attn_qkv.weight", TensorRole::attn_qkv, a.n_embd, q_out + k_out + v_out);
        if (p.qkv_bias) b.add_layer(il, "attn_qkv.bias", TensorRole::bias, q_out + k_out + v_out);
    } else {
        b.add_layer(il, "attn_q.weight", TensorRole::attn_q, a.n_embd, q_out);
        b.add_layer(il, "attn_k.weight", TensorRole::attn_k, a.n_embd, k_out);
        b.add_layer(il, "attn_v.weight", TensorRole::attn_v, a.n_embd, v_out);
        if (p.qkv_bias) {
            b.add_layer(il, "attn_q.bias", TensorRole::bias, q_out);
            b.add_layer(il, "attn_k.bias", TensorRole::bias, k_out);
            b.add_layer(il, "attn_v.bias", TensorRole::bias, v_out);
        }
    }
    if (p.qk_norm) {
        b.add_layer(il, "attn_q_norm.weight", TensorRole::norm, p.head_dim_k);
        b.add_layer(il, "attn_k_norm.weight", TensorRole::norm, p.head_dim_k);
    }
    if (p.sinks) b.add_layer(il, "attn_sinks.weight", TensorRole::attn_sinks, p.n_head);
    b.add_layer(il, "attn_output.weight", TensorRole::attn_output, u64(p.n_head) * p.head_dim_v, a.n_embd);
    if (p.o_bias) b.add_layer(il, "attn_output.bias", TensorRole::bias, a.n_embd);
}

// MLA as llama.cpp stores it since PR #12801: kv_b split into per-head k_b / v_b.
void add_mla(InventoryBuilder& b, const ModelArch& a, std::int32_t il) {
    const MlaParams& m = a.mla;
    const u64 n_head = a.attn.n_head;
    const u64 qk_head = u64(m.qk_nope_head_dim) + m.qk_rope_head_dim;
    if (m.q_lora_rank > 0) {
        b.add_layer(il, "attn_q_a.weight", TensorRole::attn_q_a, a.n_embd, m.q_lora_rank);
        b.add_layer(il, "attn_q_a_norm.weight", TensorRole::norm, m.q_lora_rank);
        b.add_layer(il, "attn_q_b.weight", TensorRole::attn_q_b, m.q_lora_rank, n_head * qk_head);
    } else {
        b.add_layer(il, "attn_q.weight", TensorRole::attn_q, a.n_embd, n_head * qk_head);
    }
    b.add_layer(il, "attn_kv_a_mqa.weight", TensorRole::attn_kv_a_mqa, a.n_embd, u64(m.kv_lora_rank) + m.qk_rope_head_dim);
    b.add_layer(il, "attn_kv_a_norm.weight", TensorRole::norm, m.kv_lora_rank);
    b.add_layer(il, "attn_k_b.weight", TensorRole::attn_k_b, m.qk_nope_head_dim, m.kv_lora_rank, n_head);
    b.add_layer(il, "attn_v_b.weight", TensorRole::attn_v_b, m.kv_lora_rank, m.v_head_dim, n_head);
    b.add_layer(il, "attn_output.weight", TensorRole::attn_output, n_head * m.v_head_dim, a.n_embd);
}

void add_recurrent(InventoryBuilder& b, const ModelArch& a, std::int32_t il, RecurrentKind kind) {
    const u64 e = a.n_embd;
    switch (kind) {
    case RecurrentKind::mamba2: {
        const SsmParams& s = a.ssm;
        const u64 conv_dim = u64(s.d_inner) + 2ull * s.n_group * s.d_state;
        b.add_layer(il, "ssm_in.weight", TensorRole::ssm_in, e, 2ull * s.d_inner + 2ull * s.n_group * s.d_state + s.n_head);
        b.add_layer(il, "ssm_conv1d.weight", TensorRole::ssm_conv1d, s.d_conv, conv_dim);
        b.add_layer(il, "ssm_conv1d.bias", TensorRole::bias, conv_dim);
        b.add_layer(il, "ssm_dt.bias", TensorRole::ssm_small, s.n_head);
        b.add_layer(il, "ssm_a", TensorRole::ssm_small, s.n_head);
        b.add_layer(il, "ssm_d", TensorRole::ssm_small, s.n_head);
        b.add_layer(il, "ssm_norm.weight", TensorRole::norm, s.d_inner);
        b.add_layer(il, "ssm_out.weight", TensorRole::ssm_out, s.d_inner, e);
        break;
    }
    case RecurrentKind::mamba1: {
        const SsmParams& s = a.ssm;
        b.add_layer(il, "ssm_in.weight", TensorRole::ssm_in, e, 2ull * s.d_inner);
        b.add_layer(il, "ssm_conv1d.weight", TensorRole::ssm_conv1d, s.d_conv, s.d_inner);
        b.add_layer(il, "ssm_conv1d.bias", TensorRole::bias, s.d_inner);
        b.add_layer(il, "ssm_x.weight", TensorRole::ssm_x, s.d_inner, u64(s.dt_rank) + 2ull * s.d_state);
        if (s.dt_bc_norms) {
            b.add_layer(il, "ssm_dt_norm.weight", TensorRole::norm, s.dt_rank);
            b.add_layer(il, "ssm_b_norm.weight", TensorRole::norm, s.d_state);
            b.add_layer(il, "ssm_c_norm.weight", TensorRole::norm, s.d_state);
        }
        b.add_layer(il, "ssm_dt.weight", TensorRole::ssm_dt, s.dt_rank, s.d_inner);
        b.add_layer(il, "ssm_dt.bias", TensorRole::ssm_small, s.d_inner);
        b.add_layer(il, "ssm_a", TensorRole::ssm_small, s.d_state, s.d_inner);
        b.add_layer(il, "ssm_d", TensorRole::ssm_small, s.d_inner);
        b.add_layer(il, "ssm_out.weight", TensorRole::ssm_out, s.d_inner, e);
        break;
    }
    case RecurrentKind::gated_deltanet: {
        // Qwen3-Next: in_proj_qkvz, in_proj_ba, conv1d over q,k,v, out_proj.
        const LinearAttentionParams& l = a.linear;
        const u64 key_dim = u64(l.n_head_k) * l.head_dim_k;
        const u64 value_dim = u64(l.n_head_v) * l.head_dim_v;
        b.add_layer(il, "ssm_in.weight", TensorRole::ssm_in, e, 2 * key_dim + 2 * value_dim);
        b.add_layer(il, "ssm_ba.weight", TensorRole::ssm_proj, e, 2ull * l.n_head_v);
        b.add_layer(il, "ssm_conv1d.weight", TensorRole::ssm_conv1d, l.d_conv, 2 * key_dim + value_dim);
        b.add_layer(il, "ssm_dt.bias", TensorRole::ssm_small, l.n_head_v);
        b.add_layer(il, "ssm_a", TensorRole::ssm_small, l.n_head_v);
        b.add_layer(il, "ssm_norm.weight", TensorRole::norm, l.head_dim_v);
        b.add_layer(il, "ssm_out.weight", TensorRole::ssm_out, value_dim, e);
        break;
    }
    case RecurrentKind::kda: {
        // Kimi Delta Attention (FLA KimiDeltaAttention): q/k/v projections with
        // short convolutions, low-rank (rank = head_dim) decay and output gates.
        const LinearAttentionParams& l = a.linear;
        const u64 hd = l.head_dim_k;
        const u64 proj = u64(l.n_head_k) * hd;
        b.add_layer(il, "attn_q.weight", TensorRole::attn_q, e, proj);
        b.add_layer(il, "attn_k.weight", TensorRole::attn_k, e, proj);
        b.add_layer(il, "attn_v.weight", TensorRole::attn_v, e, proj);
        b.add_layer(il, "ssm_conv1d_q.weight", TensorRole::ssm_conv1d, l.d_conv, proj);
        b.add_layer(il, "ssm_conv1d_k.weight", TensorRole::ssm_conv1d, l.d_conv, proj);
        b.add_layer(il, "ssm_conv1d_v.weight", TensorRole::ssm_conv1d, l.d_conv, proj);
        b.add_layer(il, "ssm_f_a.weight", TensorRole::ssm_proj, e, hd);
        b.add_layer(il, "ssm_f_b.weight", TensorRole::ssm_proj, hd, proj);
        b.add_layer(il, "ssm_beta.weight", TensorRole::ssm_proj, e, l.n_head_k);
        b.add_layer(il, "ssm_g_a.weight", TensorRole::ssm_proj, e, hd);
        b.add_layer(il, "ssm_g_b.weight", TensorRole::ssm_proj, hd, proj);
        b.add_layer(il, "ssm_a", TensorRole::ssm_small, l.n_head_k);
        b.add_layer(il, "ssm_dt.bias", TensorRole::ssm_small, proj);
        b.add_layer(il, "ssm_norm.weight", TensorRole::norm, hd);
        b.add_layer(il, "attn_output.weight", TensorRole::attn_output, proj, e);
        break;
    }
    case RecurrentKind::none:
        break;
    }
}

void add_ffn(InventoryBuilder& b, const ModelArch& a, std::int32_t il, FfnKind kind) {
    const u64 e = a.n_embd;
    if (kind == FfnKind::dense) {
        if (a.gated_ffn) b.add_layer(il, "ffn_gate.weight", TensorRole::ffn_gate, e, a.n_ff);
        b.add_layer(il, "ffn_up.weight", TensorRole::ffn_up, e, a.n_ff);
        b.add_layer(il, "ffn_down.weight", TensorRole::ffn_down, a.n_ff, e);
        if (a.ffn_bias) {
            b.add_layer(il, "ffn_up.bias", TensorRole::bias, a.n_ff);
            b.add_layer(il, "ffn_down.bias", TensorRole::bias, e);
        }
        return;
    }
    if (kind != FfnKind::moe) return;
    const MoeParams& m = a.moe;
    b.add_layer(il, "ffn_gate_inp.weight", TensorRole::ffn_gate_inp, e, m.n_expert);
    if (m.router_bias) b.add_layer(il, "exp_probs_b.bias", TensorRole::bias, m.n_expert);
    if (a.gated_ffn) b.add_layer(il, "ffn_gate_exps.weight", TensorRole::ffn_gate_exps, e, m.n_ff_expert, m.n_expert);
    b.add_layer(il, "ffn_up_exps.weight", TensorRole::ffn_up_exps, e, m.n_ff_expert, m.n_expert);
    b.add_layer(il, "ffn_down_exps.weight", TensorRole::ffn_down_exps, m.n_ff_expert, e, m.n_expert);
    if (m.expert_bias) {
        if (a.gated_ffn) b.add_layer(il, "ffn_gate_exps.bias", TensorRole::bias, m.n_ff_expert, m.n_expert);
        b.add_layer(il, "ffn_up_exps.bias", TensorRole::bias, m.n_ff_expert, m.n_expert);
        b.add_layer(il, "ffn_down_exps.bias", TensorRole::bias, e, m.n_expert);
    }
    if (m.n_ff_shared > 0) {
        if (a.gated_ffn) b.add_layer(il, "ffn_gate_shexp.weight", TensorRole::ffn_gate_shexp, e, m.n_ff_shared);
        b.add_layer(il, "ffn_up_shexp.weight", TensorRole::ffn_up_shexp, e, m.n_ff_shared);
        b.add_layer(il, "ffn_down_shexp.weight", TensorRole::ffn_down_shexp, m.n_ff_shared, e);
        if (m.shared_gate) b.add_layer(il, "ffn_gate_inp_shexp.weight", TensorRole::ffn_gate_inp_shexp, e);
    }
}

}  // namespace

const char* tensor_role_name(TensorRole role) {
    switch (role) {
    case TensorRole::token_embd: return "token_embd";
    case TensorRole::output: return "output";
    case TensorRole::norm: return "norm";
    case TensorRole::bias: return "bias";
    case TensorRole::attn_q: return "attn_q";
    case TensorRole::attn_k: return "attn_k";
    case TensorRole::attn_v: return "attn_v";
    case TensorRole::attn_qkv: return "attn_qkv";
    case TensorRole::attn_output: return "attn_output";
    case TensorRole::attn_q_a: return "attn_q_a";
    case TensorRole::attn_q_b: return "attn_q_b";
    case TensorRole::attn_kv_a_mqa: return "attn_kv_a_mqa";
    case TensorRole::attn_k_b: return "attn_k_b";
    case TensorRole::attn_v_b: return "attn_v_b";
    case TensorRole::attn_sinks: return "attn_sinks";
    case TensorRole::ffn_gate: return "ffn_gate";
    case TensorRole::ffn_up: return "ffn_up";
    case TensorRole::ffn_down: return "ffn_down";
    case TensorRole::ffn_gate_inp: return "ffn_gate_inp";
    case TensorRole::ffn_gate_exps: return "ffn_gate_exps";
    case TensorRole::ffn_up_exps: return "ffn_up_exps";
    case TensorRole::ffn_down_exps: return "ffn_down_exps";
    case TensorRole::ffn_gate_shexp: return "ffn_gate_shexp";
    case TensorRole::ffn_up_shexp: return "ffn_up_shexp";
    case TensorRole::ffn_down_shexp: return "ffn_down_shexp";
    case TensorRole::ffn_gate_inp_shexp: return "ffn_gate_inp_shexp";
    case TensorRole::ssm_in: return "ssm_in";
    case TensorRole::ssm_conv1d: return "ssm_conv1d";
    case TensorRole::ssm_x: return "ssm_x";
    case TensorRole::ssm_dt: return "ssm_dt";
    case TensorRole::ssm_small: return "ssm_small";
    case TensorRole::ssm_proj: return "ssm_proj";
    case TensorRole::ssm_out: return "ssm_out";
    }
    return "other";
}

bool Tensor::is_routed_expert() const {
    return role == TensorRole::ffn_gate_exps || role == TensorRole::ffn_up_exps || role == TensorRole::ffn_down_exps;
}

bool Tensor::is_shared_expert() const {
    return role == TensorRole::ffn_gate_shexp || role == TensorRole::ffn_up_shexp || role == TensorRole::ffn_down_shexp;
}

double routed_fraction_per_token(const ModelArch& arch) {
    if (arch.moe.n_expert == 0) return 1.0;
    // At most every expert (config_import refuses more; a hand-built arch is clamped).
    return std::min(1.0, double(arch.moe.n_expert_used) / double(arch.moe.n_expert));
}

TensorInventory build_tensor_inventory(const ModelArch& arch) {
    TensorInventory inv;
    inv.tensors.reserve(arch.n_layer * 16u + 4u);
    InventoryBuilder b(inv);

    b.add("token_embd.weight", TensorRole::token_embd, -1, arch.n_embd, arch.n_vocab);
    for (std::uint32_t i = 0; i < arch.n_layer && i < arch.layers.size(); ++i) {
        const auto il = static_cast<std::int32_t>(i);
        const LayerSpec& spec = arch.layers[i];
        add_norms(b, arch, il, spec);
        if (spec.attention == AttentionKind::mla) {
            add_mla(b, arch, il);
        } else if (spec.attention != AttentionKind::none) {
            add_attention(b, arch, il);
        }
        add_recurrent(b, arch, il, spec.recurrent);
        add_ffn(b, arch, il, spec.ffn);
    }
    b.add("output_norm.weight", TensorRole::norm, -1, arch.n_embd);
    if (arch.norm_bias) b.add("output_norm.bias", TensorRole::norm, -1, arch.n_embd);
    if (!arch.tied_embeddings) b.add("output.weight", TensorRole::output, -1, arch.n_embd, arch.n_vocab);

    const double unused = 1.0 - routed_fraction_per_token(arch);
    double inactive = 0.0;
    for (const Tensor& t : inv.tensors) {
        inv.params_total += t.n_elements();
        if (t.is_routed_expert()) inactive += double(t.n_elements()) * unused;
    }
    inv.params_active = inv.params_total - static_cast<std::uint64_t>(inactive + 0.5);
    return inv;
}

}  // namespace headroom
