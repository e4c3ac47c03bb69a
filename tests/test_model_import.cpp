// Bringing your own model: GGUF files (whole, split, partial) and config.json
// through inspect -> combine -> estimate, with exact bytes from the tensor
// table; and every catalog model's config.json giving its catalog report.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "config_import.hpp"
#include "estimate.hpp"
#include "gguf_writer.hpp"
#include "model_import.hpp"
#include "test_support.hpp"

using namespace headroom;
using namespace headroom_test;
using nlohmann::json;

namespace {

json inspect(const std::vector<std::uint8_t>& f, const std::string& name = "tiny.gguf") {
    return inspect_model_file(f.data(), f.size(), f.size(), name);
}

json combine(std::initializer_list<json> parts) {
    return combine_model_files(json(parts));
}

json estimate_with(const json& model, const json& extra = json::object()) {
    json req = {{"model", model}, {"hardware", "nvidia-rtx-4090"}, {"context_tokens", 4096}};
    for (auto it = extra.begin(); it != extra.end(); ++it) req[it.key()] = it.value();
    return estimate(req, catalog());
}

bool has_text(const json& list, const std::string& text) {
    for (const auto& s : list)
        if (s.is_string() && s.get<std::string>().find(text) != std::string::npos) return true;
    return false;
}

// Tiny Llama element count: token_embd 256 × 1024 = 262,144; per layer 2 norms (512) +
// q 65,536 + k 32,768 + v 32,768 + o 65,536 + gate/up/down 3 × 131,072 = 590,336;
// output_norm 256; output 262,144 -> 262,144 + 2 × 590,336 + 256 + 262,144 = 1,705,216.
constexpr double kTinyLlamaParams = 1705216;

}  // namespace

TEST_CASE("import: a GGUF's metadata becomes a config.json the engine reads", "[import]") {
    const auto file = tiny_llama_gguf();
    const json r = inspect(file);
    REQUIRE(r["ok"] == true);
    CHECK(r["kind"] == "gguf");
    CHECK(r["summary"]["tensor_count"] == 21);
    CHECK(r["summary"]["tensor_bytes"] == kTinyLlamaTensorBytes);
    // Q4_K: token_embd + per layer q, k, o, gate, up (5) = 11 tensors; Q6_K: 2 × (v, down) + output = 5; F32: 5 norms.
    CHECK(r["summary"]["types"]["Q4_K"]["tensors"] == 11);
    CHECK(r["summary"]["types"]["Q6_K"]["tensors"] == 5);
    CHECK(r["summary"]["types"]["F32"]["tensors"] == 5);
    CHECK(r["summary"]["types"]["F32"]["bytes"] == 5 * 1024);
    CHECK(r["summary"]["params"] == kTinyLlamaParams);
    CHECK(r["summary"]["params_predicted"] == kTinyLlamaParams);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "llama");
    CHECK(c["hidden_size"] == 256);
    CHECK(c["num_hidden_layers"] == 2);
    CHECK(c["intermediate_size"] == 512);
    CHECK(c["num_attention_heads"] == 4);
    CHECK(c["num_key_value_heads"] == 2);
    CHECK(c["vocab_size"] == 1024);
    CHECK(c["max_position_embeddings"] == 4096);
    CHECK(c["tie_word_embeddings"] == false);
    CHECK(r["model"]["name"] == "Tiny Llama Test");
    const json& w = r["model"]["weights"];
    CHECK(w["format"] == "gguf");
    CHECK(w["quant"] == "Q4_K_M");  // general.file_type 15
    REQUIRE(w["tensors"].size() == 21);
    CHECK(w["tensors"][4] == json::array({"blk.0.attn_v.weight", "Q6_K", {256, 128}}));
}

TEST_CASE("import: a GGUF's own quant gives exact weight bytes in the report", "[import]") {
    const auto file = tiny_llama_gguf();
    const json model = combine({inspect(file)})["model"];
    const json r = estimate_with(model);
    REQUIRE(r["ok"] == true);
    CHECK(r["quant"] == "Q4_K_M");  // not given: the file's own
    CHECK(r["runtime"] == "llama.cpp");
    CHECK(r["memory"]["weights_bytes"].get<double>() == double(kTinyLlamaTensorBytes));  // 1,115,648
    CHECK(r["memory"]["file_bytes"].get<double>() == double(file.size()));
    CHECK(r["model"]["params_total"].get<double>() == kTinyLlamaParams);
    // 1,115,648 B × 8 / 1,705,216 parameters = 5.234 bits per weight.
    CHECK(r["memory"]["bits_per_weight"].get<double>() == Approx(1115648.0 * 8.0 / 1705216.0));
    CHECK(has_text(r["assumptions"], "exact bytes from the GGUF header (21 tensors, Q4_K_M)"));
    CHECK(has_text(r["assumptions"], "quant not given; the model file's own Q4_K_M"));
    // The Q4_K_M row of the quant table is the same exact figure.
    bool row = false;
    for (const auto& q : r["quantizations"])
        if (q["quant"] == "Q4_K_M") row = q["weights_bytes"].get<double>() == double(kTinyLlamaTensorBytes);
    CHECK(row);

    // Another quant is predicted: Q8_0 stores the 2-D weights (1,705,216 − 5 × 256 norm
    // elements = 1,703,936) as 53,248 blocks × 34 B = 1,810,432 B, norms F32 5 × 1,024 B.
    const json q8 = estimate_with(model, {{"quant", "Q8_0"}});
    REQUIRE(q8["ok"] == true);
    CHECK(q8["memory"]["weights_bytes"].get<double>() == 1810432.0 + 5120.0);
    CHECK(has_text(q8["assumptions"], "not the model file's own (Q4_K_M)"));
}

TEST_CASE("import: split GGUFs sum their parts, or predict the missing ones", "[import]") {
    // Part 1 (metadata + the first 11 tensors), part 2 (split keys + the other 10).
    GgufWriter p1, p2;
    add_tiny_llama_metadata(p1);
    p1.u16("split.no", 0);
    p1.u16("split.count", 2);
    p1.i32("split.tensors.count", 21);
    add_tiny_llama_tensors(p1, 0, 11);
    p2.u16("split.no", 1);
    p2.u16("split.count", 2);
    p2.i32("split.tensors.count", 21);
    add_tiny_llama_tensors(p2, 11, 21);
    const auto f1 = p1.write(), f2 = p2.write();
    const json i1 = inspect(f1, "tiny-00001-of-00002.gguf"), i2 = inspect(f2, "tiny-00002-of-00002.gguf");
    REQUIRE(i1["ok"] == true);
    REQUIRE(i2["ok"] == true);
    CHECK(i2["model"].contains("config") == false);  // later parts carry no architecture

    const json both = combine({i2, i1});
    REQUIRE(both["ok"] == true);
    CHECK(both["summary"]["complete"] == true);
    CHECK(both["summary"]["file_bytes"] == f1.size() + f2.size());
    const json r = estimate_with(both["model"]);
    REQUIRE(r["ok"] == true);
    CHECK(r["memory"]["weights_bytes"].get<double>() == double(kTinyLlamaTensorBytes));
    CHECK(r["memory"]["file_bytes"].get<double>() == double(f1.size() + f2.size()));

    // Only the first part: its 11 tensors exact (token_embd 147,456 + layer 0's 376,064 +
    // layer 1's attn_norm 1,024 = 524,544 B), the 10 others predicted for Q4_K_M.
    const json first = combine({i1});
    REQUIRE(first["ok"] == true);
    CHECK(first["summary"]["complete"] == false);
    const json est = estimate_with(first["model"]);
    REQUIRE(est["ok"] == true);
    CHECK(has_text(est["assumptions"], "split GGUF: 1 of 2 parts given; 11 tensors exact, 10 predicted for Q4_K_M"));
    const double predicted_rest = est["memory"]["weights_bytes"].get<double>() - 524544.0;
    CHECK(predicted_rest > 0.0);
    CHECK(est["model"]["params_total"].get<double>() == kTinyLlamaParams);

    const json missing = combine({i2});
    REQUIRE(missing["ok"] == false);
    CHECK(missing["error"]["code"] == "gguf_split_first_part_missing");
    const json twice = combine({i1, i1});
    CHECK(twice["error"]["code"] == "gguf_split_mismatch");
}

