// GGML block table, quant names and llama.cpp's per-tensor type rules.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "arch_fixtures.hpp"
#include "quant.hpp"
#include "tensors.hpp"

using namespace headroom;

namespace {

std::vector<TensorStorage> storage_for(const ModelArch& a, const TensorInventory& inv, const std::string& quant) {
    auto f = parse_weight_format(quant);
    REQUIRE(f.ok());
    return assign_tensor_storage(a, inv, *f);
}

// Type of the tensor called `name` (empty type name when absent).
std::string type_of(const TensorInventory& inv, const std::vector<TensorStorage>& st, const std::string& name) {
    for (std::size_t i = 0; i < inv.tensors.size(); ++i)
        if (inv.tensors[i].name == name) return st[i].type_name;
    return "";
}

// Layers whose tensor with this suffix got `type`.
std::vector<int> layers_with(const TensorInventory& inv, const std::vector<TensorStorage>& st, const std::string& suffix,
                             const std::string& type) {
    std::vector<int> out;
    for (std::size_t i = 0; i < inv.tensors.size(); ++i) {
        const Tensor& t = inv.tensors[i];
        if (t.layer >= 0 && t.name.size() >= suffix.size() &&
            t.name.compare(t.name.size() - suffix.size(), suffix.size(), suffix) == 0 && st[i].type_name == type)
            out.push_back(t.layer);
    }
    return out;
}

}  // namespace

TEST_CASE("GGML row bytes come from block size and block bytes", "[quant]") {
    // Q4_K: 256-element super-blocks of 144 bytes → 4096 / 256 × 144 = 16 × 144 = 2304.
    CHECK(ggml_row_bytes(GgmlType::Q4_K, 4096) == 2304);
    // Q8_0: 32-element blocks of 34 bytes → 4096 / 32 × 34 = 128 × 34 = 4352.
    CHECK(ggml_row_bytes(GgmlType::Q8_0, 4096) == 4352);
    // Q6_K on a 14336-wide ffn_down row: 14336 / 256 × 210 = 56 × 210 = 11760.
    CHECK(ggml_row_bytes(GgmlType::Q6_K, 14336) == 11760);
    // MXFP4 on gpt-oss' 2880: 2880 / 32 × 17 = 90 × 17 = 1530.
    CHECK(ggml_row_bytes(GgmlType::MXFP4, 2880) == 1530);
    CHECK(ggml_row_bytes(GgmlType::F32, 10) == 40);
    CHECK(ggml_row_bytes(GgmlType::BF16, 10) == 20);

    // Bits per weight = 8 × bytes / block.
    auto bpw = [](GgmlType t) { return 8.0 * ggml_type_info(t).type_size / ggml_type_info(t).block_size; };
    CHECK(bpw(GgmlType::Q2_K) == Approx(2.625));
    CHECK(bpw(GgmlType::Q3_K) == Approx(3.4375));
    CHECK(bpw(GgmlType::Q4_K) == Approx(4.5));
    CHECK(bpw(GgmlType::Q5_K) == Approx(5.5));
    CHECK(bpw(GgmlType::Q6_K) == Approx(6.5625));
    CHECK(bpw(GgmlType::IQ2_XXS) == Approx(2.0625));
    CHECK(bpw(GgmlType::IQ4_XS) == Approx(4.25));
    CHECK(bpw(GgmlType::IQ1_M) == Approx(1.75));
    CHECK(bpw(GgmlType::MXFP4) == Approx(4.25));
    CHECK(bpw(GgmlType::NVFP4) == Approx(4.5));
}

