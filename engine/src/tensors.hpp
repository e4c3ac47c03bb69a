// The full tensor list of a model, named as llama.cpp's GGUF files name them
// (blk.N.attn_q.weight, ...), with shape, role and layer. Everything about
// weights (parameter counts, bytes per format, bytes read per token) is a sum
// over this list.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "architecture.hpp"

namespace headroom {

enum class TensorRole : std::uint8_t {
    token_embd,
    output,
    norm,            // any norm weight or bias (1-D)
    bias,            // projection biases (1-D)
    attn_q,
    attn_k,
    attn_v,
    attn_qkv,
    attn_output,
    attn_q_a,        // MLA
    attn_q_b,
    attn_kv_a_mqa,
    attn_k_b,
    attn_v_b,
    attn_sinks,
    ffn_gate,
    ffn_up,
    ffn_down,
    ffn_gate_inp,    // MoE router (never quantized)
    ffn_gate_exps,   // routed experts, stacked [n_in, n_out, n_expert]
    ffn_up_exps,
    ffn_down_exps,
    ffn_gate_shexp,  // shared experts
    ffn_up_shexp,
    ffn_down_shexp,
    ffn_gate_inp_shexp,
    ssm_in,          // SSM / linear-attention input projection(s)
    ssm_conv1d,      // short convolution (never quantized)
    ssm_x,           // Mamba-1 x_proj
    ssm_dt,          // dt projection (2-D) or dt bias (1-D)
    ssm_small,       // other 1-D SSM parameters (A_log, D, ...)
    ssm_proj,        // other 2-D linear-attention projections (gates, beta/alpha)
    ssm_out,
};

const char* tensor_role_name(TensorRole role);

struct Tensor {
    std::string name;                  // GGUF-style name
    TensorRole role = TensorRole::norm;
    std::int32_t layer = -1;           // -1 for model-level tensors
    std::array<std::uint64_t, 3> ne{1, 1, 1};  // ne[0] = row length (input dim), ne[1] = rows, ne[2] = experts/heads
    std::uint32_t n_dims = 1;

    std::uint64_t n_elements() const { return ne[0] * ne[1] * ne[2]; }
    bool is_routed_expert() const;
    bool is_shared_expert() const;
};

struct TensorInventory {
    std::vector<Tensor> tensors;
    std::uint64_t params_total = 0;    // every tensor (embedding and head once each)
    std::uint64_t params_active = 0;   // total minus the routed experts a token does not use
};

// Builds the inventory. The architecture must have passed validate_architecture.
TensorInventory build_tensor_inventory(const ModelArch& arch);

// Fraction of a routed-expert tensor that one token reads: n_expert_used / n_expert.
double routed_fraction_per_token(const ModelArch& arch);

}  // namespace headroom
