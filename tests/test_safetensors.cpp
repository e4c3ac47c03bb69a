// The safetensors header reader and index on files written here (8-byte
// length + JSON header + data), corrupt variants, and a BF16 checkpoint with
// its config.json giving exact bytes in the report.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "estimate.hpp"
#include "model_import.hpp"
#include "safetensors.hpp"
#include "test_support.hpp"

using namespace headroom;
using namespace headroom_test;
using nlohmann::json;

namespace {

// A file from a header object; the data is zeros up to the largest end offset.
std::vector<std::uint8_t> st_file(const json& header, std::uint64_t extra_data = 0) {
    const std::string text = header.dump();
    std::vector<std::uint8_t> f(8);
    const std::uint64_t n = text.size();
    std::memcpy(f.data(), &n, 8);
    f.insert(f.end(), text.begin(), text.end());
    std::uint64_t end = 0;
    for (auto it = header.begin(); it != header.end(); ++it)
        if (it.key() != "__metadata__")
            end = std::max<std::uint64_t>(end, it.value()["data_offsets"][1].get<std::uint64_t>());
    f.resize(f.size() + end + extra_data, 0);
    return f;
}

// Tensors laid out in order: {name, dtype, shape}, offsets from element sizes.
json st_header(const std::vector<std::tuple<std::string, std::string, std::vector<std::uint64_t>>>& tensors) {
    json h = {{"__metadata__", {{"format", "pt"}}}};
    std::uint64_t at = 0;
    for (const auto& [name, dtype, shape] : tensors) {
        std::uint64_t n = 1;
        for (auto d : shape) n *= d;
        const std::uint64_t bytes =
            n * (dtype == "F32" || dtype == "I32" ? 4 : dtype == "BF16" || dtype == "F16" ? 2 : 1);
        h[name] = {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {at, at + bytes}}};
        at += bytes;
    }
    return h;
}

std::string code_of(const std::vector<std::uint8_t>& f) {
    const auto r = read_safetensors_header(f.data(), f.size(), f.size());
    return r.ok ? "ok" : r.error.code;
}

// The tiny Llama of tests/gguf_writer.hpp as a Hugging Face BF16 checkpoint.
json tiny_llama_config() {
    return {{"model_type", "llama"},        {"hidden_size", 256},
            {"num_hidden_layers", 2},       {"intermediate_size", 512},
            {"num_attention_heads", 4},     {"num_key_value_heads", 2},
            {"vocab_size", 1024},           {"max_position_embeddings", 4096},
            {"tie_word_embeddings", false}, {"torch_dtype", "bfloat16"}};
}

std::vector<std::tuple<std::string, std::string, std::vector<std::uint64_t>>> tiny_llama_hf_tensors(int from_layer,
                                                                                                    int to_layer,
                                                                                                    bool ends) {
    std::vector<std::tuple<std::string, std::string, std::vector<std::uint64_t>>> t;
    if (ends) t.push_back({"model.embed_tokens.weight", "BF16", {1024, 256}});
    for (int il = from_layer; il < to_layer; ++il) {
        const std::string b = "model.layers." + std::to_string(il) + ".";
        t.push_back({b + "input_layernorm.weight", "BF16", {256}});
        t.push_back({b + "self_attn.q_proj.weight", "BF16", {256, 256}});
        t.push_back({b + "self_attn.k_proj.weight", "BF16", {128, 256}});
        t.push_back({b + "self_attn.v_proj.weight", "BF16", {128, 256}});
        t.push_back({b + "self_attn.o_proj.weight", "BF16", {256, 256}});
        t.push_back({b + "post_attention_layernorm.weight", "BF16", {256}});
        t.push_back({b + "mlp.gate_proj.weight", "BF16", {512, 256}});
        t.push_back({b + "mlp.up_proj.weight", "BF16", {512, 256}});
        t.push_back({b + "mlp.down_proj.weight", "BF16", {256, 512}});
    }
    if (ends) {
        t.push_back({"model.norm.weight", "BF16", {256}});
        t.push_back({"lm_head.weight", "BF16", {1024, 256}});
    }
    return t;
}

