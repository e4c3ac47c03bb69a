// Placement: layer offload, expert offload, --fit's context shrink, mixed GPUs,
// tensor-parallel head checks, unified memory. Hand-worked on tiny models.
#include <catch2/catch.hpp>

#include "estimate.hpp"
#include "test_support.hpp"
#include "units.hpp"

using namespace headroom;
using headroom_test::catalog;
using nlohmann::json;

namespace {
// A tiny Llama: hidden 256, 4 layers, 4 heads (64 dims), 4 KV heads, FFN 512, vocab 1000, untied.
// In BF16 every matrix element is 2 B and every norm F32 (4 B):
//   per layer: q,k,v,o 4 × 256 × 256 × 2 = 524,288; gate/up/down 3 × 256 × 512 × 2 = 786,432;
//              2 norms × 256 × 4 = 2,048  -> 1,312,768 B
//   token_embd 256 × 1000 × 2 = 512,000; output 512,000; output_norm 1,024.
json tiny_llama() {
    return {{"model_type", "llama"}, {"hidden_size", 256}, {"num_hidden_layers", 4}, {"num_attention_heads", 4},
            {"num_key_value_heads", 4}, {"intermediate_size", 512}, {"vocab_size", 1000},
            {"max_position_embeddings", 4096}, {"tie_word_embeddings", false}};
}
json tiny_moe() {
    json c = tiny_llama();
    c["model_type"] = "mixtral";
    c["num_local_experts"] = 4;
    c["num_experts_per_tok"] = 2;
    return c;
}
json run(json req) { return estimate(req, catalog()); }
}  // namespace

TEST_CASE("Layer offload: -ngl 2 of 4 puts two layers, the head and their KV in RAM", "[setup]") {
    const json r = run({{"model", tiny_llama()}, {"hardware", "nvidia-rtx-4090"}, {"quant", "BF16"},
                        {"context_tokens", 1024}, {"offload", {{"gpu_layers", 2}}}});
    REQUIRE(r["ok"] == true);
    CHECK(r["memory"]["weights_bytes"].get<double>() == 4.0 * 1312768 + 512000 + 512000 + 1024);
    CHECK(r["fit"]["verdict"] == "offload");
    CHECK(r["offload"]["gpu_layers"] == 2);
    // In RAM beyond the input embedding: layers 0–1 (2 × 1,312,768) + output 512,000 + output_norm 1,024
    // = 3,138,560, plus their KV: 2 layers × (K+V) 2 × 4 heads × 64 × 2 B × 1024 cells = 2,097,152.
    CHECK(r["memory"]["offloaded_bytes"].get<double>() == 3138560.0 + 2097152.0);
    bool ngl = false;
    for (const auto& c : r["commands"]) ngl = ngl || c["command"].get<std::string>().find("-ngl 2") != std::string::npos;
    CHECK(ngl);
}

TEST_CASE("Expert offload: --n-cpu-moe 1 moves layer 0's routed experts only", "[setup]") {
    const json r = run({{"model", tiny_moe()}, {"hardware", "nvidia-rtx-4090"}, {"quant", "BF16"},
                        {"context_tokens", 1024}, {"offload", {{"cpu_moe_layers", 1}}}});
    REQUIRE(r["ok"] == true);
    // Routed experts of one layer: gate/up/down 3 × 4 experts × 256 × 512 × 2 B = 3,145,728.
    CHECK(r["memory"]["offloaded_bytes"].get<double>() == 3145728.0);
    CHECK(r["offload"]["cpu_moe_layers"] == 1);
    // --cpu-moe: all 4 layers.
    const json all = run({{"model", tiny_moe()}, {"hardware", "nvidia-rtx-4090"}, {"quant", "BF16"},
                          {"context_tokens", 1024}, {"offload", {{"cpu_moe", true}}}});
    CHECK(all["memory"]["offloaded_bytes"].get<double>() == 4 * 3145728.0);
}

