// Runtime memory: llama.cpp compute buffers, device budgets, vLLM's budget.
#include <catch2/catch.hpp>

#include "runtime_memory.hpp"
#include "test_support.hpp"
#include "units.hpp"

using namespace headroom;
using headroom_test::catalog;
using headroom_test::model;

namespace {
RunSettings llama_run(bool fa) {
    RunSettings r;
    r.runtime = Runtime::llama_cpp;
    r.backend = Backend::cuda;
    r.flash_attention = fa;
    r.n_ubatch = 512;
    return r;
}
const Hardware& hw(const std::string& id) { return *find_hardware(catalog(), id); }
}  // namespace

TEST_CASE("llama.cpp compute buffer, Llama 3 8B at 8192 without flash attention", "[runtime_memory]") {
    // Attention phase: KQ scores 8192 × 512 × 32 heads × 4 B = 536,870,912
    // + 5.5 × 512 × 4096 × 4 = 46,137,344 -> 583,008,256 B = 556 MiB.
    // FFN phase (3 × 14336 + 2 × 4096) × 512 × 4 = 104,857,600 and logits 271,056,896 are smaller.
    // llama.cpp logged 560.00 MiB for this setup (validation README, XiongjieDai load log): 0.7 % off.
    const double b = llama_compute_buffer_bytes(model("llama-3-8b").arch, llama_run(false), 8192, true);
    CHECK(b == 583008256.0);
    CHECK(b / kMiB == Approx(560.0).epsilon(0.008));
}

TEST_CASE("llama.cpp compute buffer with flash attention is the logits", "[runtime_memory]") {
    // FA: attention phase 8192 × 512 × 2 + 46,137,344 = 54,525,952 and FFN phase
    // 104,857,600 are below the logits 128,256 × 512 × 4 + 512 × 4096 × 4 = 271,056,896 B
    // = 258.5 MiB, which llama.cpp logs for this setup.
    const double b = llama_compute_buffer_bytes(model("llama-3-8b").arch, llama_run(true), 8192, true);
    CHECK(b == 271056896.0);
}

TEST_CASE("Llama 3 70B compute buffer at 8k without FA", "[runtime_memory]") {
    // 8192 × 512 × 64 × 4 = 1,073,741,824 + 5.5 × 512 × 8192 × 4 = 92,274,688
    // = 1,166,016,512 B = 1112 MiB; PR #8035's log shows 1108 MiB (0.4 %).
    const double b = llama_compute_buffer_bytes(model("llama-3-70b").arch, llama_run(false), 8192, true);
    CHECK(b == 1166016512.0);
    CHECK(b / kMiB == Approx(1108.0).epsilon(0.005));
}

TEST_CASE("Device budgets", "[runtime_memory]") {
    // A100 40GB (datacenter): 40 GiB less the 0.44 % driver reserve.
    const DeviceBudget a100 = device_budget(hw("nvidia-a100-40gb-sxm4"), Runtime::llama_cpp);
    CHECK(a100.memory_bytes == 40.0 * kGiB);
    CHECK(a100.usable_bytes == Approx(40.0 * kGiB * (1 - 0.0044)));
    // RTX 4090 (desktop): also ~0.4 GiB for the display.
    const DeviceBudget rtx = device_budget(hw("nvidia-rtx-4090"), Runtime::llama_cpp);
    CHECK(rtx.usable_bytes == Approx(24.0 * kGiB * (1 - 0.0044) - 0.4 * kGiB));
    // vLLM may use 90 % of the device.
    CHECK(device_budget(hw("nvidia-a100-40gb-sxm4"), Runtime::vllm).usable_bytes == Approx(36.0 * kGiB));
    // Apple: 2/3 up to 36 GB, 3/4 above.
    CHECK(device_budget(hw("apple-m3-pro-36gb"), Runtime::llama_cpp).usable_bytes == Approx(24.0 * kGiB));
    CHECK(device_budget(hw("apple-m3-max-40c-64gb"), Runtime::mlx).usable_bytes == Approx(48.0 * kGiB));
    // Strix Halo 128 GB: Linux's default GTT limit is half of RAM (TTM pages_limit) = 64 GiB.
    const Hardware& strix = hw("amd-ryzen-ai-max-plus-395");
    CHECK(device_budget(strix, Runtime::llama_cpp).usable_bytes == Approx(strix.memory_bytes * 0.5));
}

TEST_CASE("CUDA context overhead follows the two published readings", "[runtime_memory]") {
    // 357 MiB + 0.4 % of 24 GiB = 357 + 98.3 = 455.3 MiB (PR #15860 shows ~455 MiB on an RTX 4090).
    const RuntimeMemory m = runtime_memory(model("llama-3-8b").arch, hw("nvidia-rtx-4090"), llama_run(true), 8192, true);
    CHECK(m.overhead_bytes / kMiB == Approx(455.3).epsilon(0.001));
}
