// import_hf_config: real Hugging Face config.json keys -> ModelArch, checked
// against hand-worked layer counts and parameter totals.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "architecture.hpp"
#include "config_import.hpp"
#include "tensors.hpp"
#include "test_support.hpp"

using namespace headroom;
using nlohmann::json;

namespace {

ModelArch import_ok(const std::string& text) {
    auto r = import_hf_config(json::parse(text), "cfg");
    if (!r.ok()) FAIL("import failed: " << r.error().code << " " << r.error().field << " " << r.error().message);
    auto v = validate_architecture(*r, "cfg");
    if (!v.ok()) FAIL("invalid: " << v.error().field << " " << v.error().message);
    return *r;
}

bool has_note(const ModelArch& a, const std::string& needle) {
    for (const auto& n : a.notes)
        if (n.find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("Llama-3-8B: exact parameter count", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256,
        "tie_word_embeddings": false, "max_position_embeddings": 8192})");
    CHECK(a.attn.head_dim_k == 128);  // 4096 / 32, head_dim absent
    CHECK(a.n_ctx_train == 8192);
    CHECK_FALSE(a.tied_embeddings);
    CHECK(a.count_layers(AttentionKind::full) == 32);
    CHECK_FALSE(a.quant_llama_70b);
    // Per layer: q 4096*4096 + k,v 2*4096*1024 + o 4096*4096 = 41,943,040
    //            ffn 3*4096*14336 = 176,160,768; norms 2*4096 = 8,192  -> 218,112,000
    // 32 layers = 6,979,584,000; embeddings + head 2*128256*4096 = 1,050,673,152; final norm 4,096
    // total = 8,030,261,248 (keras-hub llama3_8b_en)
    const TensorInventory inv = build_tensor_inventory(a);
    CHECK(inv.params_total == 8030261248ull);
    CHECK(inv.params_active == inv.params_total);
}

TEST_CASE("Llama 3.1 70B: 80 layers set the llama.cpp 70B quant rule", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "llama", "hidden_size": 8192, "num_hidden_layers": 80,
        "num_attention_heads": 64, "num_key_value_heads": 8, "intermediate_size": 28672, "vocab_size": 128256,
        "tie_word_embeddings": false, "max_position_embeddings": 131072})");
    CHECK(a.quant_llama_70b);
    CHECK(a.n_ctx_train == 131072);
}

TEST_CASE("Qwen3-Next-80B-A3B: 36 Gated DeltaNet + 12 gated full-attention layers", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "qwen3_next", "hidden_size": 2048, "num_hidden_layers": 48,
        "num_attention_heads": 16, "num_key_value_heads": 2, "head_dim": 256, "intermediate_size": 5120,
        "vocab_size": 151936, "tie_word_embeddings": false, "max_position_embeddings": 262144,
        "num_experts": 512, "num_experts_per_tok": 10, "moe_intermediate_size": 512,
        "shared_expert_intermediate_size": 512, "decoder_sparse_step": 1, "mlp_only_layers": [],
        "full_attention_interval": 4, "linear_num_key_heads": 16, "linear_key_head_dim": 128,
        "linear_num_value_heads": 32, "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4})");
    // full_attention_interval 4: layer i is full attention iff (i+1) % 4 == 0 -> 48/4 = 12
    CHECK(a.count_layers(AttentionKind::full) == 12);
    CHECK(a.count_layers(AttentionKind::none) == 36);
    CHECK(a.count_recurrent_layers() == 36);
    CHECK(a.layers[3].attention == AttentionKind::full);
    CHECK(a.layers[0].recurrent == RecurrentKind::gated_deltanet);
    CHECK(a.count_moe_layers() == 48);
    CHECK(a.attn.output_gate);
    CHECK(a.attn.qk_norm);
    CHECK(a.moe.n_shared_expert == 1);
    CHECK(a.moe.n_ff_shared == 512);
    CHECK(a.moe.shared_gate);
    CHECK(a.linear.n_head_v == 32);
}