TEST_CASE("--fit shrinks an unset context before offloading", "[setup]") {
    // Llama 3.1 8B Q4_K_M on an 8 GB card: the balanced default of 32768 tokens needs 4 GiB of KV
    // (131,072 B/token), more than is left; llama.cpp shrinks -c toward 4096 instead of offloading.
    const json r = run({{"model", "llama-3.1-8b"}, {"hardware", "nvidia-rtx-4060"}, {"quant", "Q4_K_M"}});
    REQUIRE(r["ok"] == true);
    CHECK(r["context_tokens"].get<int>() < 32768);
    CHECK(r["context_tokens"].get<int>() >= 4096);
    CHECK(r["fit"]["verdict"] != "offload");
    bool said = false;
    for (const auto& a : r["assumptions"]) said = said || a.get<std::string>().find("context shrunk") != std::string::npos;
    CHECK(said);
    // With an explicit context there is no shrinking: it offloads instead.
    const json e = run({{"model", "llama-3.1-8b"}, {"hardware", "nvidia-rtx-4060"}, {"quant", "Q4_K_M"}, {"context_tokens", 32768}});
    CHECK(e["context_tokens"] == 32768);
    CHECK(e["fit"]["verdict"] == "offload");
}

TEST_CASE("System RAM too small for the offloaded part does not run, said plainly", "[setup]") {
    const json r = run({{"model", "llama-3.1-70b"}, {"hardware", "nvidia-rtx-4060"}, {"quant", "Q4_K_M"},
                        {"context_tokens", 4096}, {"system_memory_gb", 16}});
    REQUIRE(r["ok"] == true);
    CHECK(r["fit"]["verdict"] == "no");
    CHECK(r["limits"][0].get<std::string>().find("system RAM") != std::string::npos);
}

TEST_CASE("System RAM: a given size or speed is used and only the missing one is assumed", "[setup]") {
    // Llama 3.1 70B Q4_K_M at 4096 on an 8 GB card: about 36 GiB must sit in RAM.
    const json small = run({{"model", "llama-3.1-70b"}, {"hardware", "nvidia-rtx-4060"}, {"quant", "Q4_K_M"},
                            {"context_tokens", 4096}, {"system_memory_gb", 16}});
    REQUIRE(small["ok"] == true);
    CHECK(small["fit"]["verdict"] == "no");
    // 16 GiB less the OS's 15 % (kHostOsReserveFraction) = 13.6 GiB free for the model.
    const std::string limit = small["limits"][0].get<std::string>();
    CHECK(limit.find("must sit in system RAM, 13.6 GiB of it is free for the model") != std::string::npos);
    bool size_assumed = false, bw_assumed = false;
    for (const auto& a : small["assumptions"]) {
        size_assumed = size_assumed || a.get<std::string>().find("system RAM not given") != std::string::npos;
        bw_assumed = bw_assumed || a.get<std::string>() ==
                                       "system RAM bandwidth not given; assumed dual-channel DDR5-5600 (89.6 GB/s) for offload";
    }
    CHECK_FALSE(size_assumed);
    CHECK(bw_assumed);
}

TEST_CASE("What a mixed setup runs: rank by a devices list", "[setup]") {
    // RTX 4090 (24 GB) + RTX 3060 (12 GB): 36 GB together, so Llama 3.1 70B at Q3/Q2 or a 32B at
    // Q6/Q8 fit where neither card alone holds them.
    const json mixed = rank_models_for_hardware({{"devices", {"nvidia-rtx-4090", "nvidia-rtx-3060-12gb"}}}, catalog());
    REQUIRE(mixed["ok"] == true);
    REQUIRE(mixed["items"].size() > 50);
    CHECK(mixed["items"][0]["count"] == 2);
    CHECK(mixed["items"][0]["usable_bytes"].get<double>() > 35.0 * kGiB);
}