TEST_CASE("GGML type ids match ggml.h", "[quant]") {
    const std::map<std::uint32_t, GgmlType> ids = {
        {0, GgmlType::F32},     {1, GgmlType::F16},    {2, GgmlType::Q4_0},    {3, GgmlType::Q4_1},
        {6, GgmlType::Q5_0},    {7, GgmlType::Q5_1},   {8, GgmlType::Q8_0},    {10, GgmlType::Q2_K},
        {11, GgmlType::Q3_K},   {12, GgmlType::Q4_K},  {13, GgmlType::Q5_K},   {14, GgmlType::Q6_K},
        {16, GgmlType::IQ2_XXS}, {17, GgmlType::IQ2_XS}, {18, GgmlType::IQ3_XXS}, {19, GgmlType::IQ1_S},
        {20, GgmlType::IQ4_NL}, {21, GgmlType::IQ3_S}, {22, GgmlType::IQ2_S},  {23, GgmlType::IQ4_XS},
        {29, GgmlType::IQ1_M},  {30, GgmlType::BF16},  {34, GgmlType::TQ1_0},  {35, GgmlType::TQ2_0},
        {39, GgmlType::MXFP4},  {40, GgmlType::NVFP4},
    };
    for (const auto& [id, type] : ids) {
        CAPTURE(id);
        GgmlType got = GgmlType::F32;
        REQUIRE(ggml_type_from_id(id, got));
        CHECK(got == type);
        CHECK(ggml_type_info(type).ggml_id == id);
    }
    GgmlType unused = GgmlType::F32;
    CHECK_FALSE(ggml_type_from_id(4, unused));   // removed Q4_2
    CHECK_FALSE(ggml_type_from_id(15, unused));  // Q8_K: intermediate only
    CHECK_FALSE(ggml_type_from_id(999, unused));
}

TEST_CASE("Quant names parse case-insensitively", "[quant]") {
    for (const std::string& n : canonical_quant_names()) {
        CAPTURE(n);
        auto f = parse_weight_format(n);
        REQUIRE(f.ok());
        CHECK(f->name == n);
        std::string lower = n;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        auto g = parse_weight_format(lower);
        REQUIRE(g.ok());
        CHECK(g->name == n);
    }
    // Every contract name is there.
    for (const char* n : {"Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_0", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K",
                          "Q8_0", "IQ2_XXS", "IQ2_XS", "IQ2_M", "IQ3_XXS", "IQ3_M", "IQ4_XS", "IQ4_NL", "MXFP4", "F16",
                          "BF16", "AWQ-INT4", "GPTQ-INT4", "FP8", "NVFP4", "MLX-4bit", "MLX-8bit"}) {
        CAPTURE(n);
        CHECK(parse_weight_format(n).ok());
    }

    auto q4k = parse_weight_format("q4_k");
    REQUIRE(q4k.ok());
    CHECK(q4k->name == "Q4_K_M");
    CHECK(q4k->ftype == GgufFtype::Q4_K_M);
    CHECK(q4k->bits == Approx(4.5));

    auto mx = parse_weight_format("mxfp4");
    REQUIRE(mx.ok());
    CHECK(mx->is_gguf());
    CHECK(mx->ftype == GgufFtype::MXFP4_MOE);

    auto mlx = parse_weight_format("mlx-4BIT");
    REQUIRE(mlx.ok());
    CHECK(mlx->name == "MLX-4bit");
    CHECK(mlx->family == FormatFamily::mlx);

    auto bf = parse_weight_format("bf16");
    REQUIRE(bf.ok());
    CHECK(bf->ftype == GgufFtype::BF16);

    auto exl = parse_weight_format("exl2-4.65");
    REQUIRE(exl.ok());
    CHECK(exl->family == FormatFamily::exl2);
    CHECK(exl->name == "EXL2-4.65");
    CHECK(exl->bits == Approx(4.65));
    auto exl6 = parse_weight_format("EXL2-6");
    REQUIRE(exl6.ok());
    CHECK(exl6->name == "EXL2-6.0");
    CHECK(parse_weight_format("EXL2-2.0").ok());
    CHECK(parse_weight_format("EXL2-8.0").ok());
}

TEST_CASE("Bad quant names are errors that name the value", "[quant]") {
    auto bad = parse_weight_format("Q4_K_X");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == "unknown_quant");
    CHECK(bad.error().field == "quant");
    CHECK(bad.error().message.find("'Q4_K_X'") != std::string::npos);
    CHECK(bad.error().message.find("Q4_K_M") != std::string::npos);   // lists valid names
    CHECK(bad.error().message.find("AWQ-INT4") != std::string::npos);

    CHECK(parse_weight_format("").error().code == "unknown_quant");

    for (const char* n : {"EXL2-9.5", "EXL2-1.9", "EXL2-abc", "EXL2-"}) {
        CAPTURE(n);
        auto e = parse_weight_format(n);
        REQUIRE_FALSE(e.ok());
        CHECK(e.error().code == "invalid_quant");
        CHECK(e.error().field == "quant");
        CHECK(e.error().message.find(n) != std::string::npos);
    }
}

