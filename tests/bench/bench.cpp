// Micro-benchmark (not a test): estimates per second, and one full pass over
// every catalog model × hardware entry × the runtime's quants. Prints numbers.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "estimate.hpp"

namespace {
std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : HEADROOM_CATALOG_DIR;
    auto t0 = std::chrono::steady_clock::now();
    auto cat = headroom::load_catalog(read(dir + "/models.json"), read(dir + "/hardware.json"));
    if (!cat) {
        std::fprintf(stderr, "catalog: %s\n", cat.error().message.c_str());
        return 1;
    }
    std::printf("catalog load: %.1f ms (%zu models, %zu hardware)\n", seconds_since(t0) * 1000, cat->models.size(), cat->hardware.size());

    // 1. Full estimate (with quant table, workloads, improvements) of the seed case.
    const nlohmann::json seed = {{"model", "kimi-linear-48b-a3b-instruct"}, {"hardware", "nvidia-a100-40gb-sxm4"}, {"quant", "Q4_K_M"}};
    int n = 0;
    t0 = std::chrono::steady_clock::now();
    while (seconds_since(t0) < 2.0) {
        (void)headroom::estimate(seed, *cat);
        ++n;
    }
    const double full = n / seconds_since(t0);
    std::printf("full estimate (seed case, 20-row quant table): %.0f estimates/s (%.2f ms each)\n", full, 1000.0 / full);

    // 2. Full pass: every catalog model × every quant its runtime loads, on one device.
    const std::vector<std::string> quants = {"IQ2_XXS", "IQ2_XS", "IQ2_M", "Q2_K", "IQ3_XXS", "Q3_K_S", "IQ3_M", "Q3_K_M",
                                             "Q3_K_L", "IQ4_XS", "IQ4_NL", "Q4_0", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M",
                                             "Q6_K", "Q8_0", "BF16"};
    t0 = std::chrono::steady_clock::now();
    std::size_t reports = 0, ok = 0;
    for (const auto& m : cat->models) {
        for (const std::string& q : quants) {
            const nlohmann::json r = headroom::estimate({{"model", m.id}, {"hardware", "nvidia-rtx-4090"}, {"quant", q}}, *cat);
            ++reports;
            ok += r.value("ok", false) ? 1 : 0;
        }
    }
    const double pass = seconds_since(t0);
    std::printf("catalog pass: %zu models × %zu quants (full reports on RTX 4090) = %zu reports (%zu ok) in %.1f s (%.0f reports/s)\n",
                cat->models.size(), quants.size(), reports, ok, pass, reports / pass);

    // 3. The ranking the page runs: all models for one device.
    t0 = std::chrono::steady_clock::now();
    const nlohmann::json ranked = headroom::rank_models_for_hardware({{"hardware", "nvidia-rtx-4090"}}, *cat);
    std::printf("rank models for RTX 4090: %zu that run, in %.0f ms\n", ranked["items"].size(), seconds_since(t0) * 1000);
    return 0;
}