TEST_CASE("Kimi Linear 48B-A3B: 1-indexed full_attn_layers are MLA, the other 20 KDA", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "kimi_linear", "hidden_size": 2304, "num_hidden_layers": 27,
        "num_attention_heads": 32, "num_key_value_heads": 32, "head_dim": 72, "intermediate_size": 9216,
        "vocab_size": 163840, "model_max_length": 1048576, "num_experts": 256, "num_experts_per_token": 8,
        "num_shared_experts": 1, "moe_intermediate_size": 1024, "first_k_dense_replace": 1, "moe_layer_freq": 1,
        "kv_lora_rank": 512, "q_lora_rank": null, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128,
        "v_head_dim": 128, "linear_attn_config": {"full_attn_layers": [4, 8, 12, 16, 20, 24, 27],
        "kda_layers": [1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, 17, 18, 19, 21, 22, 23, 25, 26],
        "num_heads": 32, "head_dim": 128, "short_conv_kernel_size": 4}})");
    CHECK(a.count_layers(AttentionKind::mla) == 7);
    CHECK(a.count_recurrent_layers() == 20);
    CHECK(a.layers[3].attention == AttentionKind::mla);   // layer "4" (1-indexed)
    CHECK(a.layers[26].attention == AttentionKind::mla);  // layer "27"
    CHECK(a.layers[0].recurrent == RecurrentKind::kda);
    CHECK(a.layers[0].ffn == FfnKind::dense);  // first_k_dense_replace 1
    CHECK(a.count_moe_layers() == 26);
    CHECK(a.mla.q_lora_rank == 0);
    CHECK(a.mla.kv_lora_rank == 512);
    CHECK(a.linear.head_dim_k == 128);
    CHECK(a.linear.n_head_k == 32);
    CHECK(a.n_ctx_train == 1048576);        // model_max_length (no max_position_embeddings)
    CHECK_FALSE(a.tied_embeddings);         // class default
    CHECK(a.moe.n_ff_shared == 1024);       // 1 shared expert x moe_intermediate_size
    CHECK(has_note(a, "1-indexed"));
}

TEST_CASE("gpt-oss-20b: alternating sliding(128)/full layers and the keras-hub exact total", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "gpt_oss", "hidden_size": 2880, "num_hidden_layers": 24,
        "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 64, "intermediate_size": 2880,
        "vocab_size": 201088, "tie_word_embeddings": false, "max_position_embeddings": 131072,
        "num_local_experts": 32, "num_experts_per_tok": 4, "experts_per_token": 4, "sliding_window": 128,
        "layer_types": ["sliding_attention", "full_attention", "sliding_attention", "full_attention",
          "sliding_attention", "full_attention", "sliding_attention", "full_attention", "sliding_attention",
          "full_attention", "sliding_attention", "full_attention", "sliding_attention", "full_attention",
          "sliding_attention", "full_attention", "sliding_attention", "full_attention", "sliding_attention",
          "full_attention", "sliding_attention", "full_attention", "sliding_attention", "full_attention"]})");
    CHECK(a.count_layers(AttentionKind::sliding) == 12);
    CHECK(a.count_layers(AttentionKind::full) == 12);
    CHECK(a.layers[0].attention == AttentionKind::sliding);
    CHECK(a.attn.sliding_window == 128);
    CHECK(a.count_moe_layers() == 24);
    CHECK(a.moe.n_ff_expert == 2880);
    // Per layer: q 2880*4096 + k,v 2*2880*512 + o 4096*2880 = 26,542,080; q/k/v/o biases 4096+512+512+2880 = 8,000;
    //   sinks 64; router 2880*32 + bias 32 = 92,192; experts 3*2880*2880*32 = 796,262,400;
    //   expert biases 3*2880*32 = 276,480; norms 2*2880 = 5,760  -> 823,186,976
    // 24 layers = 19,756,487,424; embeddings + head 2*201088*2880 = 1,158,266,880; final norm 2,880
    // total = 20,914,757,184 (keras-hub gpt_oss_20b_en)
    const TensorInventory inv = build_tensor_inventory(a);
    CHECK(inv.params_total == 20914757184ull);
}