TEST_CASE("Q4_K_M on Llama-3-8B: use_more_bits picks 16 of 32 layers for Q6_K", "[quant]") {
    const ModelArch a = headroom_test::llama3_8b();
    const TensorInventory inv = build_tensor_inventory(a);
    const auto st = storage_for(a, inv, "Q4_K_M");

    // use_more_bits(i, 32) = i < 4 || i >= 28 || (i - 4) % 3 == 2:
    // 0-3 (4) + 28-31 (4) + 6, 9, 12, 15, 18, 21, 24, 27 (8) = 16 layers.
    const std::vector<int> expected = {0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31};
    CHECK(layers_with(inv, st, "attn_v.weight", "Q6_K") == expected);
    CHECK(layers_with(inv, st, "ffn_down.weight", "Q6_K") == expected);
    CHECK(layers_with(inv, st, "attn_v.weight", "Q4_K").size() == 16);
    CHECK(layers_with(inv, st, "ffn_down.weight", "Q4_K").size() == 16);
    // Everything else 2-D is the base Q4_K; the head Q6_K; untied embedding Q4_K; norms F32.
    CHECK(layers_with(inv, st, "attn_q.weight", "Q4_K").size() == 32);
    CHECK(layers_with(inv, st, "attn_k.weight", "Q4_K").size() == 32);
    CHECK(layers_with(inv, st, "attn_output.weight", "Q4_K").size() == 32);
    CHECK(layers_with(inv, st, "ffn_gate.weight", "Q4_K").size() == 32);
    CHECK(layers_with(inv, st, "ffn_up.weight", "Q4_K").size() == 32);
    CHECK(layers_with(inv, st, "attn_norm.weight", "F32").size() == 32);
    CHECK(type_of(inv, st, "output.weight") == "Q6_K");
    CHECK(type_of(inv, st, "token_embd.weight") == "Q4_K");
    CHECK(type_of(inv, st, "output_norm.weight") == "F32");

    // Count of Q6_K tensors: 16 attn_v + 16 ffn_down + output = 33.
    CHECK(std::count_if(st.begin(), st.end(), [](const TensorStorage& s) { return s.type_name == "Q6_K"; }) == 33);

    // token_embd bytes: 128256 rows × (4096 / 256 × 144 = 2304 B) = 295,501,824 B = 281.81 MiB,
    // the "CPU buffer size = 281.81 MiB" llama.cpp logs for this file (measured_sizes.csv).
    for (std::size_t i = 0; i < inv.tensors.size(); ++i)
        if (inv.tensors[i].name == "token_embd.weight") CHECK(st[i].bytes == 295501824.0);
}