TEST_CASE("import: corrupt files and bad weight tables are errors naming what is wrong", "[import]") {
    auto file = tiny_llama_gguf();
    file[0] = 'g';
    const json bad = inspect(file, "x.bin");
    CHECK(bad["ok"] == false);
    CHECK(bad["error"]["code"] == "unsupported_file");
    const auto good = tiny_llama_gguf();
    const json prefix = inspect_model_file(good.data(), 64, good.size(), "tiny.gguf");
    CHECK(prefix["error"]["code"] == "gguf_truncated");
    CHECK(prefix["need_bytes"].get<std::uint64_t>() > 64);

    json model = combine({inspect(good)})["model"];
    json m = model;
    m["weights"]["tensors"][3][1] = "Q9_X";
    json r = estimate_with(m);
    CHECK(r["error"]["code"] == "invalid_weights");
    CHECK(r["error"]["field"] == "model.weights.tensors[3]");
    m = model;
    m["weights"]["tensors"][3][2] = json::array({100, 128});  // Q4_K rows must be multiples of 256
    CHECK(estimate_with(m)["error"]["field"] == "model.weights.tensors[3]");
    m = model;
    m["weights"]["tensors"][3][0] = "blk.7.attn_q.weight";  // the model has 2 layers
    CHECK(estimate_with(m)["error"]["message"].get<std::string>().find("layer 7 but the model has 2 layers") !=
          std::string::npos);
    m = model;
    m["weights"]["format"] = "pickle";
    CHECK(estimate_with(m)["error"]["field"] == "model.weights.format");
    m = model;
    m["weights"]["tensors"][4] = m["weights"]["tensors"][3];
    CHECK(estimate_with(m)["error"]["code"] == "invalid_weights");
}

TEST_CASE("import: a MoE GGUF's router layers and experts read back", "[import]") {
    // Qwen3-MoE shape: 2 layers, layer 0 dense (no router), layer 1 with 4 experts, top 2.
    GgufWriter w;
    w.string("general.architecture", "qwen3moe");
    w.u32("general.file_type", 7);  // Q8_0
    w.u32("qwen3moe.block_count", 2);
    w.u32("qwen3moe.context_length", 8192);
    w.u32("qwen3moe.embedding_length", 256);
    w.u32("qwen3moe.feed_forward_length", 512);
    w.u32("qwen3moe.expert_feed_forward_length", 128);
    w.u32("qwen3moe.expert_count", 4);
    w.u32("qwen3moe.expert_used_count", 2);
    w.u32("qwen3moe.attention.head_count", 4);
    w.u32("qwen3moe.attention.head_count_kv", 2);
    w.u32("qwen3moe.attention.key_length", 64);
    w.u32("qwen3moe.vocab_size", 512);
    w.tensor("token_embd.weight", kQ8_0, {256, 512});
    for (int il = 0; il < 2; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        w.tensor(b + "attn_norm.weight", kF32, {256});
        w.tensor(b + "attn_q.weight", kQ8_0, {256, 256});
        w.tensor(b + "attn_k.weight", kQ8_0, {256, 128});
        w.tensor(b + "attn_v.weight", kQ8_0, {256, 128});
        w.tensor(b + "attn_output.weight", kQ8_0, {256, 256});
        w.tensor(b + "attn_q_norm.weight", kF32, {64});
        w.tensor(b + "attn_k_norm.weight", kF32, {64});
        w.tensor(b + "ffn_norm.weight", kF32, {256});
        if (il == 0) {
            w.tensor(b + "ffn_gate.weight", kQ8_0, {256, 512});
            w.tensor(b + "ffn_up.weight", kQ8_0, {256, 512});
            w.tensor(b + "ffn_down.weight", kQ8_0, {512, 256});
        } else {
            w.tensor(b + "ffn_gate_inp.weight", kF32, {256, 4});
            w.tensor(b + "ffn_gate_exps.weight", kQ8_0, {256, 128, 4});
            w.tensor(b + "ffn_up_exps.weight", kQ8_0, {256, 128, 4});
            w.tensor(b + "ffn_down_exps.weight", kQ8_0, {128, 256, 4});
        }
    }
    w.tensor("output_norm.weight", kF32, {256});
    const auto file = w.write();
    const json r = inspect(file, "moe.gguf");
    REQUIRE(r["ok"] == true);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "qwen3_moe");
    CHECK(c["mlp_only_layers"] == json::array({0}));
    CHECK(c["moe_intermediate_size"] == 128);
    CHECK(c["tie_word_embeddings"] == true);  // no output.weight
    CHECK(c["head_dim"] == 64);
    const json est = estimate_with(r["model"]);
    REQUIRE(est["ok"] == true);
    CHECK(est["quant"] == "Q8_0");
    // Experts: 3 × 256 × 128 × 4 = 393,216 elements, half of them unused per token (top 2 of 4):
    // active = total − 196,608.
    const double total = est["model"]["params_total"].get<double>();
    CHECK(est["model"]["params_active"].get<double>() == total - 196608.0);
    // Bytes: Q8_0 is 34 B per 32 elements; every tensor above is a whole number of blocks.
    double bytes = 0;
    for (const auto& row : r["model"]["weights"]["tensors"]) {
        double n = 1;
        for (const auto& d : row[2]) n *= d.get<double>();
        bytes += row[1] == "F32" ? n * 4.0 : n / 32.0 * 34.0;
    }
    CHECK(est["memory"]["weights_bytes"].get<double>() == bytes);
}

TEST_CASE("import: every catalog model's config.json gives the same report as its catalog entry", "[import][catalog]") {
    auto same = [](const json& a, const json& b, const char* section, const char* key) {
        INFO(section << "." << key);
        CHECK(a[section][key] == b[section][key]);
    };
    int compared = 0;
    for (const ModelEntry& e : catalog().models) {
        INFO(e.id);
        // The import path: inspect the config.json text, combine, estimate.
        const std::string text = e.config.dump();
        const json inspected = inspect_model_file(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(),
                                                  text.size(), "config.json");
        REQUIRE(inspected["ok"] == true);
        json model = combine_model_files(json::array({inspected}))["model"];
        // The catalog states a maximum context where the config.json has none (6 entries).
        if (e.context_max != e.arch.n_ctx_train) model["config"]["max_position_embeddings"] = e.context_max;
        const json inline_model = model["config"];
        for (const char* hw : {"nvidia-rtx-4090", "nvidia-h100-sxm5-80gb"}) {
            if (!find_hardware(catalog(), hw)) continue;
            const json by_id = estimate({{"model", e.id}, {"hardware", hw}}, catalog());
            const json by_config = estimate({{"model", inline_model}, {"hardware", hw}}, catalog());
            REQUIRE(by_id["ok"] == by_config["ok"]);
            if (!by_id["ok"].get<bool>()) continue;
            CHECK(by_id["quant"] == by_config["quant"]);
            CHECK(by_id["runtime"] == by_config["runtime"]);
            CHECK(by_id["context_tokens"] == by_config["context_tokens"]);
            for (const char* k : {"weights_bytes", "kv_cache_bytes", "state_bytes", "compute_bytes",
                                  "runtime_overhead_bytes", "total_bytes", "device_bytes", "file_bytes"})
                same(by_id, by_config, "memory", k);
            for (const char* k :
                 {"decode_tokens_per_s", "prefill_tokens_per_s", "ttft_ms", "cold_start_ms", "decode_range"})
                same(by_id, by_config, "performance", k);
            for (const char* k : {"verdict", "score", "safe_context_tokens"}) same(by_id, by_config, "fit", k);
            CHECK(by_id["model"]["params_total"] == by_config["model"]["params_total"]);
            CHECK(by_id["quantizations"].size() == by_config["quantizations"].size());
            ++compared;
        }
    }
    CHECK(compared >= 2 * 200);
}