json inspect_bytes(const std::vector<std::uint8_t>& f, const std::string& name) {
    return inspect_model_file(f.data(), f.size(), f.size(), name);
}

json inspect_text(const std::string& text, const std::string& name) {
    return inspect_model_file(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), text.size(), name);
}

}  // namespace

TEST_CASE("safetensors: dtypes, shapes and offsets of a small checkpoint", "[safetensors]") {
    const json h = st_header({{"a", "F32", {4, 8}}, {"b", "BF16", {3}}, {"c", "F8_E4M3", {2, 2, 2}}});
    const auto f = st_file(h);
    const auto r = read_safetensors_header(f.data(), f.size(), f.size());
    REQUIRE(r.ok);
    REQUIRE(r.header.tensors.size() == 3);
    // a: 32 F32 = 128 B at [0, 128); b: 3 BF16 = 6 B at [128, 134); c: 8 F8 = 8 B at [134, 142).
    CHECK(r.header.data_bytes == 142);
    CHECK(r.header.data_offset_bytes == 8 + h.dump().size());
    CHECK(r.header.file_bytes == f.size());
    CHECK(r.header.metadata.size() == 1);
    for (const auto& t : r.header.tensors) {
        if (t.name == "a")
            CHECK((t.size_bytes() == 128 && t.n_elements == 32 && t.shape == std::vector<std::uint64_t>{4, 8}));
        if (t.name == "c") CHECK((t.begin_bytes == 134 && t.dtype == "F8_E4M3"));
    }
    // A prefix asks for the whole header: 8 + its length.
    const auto p = read_safetensors_header(f.data(), 20, f.size());
    CHECK(p.error.code == "safetensors_truncated");
    CHECK(p.need_bytes == 8 + h.dump().size());
    CHECK(read_safetensors_header(f.data(), 4, 0).need_bytes == 8);
}

TEST_CASE("safetensors: corrupt headers are refused with their codes", "[safetensors]") {
    const json good = st_header({{"a", "F32", {4}}, {"b", "F32", {4}}});
    auto f = st_file(good);
    SECTION("a header length beyond the limit") {
        const std::uint64_t n = 100000001;  // kSafetensorsMaxHeaderBytes + 1
        std::memcpy(f.data(), &n, 8);
        CHECK(code_of(f) == "safetensors_too_large");
    }
    SECTION("a header length beyond the file") {
        const std::uint64_t n = f.size();
        std::memcpy(f.data(), &n, 8);
        CHECK(code_of(f) == "safetensors_truncated");
    }
    SECTION("not JSON") {
        std::uint64_t n = 0;
        std::memcpy(&n, f.data(), 8);
        f[8 + n - 1] = '#';  // the closing brace
        CHECK(code_of(f) == "safetensors_bad_header");
    }
    SECTION("JSON nested deeper than 8 levels") {
        std::string deep = "{\"x\":" + std::string(20, '[') + std::string(20, ']') + "}";
        std::vector<std::uint8_t> g(8);
        const std::uint64_t n = deep.size();
        std::memcpy(g.data(), &n, 8);
        g.insert(g.end(), deep.begin(), deep.end());
        CHECK(code_of(g) == "safetensors_bad_header");
    }
    SECTION("an unknown dtype") {
        json h = good;
        h["a"]["dtype"] = "Q4";
        CHECK(code_of(st_file(h)) == "safetensors_bad_tensor");
    }
    SECTION("offsets that disagree with the shape") {
        json h = good;
        h["a"]["data_offsets"] = {0, 12};  // 4 F32 need 16 bytes
        CHECK(code_of(st_file(h)) == "safetensors_bad_tensor");
    }
    SECTION("a hole between tensors") {
        json h = good;
        h["b"]["data_offsets"] = {20, 36};
        CHECK(code_of(st_file(h)) == "safetensors_bad_tensor");
    }
    SECTION("data beyond the end of the file") {
        auto g = st_file(good);
        g.resize(g.size() - 1);
        CHECK(code_of(g) == "safetensors_bad_tensor");
    }
    SECTION("a shape whose product overflows") {
        json h = good;
        h["a"]["shape"] = {1ull << 32, 1ull << 32, 1ull << 32};
        CHECK(code_of(st_file(h)) == "safetensors_bad_tensor");
    }
}

