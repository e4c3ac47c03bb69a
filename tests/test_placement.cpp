// Issue 6 checks with hand-worked numbers: each offload mode (--fit "auto",
// -ngl, --n-cpu-moe), each split mode (llama.cpp layer split, vLLM tensor
// parallel) and each unified platform (Apple, Strix Halo, DGX Spark, Jetson).
// Every expected value below is derived in its comment from the tensor shapes
// and the engine's named constants (performance.cpp, runtime_memory.cpp,
// setup.cpp); a change to a constant must show up here.
#include <catch2/catch.hpp>

#include <string>

#include "estimate.hpp"
#include "test_support.hpp"
#include "units.hpp"

using namespace headroom;
using headroom_test::catalog;
using nlohmann::json;

namespace {

json run(const json& req) { return estimate(req, catalog()); }

bool command_has(const json& r, const std::string& text) {
    for (const auto& c : r["commands"]) {
        if (c["command"].get<std::string>().find(text) != std::string::npos) return true;
    }
    return false;
}

bool improvement_has(const json& r, const std::string& text) {
    for (const auto& i : r["improvements"]) {
        if (i.get<std::string>().find(text) != std::string::npos) return true;
    }
    return false;
}

// A small MoE (Mixtral layout), BF16: hidden 1024, 8 layers, 8 heads × 128, 8 KV heads,
// 8 experts of FFN 4096, top-2, vocab 1000, untied.
//   attention q,k,v,o 4 × 1024 × 1024 × 2 B          =   8,388,608
//   routed experts gate/up/down 3 × 8 × 1024 × 4096 × 2 = 201,326,592  (one tensor: 67,108,864)
//   router 1024 × 8 × 4 B (F32) = 32,768; 2 norms × 1024 × 4 B = 8,192
//   layer = 209,756,160; dense part of a layer = 8,429,568
//   token_embd = output = 1024 × 1000 × 2 = 2,048,000; output_norm 4,096
//   total = 8 × 209,756,160 + 4,100,096 = 1,682,149,376
json small_moe() {
    return {{"model_type", "mixtral"}, {"hidden_size", 1024}, {"num_hidden_layers", 8}, {"num_attention_heads", 8},
            {"num_key_value_heads", 8}, {"intermediate_size", 4096}, {"vocab_size", 1000},
            {"max_position_embeddings", 4096}, {"tie_word_embeddings", false}, {"num_local_experts", 8},
            {"num_experts_per_tok", 2}};
}

// A small dense Llama, BF16: hidden 2048, 16 layers, 16 heads × 128, 4 KV heads, FFN 8192, vocab 1000, untied.
//   q,o 2 × 2048 × 2048 × 2 = 16,777,216; k,v 2 × 2048 × 512 × 2 = 4,194,304
//   gate/up/down 3 × 2048 × 8192 × 2 = 100,663,296; 2 norms × 2048 × 4 = 16,384
//   layer = 121,651,200; token_embd = output = 2048 × 1000 × 2 = 4,096,000; output_norm 8,192
//   total = 16 × 121,651,200 + 8,200,192 = 1,954,619,392
json small_dense() {
    return {{"model_type", "llama"}, {"hidden_size", 2048}, {"num_hidden_layers", 16}, {"num_attention_heads", 16},
            {"num_key_value_heads", 4}, {"intermediate_size", 8192}, {"vocab_size", 1000},
            {"max_position_embeddings", 4096}, {"tie_word_embeddings", false}};
}

// The tiny Llama of test_setup.cpp: hidden 256, 4 layers, 4 heads × 64, 4 KV heads, FFN 512, vocab 1000.
//   layer 1,312,768 B; token_embd = output = 512,000; output_norm 1,024; total 6,276,096.
json tiny_llama() {
    return {{"model_type", "llama"}, {"hidden_size", 256}, {"num_hidden_layers", 4}, {"num_attention_heads", 4},
            {"num_key_value_heads", 4}, {"intermediate_size", 512}, {"vocab_size", 1000},
            {"max_position_embeddings", 4096}, {"tie_word_embeddings", false}};
}

// A 2 GiB datacenter GPU (no display reserve) with 500 GB/s, 100 TFLOPS, on a host
// with 64 GiB of 50 GB/s RAM.
//   usable = 2 GiB × (1 − kDriverReserveFraction 0.0044) = 2,147,483,648 × 0.9956 = 2,138,034,719.9488
//   CUDA context (kCudaContextBaseBytes + kCudaContextPerDeviceByte × memory)
//     = 357 MiB + 0.004 × 2 GiB = 374,341,632 + 8,589,934.592 = 382,931,566.592
//   --fit target = usable − kLlamaFitMarginBytes (1 GiB) = 1,064,292,895.9488
//   left for weights + KV + compute = 1,064,292,895.9488 − 382,931,566.592 = 681,361,329.3568
json small_gpu() {
    return {{"name", "Test GPU 2G"}, {"vendor", "nvidia"}, {"memory_gb", 2}, {"bandwidth_gbs", 500},
            {"fp16_tflops", 100}, {"form_factor", "datacenter"}, {"system_memory_gb", 64},
            {"system_bandwidth_gbs", 50}};
}
constexpr double kSmallGpuUsable = 2147483648.0 * 0.9956;
constexpr double kSmallGpuCudaContext = 374341632.0 + 0.004 * 2147483648.0;

}  // namespace