// ---------------------------------------------------------------------------
// GGUF -> config.json for the hybrid, MLA and MoE architectures, on files that
// carry the metadata keys llama.cpp writes and reads and the tensor names and
// shapes its loader creates. Key names: src/llama-arch.cpp LLM_KV_NAMES
// ("%s.attention.key_length_mla", "%s.ssm.time_step_rank", "%s.kda.head_dim",
// ...); per architecture, the keys each load_arch_hparams reads and the shapes
// each load_arch_tensors creates (src/models/<arch>.cpp, formerly
// src/llama-model.cpp), written by convert_hf_to_gguf.py from config.json.
// Dimensions are tiny; every matrix is F16 and every vector F32 (one element
// per block), so the bytes are 2 × matrix elements + 4 × vector elements.
// ---------------------------------------------------------------------------
namespace {

struct ArchFile {
    GgufWriter w;
    std::string arch;
    std::uint64_t elements = 0, f16 = 0, f32 = 0;
    explicit ArchFile(std::string a) : arch(std::move(a)) {
        w.string("general.architecture", arch);
        w.string("general.name", "tiny " + arch);
        w.u32("general.file_type", 1);  // LLAMA_FTYPE_MOSTLY_F16
    }
    void u32(const std::string& key, std::uint32_t v) { w.u32(arch + "." + key, v); }
    void f32v(const std::string& key, float v) { w.f32(arch + "." + key, v); }
    void i32s(const std::string& key, const std::vector<std::int32_t>& v) { w.i32s(arch + "." + key, v); }
    void t(const std::string& name, const std::vector<std::uint64_t>& ne) {
        std::uint64_t n = 1;
        for (auto d : ne) n *= d;
        elements += n;
        if (ne.size() >= 2) {
            w.tensor(name, kF16, ne);
            f16 += n;
        } else {
            w.tensor(name, kF32, ne);
            f32 += n;
        }
    }
    void blk(int il, const std::string& suffix, const std::vector<std::uint64_t>& ne) {
        t("blk." + std::to_string(il) + "." + suffix, ne);
    }
    // Grouped-query attention of the common shape (4 heads of 16, 2 KV heads):
    // q {64,64} + k {64,32} + v {64,32} + o {64,64} = 12,288 elements.
    void gqa_attention(int il) {
        blk(il, "attn_q.weight", {64, 64});
        blk(il, "attn_k.weight", {64, 32});
        blk(il, "attn_v.weight", {64, 32});
        blk(il, "attn_output.weight", {64, 64});
    }
    // Routed experts, 4 of width ff: gate / up {64, ff, 4} and down {ff, 64, 4} = 768 × ff elements.
    void experts(int il, std::uint64_t ff) {
        blk(il, "ffn_gate_exps.weight", {64, ff, 4});
        blk(il, "ffn_up_exps.weight", {64, ff, 4});
        blk(il, "ffn_down_exps.weight", {ff, 64, 4});
    }
    // A shared expert of width ff: gate / up {64, ff} and down {ff, 64} = 192 × ff elements.
    void shared_expert(int il, std::uint64_t ff) {
        blk(il, "ffn_gate_shexp.weight", {64, ff});
        blk(il, "ffn_up_shexp.weight", {64, ff});
        blk(il, "ffn_down_shexp.weight", {ff, 64});
    }
    // token_embd {64, 128} = 8,192, output_norm {64} = 64, output {64, 128} = 8,192: 16,448 (8,256 tied).
    void ends(bool output = true) {
        t("token_embd.weight", {64, 128});
        t("output_norm.weight", {64});
        if (output) t("output.weight", {64, 128});
    }
    double bytes() const { return 2.0 * double(f16) + 4.0 * double(f32); }
};

// The common keys: hidden 64, vocab 128 (<arch>.vocab_size and token_embd's rows), 4 heads.
void common_keys(ArchFile& f, std::uint32_t blocks) {
    f.u32("block_count", blocks);
    f.u32("context_length", 8192);
    f.u32("embedding_length", 64);
    f.u32("vocab_size", 128);
    f.u32("attention.head_count", 4);
    f.f32v("attention.layer_norm_rms_epsilon", 1e-6f);
}

// Inspects, combines and estimates the file: the report's parameters are the
// file's elements (all of them, or `params` when some are not loaded), the
// weight bytes its bytes, and the inventory predicted from the converted config
// has `predicted` parameters. Returns the inspect result.
json check_arch(ArchFile& f, double params, double predicted, bool all_loaded = true) {
    const auto file = f.w.write();
    const json r = inspect(file, "tiny-" + f.arch + ".gguf");
    INFO(r.dump().substr(0, 600));
    REQUIRE(r["ok"] == true);
    CHECK(r["summary"]["params"].get<double>() == double(f.elements));
    CHECK(r["summary"]["params_predicted"].get<double>() == predicted);
    CHECK(r["model"]["weights"]["quant"] == "F16");
    const json model = combine({r})["model"];
    const json est = estimate_with(model);
    INFO(est.dump().substr(0, 600));
    REQUIRE(est["ok"] == true);
    CHECK(est["quant"] == "F16");
    CHECK(est["model"]["params_total"].get<double>() == params);
    if (all_loaded) {
        CHECK(params == double(f.elements));
        CHECK(est["memory"]["weights_bytes"].get<double>() == f.bytes());
    }
    return r;
}

ModelArch arch_of(const json& inspected) {
    auto a = import_hf_config(inspected["model"]["config"], "config");
    REQUIRE(a);
    return *a;
}

}  // namespace