TEST_CASE("Mixed GPUs add capacity and share layers by memory", "[setup]") {
    const json r = run({{"model", "llama-3.1-8b"}, {"devices", {"nvidia-rtx-4090", "nvidia-rtx-3060-12gb"}},
                        {"quant", "Q4_K_M"}, {"context_tokens", 8192}});
    REQUIRE(r["ok"] == true);
    CHECK(r["hardware"]["count"] == 2);
    // 24 GiB and 12 GiB: shares 2/3 and 1/3 of what the setup uses.
    const auto& d = r["memory"]["per_device"];
    // Two GPUs, then the host (llama.cpp keeps the input embedding in RAM).
    REQUIRE(d.size() == 3);
    CHECK(d[2]["device"] == "cpu");
    CHECK(d[0]["bytes"].get<double>() == Approx(2.0 * d[1]["bytes"].get<double>()));
    CHECK(d[0]["device"].get<std::string>().find("RTX 4090") != std::string::npos);
    // Memory-weighted harmonic bandwidth: 1 / (2/3 / 1008 + 1/3 / 360) GB/s = 661.5 GB/s.
    CHECK(r["hardware"]["bandwidth_bytes_per_s"].get<double>() == Approx(1e9 / ((2.0 / 3.0) / 1008.0 + (1.0 / 3.0) / 360.0)));
    const json bad = run({{"model", "llama-3.1-8b"}, {"devices", {"nvidia-rtx-4090", "amd-rx-7900-xtx"}}});
    CHECK(bad["error"]["code"] == "incompatible_devices");
}

TEST_CASE("Tensor parallel needs heads and KV heads to divide", "[setup]") {
    // Llama 3.1 8B: 32 heads, 8 KV heads. 3 GPUs: 32 % 3 != 0 -> does not run.
    const json three = run({{"model", "llama-3.1-8b"}, {"hardware", "nvidia-a100-80gb-sxm4"}, {"gpu_count", 3},
                            {"runtime", "vllm"}, {"quant", "BF16"}, {"context_tokens", 8192}});
    REQUIRE(three["ok"] == true);
    CHECK(three["fit"]["verdict"] == "no");
    // 2 GPUs: both divide -> runs, weights split.
    const json two = run({{"model", "llama-3.1-8b"}, {"hardware", "nvidia-a100-80gb-sxm4"}, {"gpu_count", 2},
                          {"runtime", "vllm"}, {"quant", "BF16"}, {"context_tokens", 8192}});
    CHECK(two["fit"]["verdict"] == "fits");
    CHECK(two["memory"]["per_device"].size() == 2);
}

TEST_CASE("Unified memory: Apple's wired limit and the sysctl improvement", "[setup]") {
    // M3 Max 64 GB: the GPU may wire 3/4 = 48 GiB. Llama 3.1 70B Q6_K (~54 GiB) does not fit;
    // the improvement proposes iogpu.wired_limit_mb = 65536 − max(8192, 0.15 × 65536 = 9830.4) = 55705.6, floored to 55705.
    const json r = run({{"model", "llama-3.1-70b"}, {"hardware", "apple-m3-max-40c-64gb"}, {"quant", "Q6_K"}, {"context_tokens", 8192}});
    REQUIRE(r["ok"] == true);
    CHECK(r["hardware"]["usable_bytes"].get<double>() == Approx(48.0 * kGiB));
    bool sysctl = false;
    for (const auto& i : r["improvements"]) sysctl = sysctl || i.get<std::string>().find("iogpu.wired_limit_mb=55705") != std::string::npos;
    CHECK(sysctl);
    // Unified systems have no separate RAM to offload into.
    CHECK(r["fit"]["verdict"] != "offload");
}

TEST_CASE("Rankings: what the hardware runs, what the model needs", "[setup]") {
    const json byhw = rank_models_for_hardware({{"hardware", "nvidia-rtx-4090"}}, catalog());
    REQUIRE(byhw["ok"] == true);
    REQUIRE(byhw["items"].size() > 50);
    for (const auto& it : byhw["items"]) {
        CHECK(it["verdict"] != "no");
        CHECK(it.contains("workloads"));
    }
    const json bymodel = rank_hardware_for_model({{"model", "llama-3.1-70b"}, {"quant", "Q4_K_M"}}, catalog());
    REQUIRE(bymodel["items"].size() > 10);
    bool multi = false;
    for (const auto& it : bymodel["items"]) multi = multi || it["count"].get<int>() > 1;
    CHECK(multi);  // 2× / 4× setups of 24 GB cards appear for a 40 GB model
    CHECK(bymodel["items"][0]["score"].get<double>() >= bymodel["items"].back()["score"].get<double>());
}