TEST_CASE("safetensors: model.safetensors.index.json", "[safetensors]") {
    const json idx = {{"metadata", {{"total_size", 16060522496ull}}},
                      {"weight_map",
                       {{"a", "model-00001-of-00002.safetensors"},
                        {"b", "model-00002-of-00002.safetensors"},
                        {"c", "model-00001-of-00002.safetensors"}}}};
    auto r = read_safetensors_index(idx);
    REQUIRE(r.ok());
    CHECK(r->total_size_bytes == 16060522496ull);
    CHECK(r->tensor_count == 3);
    CHECK(r->files.size() == 2);
    const json inspected = inspect_text(idx.dump(), "model.safetensors.index.json");
    CHECK(inspected["kind"] == "safetensors_index");
    CHECK(inspected["summary"]["total_size_bytes"] == 16060522496ull);
    CHECK(read_safetensors_index(json{{"weight_map", {{"a", 3}}}}).error().code == "safetensors_bad_index");
}

TEST_CASE("safetensors: a BF16 checkpoint with its config.json gives exact bytes", "[safetensors][import]") {
    // Two shards: embeddings + layer 0, then layer 1 + norm + head.
    std::vector<std::tuple<std::string, std::string, std::vector<std::uint64_t>>> first = {
        {"model.embed_tokens.weight", "BF16", {1024, 256}}};
    for (auto& t : tiny_llama_hf_tensors(0, 1, false)) first.push_back(t);
    std::vector<std::tuple<std::string, std::string, std::vector<std::uint64_t>>> second =
        tiny_llama_hf_tensors(1, 2, false);
    second.push_back({"model.norm.weight", "BF16", {256}});
    second.push_back({"lm_head.weight", "BF16", {1024, 256}});
    const auto f1 = st_file(st_header(first)), f2 = st_file(st_header(second));
    const json cfg = inspect_text(tiny_llama_config().dump(), "config.json");
    const json a = inspect_bytes(f1, "model-00001-of-00002.safetensors");
    const json b = inspect_bytes(f2, "model-00002-of-00002.safetensors");
    REQUIRE(a["ok"] == true);
    REQUIRE(b["ok"] == true);
    CHECK(a["kind"] == "safetensors");
    // Without a config.json there is no architecture.
    CHECK(combine_model_files(json::array({a}))["error"]["code"] == "missing_config");

    const json both = combine_model_files(json::array({cfg, a, b}));
    REQUIRE(both["ok"] == true);
    CHECK(both["kind"] == "safetensors");
    const json r =
        estimate({{"model", both["model"]}, {"hardware", "nvidia-rtx-4090"}, {"context_tokens", 4096}}, catalog());
    REQUIRE(r["ok"] == true);
    // BF16: 2 bytes for each of the 1,705,216 parameters = 3,410,432 bytes.
    CHECK(r["quant"] == "BF16");
    CHECK(r["memory"]["weights_bytes"].get<double>() == 3410432.0);
    CHECK(r["model"]["params_total"].get<double>() == 1705216.0);
    CHECK(r["memory"]["file_bytes"].get<double>() == double(f1.size() + f2.size()));
    bool exact = false;
    for (const auto& s : r["assumptions"])
        exact |= s.get<std::string>().find("exact bytes from the safetensors headers (21 tensors, BF16)") !=
                 std::string::npos;
    CHECK(exact);

    // One shard of two, with the index: the other shard's tensors are predicted.
    const json idx = inspect_text(
        json{{"weight_map", {{"x", "model-00001-of-00002.safetensors"}, {"y", "model-00002-of-00002.safetensors"}}}}
            .dump(),
        "model.safetensors.index.json");
    const json half = combine_model_files(json::array({cfg, idx, a}));
    REQUIRE(half["ok"] == true);
    CHECK(half["summary"]["complete"] == false);
    const json hr =
        estimate({{"model", half["model"]}, {"hardware", "nvidia-rtx-4090"}, {"context_tokens", 4096}}, catalog());
    REQUIRE(hr["ok"] == true);
    CHECK(hr["model"]["params_total"].get<double>() == 1705216.0);
}