TEST_CASE("Other K-quant mixes on Llama-3-8B", "[quant]") {
    const ModelArch a = headroom_test::llama3_8b();
    const TensorInventory inv = build_tensor_inventory(a);

    // Q3_K_M: first two attn_v Q5_K, rest Q4_K; ffn_down Q5_K below n/16 = 2, else Q4_K; attn_output Q4_K.
    auto q3m = storage_for(a, inv, "Q3_K_M");
    CHECK(layers_with(inv, q3m, "attn_v.weight", "Q5_K") == std::vector<int>{0, 1});
    CHECK(layers_with(inv, q3m, "attn_v.weight", "Q4_K").size() == 30);
    CHECK(layers_with(inv, q3m, "ffn_down.weight", "Q5_K") == std::vector<int>{0, 1});
    CHECK(layers_with(inv, q3m, "attn_output.weight", "Q4_K").size() == 32);
    CHECK(layers_with(inv, q3m, "attn_q.weight", "Q3_K").size() == 32);

    // Q2_K: gqa = 32 / 8 = 4 ≥ 4 → attn_v Q4_K; ffn_down and attn_output Q3_K.
    auto q2 = storage_for(a, inv, "Q2_K");
    CHECK(layers_with(inv, q2, "attn_v.weight", "Q4_K").size() == 32);
    CHECK(layers_with(inv, q2, "ffn_down.weight", "Q3_K").size() == 32);
    CHECK(layers_with(inv, q2, "attn_output.weight", "Q3_K").size() == 32);
    CHECK(type_of(inv, q2, "token_embd.weight") == "Q2_K");

    // Q4_K_S: first 4 attn_v and ffn_down below n/8 = 4 get Q5_K.
    auto q4s = storage_for(a, inv, "Q4_K_S");
    CHECK(layers_with(inv, q4s, "attn_v.weight", "Q5_K") == std::vector<int>{0, 1, 2, 3});
    CHECK(layers_with(inv, q4s, "ffn_down.weight", "Q5_K") == std::vector<int>{0, 1, 2, 3});

    // Q8_0 keeps Q8_0 everywhere, head included.
    auto q8 = storage_for(a, inv, "Q8_0");
    CHECK(type_of(inv, q8, "output.weight") == "Q8_0");
    CHECK(type_of(inv, q8, "blk.7.attn_v.weight") == "Q8_0");

    // IQ2_XXS: untied embedding Q2_K, head Q5_K, attn_v Q4_K (gqa 4), first n/8 ffn_down Q2_K.
    auto iq2 = storage_for(a, inv, "IQ2_XXS");
    CHECK(type_of(inv, iq2, "token_embd.weight") == "Q2_K");
    CHECK(type_of(inv, iq2, "output.weight") == "Q5_K");
    CHECK(type_of(inv, iq2, "blk.0.attn_v.weight") == "Q4_K");
    CHECK(layers_with(inv, iq2, "ffn_down.weight", "Q2_K") == std::vector<int>{0, 1, 2, 3});
    CHECK(type_of(inv, iq2, "blk.4.ffn_down.weight") == "IQ2_XXS");

    // F16 file: every 2-D weight F16, 1-D norms F32.
    auto f16 = storage_for(a, inv, "F16");
    CHECK(type_of(inv, f16, "token_embd.weight") == "F16");
    CHECK(type_of(inv, f16, "output.weight") == "F16");
    CHECK(type_of(inv, f16, "blk.3.ffn_down.weight") == "F16");
    CHECK(type_of(inv, f16, "blk.3.ffn_norm.weight") == "F32");
}

TEST_CASE("Llama 70B: attn_v bumped to at least Q5_K", "[quant]") {
    const ModelArch a = headroom_test::llama31_70b();
    const TensorInventory inv = build_tensor_inventory(a);
    auto st = storage_for(a, inv, "Q4_K_M");
    // use_more_bits(i, 80) holds for 40 layers → Q6_K; the other 40 would be Q4_K and become Q5_K.
    CHECK(layers_with(inv, st, "attn_v.weight", "Q6_K").size() == 40);
    CHECK(layers_with(inv, st, "attn_v.weight", "Q5_K").size() == 40);
    CHECK(layers_with(inv, st, "ffn_down.weight", "Q6_K").size() == 40);
    auto q3s = storage_for(a, inv, "Q3_K_S");
    CHECK(layers_with(inv, q3s, "attn_v.weight", "Q5_K").size() == 80);  // Q3_K → Q5_K
}

TEST_CASE("Tied embeddings follow the output rule", "[quant]") {
    const ModelArch a = headroom_test::llama32_1b_tied();
    const TensorInventory inv = build_tensor_inventory(a);
    REQUIRE(type_of(inv, storage_for(a, inv, "Q4_K_M"), "output.weight").empty());
    CHECK(type_of(inv, storage_for(a, inv, "Q4_K_M"), "token_embd.weight") == "Q6_K");
    CHECK(type_of(inv, storage_for(a, inv, "Q3_K_S"), "token_embd.weight") == "Q6_K");
    CHECK(type_of(inv, storage_for(a, inv, "Q8_0"), "token_embd.weight") == "Q8_0");
    CHECK(type_of(inv, storage_for(a, inv, "IQ2_XXS"), "token_embd.weight") == "Q5_K");
    CHECK(type_of(inv, storage_for(a, inv, "MXFP4"), "token_embd.weight") == "Q8_0");
    // The same model untied keeps the base type on the embedding.
    ModelArch untied = a;
    untied.tied_embeddings = false;
    const TensorInventory inv2 = build_tensor_inventory(untied);
    CHECK(type_of(inv2, storage_for(untied, inv2, "Q4_K_M"), "token_embd.weight") == "Q4_K");
    CHECK(type_of(inv2, storage_for(untied, inv2, "Q4_K_M"), "output.weight") == "Q6_K");
}

