// Inputs that once broke the engine (found by the fuzz targets in tests/fuzz/
// and the hostile-request batch in scripts/sanitize), minimized and kept here
// with the answer they must get now. Each names the bug it pins.
#include <catch2/catch.hpp>

#include <string>

#include "catalog.hpp"
#include "config_import.hpp"
#include "estimate.hpp"
#include "test_support.hpp"

using namespace headroom;
using headroom_test::catalog;
using nlohmann::json;

namespace {

json answer(const std::string& text) {
    return json::parse(estimate_json(text, catalog()));
}

// Neither an internal_error nor unparseable: the facade's contract.
void check_not_internal(const json& r) {
    INFO(r.dump().substr(0, 300));
    REQUIRE(r.contains("ok"));
    if (r["ok"] == false) CHECK(r["error"]["code"] != "internal_error");
}

const char* kTinyLlama =
    R"("model_type":"llama","hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":128,"vocab_size":1000)";

}  // namespace

TEST_CASE("Regression: a non-string id or name in inline hardware is ignored, not an internal error", "[regressions]") {
    // json::value("id", std::string()) threw type_error 302 on {"id": 5}: internal_error.
    const json r = answer(
        R"({"model":"llama-3.1-8b","quant":"Q4_K_M","hardware":{"id":5,"name":[1],"vendor":"nvidia","memory_gb":24,"bandwidth_gbs":1000}})");
    check_not_internal(r);
    REQUIRE(r["ok"] == true);
    CHECK(r["hardware"]["id"] == "custom");
    CHECK(r["hardware"]["name"] == "Custom device");
}

TEST_CASE("Regression: a non-string id or native_format in an inline model is ignored, not an internal error",
          "[regressions]") {
    const json r1 = answer(std::string(R"({"hardware":"nvidia-rtx-4090","quant":"Q4_K_M","model":{"id":5,"config":{)") +
                           kTinyLlama + "}}}");
    check_not_internal(r1);
    REQUIRE(r1["ok"] == true);
    CHECK(r1["model"]["id"] == "custom");
    const json r2 =
        answer(std::string(R"({"hardware":"nvidia-rtx-4090","quant":"Q4_K_M","model":{"native_format":7,)") +
               kTinyLlama + "}}");
    check_not_internal(r2);
    CHECK(r2["ok"] == true);
}

TEST_CASE("Regression: an echoed value cut inside a UTF-8 character no longer breaks the answer", "[regressions]") {
    // dump_short cut the echo at byte 57, inside "é" (2 bytes); the strict dump of
    // the error then threw: internal_error instead of invalid_type.
    const std::string value = "x" + [] {
        std::string s;
        for (int i = 0; i < 40; ++i) s += "\xc3\xa9";
        return s;
    }();
    const json r = answer(R"({"model":"llama-3.1-8b","hardware":"nvidia-rtx-4090","context_tokens":")" + value + "\"}");
    check_not_internal(r);
    REQUIRE(r["ok"] == false);
    CHECK(r["error"]["code"] == "invalid_type");
    CHECK(r["error"]["field"] == "context_tokens");
    // "got \"x" then 27 whole "é" (1 + 1 + 54 = 56 bytes of the 57 kept), then "...".
    const std::string msg = r["error"]["message"].get<std::string>();
    CHECK(msg.size() >= 3);
    CHECK(msg.substr(msg.size() - 3) == "...");
    CHECK(msg.find("\"x" + value.substr(1, 54) + "...") != std::string::npos);
}

TEST_CASE("Regression: a config with millions of layers is refused before anything is allocated", "[regressions]") {
    // num_hidden_layers 3,000,000 took over a minute and 600 MB building the layer
    // list and tensor inventory (4,000,000,000 could not be allocated at all).
    const json r =
        answer(R"({"hardware":"nvidia-rtx-4090","quant":"Q4_K_M","model":{"model_type":"llama","hidden_size":64,)"
               R"("num_hidden_layers":3000000,"num_attention_heads":4,"intermediate_size":128,"vocab_size":1000}})");
    REQUIRE(r["ok"] == false);
    CHECK(r["error"]["code"] == "out_of_range");
    CHECK(r["error"]["field"] == "model.num_hidden_layers");
    CHECK(r["error"]["message"] == "num_hidden_layers is 3000000; the limit is 1024");
}

TEST_CASE("Regression: a catalog entry with a non-string name or non-boolean exact loads instead of throwing",
          "[regressions]") {
    // load_catalog used json::value(), which threw out of the loader (the WASM
    // module answered internal_error for the whole catalog).
    const std::string models =
        std::string(
            R"({"models":[{"id":"m","name":5,"sources":["s"],"params_published":{"total":1e9,"exact":"yes"},"config":{)") +
        kTinyLlama + "}}]}";
    const std::string hardware =
        R"({"hardware":[{"id":"g","vendor":"nvidia","memory_gb":24,"bandwidth_gbs":1000,"sources":["s"]}]})";
    auto c = load_catalog(models, hardware);
    REQUIRE(c);
    CHECK(c->models.at(0).name == "m");
    CHECK(c->models.at(0).params_published_exact == false);
}

TEST_CASE("Regression: num_experts_per_tok above num_experts is refused, not a negative parameter count", "[regressions]") {
    // fuzz_config (UBSan): 256 of 16 experts per token made the routed fraction 16, so the
    // inactive share (1 − 16) × expert parameters was negative and its conversion to an
    // unsigned count undefined (tensors.cpp build_tensor_inventory).
    const json r = answer(
        R"({"hardware":"nvidia-rtx-4090","quant":"Q4_K_M","model":{"model_type":"jamba","hidden_size":8192,)"
        R"("num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"intermediate_size":14336,)"
        R"("vocab_size":65536,"num_experts":16,"num_experts_per_tok":256}})");
    check_not_internal(r);
    REQUIRE(r["ok"] == false);
    CHECK(r["error"]["code"] == "invalid_model");
    CHECK(r["error"]["field"] == "model.num_experts_per_tok");
    CHECK(r["error"]["message"] == "num_experts_per_tok is 256; a token cannot use more than the 16 experts the model has");
}