TEST_CASE("Offload auto on a MoE: --fit moves the fewest expert layers that leave 1 GiB free", "[setup][placement]") {
    const json r = run({{"model", small_moe()}, {"hardware", small_gpu()}, {"quant", "BF16"},
                        {"context_tokens", 4096}, {"offload", "auto"}});
    REQUIRE(r["ok"] == true);
    // Per-device need with k expert layers on the CPU (every layer on the GPU, output too):
    //   weights 8 × 209,756,160 + 2,048,000 + 4,096 (token_embd stays on the host) − k × 201,326,592
    //   KV 8 layers × 2 × 8 × 128 × 2 B × 4096 = 134,217,728
    //   compute: FFN phase (3 × 2 experts × 4096 + 2 × 1024) × 512 ubatch × 4 B = 54,525,952
    //            + the largest CPU tensor copied for big batches (op_offload) 67,108,864 when k > 0
    //   k = 0: 1,680,101,376 + 134,217,728 + 54,525,952 = 1,868,845,056 > 681,361,329 → offload
    //   k = 6: 1,935,953,920 − 6 × 201,326,592 = 727,994,368  > 681,361,329
    //   k = 7: 1,935,953,920 − 7 × 201,326,592 = 526,667,776 ≤ 681,361,329 → --n-cpu-moe 7, -ngl all
    CHECK(r["offload"]["cpu_moe_layers"] == 7);
    CHECK(r["offload"]["gpu_layers"] == 8);
    CHECK(r["fit"]["verdict"] == "offload");
    const double device = r["memory"]["device_bytes"].get<double>();
    CHECK(device == Approx(526667776.0 + kSmallGpuCudaContext));  // 909,599,342.592
    // The margin decides it: k = 6 would still fit the device (free 1,027,108,785 B) but leaves
    // less than 1 GiB free; k = 7 leaves 1,228,435,377 B.
    CHECK(kSmallGpuUsable - (device + 201326592.0) > 0.0);
    CHECK(kSmallGpuUsable - (device + 201326592.0) < 1.0 * kGiB);
    CHECK(kSmallGpuUsable - device >= 1.0 * kGiB);
    // In RAM: 7 layers' routed experts 7 × 201,326,592 = 1,409,286,144 (+ token_embd, not counted as offload).
    CHECK(r["memory"]["offloaded_bytes"].get<double>() == 1409286144.0);
    CHECK(command_has(r, "-c 4096 -ngl 99 --n-cpu-moe 7"));
}

