// KV cache and recurrent state sizing. Follows llama.cpp src/llama-kv-cache.cpp,
// llama-kv-cache-iswa.cpp (size_swa) and llama-memory-recurrent.cpp via
// shared/reference/runtime-memory.md §2.2–2.5, and vLLM's kv_cache_interface.py (§3).
#include "kv_cache.hpp"

#include <algorithm>

#include "units.hpp"

namespace headroom {
namespace {

// K and V elements per token for one attention layer.
struct LayerKv {
    double k_elems = 0;
    double v_elems = 0;
};

LayerKv layer_kv_elems(const ModelArch& a, AttentionKind kind, const KvLayout& layout) {
    LayerKv kv;
    if (kind == AttentionKind::mla) {
        if (layout.mla_latent) {
            // Latent (kv_lora_rank) + decoupled RoPE key, one "head" (PR #12801 presents MLA as MQA).
            kv.k_elems = double(a.mla.kv_lora_rank) + a.mla.qk_rope_head_dim;
            kv.v_elems = layout.mla_v_less ? 0.0 : double(a.mla.kv_lora_rank);
        } else {
            kv.k_elems = double(a.attn.n_head) * (double(a.mla.qk_nope_head_dim) + a.mla.qk_rope_head_dim);
            kv.v_elems = double(a.attn.n_head) * a.mla.v_head_dim;
        }
        return kv;
    }
    kv.k_elems = double(a.attn.n_head_kv) * a.attn.head_dim_k;
    kv.v_elems = double(a.attn.n_head_kv) * a.attn.head_dim_v;
    return kv;
}

std::uint64_t window_cells(const ModelArch& a, const KvLayout& layout, std::uint64_t n_ctx_padded) {
    // llama.cpp: size_swa = PAD256(min(n_ctx, n_swa * n_seq + n_ubatch)) for a unified cache.
    // Paged servers: each request reserves window - 1 + the tokens of one step.
    std::uint64_t want = 0;
    if (layout.per_sequence_window) {
        want = (std::uint64_t(a.attn.sliding_window) + layout.n_ubatch) * layout.n_seq;
    } else {
        want = std::uint64_t(a.attn.sliding_window) * layout.n_seq + layout.n_ubatch;
    }
    return std::min<std::uint64_t>(n_ctx_padded, pad_to(want, layout.ctx_pad));
}

}  // namespace

double kv_bytes_per_element(KvType type) {
    switch (type) {
    case KvType::f16:
    case KvType::bf16: return 2.0;
    case KvType::fp8: return 1.0;
    case KvType::q8_0: return 34.0 / 32.0;  // ggml block_q8_0: f16 scale + 32 int8
    case KvType::q4_0: return 18.0 / 32.0;  // ggml block_q4_0: f16 scale + 16 B of nibbles
    }
    return 2.0;
}

double recurrent_state_bytes_per_sequence(const ModelArch& a) {
    // llama.cpp keeps recurrent state in F32: (n_embd_r + n_embd_s) × 4 bytes per layer per sequence.
    double total = 0.0;
    for (const LayerSpec& l : a.layers) {
        double r = 0, s = 0;
        switch (l.recurrent) {
        case RecurrentKind::mamba2:
            r = double(a.ssm.d_conv - 1) * (double(a.ssm.d_inner) + 2.0 * a.ssm.n_group * a.ssm.d_state);
            s = double(a.ssm.d_state) * a.ssm.d_inner;
            break;
        case RecurrentKind::mamba1:
            r = double(a.ssm.d_conv - 1) * a.ssm.d_inner;
            s = double(a.ssm.d_state) * a.ssm.d_inner;
            break;
        case RecurrentKind::gated_deltanet: {
            const double key_dim = double(a.linear.n_head_k) * a.linear.head_dim_k;
            const double value_dim = double(a.linear.n_head_v) * a.linear.head_dim_v;
            r = double(a.linear.d_conv - 1) * (2.0 * key_dim + value_dim);
            s = double(a.linear.head_dim_k) * value_dim;
            break;
        }
        case RecurrentKind::kda:
            // Three short convolutions (q, k, v) and a head_dim × head_dim state per head.
            r = 3.0 * (a.linear.d_conv - 1) * double(a.linear.n_head_k) * a.linear.head_dim_k;
            s = double(a.linear.head_dim_k) * a.linear.head_dim_v * a.linear.n_head_k;
            break;
        case RecurrentKind::none:
            break;
        }
        total += (r + s) * 4.0;
    }
    return total;
}

ContextMemory context_memory(const ModelArch& a, const KvLayout& layout) {
    ContextMemory out;
    const std::uint64_t n_ctx = pad_to(std::max<std::uint64_t>(layout.n_ctx, 1), layout.ctx_pad);
    out.n_ctx_padded = n_ctx;
    const double bpe = kv_bytes_per_element(layout.type);
    const std::uint64_t swa_cells = a.attn.sliding_window > 0 ? window_cells(a, layout, n_ctx) : n_ctx;
    for (const LayerSpec& l : a.layers) {
        if (l.attention == AttentionKind::none) continue;
        const LayerKv kv = layer_kv_elems(a, l.attention, layout);
        const double per_cell = (kv.k_elems + kv.v_elems) * bpe;
        if (l.attention == AttentionKind::sliding) {
            out.window_kv_bytes += per_cell * double(swa_cells);
            if (swa_cells < n_ctx) continue;  // capped: no growth
            out.kv_bytes_per_token += per_cell;
        } else {
            out.full_kv_bytes += per_cell * double(n_ctx);
            out.kv_bytes_per_token += per_cell;
        }
    }
    out.kv_bytes = out.full_kv_bytes + out.window_kv_bytes;
    out.state_bytes = recurrent_state_bytes_per_sequence(a) * std::max<std::uint32_t>(1, layout.n_seq);
    return out;
}

double kv_read_bytes_at_depth(const ModelArch& a, const KvLayout& layout, std::uint64_t depth) {
    const double bpe = kv_bytes_per_element(layout.type);
    double bytes = 0.0;
    for (const LayerSpec& l : a.layers) {
        if (l.attention == AttentionKind::none) continue;
        const LayerKv kv = layer_kv_elems(a, l.attention, layout);
        std::uint64_t cells = depth;
        if (l.attention == AttentionKind::sliding) cells = std::min<std::uint64_t>(depth, a.attn.sliding_window);
        bytes += (kv.k_elems + kv.v_elems) * bpe * double(cells);
    }
    return bytes;
}

}  // namespace headroom
