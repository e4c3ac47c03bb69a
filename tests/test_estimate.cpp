// The facade: complete reports for the seed case, errors as values.
#include <catch2/catch.hpp>

#include <cmath>

#include "estimate.hpp"
#include "report.hpp"
#include "test_support.hpp"
#include "units.hpp"

using namespace headroom;
using headroom_test::catalog;
using nlohmann::json;

namespace {
json seed_request() {
    return json{{"model", "kimi-linear-48b-a3b-instruct"}, {"hardware", "nvidia-a100-40gb-sxm4"}, {"quant", "Q4_K_M"}, {"runtime", "llama.cpp"}};
}
json err(const json& req) { return estimate(req, catalog()); }
}  // namespace

TEST_CASE("Seed case: Kimi Linear 48B A3B on A100 40GB, Q4_K_M, is a complete report", "[estimate]") {
    const json r = estimate(seed_request(), catalog());
    REQUIRE(r["ok"] == true);
    for (const char* k : {"engine_version", "model", "hardware", "quant", "runtime", "context_tokens", "memory", "performance",
                          "fit", "workloads", "quantizations", "limits", "improvements", "commands", "assumptions"}) {
        CAPTURE(k);
        CHECK(r.contains(k));
    }
    const json& m = r["memory"];
    // Totals equal the sum of their parts.
    const double parts = m["weights_bytes"].get<double>() + m["kv_cache_bytes"].get<double>() + m["state_bytes"].get<double>() +
                         m["compute_bytes"].get<double>() + m["runtime_overhead_bytes"].get<double>();
    CHECK(m["total_bytes"].get<double>() == Approx(parts));
    // Only the 7 MLA layers hold KV; the KDA state is 44,892,160 B for one sequence.
    CHECK(m["state_bytes"].get<double>() == 44892160.0);
    CHECK(r["workloads"].size() == 5);
    CHECK(r["quantizations"].size() >= 18);
    CHECK(r["fit"]["verdict"] != "no");
    CHECK(r["performance"]["decode_tokens_per_s"].get<double>() > 0);
    CHECK(r["performance"]["decode_tokens_per_s"].get<double>() <= r["performance"]["ceiling_decode_tokens_per_s"].get<double>());
    CHECK(r["fit"]["safe_context_tokens"].get<double>() <= 1048576);
    CHECK(all_numbers_finite(r));
    int best = 0;
    for (const auto& q : r["quantizations"]) best += q["best"].get<bool>() ? 1 : 0;
    CHECK(best == 1);
    CHECK(!r["commands"].empty());
}

TEST_CASE("Contract example request works, including the instruct alias and HF repo", "[estimate]") {
    json req = {{"model", "llama-3.1-8b-instruct"}, {"hardware", "nvidia-rtx-4090"}, {"gpu_count", 1}, {"quant", "Q4_K_M"},
                {"runtime", "llama.cpp"}, {"context_tokens", 8192}, {"kv_cache_type", "f16"}, {"mode", "balanced"},
                {"bench", {{"pp", 512}, {"tg", 128}, {"depth", 0}}}};
    const json r = estimate(req, catalog());
    REQUIRE(r["ok"] == true);
    CHECK(r["fit"]["verdict"] == "fits");
    CHECK(r["memory"]["kv_cache_bytes"].get<double>() == 1073741824.0);
    CHECK(r["bench"]["tg_tokens_per_s"].get<double>() > 0);
    CHECK(r["bench"]["pp_tokens_per_s"].get<double>() > r["bench"]["tg_tokens_per_s"].get<double>());
    req["model"] = "META-LLAMA/Llama-3.1-8B";
    CHECK(estimate(req, catalog())["ok"] == true);
}