TEST_CASE("Gemma 3 27B (text_config nesting): 52 sliding + 10 global layers", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "gemma3", "architectures": ["Gemma3ForConditionalGeneration"],
        "text_config": {"model_type": "gemma3_text", "hidden_size": 5376, "num_hidden_layers": 62,
          "num_attention_heads": 32, "num_key_value_heads": 16, "head_dim": 128, "intermediate_size": 21504,
          "vocab_size": 262208, "max_position_embeddings": 131072, "sliding_window": 1024,
          "sliding_window_pattern": 6},
        "vision_config": {"hidden_size": 1152}})");
    // sliding_window_pattern 6: layer i global iff (i+1) % 6 == 0 -> floor(62/6) = 10 global, 52 local
    CHECK(a.count_layers(AttentionKind::sliding) == 52);
    CHECK(a.count_layers(AttentionKind::full) == 10);
    CHECK(a.layers[5].attention == AttentionKind::full);
    CHECK(a.attn.sliding_window == 1024);
    CHECK(a.model_type == "gemma3");
    CHECK(a.tied_embeddings);  // Gemma ties by default (tie_word_embeddings absent)
    CHECK(a.attn.qk_norm);
    CHECK(a.norms_per_layer == 4);
    CHECK(a.n_ctx_train == 131072);
    CHECK(has_note(a, "multimodal: text part only"));
    // keras-hub gemma3_27b_text 27,009,002,240 with vocab 262144; +64 rows x 5376 for vocab 262208
    const TensorInventory inv = build_tensor_inventory(a);
    CHECK(inv.params_total == 27009002240ull + 64ull * 5376ull);
}

TEST_CASE("Gemma 2: alternating local/global starting with a local layer", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "gemma2", "hidden_size": 2304, "num_hidden_layers": 26,
        "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "intermediate_size": 9216,
        "vocab_size": 256000, "max_position_embeddings": 8192, "sliding_window": 4096})");
    CHECK(a.layers[0].attention == AttentionKind::sliding);
    CHECK(a.layers[1].attention == AttentionKind::full);
    CHECK(a.count_layers(AttentionKind::sliding) == 13);
    // keras-hub gemma2_2b_en = 2,614,341,888
    CHECK(build_tensor_inventory(a).params_total == 2614341888ull);
}

TEST_CASE("DeepSeek V3: MLA on all 61 layers, first 3 dense, 58 MoE", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "deepseek_v3", "hidden_size": 7168, "num_hidden_layers": 61,
        "num_attention_heads": 128, "num_key_value_heads": 128, "intermediate_size": 18432, "vocab_size": 129280,
        "tie_word_embeddings": false, "max_position_embeddings": 163840, "n_routed_experts": 256,
        "num_experts_per_tok": 8, "n_shared_experts": 1, "moe_intermediate_size": 2048, "first_k_dense_replace": 3,
        "moe_layer_freq": 1, "n_group": 8, "topk_group": 4, "topk_method": "noaux_tc", "num_nextn_predict_layers": 1,
        "kv_lora_rank": 512, "q_lora_rank": 1536, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128, "v_head_dim": 128})");
    CHECK(a.count_layers(AttentionKind::mla) == 61);
    CHECK(a.layers[0].ffn == FfnKind::dense);
    CHECK(a.layers[2].ffn == FfnKind::dense);
    CHECK(a.layers[3].ffn == FfnKind::moe);
    CHECK(a.count_moe_layers() == 58);
    CHECK(a.moe.router_bias);  // e_score_correction_bias (noaux_tc)
    CHECK(a.moe.n_ff_shared == 2048);
    CHECK(a.n_mtp_layers == 1);
    CHECK(a.attn.head_dim_k == 192);  // qk_nope 128 + qk_rope 64
    // 671.0B total / 37.6B active (DeepSeek-V3 report: 671B / 37B, MTP excluded)
    const TensorInventory inv = build_tensor_inventory(a);
    CHECK(std::fabs(double(inv.params_total) / 671.0e9 - 1.0) < 0.005);
    CHECK(std::fabs(double(inv.params_active) / 37.55e9 - 1.0) < 0.01);
}