TEST_CASE("import: deepseek2 GGUF (MLA, q LoRA, leading dense layer, shared expert, sigmoid gating)", "[import][gguf-arch]") {
    // Keys: src/models/deepseek2.cpp load_arch_hparams (q_lora_rank, kv_lora_rank, key_length_mla,
    // value_length_mla, leading_dense_block_count, expert_feed_forward_length, expert_shared_count,
    // expert_gating_func); key_length = kv_lora_rank + rope and value_length = kv_lora_rank and
    // head_count_kv = 1 as convert_hf_to_gguf.py DeepseekV2Model writes them (MLA run as MQA).
    ArchFile f("deepseek2");
    common_keys(f, 3);
    f.u32("feed_forward_length", 128);
    f.u32("attention.head_count_kv", 1);
    f.u32("attention.q_lora_rank", 32);
    f.u32("attention.kv_lora_rank", 16);
    f.u32("attention.key_length", 24);      // 16 + 8
    f.u32("attention.value_length", 16);
    f.u32("attention.key_length_mla", 20);  // nope 12 + rope 8
    f.u32("attention.value_length_mla", 12);
    f.u32("rope.dimension_count", 8);
    f.u32("leading_dense_block_count", 1);
    f.u32("expert_feed_forward_length", 32);
    f.u32("expert_count", 4);
    f.u32("expert_used_count", 2);
    f.u32("expert_shared_count", 1);
    f.u32("expert_gating_func", 2);  // LLAMA_EXPERT_GATING_FUNC_TYPE_SIGMOID: DeepSeek-V3
    f.f32v("expert_weights_scale", 2.5f);
    f.ends();
    for (int il = 0; il < 3; ++il) {
        // MLA (load_arch_tensors): attn_norm 64 + q_a_norm 32 + kv_a_norm 16 + q_a {64,32} 2,048
        // + q_b {32, 4×20} 2,560 + kv_a_mqa {64, 16+8} 1,536 + k_b {12,16,4} 768 + v_b {16,12,4} 768
        // + attn_output {4×12, 64} 3,072 + ffn_norm 64 = 10,928.
        f.blk(il, "attn_norm.weight", {64});
        f.blk(il, "attn_q_a_norm.weight", {32});
        f.blk(il, "attn_kv_a_norm.weight", {16});
        f.blk(il, "attn_q_a.weight", {64, 32});
        f.blk(il, "attn_q_b.weight", {32, 80});
        f.blk(il, "attn_kv_a_mqa.weight", {64, 24});
        f.blk(il, "attn_k_b.weight", {12, 16, 4});
        f.blk(il, "attn_v_b.weight", {16, 12, 4});
        f.blk(il, "attn_output.weight", {48, 64});
        f.blk(il, "ffn_norm.weight", {64});
        if (il == 0) {
            // Dense lead: 3 × 64 × 128 = 24,576.
            f.blk(il, "ffn_gate.weight", {64, 128});
            f.blk(il, "ffn_up.weight", {64, 128});
            f.blk(il, "ffn_down.weight", {128, 64});
        } else {
            // MoE: router {64,4} 256 + exp_probs_b 4 + 3 × {64,32,4} 24,576 + shared 3 × {64, 32×1} 6,144 = 30,980.
            f.blk(il, "ffn_gate_inp.weight", {64, 4});
            f.blk(il, "exp_probs_b.bias", {4});
            f.experts(il, 32);
            f.shared_expert(il, 32);
        }
    }
    // 16,448 + (10,928 + 24,576) + 2 × (10,928 + 30,980) = 16,448 + 35,504 + 83,816 = 135,768.
    REQUIRE(f.elements == 135768);
    const json r = check_arch(f, 135768, 135768);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "deepseek_v3");
    CHECK(c["num_hidden_layers"] == 3);
    CHECK(c["q_lora_rank"] == 32);
    CHECK(c["kv_lora_rank"] == 16);
    CHECK(c["qk_rope_head_dim"] == 8);
    CHECK(c["qk_nope_head_dim"] == 12);  // key_length_mla 20 − rope 8
    CHECK(c["v_head_dim"] == 12);
    CHECK(c["first_k_dense_replace"] == 1);
    CHECK(c["n_shared_experts"] == 1);
    CHECK(c["moe_intermediate_size"] == 32);
    CHECK(c["intermediate_size"] == 128);
    CHECK(c["num_experts_per_tok"] == 2);
    CHECK(c["topk_method"] == "noaux_tc");
    CHECK(c.contains("head_dim") == false);  // key_length is the latent, not a head
    const ModelArch a = arch_of(r);
    CHECK(a.layers[0].attention == AttentionKind::mla);
    CHECK(a.layers[0].ffn == FfnKind::dense);
    CHECK(a.layers[2].ffn == FfnKind::moe);
    // Active: the routed experts of 2 layers are 2 × 24,576 = 49,152, half unused (top 2 of 4).
    const json est = estimate_with(combine({r})["model"]);
    CHECK(est["model"]["params_active"].get<double>() == 135768.0 - 24576.0);

    // DeepSeek-V2-Lite shape: no attention.q_lora_rank (llama.cpp reads it only for non-lite models,
    // attn_q direct), no expert_gating_func (softmax) -> deepseek_v2.
    ArchFile lite("deepseek2");
    common_keys(lite, 1);
    lite.u32("feed_forward_length", 128);
    lite.u32("attention.kv_lora_rank", 16);
    lite.u32("attention.key_length_mla", 20);
    lite.u32("attention.value_length_mla", 12);
    lite.u32("rope.dimension_count", 8);
    lite.u32("leading_dense_block_count", 1);
    lite.u32("expert_feed_forward_length", 32);
    lite.u32("expert_count", 4);
    lite.u32("expert_used_count", 2);
    lite.u32("expert_shared_count", 1);
    lite.ends();
    // attn_norm 64 + kv_a_norm 16 + attn_q {64, 4×20} 5,120 + kv_a_mqa 1,536 + k_b 768 + v_b 768
    // + attn_output 3,072 + ffn_norm 64 + dense 24,576 = 35,984; + 16,448 = 52,432.
    lite.blk(0, "attn_norm.weight", {64});
    lite.blk(0, "attn_kv_a_norm.weight", {16});
    lite.blk(0, "attn_q.weight", {64, 80});
    lite.blk(0, "attn_kv_a_mqa.weight", {64, 24});
    lite.blk(0, "attn_k_b.weight", {12, 16, 4});
    lite.blk(0, "attn_v_b.weight", {16, 12, 4});
    lite.blk(0, "attn_output.weight", {48, 64});
    lite.blk(0, "ffn_norm.weight", {64});
    lite.blk(0, "ffn_gate.weight", {64, 128});
    lite.blk(0, "ffn_up.weight", {64, 128});
    lite.blk(0, "ffn_down.weight", {128, 64});
    REQUIRE(lite.elements == 52432);
    const json rl = check_arch(lite, 52432, 52432);
    CHECK(rl["model"]["config"]["model_type"] == "deepseek_v2");
    CHECK(rl["model"]["config"]["q_lora_rank"] == 0);
}

TEST_CASE("import: qwen3next GGUF (Gated DeltaNet layers as attn_qkv + attn_gate, gated full attention)", "[import][gguf-arch]") {
    // Keys: src/models/qwen3next.cpp load_arch_hparams: ssm.conv_kernel, ssm.inner_size (value heads ×
    // value head dim), ssm.state_size (key head dim), ssm.time_step_rank (value heads), ssm.group_count
    // (key heads), full_attention_interval, expert_feed_forward_length, expert_shared_feed_forward_length.
    ArchFile f("qwen3next");
    common_keys(f, 4);
    f.u32("attention.head_count_kv", 2);
    f.u32("attention.key_length", 16);
    f.u32("attention.value_length", 16);
    f.u32("rope.dimension_count", 4);
    f.u32("expert_count", 4);
    f.u32("expert_used_count", 2);
    f.u32("expert_feed_forward_length", 32);
    f.u32("expert_shared_feed_forward_length", 64);
    f.u32("ssm.conv_kernel", 4);
    f.u32("ssm.inner_size", 64);  // 4 value heads × 16
    f.u32("ssm.state_size", 16);
    f.u32("ssm.time_step_rank", 4);
    f.u32("ssm.group_count", 2);
    f.u32("full_attention_interval", 4);
    f.ends();
    for (int il = 0; il < 4; ++il) {
        f.blk(il, "attn_norm.weight", {64});
        f.blk(il, "post_attention_norm.weight", {64});
        if (il < 3) {
            // Linear attention (key_dim 2×16 = 32, value_dim 4×16 = 64, conv_dim 2×32 + 64 = 128):
            // attn_qkv {64,128} 8,192 + attn_gate {64,64} 4,096 + ssm_conv1d {4,128} 512 + ssm_dt.bias 4
            // + ssm_a 4 + ssm_ba {64, 2×4} 512 + ssm_norm 16 + ssm_out {64,64} 4,096 = 17,432.
            f.blk(il, "attn_qkv.weight", {64, 128});
            f.blk(il, "attn_gate.weight", {64, 64});
            f.blk(il, "ssm_conv1d.weight", {4, 128});
            f.blk(il, "ssm_dt.bias", {4});
            f.blk(il, "ssm_a", {4});
            f.blk(il, "ssm_ba.weight", {64, 8});
            f.blk(il, "ssm_norm.weight", {16});
            f.blk(il, "ssm_out.weight", {64, 64});
        } else {
            // Full attention, q doubled for the gate: q {64, 16×4×2} 8,192 + k {64,32} 2,048 + v 2,048
            // + attn_output {64,64} 4,096 + q/k norms 2 × 16 = 16,416.
            f.blk(il, "attn_q.weight", {64, 128});
            f.blk(il, "attn_k.weight", {64, 32});
            f.blk(il, "attn_v.weight", {64, 32});
            f.blk(il, "attn_output.weight", {64, 64});
            f.blk(il, "attn_q_norm.weight", {16});
            f.blk(il, "attn_k_norm.weight", {16});
        }
        // MoE: router 256 + 3 × {64,32,4} 24,576 + shared gate {64} 64 + 3 × {64,64} 12,288 = 37,184.
        f.blk(il, "ffn_gate_inp.weight", {64, 4});
        f.experts(il, 32);
        f.blk(il, "ffn_gate_inp_shexp.weight", {64});
        f.shared_expert(il, 64);
    }
    // Norms 128 per layer: 16,448 + 3 × (128 + 17,432 + 37,184) + (128 + 16,416 + 37,184)
    // = 16,448 + 164,232 + 53,728 = 234,408.
    REQUIRE(f.elements == 234408);
    const json r = check_arch(f, 234408, 234408);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "qwen3_next");
    CHECK(c["layer_types"] ==
          json::array({"linear_attention", "linear_attention", "linear_attention", "full_attention"}));
    CHECK(c["linear_num_key_heads"] == 2);
    CHECK(c["linear_num_value_heads"] == 4);
    CHECK(c["linear_key_head_dim"] == 16);
    CHECK(c["linear_value_head_dim"] == 16);  // inner_size 64 / 4 value heads
    CHECK(c["linear_conv_kernel_dim"] == 4);
    CHECK(c["shared_expert_intermediate_size"] == 64);
    CHECK(c["moe_intermediate_size"] == 32);
    CHECK(c["head_dim"] == 16);
    const ModelArch a = arch_of(r);
    CHECK(a.layers[0].recurrent == RecurrentKind::gated_deltanet);
    CHECK(a.layers[0].attention == AttentionKind::none);
    CHECK(a.layers[3].attention == AttentionKind::full);
}

