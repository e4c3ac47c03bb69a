// Bringing your own model: GGUF files (whole, split, partial) and config.json
// through inspect -> combine -> estimate, with exact bytes from the tensor
// table; and every catalog model's config.json giving its catalog report.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

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