TEST_CASE("Offload auto on a dense model: --fit keeps the last layers that leave 1 GiB free", "[setup][placement]") {
    const json r = run({{"model", small_dense()}, {"hardware", small_gpu()}, {"quant", "BF16"},
                        {"context_tokens", 4096}, {"offload", "auto"}});
    REQUIRE(r["ok"] == true);
    // With g of 16 layers on the GPU (output on the host, so llama.cpp's CPU-side head):
    //   per layer: weights 121,651,200 + KV 2 × 4 × 128 × 2 B × 4096 = 8,388,608 → 130,039,808
    //   compute: FFN phase (3 × 8192 + 2 × 2048) × 512 × 4 B = 58,720,256
    //            + largest CPU tensor (a CPU layer's weights / 4 = 30,412,800) = 89,133,056
    //   g = 4: 4 × 130,039,808 + 89,133,056 = 609,292,288 ≤ 681,361,329
    //   g = 5: 739,332,096 > 681,361,329 → -ngl 4
    CHECK(r["offload"]["gpu_layers"] == 4);
    CHECK(r["offload"]["cpu_moe_layers"] == 0);
    const double device = r["memory"]["device_bytes"].get<double>();
    CHECK(device == Approx(609292288.0 + kSmallGpuCudaContext));  // 992,223,854.592
    CHECK(kSmallGpuUsable - device >= 1.0 * kGiB);
    CHECK(kSmallGpuUsable - (device + 130039808.0) < 1.0 * kGiB);
    // In RAM: 12 layers 1,459,814,400 + output 4,096,000 + output_norm 8,192 + their KV 12 × 8,388,608.
    CHECK(r["memory"]["offloaded_bytes"].get<double>() == 1459814400.0 + 4096000.0 + 8192.0 + 100663296.0);
    CHECK(command_has(r, "-c 4096 -ngl 4 "));
    CHECK_FALSE(command_has(r, "--n-cpu-moe"));
}

TEST_CASE("Decode with -ngl: device read time + host read time + overheads", "[setup][placement]") {
    const json r = run({{"model", small_dense()}, {"hardware", small_gpu()}, {"quant", "BF16"},
                        {"context_tokens", 4096}, {"offload", {{"gpu_layers", 4}}}});
    REQUIRE(r["ok"] == true);
    // At the headline depth of 1024 tokens (kHeadlineDepthTokens), BF16 on CUDA:
    // KV read at depth: 16 layers × 2 × 4 × 128 × 2 B × 1024 = 33,554,432 B, each layer's beside it
    // (llama.cpp keeps a CPU layer's cache in RAM): 4/16 on the GPU 8,388,608, 12/16 in RAM 25,165,824.
    //   device: 4 layers 486,604,800 + KV 8,388,608 = 494,993,408 B
    //     t_mem  = 494,993,408 / (kLlamaCudaBandwidth 0.80 × 500e9) = 1.23748352 ms
    //   host: 12 layers 1,459,814,400 + output 4,096,000 + output_norm 8,192 + one embedding row 4,096
    //     + KV 25,165,824 = 1,489,088,512 B; t_host = / (kLlamaCpuBandwidth 0.60 × 50e9) = 49.63628373 ms
    //   overhead: 16 × kCudaLayerOverhead 22 µs + kTokenOverhead 0.25 ms = 0.602 ms
    //   (compute ≈ 2.1 GFLOP / (0.5 × 100 TFLOPS) = 42 µs < t_mem, so it does not bind)
    const double t = 494993408.0 / (0.80 * 500e9) + 1489088512.0 / (0.60 * 50e9) + 16 * 22e-6 + 0.25e-3;
    CHECK(r["performance"]["decode_tokens_per_s"].get<double>() == Approx(1.0 / t));  // 19.43 t/s
    CHECK(r["performance"]["bound"] == "offload");
}

