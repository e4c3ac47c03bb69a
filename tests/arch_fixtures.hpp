// Hand-built architectures for the weight tests (independent of the
// config.json reader). Shapes from the models' Hugging Face config.json.
#pragma once

#include "architecture.hpp"

namespace headroom_test {

inline headroom::ModelArch dense_llama(std::uint32_t n_embd, std::uint32_t n_layer, std::uint32_t n_head,
                                       std::uint32_t n_head_kv, std::uint32_t n_ff, std::uint64_t n_vocab) {
    headroom::ModelArch a;
    a.model_type = "llama";
    a.n_embd = n_embd;
    a.n_layer = n_layer;
    a.n_ff = n_ff;
    a.n_vocab = n_vocab;
    a.gated_ffn = true;
    a.tied_embeddings = false;
    a.norms_per_layer = 2;
    a.n_ctx_train = 8192;
    a.attn.n_head = n_head;
    a.attn.n_head_kv = n_head_kv;
    a.attn.head_dim_k = n_embd / n_head;
    a.attn.head_dim_v = n_embd / n_head;
    a.layers.assign(n_layer, headroom::LayerSpec{headroom::AttentionKind::full, headroom::RecurrentKind::none,
                                                 headroom::FfnKind::dense});
    return a;
}

// meta-llama/Meta-Llama-3-8B (Llama 3.1 8B has the same tensors).
inline headroom::ModelArch llama3_8b() { return dense_llama(4096, 32, 32, 8, 14336, 128256); }

// meta-llama/Llama-3.1-70B (Llama 3 70B has the same tensors); llama.cpp types it LLM_TYPE_70B.
inline headroom::ModelArch llama31_70b() {
    headroom::ModelArch a = dense_llama(8192, 80, 64, 8, 28672, 128256);
    a.quant_llama_70b = true;
    return a;
}

// A Llama-3.2-1B-like tied model: 2048 wide, 16 layers, 32/8 heads, n_ff 8192.
inline headroom::ModelArch llama32_1b_tied() {
    headroom::ModelArch a = dense_llama(2048, 16, 32, 8, 8192, 128256);
    a.tied_embeddings = true;
    return a;
}

// openai/gpt-oss-20b: 2880 wide, 24 layers, 64 q heads / 8 kv heads of 64,
// 32 experts (top-4) of 2880, biases on q/k/v/o and experts, sinks, SWA on
// alternate layers.
inline headroom::ModelArch gpt_oss_20b() {
    headroom::ModelArch a;
    a.model_type = "gpt_oss";
    a.n_embd = 2880;
    a.n_layer = 24;
    a.n_ff = 2880;
    a.n_vocab = 201088;
    a.gated_ffn = true;
    a.norms_per_layer = 2;
    a.n_ctx_train = 131072;
    a.attn.n_head = 64;
    a.attn.n_head_kv = 8;
    a.attn.head_dim_k = 64;
    a.attn.head_dim_v = 64;
    a.attn.sliding_window = 128;
    a.attn.qkv_bias = true;
    a.attn.o_bias = true;
    a.attn.sinks = true;
    a.moe.n_expert = 32;
    a.moe.n_expert_used = 4;
    a.moe.n_ff_expert = 2880;
    a.moe.expert_bias = true;
    a.moe.router_bias = false;
    a.layers.resize(a.n_layer);
    for (std::uint32_t i = 0; i < a.n_layer; ++i) {
        a.layers[i].attention = i % 2 == 0 ? headroom::AttentionKind::sliding : headroom::AttentionKind::full;
        a.layers[i].ffn = headroom::FfnKind::moe;
    }
    return a;
}

}  // namespace headroom_test
