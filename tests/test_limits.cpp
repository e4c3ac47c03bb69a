// The engine's limits (README "Limits", SECURITY.md): each is accepted at the
// limit and refused one step past it, with an error that names the field and
// states the limit.
#include <catch2/catch.hpp>

#include <string>

#include "architecture.hpp"
#include "config_import.hpp"
#include "estimate.hpp"
#include "request.hpp"
#include "test_support.hpp"

using namespace headroom;
using headroom_test::catalog;
using nlohmann::json;

namespace {

json base() {
    return json{{"model", "llama-3.1-8b"}, {"hardware", "nvidia-rtx-4090"}, {"quant", "Q4_K_M"}};
}

json with(const char* key, const json& value) {
    json r = base();
    r[key] = value;
    return r;
}

// An error naming `field` whose message contains `limit`.
void check_refused(const json& report, const std::string& field, const std::string& limit) {
    INFO(report.dump().substr(0, 400));
    REQUIRE(report["ok"] == false);
    CHECK(report["error"]["field"] == field);
    CHECK(report["error"]["message"].get<std::string>().find(limit) != std::string::npos);
}

// Not refused for `field` (the request may still fail for another reason).
void check_not_limit_error(const json& report, const std::string& field) {
    INFO(report.dump().substr(0, 400));
    if (report["ok"] == false) {
        CHECK(report["error"]["field"] != field);
        CHECK(report["error"]["code"] != "out_of_range");
    }
}

// A Llama-style config.json with one key replaced.
json llama_config(const char* key, const json& value) {
    json c = {{"model_type", "llama"},    {"hidden_size", 64},
              {"num_hidden_layers", 2},   {"num_attention_heads", 4},
              {"num_key_value_heads", 2}, {"intermediate_size", 128},
              {"vocab_size", 1000},       {"max_position_embeddings", 4096}};
    c[key] = value;
    return c;
}

std::string nested(int depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

TEST_CASE("Limits: the numbers README and SECURITY.md state", "[limits]") {
    CHECK(kMaxContextTokens == 16777216);
    CHECK(kMaxGpuCount == 64);
    CHECK(kMaxConcurrency == 4096);
    CHECK(kMaxBenchTokens == 1048576);
    CHECK(kMaxRequestBytes == 1048576);
    CHECK(kMaxRequestDepth == 32);
    CHECK(kMaxIdBytes == 256);
    CHECK(kMaxModelLayers == 1024);
    CHECK(kMaxModelVocab == 16777216);
    CHECK(kMaxModelWidth == 262144);
    CHECK(kMaxModelHeads == 4096);
    CHECK(kMaxModelExperts == 4096);
}

TEST_CASE("Limits: run settings past their limit are errors that state it", "[limits]") {
    // 16,777,216 is allowed by the engine but beyond Llama 3.1 8B's 131,072: that error names the model's maximum.
    check_refused(estimate(with("context_tokens", kMaxContextTokens + 1), catalog()), "context_tokens", "16777216");
    check_refused(estimate(with("gpu_count", kMaxGpuCount + 1), catalog()), "gpu_count", "64");
    check_not_limit_error(estimate(with("gpu_count", kMaxGpuCount), catalog()), "gpu_count");
    check_refused(estimate(with("concurrency", kMaxConcurrency + 1), catalog()), "concurrency", "4096");
    check_not_limit_error(estimate(with("concurrency", kMaxConcurrency), catalog()), "concurrency");
    check_refused(estimate(with("bench", {{"pp", kMaxBenchTokens + 1}}), catalog()), "bench.pp", "1048576");
    check_refused(estimate(with("bench", {{"tg", kMaxBenchTokens + 1}}), catalog()), "bench.tg", "1048576");
    check_not_limit_error(estimate(with("bench", {{"pp", kMaxBenchTokens}, {"tg", 1}}), catalog()), "bench.pp");
    check_refused(estimate(with("bench", {{"depth", kMaxContextTokens + 1}}), catalog()), "bench.depth", "16777216");
    check_refused(estimate(with("offload", {{"gpu_layers", 100001}}), catalog()), "offload.gpu_layers", "100000");
    check_refused(estimate(with("system_memory_gb", 1e6 + 1), catalog()), "system_memory_gb", "1000000");
    check_not_limit_error(estimate(with("system_memory_gb", 1e6), catalog()), "system_memory_gb");
    json devices = json::array();
    for (std::uint32_t i = 0; i <= kMaxGpuCount; ++i) devices.push_back("nvidia-rtx-4090");
    json r = base();
    r.erase("hardware");
    r["devices"] = devices;
    check_refused(estimate(r, catalog()), "devices", "64");
}

TEST_CASE("Limits: inline hardware figures beyond 1e9 are refused with the limit", "[limits]") {
    json hw = {{"name", "x"}, {"vendor", "nvidia"}, {"memory_gb", 1e9}, {"bandwidth_gbs", 1000}};
    check_not_limit_error(estimate(with("hardware", hw), catalog()), "hardware.memory_gb");
    hw["memory_gb"] = 1.0000001e9;
    check_refused(estimate(with("hardware", hw), catalog()), "hardware.memory_gb", "1000000000");
    hw["memory_gb"] = 24;
    hw["bandwidth_gbs"] = 2e9;
    check_refused(estimate(with("hardware", hw), catalog()), "hardware.bandwidth_gbs", "1000000000");
}

TEST_CASE("Limits: model and hardware keys are at most 256 bytes", "[limits]") {
    const std::string at(kMaxIdBytes, 'x'), over(kMaxIdBytes + 1, 'x');
    const json r1 = estimate(with("model", at), catalog());
    CHECK(r1["error"]["code"] == "unknown_model");  // looked up, not refused
    check_refused(estimate(with("model", over), catalog()), "model", "256");
    check_refused(estimate(with("hardware", over), catalog()), "hardware", "256");
    json r = base();
    r.erase("hardware");
    r["devices"] = json::array({"nvidia-rtx-4090", over});
    check_refused(estimate(r, catalog()), "devices[1]", "256");
}

TEST_CASE("Limits: request text over 1 MiB or nested over 32 levels is refused before parsing", "[limits]") {
    // Exactly 1 MiB of valid JSON (padding in a string) is parsed; one byte more is not.
    std::string text = base().dump();
    text.insert(text.size() - 1, ",\"pad\":\"\"");
    text.insert(text.size() - 2, std::string(kMaxRequestBytes - text.size(), ' '));
    REQUIRE(text.size() == kMaxRequestBytes);
    json ok = json::parse(estimate_json(text, catalog()));
    CHECK(ok["ok"] == true);
    text.insert(text.size() - 2, " ");
    json too_large = json::parse(estimate_json(text, catalog()));
    REQUIRE(too_large["ok"] == false);
    CHECK(too_large["error"]["code"] == "request_too_large");
    CHECK(too_large["error"]["message"].get<std::string>().find("1048576") != std::string::npos);

    // 32 levels (the request object is level 1) pass the check; 33 do not. Brackets in strings do not count.
    json deep = base();
    deep["pad"] = json::parse(nested(31));
    deep["text"] = nested(100);
    CHECK(json::parse(estimate_json(deep.dump(), catalog()))["ok"] == true);
    deep["pad"] = json::parse(nested(32));
    json too_deep = json::parse(estimate_json(deep.dump(), catalog()));
    REQUIRE(too_deep["ok"] == false);
    CHECK(too_deep["error"]["code"] == "request_too_deep");
    CHECK(too_deep["error"]["message"].get<std::string>().find("32") != std::string::npos);
    // Escaped quotes do not end a string early: "\"[[[...".
    json quoted = base();
    quoted["text"] = "\"" + nested(40);
    CHECK(json::parse(estimate_json(quoted.dump(), catalog()))["ok"] == true);
}

TEST_CASE("Limits: config.json sizes beyond the model limits are errors naming the key and the limit", "[limits]") {
    auto refused = [](const json& config, const std::string& field, const std::string& limit) {
        auto a = import_hf_config(config, "model");
        INFO(config.dump());
        REQUIRE_FALSE(a);
        CHECK(a.error().code == "out_of_range");
        CHECK(a.error().field == field);
        CHECK(a.error().message.find(limit) != std::string::npos);
    };
    CHECK(import_hf_config(llama_config("num_hidden_layers", kMaxModelLayers), "model"));
    refused(llama_config("num_hidden_layers", kMaxModelLayers + 1), "model.num_hidden_layers", "1024");
    refused(llama_config("num_hidden_layers", 4000000000ull), "model.num_hidden_layers", "1024");
    CHECK(import_hf_config(llama_config("vocab_size", kMaxModelVocab), "model"));
    refused(llama_config("vocab_size", kMaxModelVocab + 1), "model.vocab_size", "16777216");
    refused(llama_config("intermediate_size", kMaxModelWidth + 1), "model.intermediate_size", "262144");
    json wide = llama_config("hidden_size", kMaxModelWidth * 2);
    wide["num_attention_heads"] = 512;
    refused(wide, "model.hidden_size", "262144");
    json heads = llama_config("num_attention_heads", 8192);
    heads["hidden_size"] = 8192;
    heads["num_key_value_heads"] = 8192;
    refused(heads, "model.num_attention_heads", "4096");
    json moe = llama_config("model_type", "mixtral");
    moe["num_local_experts"] = kMaxModelExperts + 1;
    moe["num_experts_per_tok"] = 2;
    refused(moe, "model.num_experts", "4096");
    // Through the facade the same error reaches the caller, field and all.
    check_refused(estimate(with("model", llama_config("num_hidden_layers", 5000)), catalog()),
                  "model.num_hidden_layers", "1024");
}