TEST_CASE("Rows that do not divide the block fall back (gpt-oss 2880)", "[quant]") {
    const ModelArch a = headroom_test::gpt_oss_20b();
    const TensorInventory inv = build_tensor_inventory(a);
    auto st = storage_for(a, inv, "Q4_K_M");
    // 2880 % 256 = 64 → Q4_K cannot hold the row; Q5_0 (block 32: 2880 / 32 = 90) can.
    CHECK(type_of(inv, st, "blk.5.attn_q.weight") == "Q5_0");
    CHECK(type_of(inv, st, "blk.5.ffn_up_exps.weight") == "Q5_0");
    // ffn_down_exps rows are 2880 too: use_more_bits(0, 24) → Q6_K → Q8_0 (block 32);
    // layer 4 is not selected ((4 - 24/8) % 3 = 1) → Q4_K → Q5_0.
    CHECK(type_of(inv, st, "blk.0.ffn_down_exps.weight") == "Q8_0");
    CHECK(type_of(inv, st, "blk.4.ffn_down_exps.weight") == "Q5_0");
    CHECK(type_of(inv, st, "blk.0.attn_v.weight") == "Q8_0");
    // attn_output rows are 64 × 64 = 4096 wide: Q4_K fits.
    CHECK(type_of(inv, st, "blk.5.attn_output.weight") == "Q4_K");
    // Output head: 2880 not a multiple of Q4_K's 256 → Q8_0.
    CHECK(type_of(inv, st, "output.weight") == "Q8_0");
    // Never quantized: router, sinks, biases, norms.
    CHECK(type_of(inv, st, "blk.5.ffn_gate_inp.weight") == "F32");
    CHECK(type_of(inv, st, "blk.5.attn_sinks.weight") == "F32");
    CHECK(type_of(inv, st, "blk.5.attn_q.bias") == "F32");
}

TEST_CASE("MXFP4_MOE: stacked experts MXFP4, everything else Q8_0", "[quant]") {
    const ModelArch a = headroom_test::gpt_oss_20b();
    const TensorInventory inv = build_tensor_inventory(a);
    auto st = storage_for(a, inv, "MXFP4");
    CHECK(layers_with(inv, st, "ffn_gate_exps.weight", "MXFP4").size() == 24);
    CHECK(layers_with(inv, st, "ffn_up_exps.weight", "MXFP4").size() == 24);
    CHECK(layers_with(inv, st, "ffn_down_exps.weight", "MXFP4").size() == 24);
    CHECK(layers_with(inv, st, "attn_q.weight", "Q8_0").size() == 24);
    CHECK(layers_with(inv, st, "attn_v.weight", "Q8_0").size() == 24);
    CHECK(layers_with(inv, st, "attn_output.weight", "Q8_0").size() == 24);
    CHECK(type_of(inv, st, "output.weight") == "Q8_0");
    CHECK(type_of(inv, st, "token_embd.weight") == "Q8_0");
    CHECK(type_of(inv, st, "blk.0.ffn_gate_inp.weight") == "F32");
    // One expert matrix: 2880 × 2880 × 32 elements × 4.25 / 8 = 2880 × (90 × 17) × 32 bytes.
    for (std::size_t i = 0; i < inv.tensors.size(); ++i)
        if (inv.tensors[i].name == "blk.0.ffn_up_exps.weight") CHECK(st[i].bytes == 2880.0 * 1530.0 * 32.0);
}