TEST_CASE("Decode with --n-cpu-moe: routed experts of CPU layers read at system bandwidth", "[setup][placement]") {
    const json r = run({{"model", small_moe()}, {"hardware", small_gpu()}, {"quant", "BF16"},
                        {"context_tokens", 4096}, {"offload", {{"cpu_moe_layers", 7}}}});
    REQUIRE(r["ok"] == true);
    // Per token a layer reads its dense part and 2 of 8 experts (1/4 of 201,326,592 = 50,331,648).
    //   device: 8 dense parts 67,436,544 + layer 7's experts 50,331,648 + output 2,048,000 + output_norm 4,096
    //           + KV 8 × 2 × 8 × 128 × 2 B × 1024 = 33,554,432 → 153,374,720 B
    //     t_mem  = 153,374,720 / (0.80 × 500e9) = 0.3834368 ms
    //   host: 7 × 50,331,648 + one embedding row 2,048 = 352,323,584 B
    //     t_host = 352,323,584 / (0.60 × 50e9) = 11.74411947 ms
    //   overhead: 8 × 22 µs + 8 MoE layers × kMoeLayerOverheadCuda 35 µs + 0.25 ms = 0.706 ms
    const double t = 153374720.0 / (0.80 * 500e9) + 352323584.0 / (0.60 * 50e9) + 8 * 22e-6 + 8 * 35e-6 + 0.25e-3;
    CHECK(r["performance"]["decode_tokens_per_s"].get<double>() == Approx(1.0 / t));  // 77.92 t/s
    CHECK(command_has(r, "-ngl 99 --n-cpu-moe 7"));
}

TEST_CASE("Layer split on 2 identical GPUs: capacity adds, each holds its own buffers, decode does not speed up", "[setup][placement]") {
    const json one = run({{"model", tiny_llama()}, {"hardware", "nvidia-rtx-4090"}, {"quant", "BF16"}, {"context_tokens", 1024}});
    const json two = run({{"model", tiny_llama()}, {"hardware", "nvidia-rtx-4090"}, {"gpu_count", 2}, {"quant", "BF16"},
                          {"context_tokens", 1024}});
    REQUIRE(one["ok"] == true);
    REQUIRE(two["ok"] == true);
    // RTX 4090 usable: 24 GiB × (1 − 0.0044) − kDisplayReserveBytes 0.4 GiB; two of them: twice that.
    const double usable1 = 24.0 * kGiB * (1 - 0.0044) - 0.4 * kGiB;
    CHECK(one["hardware"]["usable_bytes"].get<double>() == Approx(usable1));
    CHECK(two["hardware"]["usable_bytes"].get<double>() == Approx(2 * usable1));
    // Each device: compute buffer = FFN phase (3 × 512 + 2 × 256) × 512 × 4 B = 4,194,304
    //   + kPipelineCopies 4 × the F16 KQ mask 1024 × 512 × 2 B = 4,194,304 → 8,388,608 (one GPU: 4,194,304)
    //   + CUDA context 357 MiB + 0.004 × 24 GiB = 477,420,847.104
    // Shared: weights beyond token_embd 5,764,096 + KV 4 × 2 × 256 × 2 B × 1024 = 4,194,304.
    CHECK(two["memory"]["compute_bytes"].get<double>() == 2 * 8388608.0);
    const double ctx = 374341632.0 + 0.004 * 24.0 * kGiB;
    const double total2 = 5764096.0 + 4194304.0 + 2 * (8388608.0 + ctx);  // 981,577,310.208
    CHECK(two["memory"]["device_bytes"].get<double>() == Approx(total2));
    CHECK(one["memory"]["device_bytes"].get<double>() == Approx(5764096.0 + 4194304.0 + 4194304.0 + ctx));
    const auto& d = two["memory"]["per_device"];
    REQUIRE(d.size() == 3);  // gpu0, gpu1, cpu (token_embd)
    CHECK(d[0]["bytes"].get<double>() == Approx(total2 / 2));
    CHECK(d[1]["bytes"].get<double>() == Approx(total2 / 2));
    CHECK(d[0]["usable_bytes"].get<double>() == Approx(usable1));
    CHECK(command_has(two, "-sm layer"));
    // Single stream: the same bytes at the same bandwidth, plus one hand-off between the
    // devices (kPipelineHopSeconds 30 µs): 1/v2 − 1/v1 = 30 µs, so 2 GPUs are slower.
    const double v1 = one["performance"]["decode_tokens_per_s"].get<double>();
    const double v2 = two["performance"]["decode_tokens_per_s"].get<double>();
    CHECK(v2 < v1);
    CHECK(1.0 / v2 - 1.0 / v1 == Approx(30e-6).epsilon(1e-6));
}

