// ModelArch layer counting and validate_architecture.
#include <catch2/catch.hpp>

#include "architecture.hpp"

using namespace headroom;

namespace {

// A small valid dense GQA model: 4 layers, hidden 256, 8/2 heads x 32, ff 512.
ModelArch small_dense() {
    ModelArch a;
    a.model_type = "llama";
    a.n_vocab = 1000;
    a.n_embd = 256;
    a.n_layer = 4;
    a.n_ff = 512;
    a.attn.n_head = 8;
    a.attn.n_head_kv = 2;
    a.attn.head_dim_k = a.attn.head_dim_v = 32;
    a.layers.assign(4, LayerSpec{});
    return a;
}

}  // namespace

TEST_CASE("count_layers / count_recurrent_layers / count_moe_layers count per kind", "[architecture]") {
    ModelArch a = small_dense();
    a.layers[0].attention = AttentionKind::sliding;
    a.layers[1].attention = AttentionKind::none;
    a.layers[1].recurrent = RecurrentKind::mamba2;
    a.layers[2].ffn = FfnKind::moe;
    a.layers[3].attention = AttentionKind::mla;
    CHECK(a.count_layers(AttentionKind::full) == 1);  // only layer 2
    CHECK(a.count_layers(AttentionKind::sliding) == 1);
    CHECK(a.count_layers(AttentionKind::none) == 1);
    CHECK(a.count_layers(AttentionKind::mla) == 1);
    CHECK(a.count_recurrent_layers() == 1);
    CHECK(a.count_moe_layers() == 1);
}

TEST_CASE("validate_architecture accepts a consistent model", "[architecture]") {
    auto r = validate_architecture(small_dense(), "model");
    REQUIRE(r.ok());
}

TEST_CASE("validate_architecture names the bad field", "[architecture]") {
    SECTION("layer list size differs from num_hidden_layers") {
        ModelArch a = small_dense();
        a.layers.pop_back();
        auto r = validate_architecture(a, "model");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "invalid_model");
        CHECK(r.error().field == "model.num_hidden_layers");
        CHECK(r.error().message.find("3") != std::string::npos);
    }
    SECTION("zero hidden size") {
        ModelArch a = small_dense();
        a.n_embd = 0;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.hidden_size");
    }
    SECTION("attention layers without heads") {
        ModelArch a = small_dense();
        a.attn.n_head = 0;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.num_attention_heads");
    }
    SECTION("attention layers without head dim") {
        ModelArch a = small_dense();
        a.attn.head_dim_k = 0;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.head_dim");
    }
    SECTION("heads not a multiple of kv heads") {
        ModelArch a = small_dense();
        a.attn.n_head_kv = 3;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.num_key_value_heads");
        CHECK(r.error().message.find("8") != std::string::npos);
    }
    SECTION("sliding layers without a window") {
        ModelArch a = small_dense();
        a.layers[0].attention = AttentionKind::sliding;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.sliding_window");
    }
    SECTION("MoE layer with top-k above the expert count") {
        ModelArch a = small_dense();
        a.layers[1].ffn = FfnKind::moe;
        a.moe.n_expert = 4;
        a.moe.n_expert_used = 8;
        a.moe.n_ff_expert = 128;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.num_experts_per_tok");
        CHECK(r.error().message.find("8") != std::string::npos);
    }
    SECTION("experts declared but no MoE layer") {
        ModelArch a = small_dense();
        a.moe.n_expert = 8;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.num_experts");
    }
    SECTION("shared experts without a width") {
        ModelArch a = small_dense();
        a.layers[1].ffn = FfnKind::moe;
        a.moe.n_expert = 8;
        a.moe.n_expert_used = 2;
        a.moe.n_ff_expert = 128;
        a.moe.n_shared_expert = 1;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.n_shared_experts");
    }
    SECTION("Mamba-2 layer without SSM sizes") {
        ModelArch a = small_dense();
        a.layers[2].attention = AttentionKind::none;
        a.layers[2].recurrent = RecurrentKind::mamba2;
        a.ssm = SsmParams{};
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "invalid_model");
        CHECK(r.error().field == "cfg.mamba_d_ssm");
    }
    SECTION("Gated DeltaNet layer without linear-attention sizes") {
        ModelArch a = small_dense();
        a.layers[2].attention = AttentionKind::none;
        a.layers[2].recurrent = RecurrentKind::gated_deltanet;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.linear_num_key_heads");
    }
    SECTION("MLA layer without latent rank") {
        ModelArch a = small_dense();
        a.layers[0].attention = AttentionKind::mla;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.kv_lora_rank");
    }
    SECTION("dense layers without intermediate size") {
        ModelArch a = small_dense();
        a.n_ff = 0;
        auto r = validate_architecture(a, "cfg");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().field == "cfg.intermediate_size");
    }
}