TEST_CASE("safetensors: per-expert tensors stack into one routed tensor per projection", "[safetensors][import]") {
    // Mixtral-style: 4 experts × w1/w2/w3 in one layer, top 2.
    const json cfg = {{"model_type", "mixtral"},     {"hidden_size", 256},
                      {"num_hidden_layers", 1},      {"intermediate_size", 128},
                      {"num_attention_heads", 4},    {"num_key_value_heads", 2},
                      {"vocab_size", 512},           {"max_position_embeddings", 4096},
                      {"num_local_experts", 4},      {"num_experts_per_tok", 2},
                      {"tie_word_embeddings", false}};
    std::vector<std::tuple<std::string, std::string, std::vector<std::uint64_t>>> t = {
        {"model.embed_tokens.weight", "BF16", {512, 256}},
        {"model.layers.0.input_layernorm.weight", "BF16", {256}},
        {"model.layers.0.self_attn.q_proj.weight", "BF16", {256, 256}},
        {"model.layers.0.self_attn.k_proj.weight", "BF16", {128, 256}},
        {"model.layers.0.self_attn.v_proj.weight", "BF16", {128, 256}},
        {"model.layers.0.self_attn.o_proj.weight", "BF16", {256, 256}},
        {"model.layers.0.post_attention_layernorm.weight", "BF16", {256}},
        {"model.layers.0.block_sparse_moe.gate.weight", "BF16", {4, 256}},
        {"model.norm.weight", "BF16", {256}},
        {"lm_head.weight", "BF16", {512, 256}}};
    for (int e = 0; e < 4; ++e) {
        const std::string p = "model.layers.0.block_sparse_moe.experts." + std::to_string(e) + ".";
        t.push_back({p + "w1.weight", "BF16", {128, 256}});
        t.push_back({p + "w2.weight", "BF16", {256, 128}});
        t.push_back({p + "w3.weight", "BF16", {128, 256}});
    }
    const auto f = st_file(st_header(t));
    const json both = combine_model_files(
        json::array({inspect_text(cfg.dump(), "config.json"), inspect_bytes(f, "model.safetensors")}));
    REQUIRE(both["ok"] == true);
    // 12 expert tensors became 3 stacked rows: 10 + 3 = 13 rows.
    CHECK(both["model"]["weights"]["tensors"].size() == 13);
    const json r =
        estimate({{"model", both["model"]}, {"hardware", "nvidia-rtx-4090"}, {"context_tokens", 4096}}, catalog());
    REQUIRE(r["ok"] == true);
    // Experts 3 × 4 × 128 × 256 = 393,216 parameters, top 2 of 4 -> 196,608 inactive per token.
    const double total = r["model"]["params_total"].get<double>();
    CHECK(r["model"]["params_active"].get<double>() == total - 196608.0);
    CHECK(r["memory"]["weights_bytes"].get<double>() == 2.0 * total);
}

