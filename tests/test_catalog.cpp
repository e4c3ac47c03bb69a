// Catalog look-ups (engine/src/catalog.cpp) and the quants / runtimes listings
// (catalog_listing in engine/src/estimate.cpp) checked against catalog/quants.json
// and catalog/runtimes.json, which hold the same facts with their citations.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "estimate.hpp"
#include "test_support.hpp"

using headroom::find_hardware;
using headroom::find_model;
using nlohmann::json;

namespace {

std::string hardware_id(const std::string& key) {
    const headroom::Hardware* h = find_hardware(headroom_test::catalog(), key);
    return h ? h->id : std::string("<none>");
}

std::string model_id(const std::string& key) {
    const headroom::ModelEntry* m = find_model(headroom_test::catalog(), key);
    return m ? m->id : std::string("<none>");
}

json catalog_file(const char* name) {
    return json::parse(headroom_test::read_text_file(headroom_test::catalog_path(name)));
}

}  // namespace

TEST_CASE("catalog search: hardware by the names people type", "[catalog]") {
    // Bare number, marketing name, no separator: all fold to the same alias ("rtx4090").
    CHECK(hardware_id("4090") == "nvidia-rtx-4090");
    CHECK(hardware_id("RTX 4090") == "nvidia-rtx-4090");
    CHECK(hardware_id("rtx4090") == "nvidia-rtx-4090");
    CHECK(hardware_id("NVIDIA GeForce RTX 4090") == "nvidia-rtx-4090");
    CHECK(hardware_id("M3 Max 64GB") == "apple-m3-max-40c-64gb");  // only the 40-core M3 Max comes with 64 GB
    CHECK(hardware_id("strix halo") == "amd-ryzen-ai-max-plus-395");
    CHECK(hardware_id("dgx spark") == "nvidia-dgx-spark");
    CHECK(hardware_id("DGX-Spark") == "nvidia-dgx-spark");
    // Rows added from scripts/catalog/hardware_extra.jsonl.
    CHECK(hardware_id("4060 laptop") == "nvidia-rtx-4060-laptop");
    CHECK(hardware_id("RTX 5090 Laptop GPU") == "nvidia-rtx-5090-laptop");
    CHECK(hardware_id("rtx pro 5000") == "nvidia-rtx-pro-5000-blackwell");
    CHECK(hardware_id("RX 7800 XT") == "amd-rx-7800-xt");
    CHECK(hardware_id("mi300a") == "amd-mi300a");
    CHECK(hardware_id("ddr5-6400 4ch") == "cpu-ddr5-6400-4ch");
    // The desktop card keeps "4060"; the laptop part needs its suffix.
    CHECK(hardware_id("4060") == "nvidia-rtx-4060");
    CHECK(hardware_id("rtx 9999") == "<none>");
}

TEST_CASE("catalog search: models by id, repo, display name, alias and Ollama tag", "[catalog]") {
    CHECK(model_id("llama 3.1 8b instruct") == "llama-3.1-8b");
    CHECK(model_id("meta-llama/Llama-3.1-8B-Instruct") == "llama-3.1-8b");
    CHECK(model_id("qwen3:30b-a3b") == "qwen3-30b-a3b");
    CHECK(model_id("mistral-small-24b") == "mistral-small-24b-instruct-2501");
    CHECK(model_id("bartowski/Mistral-Small-24B-Instruct-2501-GGUF") == "mistral-small-24b-instruct-2501");
    CHECK(model_id("llama2:70b") == "llama-2-70b");
    CHECK(model_id("LLaMA 1 65B") == "llama-65b");
    CHECK(model_id("huggyllama/llama-30b") == "llama-30b");
    CHECK(model_id("qwen2.5-coder:1.5b") == "qwen2.5-coder-1.5b-instruct");
    CHECK(model_id("no-such-model-xyz") == "<none>");
}

TEST_CASE("catalog search: suggestions for near misses", "[catalog]") {
    CHECK(headroom::suggest_hardware(headroom_test::catalog(), "rtx 4090 laptp") == "nvidia-rtx-4090-laptop");
    CHECK(headroom::suggest_model(headroom_test::catalog(), "llama-3.1-8b-instruc") == "llama-3.1-8b");
}

TEST_CASE("catalog: the models the issue names are present", "[catalog]") {
    for (const char* id : {"llama-7b",
                           "llama-13b",
                           "llama-30b",
                           "llama-65b",
                           "llama-2-7b",
                           "llama-2-13b",
                           "llama-2-70b",
                           "tinyllama-1.1b-chat-v1.0",
                           "llama-4-scout-17b-16e-instruct",
                           "llama-4-maverick-17b-128e-instruct",
                           "mistral-7b-v0.3",
                           "mistral-nemo-12b",
                           "mistral-large-instruct-2407",
                           "mixtral-8x7b",
                           "mixtral-8x22b",
                           "devstral-small-2505",
                           "codestral-22b-v0.1",
                           "gemma-2-9b",
                           "gemma-3-27b-it",
                           "phi-3-mini-4k-instruct",
                           "phi-3-mini-128k-instruct",
                           "phi-3.5-mini-instruct",
                           "phi-4",
                           "glm-4.5",
                           "glm-4.5-air",
                           "c4ai-command-r-v01",
                           "c4ai-command-r-plus-08-2024",
                           "granite-4.0-h-small",
                           "nemotron-h-8b-base-8k",
                           "falcon-h1-7b-instruct",
                           "jamba-1.5-mini",
                           "smollm2-1.7b",
                           "smollm3-3b",
                           "olmo-2-1124-13b",
                           "qwq-32b",
                           "qwen3-coder-30b-a3b-instruct",
                           "deepseek-r1-distill-llama-8b",
                           "kimi-k2-instruct",
                           "kimi-k2-instruct-0905",
                           "hermes-3-llama-3.1-8b",
                           "dolphin-mistral-24b-venice-edition"}) {
        INFO(id);
        CHECK(find_model(headroom_test::catalog(), id) != nullptr);
    }
    CHECK(headroom_test::catalog().models.size() >= 150);
    CHECK(headroom_test::catalog().hardware.size() >= 120);
}