TEST_CASE("import: granitehybrid GGUF (Mamba-2 + attention by head_count_kv, MoE with a shared expert)", "[import][gguf-arch]") {
    // Keys: src/models/granite-hybrid.cpp load_arch_hparams: ssm.* and a per-layer head_count_kv
    // (0 = Mamba-2 layer); experts use feed_forward_length, the shared expert
    // expert_shared_feed_forward_length.
    ArchFile f("granitehybrid");
    common_keys(f, 3);
    f.i32s("attention.head_count_kv", {0, 2, 0});
    f.u32("feed_forward_length", 32);
    f.u32("expert_count", 4);
    f.u32("expert_used_count", 2);
    f.u32("expert_shared_feed_forward_length", 48);
    f.u32("ssm.conv_kernel", 4);
    f.u32("ssm.inner_size", 128);  // 2 × hidden, as llama.cpp asserts
    f.u32("ssm.state_size", 16);
    f.u32("ssm.time_step_rank", 8);  // Mamba-2 heads
    f.u32("ssm.group_count", 1);
    f.u32("rope.dimension_count", 16);
    f.ends();
    for (int il = 0; il < 3; ++il) {
        f.blk(il, "attn_norm.weight", {64});
        if (il != 1) {
            // Mamba-2: ssm_in {64, 2×128 + 2×1×16 + 8 = 296} 18,944 + conv {4, 128+32} 640 + conv bias 160
            // + dt bias 8 + ssm_a {1,8} 8 + ssm_d {1,8} 8 + ssm_norm {128,1} 128 + ssm_out {128,64} 8,192 = 28,088.
            f.blk(il, "ssm_in.weight", {64, 296});
            f.blk(il, "ssm_conv1d.weight", {4, 160});
            f.blk(il, "ssm_conv1d.bias", {160});
            f.blk(il, "ssm_dt.bias", {8});
            f.blk(il, "ssm_a", {1, 8});
            f.blk(il, "ssm_d", {1, 8});
            f.blk(il, "ssm_norm.weight", {128, 1});
            f.blk(il, "ssm_out.weight", {128, 64});
        } else {
            // Attention, head dim 64/4 = 16: q 4,096 + k {64,32} 2,048 + v 2,048 + o 4,096 = 12,288.
            f.gqa_attention(il);
        }
        // ffn_norm 64; router 256 + 3 × {64,32,4} 24,576 + shared 3 × {64,48} 9,216 = 34,048.
        f.blk(il, "ffn_norm.weight", {64});
        f.blk(il, "ffn_gate_inp.weight", {64, 4});
        f.experts(il, 32);
        f.shared_expert(il, 48);
    }
    // 16,448 + 2 × (128 + 28,088 + 34,048) + (128 + 12,288 + 34,048) = 16,448 + 124,528 + 46,464 = 187,440.
    REQUIRE(f.elements == 187440);
    const json r = check_arch(f, 187440, 187440);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "granitemoehybrid");
    CHECK(c["layer_types"] == json::array({"mamba", "attention", "mamba"}));
    CHECK(c["num_key_value_heads"] == 2);  // the largest of the per-layer list
    CHECK(c["intermediate_size"] == 32);
    CHECK(c["shared_intermediate_size"] == 48);
    CHECK(c["mamba_d_ssm"] == 128);
    CHECK(c["mamba_d_state"] == 16);
    CHECK(c["mamba_n_heads"] == 8);
    CHECK(c["mamba_n_groups"] == 1);
    const ModelArch a = arch_of(r);
    CHECK(a.layers[0].recurrent == RecurrentKind::mamba2);
    CHECK(a.layers[1].attention == AttentionKind::full);
    CHECK(a.moe.n_ff_shared == 48);
}

TEST_CASE("import: nemotron_h GGUF (Mamba-2 / attention / ReLU² MLP blocks from per-layer lists)", "[import][gguf-arch]") {
    // Keys: src/models/nemotron-h.cpp load_arch_hparams: a block is recurrent when head_count_kv(i) and
    // feed_forward_length(i) are both 0, attention when only the FFN length is 0, MLP otherwise;
    // one attn_norm per block; the MLP is up/down with ReLU² (LLM_FFN_RELU_SQR), no gate.
    ArchFile f("nemotron_h");
    common_keys(f, 4);
    f.i32s("attention.head_count_kv", {0, 2, 0, 0});
    f.i32s("feed_forward_length", {0, 0, 0, 96});
    f.u32("attention.key_length", 16);
    f.u32("attention.value_length", 16);
    f.u32("ssm.conv_kernel", 4);
    f.u32("ssm.inner_size", 128);
    f.u32("ssm.state_size", 16);
    f.u32("ssm.time_step_rank", 8);
    f.u32("ssm.group_count", 2);
    f.ends();
    for (int il = 0; il < 4; ++il) {
        f.blk(il, "attn_norm.weight", {64});
        if (il == 0 || il == 2) {
            // Mamba-2, 2 groups: ssm_in {64, 256 + 64 + 8 = 328} 20,992 + conv {4, 128+64} 768 + bias 192
            // + dt bias / ssm_a / ssm_d 3 × 8 + ssm_norm {64, 2} 128 + ssm_out 8,192 = 30,296.
            f.blk(il, "ssm_in.weight", {64, 328});
            f.blk(il, "ssm_conv1d.weight", {4, 192});
            f.blk(il, "ssm_conv1d.bias", {192});
            f.blk(il, "ssm_dt.bias", {8});
            f.blk(il, "ssm_a", {1, 8});
            f.blk(il, "ssm_d", {1, 8});
            f.blk(il, "ssm_norm.weight", {64, 2});
            f.blk(il, "ssm_out.weight", {128, 64});
        } else if (il == 1) {
            // Attention: 4,096 + 2,048 + 2,048 + 4,096 = 12,288.
            f.gqa_attention(il);
        } else {
            // MLP: up {64,96} 6,144 + down {96,64} 6,144 = 12,288.
            f.blk(il, "ffn_up.weight", {64, 96});
            f.blk(il, "ffn_down.weight", {96, 64});
        }
    }
    // 16,448 + 4 × 64 + 2 × 30,296 + 12,288 + 12,288 = 16,448 + 256 + 60,592 + 24,576 = 101,872.
    REQUIRE(f.elements == 101872);
    const json r = check_arch(f, 101872, 101872);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "nemotron_h");
    CHECK(c["hybrid_override_pattern"] == "M*M-");
    CHECK(c["mlp_hidden_act"] == "relu2");
    CHECK(c["intermediate_size"] == 96);
    CHECK(c["mamba_n_groups"] == 2);
    CHECK(c["head_dim"] == 16);
    const ModelArch a = arch_of(r);
    CHECK(a.gated_ffn == false);
    CHECK(a.layers[3].ffn == FfnKind::dense);
    CHECK(a.layers[1].ffn == FfnKind::none);
}