TEST_CASE("Layer split on mixed GPUs: bytes per device follow the memory ratio", "[setup][placement]") {
    const json r = run({{"model", tiny_llama()}, {"devices", {"nvidia-rtx-4090", "nvidia-rtx-3060-12gb"}},
                        {"quant", "BF16"}, {"context_tokens", 1024}});
    REQUIRE(r["ok"] == true);
    // Tensor split by memory 24 : 12 = 2/3 : 1/3. CUDA contexts: 2 × 357 MiB + 0.004 × (24 + 12) GiB
    //   = 748,683,264 + 154,618,822.656 = 903,302,086.656; compute 2 × 8,388,608 (as above).
    //   total = 5,764,096 + 4,194,304 + 16,777,216 + 903,302,086.656 = 930,037,702.656
    //   RTX 4090: 2/3 → 620,025,135.104; RTX 3060: 1/3 → 310,012,567.552
    const double total = 5764096.0 + 4194304.0 + 16777216.0 + 2 * 374341632.0 + 0.004 * 36.0 * kGiB;
    CHECK(r["memory"]["device_bytes"].get<double>() == Approx(total));
    const auto& d = r["memory"]["per_device"];
    REQUIRE(d.size() == 3);
    CHECK(d[0]["bytes"].get<double>() == Approx(620025135.104));
    CHECK(d[1]["bytes"].get<double>() == Approx(310012567.552));
    // Usable: 4090 24 × 0.9956 − 0.4 GiB; 3060 12 × 0.9956 − 0.4 GiB.
    CHECK(d[0]["usable_bytes"].get<double>() + d[1]["usable_bytes"].get<double>() ==
          Approx((36.0 * 0.9956 - 0.8) * kGiB));
}