TEST_CASE("Errors are values naming the field and the value", "[estimate]") {
    json req = seed_request();
    req["model"] = "lama-3.1-8b";
    json r = err(req);
    CHECK(r["ok"] == false);
    CHECK(r["error"]["code"] == "unknown_model");
    CHECK(r["error"]["field"] == "model");
    CHECK(r["error"]["message"].get<std::string>().find("lama-3.1-8b") != std::string::npos);
    CHECK(r["error"]["message"].get<std::string>().find("did you mean 'llama-3.1-8b'") != std::string::npos);

    req = seed_request();
    req["hardware"] = "rtx 4090";  // alias resolves
    CHECK(err(req)["ok"] == true);
    req["hardware"] = "rtx 9999";
    CHECK(err(req)["error"]["code"] == "unknown_hardware");

    req = seed_request();
    req["context_tokens"] = -5;
    r = err(req);
    CHECK(r["error"]["code"] == "invalid_number");
    CHECK(r["error"]["field"] == "context_tokens");
    req["context_tokens"] = 1e12;
    CHECK(err(req)["error"]["code"] == "out_of_range");
    req["context_tokens"] = 2048.5;
    CHECK(err(req)["error"]["code"] == "invalid_number");
    req["context_tokens"] = "lots";
    CHECK(err(req)["error"]["code"] == "invalid_type");

    req = seed_request();
    req["quant"] = "Q4_K_X";
    r = err(req);
    CHECK(r["error"]["field"] == "quant");
    CHECK(r["error"]["message"].get<std::string>().find("Q4_K_X") != std::string::npos);

    req = seed_request();
    req["runtime"] = "mlx";  // MLX on an NVIDIA card
    CHECK(err(req)["error"]["code"] == "incompatible_runtime");
    req["runtime"] = "vllm";  // vLLM with a GGUF quant
    CHECK(err(req)["error"]["code"] == "incompatible_quant");

    req = seed_request();
    req["kv_cache_type"] = "q8_0";
    req["flash_attention"] = false;
    CHECK(err(req)["error"]["code"] == "flash_attention_required");

    req = seed_request();
    req["gpu_count"] = 0;
    CHECK(err(req)["error"]["field"] == "gpu_count");

    CHECK(estimate(json::array(), catalog())["error"]["code"] == "invalid_request");
    CHECK(estimate(json{{"hardware", "nvidia-rtx-4090"}}, catalog())["error"]["code"] == "missing_field");
    const json bad = json::parse(estimate_json("{not json", catalog()));
    CHECK(bad["error"]["code"] == "invalid_json");
}

TEST_CASE("A combination the runtime does not support is an error that lists what would", "[estimate]") {
    // The lists are catalog/runtimes.json's (runtime_table in recommend.cpp).
    json req = {{"model", "llama-3.1-8b"}, {"hardware", "nvidia-rtx-4090"}, {"quant", "Q4_K_M"}, {"runtime", "ollama"}};
    req["backend"] = "vulkan";  // Ollama: cuda, rocm, metal, cpu
    json r = err(req);
    CHECK(r["error"]["code"] == "incompatible_backend");
    CHECK(r["error"]["field"] == "backend");
    CHECK(r["error"]["message"] == "backend 'vulkan' is not one ollama runs on; use cuda, rocm, metal or cpu");
    req["backend"] = "cuda";
    CHECK(err(req)["ok"] == true);

    req.erase("backend");
    req["kv_cache_type"] = "bf16";  // Ollama's OLLAMA_KV_CACHE_TYPE: f16, q8_0, q4_0
    r = err(req);
    CHECK(r["error"]["code"] == "incompatible_kv_cache_type");
    CHECK(r["error"]["message"] == "kv_cache_type 'bf16' is not available in ollama; use f16, q8_0 or q4_0");

    req = {{"model", "llama-3.1-8b"}, {"hardware", "nvidia-rtx-4090"}, {"quant", "AWQ-INT4"}, {"runtime", "sglang"}};
    req["kv_cache_type"] = "q8_0";  // SGLang: bf16, fp8
    r = err(req);
    CHECK(r["error"]["code"] == "incompatible_kv_cache_type");
    CHECK(r["error"]["message"] == "kv_cache_type 'q8_0' is not available in sglang; use bf16 or fp8");

    req = {{"model", "llama-3.1-8b"}, {"hardware", "nvidia-rtx-3090"}, {"gpu_count", 2},
           {"quant", "Q4_K_M"}, {"runtime", "ollama"}, {"split", "tensor"}};  // Ollama splits layers only
    r = err(req);
    CHECK(r["error"]["code"] == "incompatible_split");
    CHECK(r["error"]["field"] == "split");
    CHECK(r["error"]["message"] == "split 'tensor' is not a multi-GPU mode of ollama; use layer");
    req["split"] = "layer";
    CHECK(err(req)["ok"] == true);
}