TEST_CASE("import: falcon-h1 GGUF (attention and Mamba-2 side by side in every block)", "[import][gguf-arch]") {
    // Keys and tensors: src/models/falcon-h1.cpp (every layer recurrent and attention; ssm_in
    // {n_embd, d_inner + conv_dim + heads}; ssm_norm {d_inner / groups, groups}; ffn_norm without a
    // ".weight" suffix, as its loader names it).
    ArchFile f("falcon-h1");
    common_keys(f, 2);
    f.u32("attention.head_count_kv", 2);
    f.u32("attention.key_length", 16);
    f.u32("attention.value_length", 16);
    f.u32("feed_forward_length", 96);
    f.u32("ssm.conv_kernel", 4);
    f.u32("ssm.inner_size", 64);
    f.u32("ssm.state_size", 8);
    f.u32("ssm.time_step_rank", 4);
    f.u32("ssm.group_count", 1);
    f.ends();
    for (int il = 0; il < 2; ++il) {
        // Mamba-2: conv_dim 64 + 2×8 = 80; ssm_in {64, 64 + 80 + 4 = 148} 9,472 + conv {4,80} 320 + bias 80
        // + dt bias / a / d 3 × 4 + ssm_norm {64,1} 64 + ssm_out {64,64} 4,096 = 14,044.
        f.blk(il, "ssm_in.weight", {64, 148});
        f.blk(il, "ssm_conv1d.weight", {4, 80});
        f.blk(il, "ssm_conv1d.bias", {80});
        f.blk(il, "ssm_dt.bias", {4});
        f.blk(il, "ssm_a", {1, 4});
        f.blk(il, "ssm_d", {1, 4});
        f.blk(il, "ssm_norm.weight", {64, 1});
        f.blk(il, "ssm_out.weight", {64, 64});
        // Attention 12,288; norms 2 × 64; gated FFN 3 × {64,96} 18,432.
        f.gqa_attention(il);
        f.blk(il, "attn_norm.weight", {64});
        f.blk(il, "ffn_norm", {64});
        f.blk(il, "ffn_gate.weight", {64, 96});
        f.blk(il, "ffn_up.weight", {64, 96});
        f.blk(il, "ffn_down.weight", {96, 64});
    }
    // 16,448 + 2 × (14,044 + 12,288 + 128 + 18,432) = 16,448 + 2 × 44,892 = 106,232.
    REQUIRE(f.elements == 106232);
    const json r = check_arch(f, 106232, 106232);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "falcon_h1");
    CHECK(c["mamba_d_ssm"] == 64);
    CHECK(c["mamba_n_heads"] == 4);
    CHECK(c["mamba_d_state"] == 8);
    CHECK(c["head_dim"] == 16);
    const ModelArch a = arch_of(r);
    CHECK(a.layers[1].attention == AttentionKind::full);
    CHECK(a.layers[1].recurrent == RecurrentKind::mamba2);
}

TEST_CASE("import: jamba GGUF (Mamba-1 with dt/B/C norms, attention by head_count_kv, MoE every other layer)", "[import][gguf-arch]") {
    // Keys and tensors: src/models/jamba.cpp (recurrent when head_count_kv(i) = 0; Mamba layers hold
    // ssm_dt_norm, ssm_b_norm, ssm_c_norm; experts and dense FFN both feed_forward_length wide; a layer
    // is MoE when it holds ffn_gate_inp).
    ArchFile f("jamba");
    common_keys(f, 4);
    f.i32s("attention.head_count_kv", {0, 0, 2, 0});
    f.u32("feed_forward_length", 96);
    f.u32("expert_count", 4);
    f.u32("expert_used_count", 2);
    f.u32("ssm.conv_kernel", 4);
    f.u32("ssm.inner_size", 128);
    f.u32("ssm.state_size", 8);
    f.u32("ssm.time_step_rank", 4);
    f.ends();
    for (int il = 0; il < 4; ++il) {
        f.blk(il, "attn_norm.weight", {64});
        if (il != 2) {
            // Mamba-1: ssm_in {64,256} 16,384 + conv {4,128} 512 + bias 128 + ssm_x {128, 4+16} 2,560
            // + dt_norm 4 + ssm_dt {4,128} 512 + dt bias 128 + b_norm 8 + c_norm 8 + ssm_a {8,128} 1,024
            // + ssm_d 128 + ssm_out {128,64} 8,192 = 29,588.
            f.blk(il, "ssm_in.weight", {64, 256});
            f.blk(il, "ssm_conv1d.weight", {4, 128});
            f.blk(il, "ssm_conv1d.bias", {128});
            f.blk(il, "ssm_x.weight", {128, 20});
            f.blk(il, "ssm_dt_norm.weight", {4});
            f.blk(il, "ssm_dt.weight", {4, 128});
            f.blk(il, "ssm_dt.bias", {128});
            f.blk(il, "ssm_b_norm.weight", {8});
            f.blk(il, "ssm_c_norm.weight", {8});
            f.blk(il, "ssm_a", {8, 128});
            f.blk(il, "ssm_d", {128});
            f.blk(il, "ssm_out.weight", {128, 64});
        } else {
            f.gqa_attention(il);  // 12,288
        }
        f.blk(il, "ffn_norm.weight", {64});
        if (il % 2 == 1) {
            // MoE: router 256 + 3 × {64,96,4} 73,728 = 73,984.
            f.blk(il, "ffn_gate_inp.weight", {64, 4});
            f.experts(il, 96);
        } else {
            f.blk(il, "ffn_gate.weight", {64, 96});  // 3 × 6,144 = 18,432
            f.blk(il, "ffn_up.weight", {64, 96});
            f.blk(il, "ffn_down.weight", {96, 64});
        }
    }
    // 16,448 + (128 + 29,588 + 18,432) + (128 + 29,588 + 73,984) + (128 + 12,288 + 18,432)
    // + (128 + 29,588 + 73,984) = 16,448 + 48,148 + 103,700 + 30,848 + 103,700 = 302,844.
    REQUIRE(f.elements == 302844);
    // The predicted inventory has the dt/B/C norms too (3 Mamba layers × (4 + 8 + 8) = 60).
    const json r = check_arch(f, 302844, 302844);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "jamba");
    CHECK(c["attn_layer_offset"] == 2);
    CHECK(c["attn_layer_period"] == 4);  // one attention layer: the period is the layer count
    CHECK(c["expert_layer_offset"] == 1);
    CHECK(c["expert_layer_period"] == 2);
    CHECK(c["mamba_dt_rank"] == 4);
    CHECK(c["mamba_expand"] == 2.0);  // inner 128 / hidden 64
    CHECK(c["intermediate_size"] == 96);
    const ModelArch a = arch_of(r);
    CHECK(a.layers[0].recurrent == RecurrentKind::mamba1);
    CHECK(a.layers[2].attention == AttentionKind::full);
    CHECK(a.layers[1].ffn == FfnKind::moe);
    CHECK(a.layers[2].ffn == FfnKind::dense);
}