TEST_CASE("vLLM tensor parallel: bytes divide per device, all-reduce cost over NVLink vs PCIe", "[setup][placement]") {
    auto tp = [](const std::string& hw, int n) {
        return run({{"model", tiny_llama()}, {"hardware", hw}, {"gpu_count", n}, {"runtime", "vllm"}, {"split", "tensor"},
                    {"quant", "BF16"}, {"context_tokens", 1024}});
    };
    // A100 80GB SXM4 (NVLink 3.0): vLLM's profile run on a ≥ 70 GiB A100 uses 2048 batched tokens and
    // 1024 sequences: hidden 2048 × (8 × 256 + 4 × 512) × 2 B = 16,777,216, sampler 1024 × 1000 × 4 × 2
    // = 8,192,000 → 24,969,216 per device, + kVllmCudaContextBytes 0.5 GiB + kVllmCudaGraphBytes 0.5 GiB.
    // Weights 6,276,096 and KV 4 × 2 × 4 × 64 × 2 B × 1024 = 4,194,304 divide over the n devices
    // (4 heads and 4 KV heads split evenly; nothing is replicated in the engine's model).
    const double fixed = 24969216.0 + 1.0 * kGiB;  // 1,098,711,040
    for (int n : {2, 4}) {
        const json r = tp("nvidia-a100-80gb-sxm4", n);
        REQUIRE(r["ok"] == true);
        CHECK(r["fit"]["verdict"] == "fits");
        const auto& d = r["memory"]["per_device"];
        REQUIRE(d.size() == std::size_t(n));
        // n = 2: 5,235,200 + 1,098,711,040 = 1,103,946,240; n = 4: 2,617,600 + … = 1,101,328,640
        for (const auto& dev : d) CHECK(dev["bytes"].get<double>() == Approx((6276096.0 + 4194304.0) / n + fixed));
        // vLLM may use 0.9 of each device.
        CHECK(r["hardware"]["usable_bytes"].get<double>() == Approx(n * 0.9 * 80.0 * kGiB));
        CHECK(command_has(r, "--tensor-parallel-size " + std::to_string(n)));
    }
    // Decode: every device reads 1/n of (weights read per token 5,764,096 + one embedding row 512
    // + KV at depth 1024: 4 × 1024 B × 1024 = 4,194,304) = 9,958,912 B at kPagedServerBandwidth 0.75;
    // overheads n_layer × kCudaLayerOverhead/2 (11 µs) + kPagedServerTokenOverhead 1 ms; and two ring
    // all-reduces per layer of 2 (n − 1) steps: 2 × 4 × 2 (n − 1) × step, with step = kRingStepNvlinkSeconds
    // 5 µs (NVLink) or kRingStepPcieSeconds 30 µs (PCIe). Compute (≈10 MFLOP) never binds.
    auto t_decode = [](double bw, int n, double step) {
        return 9958912.0 / (0.75 * bw * n) + 4 * 11e-6 + 1.0e-3 + 2.0 * 4 * 2.0 * (n - 1) * step;
    };
    for (int n : {2, 4}) {
        // NVLink: n = 2 → 3.256 µs + 1.044 ms + 80 µs = 1.1273 ms (887.1 t/s); n = 4 → + 240 µs (777.8 t/s)
        CHECK(tp("nvidia-a100-80gb-sxm4", n)["performance"]["decode_tokens_per_s"].get<double>() ==
              Approx(1.0 / t_decode(2039e9, n, 5e-6)));
        // L40S, PCIe 4.0: n = 2 → 7.684 µs + 1.044 ms + 480 µs = 1.5317 ms (652.9 t/s); n = 4 → + 1.44 ms (402.0 t/s)
        CHECK(tp("nvidia-l40s", n)["performance"]["decode_tokens_per_s"].get<double>() ==
              Approx(1.0 / t_decode(864e9, n, 30e-6)));
    }
}

TEST_CASE("Tensor parallel over an NVLink bridge: pairs only, more cards sync over PCIe", "[setup][placement]") {
    // RTX 3090: "PCIe 4.0 x16 + NVLink (2-way)". A 2-way bridge joins two cards; a ring over four
    // crosses PCIe, so its steps take kRingStepPcieSeconds (30 µs), not the NVLink 5 µs.
    auto tp = [](int n) {
        return run({{"model", tiny_llama()}, {"hardware", "nvidia-rtx-3090"}, {"gpu_count", n}, {"runtime", "vllm"},
                    {"split", "tensor"}, {"quant", "BF16"}, {"context_tokens", 1024}});
    };
    auto t_decode = [](int n, double step) {
        return 9958912.0 / (0.75 * 936e9 * n) + 4 * 11e-6 + 1.0e-3 + 2.0 * 4 * 2.0 * (n - 1) * step;
    };
    CHECK(tp(2)["performance"]["decode_tokens_per_s"].get<double>() == Approx(1.0 / t_decode(2, 5e-6)));
    CHECK(tp(4)["performance"]["decode_tokens_per_s"].get<double>() == Approx(1.0 / t_decode(4, 30e-6)));
}