TEST_CASE("Mistral 7B v0.1: sliding_window is ignored (llama.cpp), all layers full", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "mistral", "hidden_size": 4096, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 32000,
        "tie_word_embeddings": false, "max_position_embeddings": 32768, "sliding_window": 4096})");
    CHECK(a.count_layers(AttentionKind::full) == 32);
    CHECK(has_note(a, "sliding_window 4096"));
    // keras-hub mistral_7b_en = 7,241,732,096
    CHECK(build_tensor_inventory(a).params_total == 7241732096ull);
}

TEST_CASE("Qwen2 carries q/k/v biases", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "qwen2", "hidden_size": 896, "num_hidden_layers": 24,
        "num_attention_heads": 14, "num_key_value_heads": 2, "intermediate_size": 4864, "vocab_size": 151936,
        "tie_word_embeddings": true, "max_position_embeddings": 32768, "sliding_window": 32768,
        "use_sliding_window": false})");
    CHECK(a.attn.qkv_bias);
    CHECK_FALSE(a.attn.o_bias);
    CHECK(a.count_layers(AttentionKind::full) == 24);
    // keras-hub qwen2.5_0.5b_en = 494,032,768
    CHECK(build_tensor_inventory(a).params_total == 494032768ull);
}

TEST_CASE("Granite 4.0-H-Small: layer_types Mamba-2/attention, MoE + shared expert on every layer", "[config_import]") {
    json cfg = json::parse(R"({"model_type": "granitemoehybrid", "hidden_size": 4096, "num_hidden_layers": 40,
        "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 768, "vocab_size": 100352,
        "tie_word_embeddings": true, "num_local_experts": 72, "num_experts_per_tok": 10,
        "shared_intermediate_size": 1536, "mamba_d_state": 128, "mamba_d_conv": 4, "mamba_expand": 2,
        "mamba_n_groups": 1, "mamba_n_heads": 128, "mamba_d_head": 64})");
    json types = json::array();
    for (int i = 0; i < 40; ++i) types.push_back(i % 10 == 5 ? "attention" : "mamba");
    cfg["layer_types"] = types;
    auto r = import_hf_config(cfg, "cfg");
    REQUIRE(r.ok());
    REQUIRE(validate_architecture(*r, "cfg").ok());
    const ModelArch& a = *r;
    CHECK(a.count_layers(AttentionKind::full) == 4);
    CHECK(a.count_recurrent_layers() == 36);
    CHECK(a.count_moe_layers() == 40);
    CHECK(a.ssm.d_inner == 8192);  // 128 heads x 64
    CHECK(a.ssm.n_head == 128);
    CHECK(a.moe.n_ff_expert == 768);
    CHECK(a.moe.n_ff_shared == 1536);
    CHECK(has_note(a, "trained context unknown"));
}

TEST_CASE("Nemotron-H: hybrid_override_pattern M/*/-/E, non-gated relu2 MLP", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "nemotron_h", "hidden_size": 4096, "num_hidden_layers": 8,
        "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 21504,
        "vocab_size": 131072, "tie_word_embeddings": false, "max_position_embeddings": 8192,
        "hybrid_override_pattern": "M-M*-M-E", "ssm_state_size": 128, "mamba_num_heads": 128,
        "mamba_head_dim": 64, "n_groups": 8, "conv_kernel": 4, "mlp_hidden_act": "relu2",
        "n_routed_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 1024})");
    CHECK(a.count_recurrent_layers() == 3);
    CHECK(a.count_layers(AttentionKind::full) == 1);
    CHECK(a.count_moe_layers() == 1);
    CHECK(a.layers[1].ffn == FfnKind::dense);
    CHECK(a.layers[1].attention == AttentionKind::none);
    CHECK(a.layers[0].ffn == FfnKind::none);
    CHECK_FALSE(a.gated_ffn);
    CHECK(a.norms_per_layer == 1);
    CHECK(a.ssm.n_group == 8);
}

