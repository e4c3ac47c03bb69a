// KV cache and recurrent state, hand-worked per layer kind.
#include <catch2/catch.hpp>

#include "kv_cache.hpp"
#include "test_support.hpp"

using namespace headroom;
using headroom_test::model;

namespace {
KvLayout llama_layout(std::uint64_t n_ctx, KvType type = KvType::f16) {
    KvLayout l;
    l.type = type;
    l.n_ctx = n_ctx;
    l.n_seq = 1;
    l.n_ubatch = 512;
    l.ctx_pad = 256;
    return l;
}
}  // namespace

TEST_CASE("Llama 3 8B f16 KV at 8192 is exactly 1024 MiB", "[kv_cache]") {
    // 32 layers × (K + V) 2 × 8 KV heads × 128 dims × 8192 cells × 2 B = 1,073,741,824 B = 1024 MiB.
    const ContextMemory c = context_memory(model("llama-3.1-8b-instruct").arch, llama_layout(8192));
    CHECK(c.kv_bytes == 1073741824.0);
    CHECK(c.state_bytes == 0.0);
    // 128 KiB per token: 32 × 2 × 8 × 128 × 2.
    CHECK(c.kv_bytes_per_token == 131072.0);
}

TEST_CASE("KV quantization uses ggml block sizes", "[kv_cache]") {
    // q8_0: 34 B per 32 elements -> 1024 MiB × 34/64 = 544 MiB; q4_0: 18/64 -> 288 MiB.
    const ModelArch& a = model("llama-3.1-8b-instruct").arch;
    CHECK(context_memory(a, llama_layout(8192, KvType::q8_0)).kv_bytes == 544.0 * 1024 * 1024);
    CHECK(context_memory(a, llama_layout(8192, KvType::q4_0)).kv_bytes == 288.0 * 1024 * 1024);
    CHECK(kv_bytes_per_element(KvType::q8_0) == 1.0625);
    CHECK(kv_bytes_per_element(KvType::q4_0) == 0.5625);
}

TEST_CASE("llama.cpp pads the context to 256 cells", "[kv_cache]") {
    // 1000 tokens -> 1024 cells: 1024 × 131072 B = 128 MiB.
    const ContextMemory c = context_memory(model("llama-3.1-8b-instruct").arch, llama_layout(1000));
    CHECK(c.n_ctx_padded == 1024);
    CHECK(c.kv_bytes == 134217728.0);
}

TEST_CASE("Kimi Linear: cache grows only on its 7 MLA layers, KDA state is fixed", "[kv_cache]") {
    const ModelArch& a = model("kimi-linear-48b-a3b-instruct").arch;
    // MLA latent, V-less (llama.cpp PR #19067): (kv_lora 512 + rope 64) × 2 B = 1152 B per token per MLA layer;
    // 7 layers -> 8064 B per token; 8192 cells -> 66,060,288 B.
    const ContextMemory c8k = context_memory(a, llama_layout(8192));
    CHECK(c8k.kv_bytes == 66060288.0);
    CHECK(c8k.kv_bytes_per_token == 8064.0);
    // KDA: conv 3 × (4 − 1) × 32 heads × 128 = 36,864 + state 128 × 128 × 32 = 524,288 elements, F32,
    // on 20 layers: 20 × 561,152 × 4 B = 44,892,160 B per sequence, whatever the context.
    CHECK(c8k.state_bytes == 44892160.0);
    const ContextMemory c64k = context_memory(a, llama_layout(65536));
    CHECK(c64k.state_bytes == 44892160.0);
    CHECK(c64k.kv_bytes == 8064.0 * 65536);
}

TEST_CASE("gpt-oss windowed layers stop growing at their window", "[kv_cache]") {
    const ModelArch& a = model("gpt-oss-20b").arch;
    // Per cell per layer: 2 × 8 KV heads × 64 × 2 B = 2048 B. Sliding layers hold
    // PAD256(min(n_ctx, 128 × 1 + 512)) = 768 cells: 12 × 2048 × 768 = 18,874,368 B.
    const ContextMemory c8k = context_memory(a, llama_layout(8192));
    const ContextMemory c32k = context_memory(a, llama_layout(32768));
    CHECK(c8k.window_kv_bytes == 18874368.0);
    CHECK(c32k.window_kv_bytes == 18874368.0);
    // Full layers: 12 × 2048 × 32768 = 805,306,368 B.
    CHECK(c32k.full_kv_bytes == 805306368.0);
    // Only the 12 full layers grow: 24,576 B per token.
    CHECK(c32k.kv_bytes_per_token == 24576.0);
}

TEST_CASE("Qwen3-Next DeltaNet layers hold a fixed state", "[kv_cache]") {
    const ModelArch& a = model("qwen3-next-80b-a3b").arch;
    // 36 Gated DeltaNet layers × (conv 3 × (2 × 2048 + 4096) = 24,576 + state 128 × 4096 = 524,288) × 4 B
    // = 36 × 2,195,456 = 79,036,416 B (75.4 MiB) per sequence.
    const ContextMemory c = context_memory(a, llama_layout(8192));
    CHECK(c.state_bytes == 79036416.0);
    // 12 attention layers × 2 × 2 KV heads × 256 × 2 B = 24,576 B per token.
    CHECK(c.kv_bytes_per_token == 24576.0);
    CHECK(c.kv_bytes == 24576.0 * 8192);
    // Four sequences hold four states.
    KvLayout four = llama_layout(8192);
    four.n_seq = 4;
    CHECK(context_memory(a, four).state_bytes == 4 * 79036416.0);
}

TEST_CASE("Gemma 3 27B 5:1 local:global at 8k", "[kv_cache]") {
    const ModelArch& a = model("gemma-3-27b-it").arch;
    // Per cell per layer: 2 × 16 × 128 × 2 B = 8192 B.
    // 10 global layers × 8192 cells × 8192 B = 671,088,640 B;
    // 52 local layers × PAD256(1024 + 512) = 1536 cells × 8192 B = 654,311,424 B;
    // total 1,325,400,064 B = 1.23 GiB (runtime-memory.md §2.4 quotes 1.23 GiB).
    const ContextMemory c = context_memory(a, llama_layout(8192));
    CHECK(c.full_kv_bytes == 671088640.0);
    CHECK(c.window_kv_bytes == 654311424.0);
    CHECK(c.kv_bytes == 1325400064.0);
}

TEST_CASE("DeepSeek V3 MLA latent per token", "[kv_cache]") {
    const ModelArch& a = model("deepseek-v3").arch;
    // V-less: 61 layers × 576 × 2 B = 70,272 B per token (runtime-memory.md §2.3).
    KvLayout l = llama_layout(1024);
    CHECK(context_memory(a, l).kv_bytes_per_token == 70272.0);
    // Before PR #19067 V was stored too: 61 × (576 + 512) × 2 = 132,736 B.
    l.mla_v_less = false;
    CHECK(context_memory(a, l).kv_bytes_per_token == 132736.0);
}

TEST_CASE("KV read per decode step at depth", "[kv_cache]") {
    const ModelArch& a = model("llama-3.1-8b-instruct").arch;
    // 131,072 B per token × 4096 tokens already in context.
    CHECK(kv_read_bytes_at_depth(a, llama_layout(8192), 4096) == 131072.0 * 4096);
    // gpt-oss: sliding layers read at most 128 tokens: 12 × 2048 × (128 + 4096).
    const ModelArch& g = model("gpt-oss-20b").arch;
    CHECK(kv_read_bytes_at_depth(g, llama_layout(8192), 4096) == 12.0 * 2048 * 128 + 12.0 * 2048 * 4096);
}