TEST_CASE("Apple unified memory: the wired limit for 16 GB and 128 GB, and what iogpu.wired_limit_mb changes", "[setup][placement]") {
    // Rule (runtime-memory.md §4, recommendedMaxWorkingSetSize): kAppleWiredFractionSmall 2/3 up to
    // 36 GiB, kAppleWiredFractionLarge 3/4 above.
    //   M4 16 GB: 16 GiB × 2/3 = 10.667 GiB. The suggested sysctl leaves the OS max(8 GiB, 15 %):
    //   16384 − 8192 = 8192 MiB, below the default, so no wired-limit improvement is offered.
    const json small = run({{"model", "llama-3.1-70b"}, {"hardware", "apple-m4-16gb"}, {"quant", "Q4_K_M"}, {"context_tokens", 4096}});
    REQUIRE(small["ok"] == true);
    CHECK(small["hardware"]["usable_bytes"].get<double>() == Approx(16.0 * kGiB * 2.0 / 3.0));
    CHECK(small["fit"]["verdict"] == "no");
    CHECK_FALSE(improvement_has(small, "iogpu.wired_limit_mb"));
    //   M4 Max 128 GB: 128 GiB × 3/4 = 96 GiB. sysctl: 131072 − max(8192, 0.15 × 131072 = 19660.8)
    //   = 111411.2 → iogpu.wired_limit_mb=111411 (108.8 GiB), 12.8 GiB more for the GPU.
    const json big = run({{"model", "llama-3.1-70b"}, {"hardware", "apple-m4-max-40c-128gb"}, {"quant", "BF16"}, {"context_tokens", 4096}});
    REQUIRE(big["ok"] == true);
    CHECK(big["hardware"]["usable_bytes"].get<double>() == Approx(96.0 * kGiB));
    CHECK(improvement_has(big, "iogpu.wired_limit_mb=111411"));
    CHECK(big["fit"]["verdict"] != "offload");  // no separate RAM to offload into
}

TEST_CASE("Other unified platforms: Strix Halo's GTT limit, DGX Spark and Jetson share with the OS", "[setup][placement]") {
    auto usable = [](const std::string& hw) {
        const json r = run({{"model", tiny_llama()}, {"hardware", hw}, {"quant", "Q8_0"}, {"context_tokens", 1024}});
        REQUIRE(r["ok"] == true);
        CHECK(r["hardware"]["unified_memory"] == true);
        return r["hardware"]["usable_bytes"].get<double>();
    };
    // Ryzen AI Max+ 395, 128 GB: Linux caps the iGPU's GTT at TTM's default page limit, half of RAM
    // (kAmdApuGttFraction; linux ttm_tt.c, ROCm/ROCm#5595: 62.2 GB visible on 128 GB) = 64 GiB.
    CHECK(usable("amd-ryzen-ai-max-plus-395") == Approx(64.0 * kGiB));
    // DGX Spark 128 GB: the OS keeps max(kUnifiedOsReserveMinBytes 4 GiB, kUnifiedOsReserveFraction 10 %)
    // = 12.8 GiB → 115.2 GiB (an assumption in runtime_memory.cpp; no published GPU cap).
    CHECK(usable("nvidia-dgx-spark") == Approx(115.2 * kGiB));
    // Jetson AGX Orin 64 GB: 64 − 6.4 = 57.6 GiB; Orin Nano Super 8 GB: 8 − max(4, 0.8) = 4 GiB.
    CHECK(usable("nvidia-jetson-agx-orin-64gb") == Approx(57.6 * kGiB));
    CHECK(usable("nvidia-jetson-orin-nano-super-8gb") == Approx(4.0 * kGiB));

    // A model over Strix Halo's default 64 GiB (Llama 3.1 70B Q8_0, ~70 GiB) gets the GTT
    // improvement: 128 − max(8, 0.15 × 128 = 19.2) = 108.8 → floor 108 GiB = 108 × 262,144
    // = 28,311,552 pages of 4 KiB.
    const json big = run({{"model", "llama-3.1-70b"}, {"hardware", "amd-ryzen-ai-max-plus-395"}, {"quant", "Q8_0"},
                          {"context_tokens", 4096}});
    REQUIRE(big["ok"] == true);
    CHECK(big["fit"]["verdict"] == "no");
    bool gtt = false;
    for (const auto& i : big["improvements"])
        gtt = gtt || i.dump().find("ttm.pages_limit=28,311,552") != std::string::npos ||
              i.dump().find("ttm.pages_limit=28311552") != std::string::npos;
    CHECK(gtt);
}