TEST_CASE("catalog: Llama 1 shapes follow Meta's params.json", "[catalog]") {
    // 30B: dim 6656, 60 layers, 52 heads; FFN = 256 * ceil(int(8 * 6656 / 3) / 256) = 256 * ceil(17749 / 256) = 17920.
    const headroom::ModelEntry& m = headroom_test::model("llama-30b");
    CHECK(m.arch.n_embd == 6656u);
    CHECK(m.arch.n_layer == 60u);
    CHECK(m.arch.n_ff == 17920u);
    CHECK(m.context_max == 2048u);
    // 65B: FFN = 256 * ceil(int(8 * 8192 / 3) / 256) = 256 * ceil(21845 / 256) = 256 * 86 = 22016.
    CHECK(headroom_test::model("llama-65b").arch.n_ff == 22016u);
}

TEST_CASE("catalog quants listing agrees with catalog/quants.json", "[catalog][quant]") {
    const json listing = headroom::catalog_listing(headroom_test::catalog(), "quants");
    REQUIRE(listing.value("ok", false));
    const json doc = catalog_file("quants.json");
    const json& rows = doc.at("quants");
    REQUIRE(listing["items"].size() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const json& want = rows[i];
        const json& got = listing["items"][i];
        INFO("quant " << want.at("quant").get<std::string>());
        for (const char* key : {"quant", "family", "gguf", "base_type", "block_size", "bytes_per_block", "quality_tier",
                                "runtimes", "backends"}) {
            INFO("field " << key);
            CHECK(got.at(key) == want.at(key));
        }
        CHECK(got.at("bits_per_weight").get<double>() ==
              Approx(want.at("bits_per_weight").get<double>()).epsilon(1e-12));
        CHECK_FALSE(want.at("sources").empty());
    }
    // Hand-worked rows. Q4_K_M: base Q4_K, 144 bytes per 256 weights -> 8 * 144 / 256 = 4.5 bits,
    // quality 85 + (4.5 - 4) * 8 = 89 -> "medium" (fit.cpp tiers: medium from 82, high from 90).
    const json& q4km = listing["items"][13];
    CHECK(q4km["quant"] == "Q4_K_M");
    CHECK(q4km["base_type"] == "Q4_K");
    CHECK(q4km["block_size"] == 256);
    CHECK(q4km["bytes_per_block"] == 144);
    CHECK(q4km["bits_per_weight"].get<double>() == 4.5);
    CHECK(q4km["quality_tier"] == "medium");
    // IQ3_M's base is IQ3_S (runtime-memory.md §1.3): 110 bytes per 256 -> 3.4375 bits; Q5_K_S is Q5_K, not Q5_0.
    const json& iq3m = listing["items"][6];
    CHECK(iq3m["quant"] == "IQ3_M");
    CHECK(iq3m["base_type"] == "IQ3_S");
    CHECK(listing["items"][15]["base_type"] == "Q5_K");
    // AWQ: 4 + (16 + 4) / 128 = 4.15625 bits; loaded by vLLM, SGLang and TensorRT-LLM, not by llama.cpp.
    const json& awq = listing["items"][22];
    CHECK(awq["quant"] == "AWQ-INT4");
    CHECK(awq["bits_per_weight"].get<double>() == 4.15625);
    CHECK(awq["runtimes"] == json({"vllm", "sglang", "tensorrt-llm"}));
}

TEST_CASE("catalog runtimes listing agrees with catalog/runtimes.json", "[catalog]") {
    const json listing = headroom::catalog_listing(headroom_test::catalog(), "runtimes");
    REQUIRE(listing.value("ok", false));
    const json doc = catalog_file("runtimes.json");
    const json& rows = doc.at("runtimes");
    REQUIRE(listing["items"].size() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const json& want = rows[i];
        const json& got = listing["items"][i];
        INFO("runtime " << want.at("runtime").get<std::string>());
        for (const char* key :
             {"runtime", "name", "format_families", "backends", "kv_types", "multi_gpu", "defaults"}) {
            INFO("field " << key);
            CHECK(got.at(key) == want.at(key));
        }
        CHECK_FALSE(want.at("sources").empty());
    }
    // llama.cpp defaults (runtime-memory.md §2.1): n_batch 2048, n_ubatch 512, 4 server slots, f16 KV.
    const json& lc = listing["items"][0]["defaults"];
    CHECK(lc["batch_tokens"] == 2048);
    CHECK(lc["ubatch_tokens"] == 512);
    CHECK(lc["parallel"] == 4);
    CHECK(lc["kv_type"] == "f16");
    // vLLM reserves 90 % of the GPU by default (§3).
    CHECK(listing["items"][2]["defaults"]["memory_fraction"].get<double>() == 0.9);
}