TEST_CASE("Falcon-H1: attention and Mamba-2 on every layer", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "falcon_h1", "hidden_size": 1024, "num_hidden_layers": 36,
        "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 64, "intermediate_size": 2048,
        "vocab_size": 32784, "tie_word_embeddings": false, "max_position_embeddings": 16384,
        "mamba_d_ssm": 1536, "mamba_n_heads": 24, "mamba_d_head": 64, "mamba_d_state": 128,
        "mamba_n_groups": 1, "mamba_d_conv": 4})");
    CHECK(a.count_layers(AttentionKind::full) == 36);
    CHECK(a.count_recurrent_layers() == 36);
    CHECK(a.ssm.d_inner == 1536);
}

TEST_CASE("Jamba: attention every 8th layer (offset 4), MoE every 2nd (offset 1), Mamba-1 dt_rank auto", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "jamba", "hidden_size": 4096, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 65536,
        "tie_word_embeddings": false, "max_position_embeddings": 262144, "num_experts": 16,
        "num_experts_per_tok": 2, "expert_layer_period": 2, "expert_layer_offset": 1, "attn_layer_period": 8,
        "attn_layer_offset": 4, "mamba_d_state": 16, "mamba_d_conv": 4, "mamba_expand": 2, "mamba_dt_rank": "auto"})");
    CHECK(a.count_layers(AttentionKind::full) == 4);
    CHECK(a.layers[4].attention == AttentionKind::full);
    CHECK(a.count_recurrent_layers() == 28);
    CHECK(a.count_moe_layers() == 16);
    CHECK(a.layers[1].ffn == FfnKind::moe);
    CHECK(a.ssm.dt_rank == 256);   // ceil(4096 / 16)
    CHECK(a.ssm.d_inner == 8192);  // expand 2 x 4096
}

TEST_CASE("Llama 4 Scout: chunked attention on 3 of 4 layers, one shared expert", "[config_import]") {
    const ModelArch a = import_ok(R"({"model_type": "llama4", "text_config": {"model_type": "llama4_text",
        "hidden_size": 5120, "num_hidden_layers": 48, "num_attention_heads": 40, "num_key_value_heads": 8,
        "head_dim": 128, "intermediate_size": 8192, "intermediate_size_mlp": 16384, "vocab_size": 202048,
        "max_position_embeddings": 10485760, "num_local_experts": 16, "num_experts_per_tok": 1,
        "interleave_moe_layer_step": 1, "attention_chunk_size": 8192}, "tie_word_embeddings": false})");
    // no_rope_layers absent: layer i global (NoPE) iff (i+1) % 4 == 0 -> 12 global, 36 chunked
    CHECK(a.count_layers(AttentionKind::sliding) == 36);
    CHECK(a.count_layers(AttentionKind::full) == 12);
    CHECK(a.attn.sliding_window == 8192);
    CHECK(a.count_moe_layers() == 48);
    CHECK(a.moe.n_shared_expert == 1);
    CHECK(a.moe.n_ff_shared == 8192);
    CHECK(a.n_ff == 16384);
}

TEST_CASE("missing required key -> missing_field naming the key", "[config_import]") {
    auto r = import_hf_config(json::parse(R"({"model_type": "llama", "num_hidden_layers": 32,
        "num_attention_heads": 32, "intermediate_size": 14336, "vocab_size": 128256})"), "models.x.config");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "missing_field");
    CHECK(r.error().field == "models.x.config.hidden_size");
    auto r2 = import_hf_config(json::parse(R"({"hidden_size": 8})"), "cfg");
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error().field == "cfg.model_type");
    auto r3 = import_hf_config(json::parse(R"({"model_type": "qwen3_next", "hidden_size": 2048,
        "num_hidden_layers": 4, "num_attention_heads": 16, "num_key_value_heads": 2, "head_dim": 256,
        "intermediate_size": 5120, "vocab_size": 151936})"), "cfg");
    REQUIRE_FALSE(r3.ok());
    CHECK(r3.error().code == "missing_field");
    CHECK(r3.error().field == "cfg.linear_num_key_heads");
}

TEST_CASE("bad values -> invalid_model naming the value", "[config_import]") {
    auto r = import_hf_config(json::parse(R"({"model_type": "llama", "hidden_size": -5, "num_hidden_layers": 32,
        "num_attention_heads": 32, "intermediate_size": 14336, "vocab_size": 128256})"), "cfg");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "invalid_model");
    CHECK(r.error().field == "cfg.hidden_size");
    CHECK(r.error().message.find("-5") != std::string::npos);
}