TEST_CASE("Fused attn_qkv takes its own rule (Phi-3)", "[quant]") {
    // microsoft/Phi-3-mini-4k-instruct: 3072 wide, 32 layers, 32 heads (MHA), n_ff 8192, vocab 32064.
    ModelArch a = headroom_test::dense_llama(3072, 32, 32, 32, 8192, 32064);
    a.model_type = "phi3";
    a.attn.fused_qkv = true;
    const TensorInventory inv = build_tensor_inventory(a);
    CHECK(layers_with(inv, storage_for(a, inv, "Q4_K_M"), "attn_qkv.weight", "Q5_K").size() == 32);
    CHECK(layers_with(inv, storage_for(a, inv, "Q5_K_M"), "attn_qkv.weight", "Q6_K").size() == 32);
    CHECK(layers_with(inv, storage_for(a, inv, "Q3_K_M"), "attn_qkv.weight", "Q4_K").size() == 32);
    CHECK(layers_with(inv, storage_for(a, inv, "Q4_K_S"), "attn_qkv.weight", "Q4_K").size() == 32);
    // ffn_down still follows use_more_bits (16 of 32).
    CHECK(layers_with(inv, storage_for(a, inv, "Q4_K_M"), "ffn_down.weight", "Q6_K").size() == 16);
}

TEST_CASE("Non-GGUF formats: effective bits per tensor class", "[quant]") {
    const ModelArch a = headroom_test::llama3_8b();
    const TensorInventory inv = build_tensor_inventory(a);
    auto bits_of = [&](const std::vector<TensorStorage>& st, const std::string& name) {
        for (std::size_t i = 0; i < inv.tensors.size(); ++i)
            if (inv.tensors[i].name == name) return st[i].bytes * 8.0 / double(inv.tensors[i].n_elements());
        return 0.0;
    };

    // AWQ int4 g128: 4 bits + (16-bit scale + 4-bit zero) / 128 = 4 + 20/128 = 4.15625 bpw.
    auto awq = storage_for(a, inv, "AWQ-INT4");
    CHECK(bits_of(awq, "blk.0.attn_q.weight") == Approx(4.15625));
    CHECK(bits_of(awq, "blk.0.ffn_down.weight") == Approx(4.16).epsilon(0.002));
    CHECK(bits_of(awq, "token_embd.weight") == Approx(16.0));
    CHECK(bits_of(awq, "output.weight") == Approx(16.0));
    CHECK(bits_of(awq, "blk.0.attn_norm.weight") == Approx(16.0));

    // GPTQ adds one int32 g_idx per input feature: attn_q 4096 × 4096 → + 32 / 4096 bits.
    auto gptq = storage_for(a, inv, "GPTQ-INT4");
    CHECK(bits_of(gptq, "blk.0.attn_q.weight") == Approx(4.15625 + 32.0 / 4096.0));

    // FP8: 8 bits + one fp32 scale per output row: attn_k (1024 rows of 4096) → 8 + 32/4096.
    auto fp8 = storage_for(a, inv, "FP8");
    CHECK(bits_of(fp8, "blk.0.attn_k.weight") == Approx(8.0 + 32.0 / 4096.0));
    CHECK(bits_of(fp8, "output.weight") == Approx(16.0));

    auto nv = storage_for(a, inv, "NVFP4");
    CHECK(bits_of(nv, "blk.0.ffn_up.weight") == Approx(4.5).epsilon(1e-6));

    // MLX affine g64: 4 + 2 × 16 / 64 = 4.5, and the embedding and head are quantized too.
    auto mlx4 = storage_for(a, inv, "MLX-4bit");
    CHECK(bits_of(mlx4, "blk.0.attn_q.weight") == Approx(4.5));
    CHECK(bits_of(mlx4, "token_embd.weight") == Approx(4.5));
    CHECK(bits_of(mlx4, "output.weight") == Approx(4.5));
    CHECK(bits_of(mlx4, "blk.0.attn_norm.weight") == Approx(16.0));
    CHECK(bits_of(storage_for(a, inv, "MLX-8bit"), "blk.0.attn_q.weight") == Approx(8.5));

    // EXL2: linear layers at the target, head at 6 bits, embedding 16-bit.
    auto exl = storage_for(a, inv, "EXL2-4.65");
    CHECK(bits_of(exl, "blk.0.attn_q.weight") == Approx(4.65));
    CHECK(bits_of(exl, "output.weight") == Approx(6.0));
    CHECK(bits_of(exl, "token_embd.weight") == Approx(16.0));
}
