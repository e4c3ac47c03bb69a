// libFuzzer target: the catalog loader. The input is models.json text, a NUL
// byte, then hardware.json text (without a NUL: models text, and a one-entry
// hardware file). A catalog that loads must then answer look-ups, listings and
// an estimate of its first model on its first device without breaking the
// contract.
#include <cstddef>
#include <cstdint>
#include <string>

#include "estimate.hpp"
#include "fuzz_support.hpp"

namespace {

const char* kOneDevice =
    R"({"hardware": [{"id": "gpu", "name": "GPU", "vendor": "nvidia", "memory_gb": 24, "bandwidth_gbs": 1000, "sources": ["fuzz"]}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = input.find('\0');
    const std::string models = input.substr(0, nul);
    const std::string hardware = nul == std::string::npos ? std::string(kOneDevice) : input.substr(nul + 1);
    auto loaded = headroom::load_catalog(models, hardware);
    if (!loaded) {
        if (loaded.error().code != "invalid_catalog" && loaded.error().code.rfind("invalid", 0) != 0 &&
            loaded.error().code != "missing_field" && loaded.error().code != "out_of_range" &&
            loaded.error().code != "unsupported_model_type")
            headroom_fuzz::fail("unexpected catalog error code " + loaded.error().code, loaded.error().message);
        return 0;
    }
    const headroom::Catalog& cat = *loaded;
    for (const char* kind : {"models", "hardware", "quants", "runtimes"}) {
        nlohmann::json listing = headroom::catalog_listing(cat, kind);
        if (!listing.value("ok", false))
            headroom_fuzz::fail(std::string("catalog listing failed: ") + kind, listing.dump());
        (void)listing.dump();  // must not throw on any text the loader accepted
    }
    if (cat.models.empty() || cat.hardware.empty()) return 0;
    const std::string& model = cat.models.front().id;
    const std::string& device = cat.hardware.front().id;
    if (headroom::find_model(cat, model) == nullptr) headroom_fuzz::fail("a loaded model id is not found", model);
    if (headroom::find_hardware(cat, device) == nullptr)
        headroom_fuzz::fail("a loaded hardware id is not found", device);
    (void)headroom::suggest_model(cat, model + "x");
    (void)headroom::suggest_hardware(cat, device + "x");
    nlohmann::json request = {{"model", model}, {"hardware", device}, {"quant", "Q4_K_M"}};
    headroom_fuzz::check_report(headroom::estimate(request, cat), input);
    return 0;
}