TEST_CASE("unknown model_type: error unless the keys are Llama-like", "[config_import]") {
    auto r = import_hf_config(json::parse(R"({"model_type": "totally_new_arch", "d_hidden": 8})"), "cfg");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "unsupported_model_type");
    CHECK(r.error().field == "cfg.model_type");
    CHECK(r.error().message.find("totally_new_arch") != std::string::npos);

    const ModelArch a = import_ok(R"({"model_type": "my_llama_finetune", "hidden_size": 2048,
        "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 8192,
        "vocab_size": 128256, "tie_word_embeddings": true, "max_position_embeddings": 131072})");
    CHECK(has_note(a, "my_llama_finetune"));
    CHECK(a.count_layers(AttentionKind::full) == 16);

    auto l = import_hf_config(json::parse(R"({"model_type": "lfm2", "hidden_size": 1024, "num_hidden_layers": 16,
        "num_attention_heads": 16, "intermediate_size": 4608, "vocab_size": 65536})"), "cfg");
    REQUIRE_FALSE(l.ok());
    CHECK(l.error().code == "unsupported_model_type");
}

// ---- the bundled catalog ---------------------------------------------------------------------

TEST_CASE("catalog: every model imports, validates and matches its exact published total", "[config_import][catalog]") {
    const std::string text = headroom_test::read_text_file(headroom_test::catalog_path("models.json"));
    REQUIRE_FALSE(text.empty());
    const json doc = json::parse(text);
    REQUIRE(doc.at("models").is_array());

    std::set<std::string> ids;
    int checked = 0, skipped = 0;
    double worst = 0.0;
    std::string worst_id;
    for (const json& m : doc.at("models")) {
        const std::string id = m.at("id").get<std::string>();
        INFO("model " << id);
        ids.insert(id);
        auto r = import_hf_config(m.at("config"), "models." + id + ".config");
        if (!r.ok()) FAIL(r.error().code << " " << r.error().field << ": " << r.error().message);
        auto v = validate_architecture(*r, "models." + id + ".config");
        if (!v.ok()) FAIL(v.error().field << ": " << v.error().message);
        const TensorInventory inv = build_tensor_inventory(*r);
        CHECK(inv.params_total > 0);
        CHECK(inv.params_active <= inv.params_total);

        const json& p = m.at("params_published");
        // Exact counts that cover something other than the text decoder the engine counts
        // (vision tower, MTP layer, FP8 scale tensors, Falcon's duplicate lm_head) are skipped;
        // the scope says why. params_status names the case: computed_matches_published_exact
        // exactly when a comparable exact count exists (so every such entry is checked here).
        const bool exact = p.is_object() && p.value("exact", false);
        const std::string scope = exact ? p.value("scope", "model") : "";
        const bool comparable = exact && (scope == "model" || scope == "same_shapes" || scope == "third_party");
        CHECK((m.at("params_status") == "computed_matches_published_exact") == comparable);
        if (!exact) continue;
        if (!comparable) {
            ++skipped;
            continue;
        }
        const double published = p.at("total").get<double>();
        const double dev = std::fabs(double(inv.params_total) - published) / published;
        INFO("computed " << inv.params_total << " published " << std::uint64_t(published));
        CHECK(dev <= 0.015);
        if (dev > worst) {
            worst = dev;
            worst_id = id;
        }
        ++checked;
    }
    INFO("worst " << worst_id << " " << worst * 100 << " %");
    CHECK(checked >= 100);
    CHECK(skipped < 40);
    for (const char* starter : {"kimi-linear-48b-a3b-instruct", "llama-3.1-8b", "llama-3.1-70b", "qwen3-30b-a3b",
                                "qwen3-next-80b-a3b", "deepseek-v3", "gpt-oss-20b", "gpt-oss-120b", "gemma-3-27b-it",
                                "mistral-small-24b-instruct-2501", "granite-4.0-h-small"}) {
        INFO("starter model " << starter);
        CHECK(ids.count(starter) == 1);
    }
}