TEST_CASE("Context beyond the model's maximum is an error that says the limit", "[estimate]") {
    json req = {{"model", "llama-3.1-8b"}, {"hardware", "nvidia-rtx-4090"}, {"quant", "Q4_K_M"}, {"context_tokens", 200000}};
    const json r = estimate(req, catalog());
    CHECK(r["error"]["code"] == "context_too_long");
    CHECK(r["error"]["message"].get<std::string>().find("131072") != std::string::npos);
}

TEST_CASE("Inline config.json and inline hardware", "[estimate]") {
    json cfg = {{"model_type", "llama"}, {"hidden_size", 4096}, {"num_hidden_layers", 32}, {"num_attention_heads", 32},
                {"num_key_value_heads", 8}, {"intermediate_size", 14336}, {"vocab_size", 128256},
                {"max_position_embeddings", 131072}, {"tie_word_embeddings", false}};
    json hw = {{"name", "My GPU"}, {"memory_gb", 24}, {"bandwidth_gbs", 1008}, {"fp16_tflops", 165}, {"vendor", "nvidia"}};
    const json r = estimate(json{{"model", cfg}, {"hardware", hw}, {"quant", "Q4_K_M"}, {"context_tokens", 8192}}, catalog());
    REQUIRE(r["ok"] == true);
    CHECK(r["model"]["params_total"].get<double>() == 8030261248.0);
    CHECK(r["memory"]["kv_cache_bytes"].get<double>() == 1073741824.0);
    json bad_hw = hw;
    bad_hw.erase("bandwidth_gbs");
    const json e = estimate(json{{"model", cfg}, {"hardware", bad_hw}}, catalog());
    CHECK(e["error"]["code"] == "missing_field");
    CHECK(e["error"]["field"] == "hardware.bandwidth_gbs");
    bad_hw["bandwidth_gbs"] = -1;
    CHECK(estimate(json{{"model", cfg}, {"hardware", bad_hw}}, catalog())["error"]["field"] == "hardware.bandwidth_gbs");
}

TEST_CASE("Omitted quant and runtime are chosen and said so", "[estimate]") {
    const json r = estimate(json{{"model", "llama-3.1-8b"}, {"hardware", "nvidia-rtx-4090"}}, catalog());
    REQUIRE(r["ok"] == true);
    bool said_quant = false, said_runtime = false;
    for (const auto& a : r["assumptions"]) {
        said_quant = said_quant || a.get<std::string>().find("quant not given") != std::string::npos;
        said_runtime = said_runtime || a.get<std::string>().find("runtime not given") != std::string::npos;
    }
    CHECK(said_quant);
    CHECK(said_runtime);
    // The pick is the row marked best.
    for (const auto& q : r["quantizations"]) {
        if (q["best"].get<bool>()) CHECK(q["quant"] == r["quant"]);
    }
}

TEST_CASE("A model far too large does not run and scores F 0", "[estimate]") {
    const json r = estimate(json{{"model", "deepseek-v3"}, {"hardware", "nvidia-rtx-4090"}, {"quant", "Q8_0"}}, catalog());
    REQUIRE(r["ok"] == true);
    CHECK(r["fit"]["verdict"] == "no");
    CHECK(r["fit"]["grade"] == "F");
    CHECK(r["fit"]["score"] == 0);
    CHECK(r["performance"]["decode_tokens_per_s"] == 0);
}

TEST_CASE("Larger MoE models offload experts to system RAM with llama.cpp", "[estimate]") {
    const json r = estimate(json{{"model", "gpt-oss-120b"}, {"hardware", "nvidia-rtx-4090"}, {"quant", "MXFP4"}, {"context_tokens", 8192}}, catalog());
    REQUIRE(r["ok"] == true);
    CHECK(r["fit"]["verdict"] == "offload");
    CHECK(r["offload"]["cpu_moe_layers"].get<int>() > 0);
    CHECK(r["memory"]["offloaded_bytes"].get<double>() > 0);
    bool has_flag = false;
    for (const auto& c : r["commands"]) has_flag = has_flag || c["command"].get<std::string>().find("--n-cpu-moe") != std::string::npos;
    CHECK(has_flag);
}

TEST_CASE("Catalog listings", "[estimate]") {
    CHECK(catalog_listing(catalog(), "models")["items"].size() == catalog().models.size());
    CHECK(catalog_listing(catalog(), "hardware")["items"].size() == catalog().hardware.size());
    CHECK(catalog_listing(catalog(), "runtimes")["items"].size() == 8);
    CHECK(catalog_listing(catalog(), "gpus")["error"]["code"] == "unknown_catalog_kind");
}