TEST_CASE("import: kimi-linear GGUF (KDA and MLA layers, 4-D short convolutions, leading dense layer)", "[import][gguf-arch]") {
    // Keys and tensors: src/models/kimi-linear.cpp (KDA where head_count_kv(i) = 0; kda.head_dim;
    // ssm_conv1d_q/k/v {d_conv, 1, heads × head_dim, 1}; ssm_a {1, heads, 1, 1}; MLA without q LoRA
    // through attn_q; leading_dense_block_count; shared experts n_ff_exp × expert_shared_count).
    ArchFile f("kimi-linear");
    common_keys(f, 3);
    f.i32s("attention.head_count_kv", {0, 0, 1});
    f.u32("feed_forward_length", 128);
    f.u32("attention.kv_lora_rank", 16);
    f.u32("attention.key_length", 24);
    f.u32("attention.value_length", 16);
    f.u32("attention.key_length_mla", 20);
    f.u32("attention.value_length_mla", 12);
    f.u32("rope.dimension_count", 8);
    f.u32("ssm.conv_kernel", 4);
    f.u32("kda.head_dim", 16);
    f.u32("leading_dense_block_count", 1);
    f.u32("expert_feed_forward_length", 32);
    f.u32("expert_shared_feed_forward_length", 32);
    f.u32("expert_shared_count", 1);
    f.u32("expert_count", 4);
    f.u32("expert_used_count", 2);
    f.u32("expert_gating_func", 2);
    f.ends();
    for (int il = 0; il < 3; ++il) {
        f.blk(il, "attn_norm.weight", {64});
        if (il < 2) {
            // KDA, 4 heads × 16 = 64: 3 convs {4,1,64,1} 768 + q/k/v {64,64} 12,288 + f_a {64,16} 1,024
            // + f_b {16,64} 1,024 + beta {64,4} 256 + ssm_a 4 + dt bias 64 + g_a 1,024 + g_b 1,024
            // + ssm_norm 16 + attn_output 4,096 = 21,588.
            f.blk(il, "ssm_conv1d_q.weight", {4, 1, 64, 1});
            f.blk(il, "ssm_conv1d_k.weight", {4, 1, 64, 1});
            f.blk(il, "ssm_conv1d_v.weight", {4, 1, 64, 1});
            f.blk(il, "attn_q.weight", {64, 64});
            f.blk(il, "attn_k.weight", {64, 64});
            f.blk(il, "attn_v.weight", {64, 64});
            f.blk(il, "ssm_f_a.weight", {64, 16});
            f.blk(il, "ssm_f_b.weight", {16, 64});
            f.blk(il, "ssm_beta.weight", {64, 4});
            f.blk(il, "ssm_a", {1, 4, 1, 1});
            f.blk(il, "ssm_dt.bias", {64});
            f.blk(il, "ssm_g_a.weight", {64, 16});
            f.blk(il, "ssm_g_b.weight", {16, 64});
            f.blk(il, "ssm_norm.weight", {16});
            f.blk(il, "attn_output.weight", {64, 64});
        } else {
            // MLA: kv_a_norm 16 + attn_q {64, 4×20} 5,120 + kv_a_mqa 1,536 + k_b 768 + v_b 768 + o 3,072 = 11,280.
            f.blk(il, "attn_kv_a_norm.weight", {16});
            f.blk(il, "attn_q.weight", {64, 80});
            f.blk(il, "attn_kv_a_mqa.weight", {64, 24});
            f.blk(il, "attn_k_b.weight", {12, 16, 4});
            f.blk(il, "attn_v_b.weight", {16, 12, 4});
            f.blk(il, "attn_output.weight", {48, 64});
        }
        f.blk(il, "ffn_norm.weight", {64});
        if (il == 0) {
            f.blk(il, "ffn_gate.weight", {64, 128});  // 24,576
            f.blk(il, "ffn_down.weight", {128, 64});
            f.blk(il, "ffn_up.weight", {64, 128});
        } else {
            // router 256 + 3 × 8,192 + shared 3 × 2,048 + exp_probs_b 4 = 30,980.
            f.blk(il, "ffn_gate_inp.weight", {64, 4});
            f.blk(il, "ffn_gate_exps.weight", {64, 32, 4});
            f.blk(il, "ffn_down_exps.weight", {32, 64, 4});
            f.blk(il, "ffn_up_exps.weight", {64, 32, 4});
            f.blk(il, "ffn_gate_shexp.weight", {64, 32});
            f.blk(il, "ffn_down_shexp.weight", {32, 64});
            f.blk(il, "ffn_up_shexp.weight", {64, 32});
            f.blk(il, "exp_probs_b.bias", {4});
        }
    }
    // 16,448 + (128 + 21,588 + 24,576) + (128 + 21,588 + 30,980) + (128 + 11,280 + 30,980)
    // = 16,448 + 46,292 + 52,696 + 42,388 = 157,824.
    REQUIRE(f.elements == 157824);
    const json r = check_arch(f, 157824, 157824);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "kimi_linear");
    CHECK(c["linear_attn_config"]["num_heads"] == 4);  // ssm_beta's rows
    CHECK(c["linear_attn_config"]["head_dim"] == 16);
    CHECK(c["linear_attn_config"]["short_conv_kernel_size"] == 4);
    CHECK(c["linear_attn_config"]["full_attn_layers"] == json::array({3}));  // 1-indexed
    CHECK(c["kv_lora_rank"] == 16);
    CHECK(c["q_lora_rank"] == 0);
    CHECK(c["qk_nope_head_dim"] == 12);
    CHECK(c["first_k_dense_replace"] == 1);
    const ModelArch a = arch_of(r);
    CHECK(a.layers[0].recurrent == RecurrentKind::kda);
    CHECK(a.layers[2].attention == AttentionKind::mla);
}

TEST_CASE("import: gpt-oss GGUF (sinks, biased experts, alternating sliding window)", "[import][gguf-arch]") {
    // Tensors: src/models/openai-moe.cpp (attn_sinks {n_head}; q/k/v/o biases; ffn_gate_inp bias;
    // expert biases {n_ff_exp, n_expert} / {n_embd, n_expert}); sliding layers: set_swa_pattern(2).
    ArchFile f("gpt-oss");
    common_keys(f, 2);
    f.u32("attention.head_count_kv", 2);
    f.u32("attention.key_length", 16);
    f.u32("attention.value_length", 16);
    f.u32("rope.dimension_count", 16);
    f.u32("attention.sliding_window", 128);
    f.u32("expert_count", 4);
    f.u32("expert_used_count", 2);
    f.u32("expert_feed_forward_length", 32);
    f.ends();
    for (int il = 0; il < 2; ++il) {
        // norms 128 + q/k/v/o 12,288 + biases 64 + 32 + 32 + 64 + sinks 4 + router 256 + 4
        // + experts 24,576 + expert biases 128 + 128 + 256 = 37,960.
        f.blk(il, "attn_norm.weight", {64});
        f.blk(il, "post_attention_norm.weight", {64});
        f.gqa_attention(il);
        f.blk(il, "attn_q.bias", {64});
        f.blk(il, "attn_k.bias", {32});
        f.blk(il, "attn_v.bias", {32});
        f.blk(il, "attn_output.bias", {64});
        f.blk(il, "attn_sinks.weight", {4});
        f.blk(il, "ffn_gate_inp.weight", {64, 4});
        f.blk(il, "ffn_gate_inp.bias", {4});
        f.experts(il, 32);
        f.blk(il, "ffn_gate_exps.bias", {32, 4});
        f.blk(il, "ffn_up_exps.bias", {32, 4});
        f.blk(il, "ffn_down_exps.bias", {64, 4});
    }
    // 16,448 + 2 × 37,960 = 92,368.
    REQUIRE(f.elements == 92368);
    const json r = check_arch(f, 92368, 92368);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "gpt_oss");
    CHECK(c["sliding_window"] == 128);
    CHECK(c["layer_types"] == json::array({"sliding_attention", "full_attention"}));
    CHECK(c["intermediate_size"] == 32);
    CHECK(c["head_dim"] == 16);
    const ModelArch a = arch_of(r);
    CHECK(a.layers[0].attention == AttentionKind::sliding);
    CHECK(a.layers[1].attention == AttentionKind::full);
    CHECK(a.attn.sliding_window == 128);
}

TEST_CASE("import: glm4moe GGUF (leading dense layer, QK norm, an MTP block not loaded)", "[import][gguf-arch]") {
    // Keys: convert_hf_to_gguf.py Glm4MoeModel writes block_count = layers + nextn_predict_layers;
    // llama.cpp marks the last nextn_predict_layers blocks TENSOR_SKIP (src/models/glm4-moe.cpp).
    ArchFile f("glm4moe");
    common_keys(f, 4);
    f.u32("nextn_predict_layers", 1);
    f.u32("feed_forward_length", 128);
    f.u32("attention.head_count_kv", 2);
    f.u32("attention.key_length", 16);
    f.u32("attention.value_length", 16);
    f.u32("rope.dimension_count", 8);
    f.u32("leading_dense_block_count", 1);
    f.u32("expert_count", 4);
    f.u32("expert_used_count", 2);
    f.u32("expert_feed_forward_length", 32);
    f.u32("expert_shared_count", 1);
    f.u32("expert_gating_func", 2);
    f.ends();
    for (int il = 0; il < 4; ++il) {
        // norms 128 + q/k/v/o 12,288 + q/k/v biases 128 + q/k norms 32 = 12,576.
        f.blk(il, "attn_norm.weight", {64});
        f.blk(il, "post_attention_norm.weight", {64});
        f.gqa_attention(il);
        f.blk(il, "attn_q.bias", {64});
        f.blk(il, "attn_k.bias", {32});
        f.blk(il, "attn_v.bias", {32});
        f.blk(il, "attn_q_norm.weight", {16});
        f.blk(il, "attn_k_norm.weight", {16});
        if (il == 0) {
            f.blk(il, "ffn_gate.weight", {64, 128});  // 24,576
            f.blk(il, "ffn_up.weight", {64, 128});
            f.blk(il, "ffn_down.weight", {128, 64});
        } else {
            f.blk(il, "ffn_gate_inp.weight", {64, 4});  // 30,980 as deepseek2's
            f.blk(il, "exp_probs_b.bias", {4});
            f.experts(il, 32);
            f.shared_expert(il, 32);
        }
    }
    // The MTP block's own tensors: eh_proj {128,64} 8,192 + enorm, hnorm, shared_head_norm 3 × 64.
    f.blk(3, "nextn.eh_proj.weight", {128, 64});
    f.blk(3, "nextn.enorm.weight", {64});
    f.blk(3, "nextn.hnorm.weight", {64});
    f.blk(3, "nextn.shared_head_norm.weight", {64});
    // Loaded: 16,448 + (12,576 + 24,576) + 2 × (12,576 + 30,980) = 16,448 + 37,152 + 87,112 = 140,712.
    // In the file besides: block 3 = 12,576 + 30,980 + 8,384 = 51,940 -> 192,652 elements.
    REQUIRE(f.elements == 192652);
    const json r = check_arch(f, 140712, 140712, false);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "glm4_moe");
    CHECK(c["num_hidden_layers"] == 3);
    CHECK(c["num_nextn_predict_layers"] == 1);
    CHECK(c["first_k_dense_replace"] == 1);
    CHECK(c["use_qk_norm"] == true);
    CHECK(c["attention_bias"] == true);
    CHECK(c["head_dim"] == 16);
    const json est = estimate_with(combine({r})["model"]);
    REQUIRE(est["ok"] == true);
    // 23 tensors in block 3: 11 attention and norm tensors, 8 MoE, 4 nextn.
    CHECK(has_text(est["assumptions"], "23 tensors of next-token-prediction layers are in the file but not loaded"));
}