namespace {

// The tiny Llama as a packed-integer checkpoint, group size 128, `bits` per weight:
// AutoAWQ GEMM stores each linear (in K, out N) as qweight I32 [K, N / pack], qzeros I32
// [K / 128, N / pack], scales F16 [K / 128, N]; GPTQ (auto-gptq / GPTQModel) as qweight I32
// [K / pack, N], the same qzeros and scales, and g_idx I32 [K]; pack = 32 / bits. Embeddings,
// norms and lm_head stay F16.
std::vector<std::tuple<std::string, std::string, std::vector<std::uint64_t>>> packed_llama(bool gptq, int bits) {
    const std::uint64_t pack = 32 / bits, g = 128;
    std::vector<std::tuple<std::string, std::string, std::vector<std::uint64_t>>> t;
    t.push_back({"model.embed_tokens.weight", "F16", {1024, 256}});
    struct Linear {
        const char* name;
        std::uint64_t k, n;
    };
    const Linear linears[] = {{"self_attn.q_proj", 256, 256}, {"self_attn.k_proj", 256, 128},
                              {"self_attn.v_proj", 256, 128}, {"self_attn.o_proj", 256, 256},
                              {"mlp.gate_proj", 256, 512},    {"mlp.up_proj", 256, 512},
                              {"mlp.down_proj", 512, 256}};
    for (int il = 0; il < 2; ++il) {
        const std::string b = "model.layers." + std::to_string(il) + ".";
        t.push_back({b + "input_layernorm.weight", "F16", {256}});
        t.push_back({b + "post_attention_layernorm.weight", "F16", {256}});
        for (const Linear& l : linears) {
            const std::string p = b + l.name + ".";
            if (gptq)
                t.push_back({p + "qweight", "I32", {l.k / pack, l.n}});
            else
                t.push_back({p + "qweight", "I32", {l.k, l.n / pack}});
            t.push_back({p + "qzeros", "I32", {l.k / g, l.n / pack}});
            t.push_back({p + "scales", "F16", {l.k / g, l.n}});
            if (gptq) t.push_back({p + "g_idx", "I32", {l.k}});
        }
    }
    t.push_back({"model.norm.weight", "F16", {256}});
    t.push_back({"lm_head.weight", "F16", {1024, 256}});
    return t;
}

json packed_config(const char* method, int bits) {
    json c = tiny_llama_config();
    c["torch_dtype"] = "float16";
    c["quantization_config"] = {{"quant_method", method}, {"bits", bits}, {"group_size", 128}, {"zero_point", true},
                                {"version", "gemm"}};
    return c;
}

json estimate_packed(const json& cfg, const std::vector<std::uint8_t>& file) {
    const json both = combine_model_files(
        json::array({inspect_text(cfg.dump(), "config.json"), inspect_bytes(file, "model.safetensors")}));
    REQUIRE(both["ok"] == true);
    return estimate({{"model", both["model"]}, {"hardware", "nvidia-rtx-4090"}, {"context_tokens", 4096}}, catalog());
}

}  // namespace

