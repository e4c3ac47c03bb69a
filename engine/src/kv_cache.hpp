// Context memory per layer kind: KV cache for full / sliding-window / MLA
// attention layers, a fixed F32 state for recurrent layers.
#pragma once

#include <cstdint>

#include "architecture.hpp"
#include "request.hpp"

namespace headroom {

// Bytes per cached element (llama.cpp block layouts: q8_0 = 34 B / 32, q4_0 = 18 B / 32).
double kv_bytes_per_element(KvType type);

// How the runtime lays out its cache.
struct KvLayout {
    KvType type = KvType::f16;
    std::uint64_t n_ctx = 0;          // tokens allocated (all sequences together for llama.cpp's unified cache)
    std::uint32_t n_seq = 1;          // parallel sequences (llama-server slots, concurrent requests)
    std::uint32_t n_ubatch = 512;     // llama.cpp physical batch (sliding-window cells)
    std::uint32_t ctx_pad = 256;      // llama.cpp pads n_ctx to 256; paged servers use 16-token blocks
    bool mla_v_less = true;           // llama.cpp since PR #19067 stores only the MLA latent (no V)
    bool mla_latent = true;           // false: runtime expands MLA to full per-head K/V
    bool per_sequence_window = false; // paged servers: each request keeps its own window
};

struct ContextMemory {
    double kv_bytes = 0.0;            // KV cache, all attention layers
    double state_bytes = 0.0;         // recurrent / linear-attention state
    double full_kv_bytes = 0.0;       // part of kv_bytes that grows with context (full + MLA layers)
    double window_kv_bytes = 0.0;     // part capped at the window (sliding layers)
    double kv_bytes_per_token = 0.0;  // growth per extra context token at this length
    std::uint64_t n_ctx_padded = 0;
};

ContextMemory context_memory(const ModelArch& arch, const KvLayout& layout);

// KV bytes one decode step reads at a given depth (tokens already in the context).
double kv_read_bytes_at_depth(const ModelArch& arch, const KvLayout& layout, std::uint64_t depth);

// Recurrent state bytes one sequence holds (read and written every token).
double recurrent_state_bytes_per_sequence(const ModelArch& arch);

}  // namespace headroom