TEST_CASE("import: llama4 GGUF (interleaved MoE, shared expert, chunked attention as llama.cpp sets it)", "[import][gguf-arch]") {
    // Keys: LLM_ARCH_LLAMA4 reads expert_feed_forward_length and interleave_moe_layer_step and sets
    // n_swa = 8192 chunked with set_swa_pattern(4) itself (src/llama-model.cpp); dense layers use
    // feed_forward_length (intermediate_size_mlp), the shared expert the routed width.
    ArchFile f("llama4");
    common_keys(f, 4);
    f.u32("attention.head_count_kv", 2);
    f.u32("rope.dimension_count", 16);
    f.u32("feed_forward_length", 128);
    f.u32("expert_feed_forward_length", 32);
    f.u32("expert_count", 4);
    f.u32("expert_used_count", 1);
    f.u32("interleave_moe_layer_step", 2);
    f.ends();
    for (int il = 0; il < 4; ++il) {
        // norms 128 + attention 12,288 = 12,416.
        f.blk(il, "attn_norm.weight", {64});
        f.blk(il, "ffn_norm.weight", {64});
        f.gqa_attention(il);
        if ((il + 1) % 2 == 0) {
            // router 256 + 24,576 + shared 3 × {64,32} 6,144 = 30,976.
            f.blk(il, "ffn_gate_inp.weight", {64, 4});
            f.experts(il, 32);
            f.shared_expert(il, 32);
        } else {
            f.blk(il, "ffn_gate.weight", {64, 128});  // 24,576
            f.blk(il, "ffn_up.weight", {64, 128});
            f.blk(il, "ffn_down.weight", {128, 64});
        }
    }
    // 16,448 + 2 × (12,416 + 24,576) + 2 × (12,416 + 30,976) = 16,448 + 73,984 + 86,784 = 177,216.
    REQUIRE(f.elements == 177216);
    const json r = check_arch(f, 177216, 177216);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "llama4_text");
    CHECK(c["intermediate_size"] == 32);
    CHECK(c["intermediate_size_mlp"] == 128);
    CHECK(c["mlp_only_layers"] == json::array({0, 2}));
    CHECK(c["attention_chunk_size"] == 8192);
    const ModelArch a = arch_of(r);
    CHECK(a.layers[0].attention == AttentionKind::sliding);
    CHECK(a.layers[2].attention == AttentionKind::sliding);
    CHECK(a.layers[3].attention == AttentionKind::full);  // one global layer in four
    CHECK(a.attn.sliding_window == 8192);
    CHECK(a.layers[1].ffn == FfnKind::moe);
    CHECK(a.layers[0].ffn == FfnKind::dense);
    CHECK(a.moe.n_ff_shared == 32);
}

TEST_CASE("import: gemma3 GGUF (five sliding layers then one full, four norms, QK norm, tied)", "[import][gguf-arch]") {
    // Keys: LLM_ARCH_GEMMA3 reads attention.sliding_window and sets set_swa_pattern(6) itself
    // (src/llama-model.cpp); head dim from attention.key_length (256 in the real models, not hidden/heads).
    ArchFile f("gemma3");
    common_keys(f, 6);
    f.u32("attention.head_count_kv", 1);
    f.u32("attention.key_length", 32);
    f.u32("attention.value_length", 32);
    f.u32("attention.sliding_window", 32);
    f.u32("feed_forward_length", 128);
    f.ends(false);  // tied: no output.weight
    for (int il = 0; il < 6; ++il) {
        // q {64, 4×32} 8,192 + k {64,32} 2,048 + v 2,048 + o {128,64} 8,192 = 20,480; q/k norms 64;
        // attn_norm, post_attention_norm, ffn_norm, post_ffw_norm 256; FFN 3 × 8,192 = 24,576: 45,376.
        f.blk(il, "attn_norm.weight", {64});
        f.blk(il, "attn_q.weight", {64, 128});
        f.blk(il, "attn_k.weight", {64, 32});
        f.blk(il, "attn_v.weight", {64, 32});
        f.blk(il, "attn_output.weight", {128, 64});
        f.blk(il, "attn_q_norm.weight", {32});
        f.blk(il, "attn_k_norm.weight", {32});
        f.blk(il, "post_attention_norm.weight", {64});
        f.blk(il, "ffn_norm.weight", {64});
        f.blk(il, "ffn_gate.weight", {64, 128});
        f.blk(il, "ffn_up.weight", {64, 128});
        f.blk(il, "ffn_down.weight", {128, 64});
        f.blk(il, "post_ffw_norm.weight", {64});
    }
    // 8,192 + 64 + 6 × 45,376 = 8,256 + 272,256 = 280,512.
    REQUIRE(f.elements == 280512);
    const json r = check_arch(f, 280512, 280512);
    const json& c = r["model"]["config"];
    CHECK(c["model_type"] == "gemma3_text");
    CHECK(c["tie_word_embeddings"] == true);
    CHECK(c["head_dim"] == 32);
    CHECK(c["sliding_window"] == 32);
    CHECK(c["sliding_window_pattern"] == 6);
    const ModelArch a = arch_of(r);
    for (int il = 0; il < 5; ++il) CHECK(a.layers[il].attention == AttentionKind::sliding);
    CHECK(a.layers[5].attention == AttentionKind::full);
    CHECK(a.norms_per_layer == 4);
    CHECK(a.attn.qk_norm == true);
}

TEST_CASE("import: a custom model (GGUF or config.json) ranks hardware as a catalog model does", "[import][rank]") {
    // "What hardware for this model" with the model inline: the GGUF's own tensors (1,705,216
    // parameters, Q4_K_M, exact bytes) on every device, and the config.json alone (predicted).
    const json gguf_model = combine({inspect(tiny_llama_gguf())})["model"];
    const json by_file = rank_hardware_for_model({{"model", gguf_model}}, catalog());
    REQUIRE(by_file["ok"] == true);
    REQUIRE(by_file["items"].size() > 0);
    for (const auto& it : by_file["items"]) {
        CHECK(it["model"] == "custom");
        CHECK(it["model_name"] == "Tiny Llama Test");
        CHECK(it["quant"] == "Q4_K_M");  // the file's own quant, not a ranking candidate
        CHECK(it["params_total"].get<double>() == kTinyLlamaParams);
    }
    const json by_config = rank_hardware_for_model({{"model", {{"config", gguf_model["config"]}}}}, catalog());
    REQUIRE(by_config["ok"] == true);
    CHECK(by_config["items"].size() == by_file["items"].size());
    for (const auto& it : by_config["items"]) CHECK(it["params_total"].get<double>() == kTinyLlamaParams);
}