TEST_CASE("safetensors: AWQ and GPTQ packed int4 checkpoints count unpacked parameters and the file's bytes",
          "[safetensors][import]") {
    // Parameters, unpacked: per layer q 65,536 + k 32,768 + v 32,768 + o 65,536 + gate/up/down
    // 3 × 131,072 + 2 norms × 256 = 590,336; 2 layers + embeddings 262,144 + norm 256 + lm_head
    // 262,144 = 1,705,216 — the BF16 tiny Llama's count. The int32 elements alone would be far
    // fewer (q's qweight is 256 × 32 = 8,192 int32 for 65,536 weights).
    // AWQ bytes per layer: qweight 589,824 weights / 2 = 294,912; qzeros (4 B per 8 zeros):
    // q 2×32 + k 2×16 + v 2×16 + o 2×32 + gate 2×64 + up 2×64 + down 4×32 = 576 int32 = 2,304;
    // scales F16: q 2×256 + k 2×128 + v 2×128 + o 2×256 + gate 2×512 + up 2×512 + down 4×256
    // = 4,608 × 2 = 9,216; norms 512 × 2 = 1,024 -> 307,456. Total 2 × 307,456 + embeddings
    // 524,288 + norm 512 + lm_head 524,288 = 1,664,000 bytes.
    const auto awq = st_file(st_header(packed_llama(false, 4)));
    const json cfg = inspect_text(packed_config("awq", 4).dump(), "config.json");
    REQUIRE(cfg["ok"] == true);
    CHECK(cfg["summary"]["quant"] == "AWQ-INT4");
    bool said = false;
    for (const auto& n : cfg["notes"])
        said |= n.get<std::string>() == "quantization_config: awq, 4-bit, group size 128 -> AWQ-INT4";
    CHECK(said);
    const json ra = estimate_packed(packed_config("awq", 4), awq);
    REQUIRE(ra["ok"] == true);
    CHECK(ra["quant"] == "AWQ-INT4");
    CHECK(ra["model"]["params_total"].get<double>() == 1705216.0);
    CHECK(ra["memory"]["weights_bytes"].get<double>() == 1664000.0);
    CHECK(ra["memory"]["file_bytes"].get<double>() == double(awq.size()));
    // 1,664,000 × 8 / 1,705,216 = 7.81 bits per weight (the 16-bit embeddings and head weigh in).
    CHECK(ra["memory"]["bits_per_weight"].get<double>() == Approx(1664000.0 * 8.0 / 1705216.0));

    // GPTQ: qweight packed along the input features, plus g_idx (one int32 per input feature):
    // per layer q/k/v/o/gate/up 6 × 256 + down 512 = 2,048 int32 = 8,192 B
    // -> 1,664,000 + 2 × 8,192 = 1,680,384 bytes; the same 1,705,216 parameters.
    const auto gptq = st_file(st_header(packed_llama(true, 4)));
    const json rg = estimate_packed(packed_config("gptq", 4), gptq);
    REQUIRE(rg["ok"] == true);
    CHECK(rg["quant"] == "GPTQ-INT4");
    CHECK(rg["model"]["params_total"].get<double>() == 1705216.0);
    CHECK(rg["memory"]["weights_bytes"].get<double>() == 1680384.0);

    // GPTQ 8-bit: 4 weights per int32, so qweight is 589,824 B per layer; quantization_config bits 8
    // keeps its own name (no AWQ/GPTQ-INT4 rules apply), the count is still 1,705,216.
    const auto g8 = st_file(st_header(packed_llama(true, 8)));
    const json r8 = estimate_packed(packed_config("gptq", 8), g8);
    REQUIRE(r8["ok"] == true);
    CHECK(r8["quant"] == "GPTQ-INT8");
    CHECK(r8["model"]["params_total"].get<double>() == 1705216.0);
    // qweight 2 × 589,824 + qzeros 2 × 1,152 int32 × 4 B (twice AWQ-4's: 4 zeros per int32)
    // + scales 2 × 9,216 + g_idx 2 × 8,192 + norms 2 × 1,024 + embeddings, norm and head 1,049,088
    // = 1,179,648 + 9,216 + 18,432 + 16,384 + 2,048 + 1,049,088 = 2,274,816.
    CHECK(r8["memory"]["weights_bytes"].get<double>() == 2274816.0);

    // Regression: ranking hardware for this model re-parsed "GPTQ-INT8" by name (no such
    // catalog format) and answered internal_error; the file's own quant is used as it is.
    const json both = combine_model_files(json::array(
        {inspect_text(packed_config("gptq", 8).dump(), "config.json"), inspect_bytes(g8, "model.safetensors")}));
    json inline_model = both["model"];
    const json ranked = rank_hardware_for_model({{"model", inline_model}}, catalog());
    REQUIRE(ranked["ok"] == true);
    REQUIRE(ranked["items"].size() > 0);
    CHECK(ranked["items"][0]["quant"] == "GPTQ-INT8");
    CHECK(ranked["items"][0]["params_total"].get<double>() == 1705216.0);
    // Regression: an inline model whose "id" repeats a catalog id was swapped for the
    // catalog's Llama 3.1 8B (8.03 B parameters) instead of keeping its own 1,705,216.
    inline_model["id"] = "llama-3.1-8b";
    const json same_id = rank_hardware_for_model({{"model", inline_model}}, catalog());
    REQUIRE(same_id["ok"] == true);
    REQUIRE(same_id["items"].size() > 0);
    CHECK(same_id["items"][0]["params_total"].get<double>() == 1705216.0);
}
