// libFuzzer target: a Hugging Face config.json -> import_hf_config -> tensor
// inventory -> a full estimate with the config as the inline model.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config_import.hpp"
#include "estimate.hpp"
#include "fuzz_support.hpp"
#include "tensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const headroom::Catalog& catalog = headroom_fuzz::bundled_catalog();
    const std::string text(reinterpret_cast<const char*>(data), size);
    nlohmann::json config = nlohmann::json::parse(text, nullptr, false);
    if (config.is_discarded()) return 0;
    auto arch = headroom::import_hf_config(config, "model");
    if (!arch) {
        if (arch.error().code.empty() || arch.error().message.empty())
            headroom_fuzz::fail("error without code or message", text);
        return 0;
    }
    if (arch->layers.size() != arch->n_layer) headroom_fuzz::fail("layer list and num_hidden_layers disagree", text);
    auto valid = headroom::validate_architecture(*arch, "model");
    if (valid) {
        const headroom::TensorInventory inv = headroom::build_tensor_inventory(*arch);
        (void)inv;
    }
    // The same config through the facade, as the page's "paste a config.json" does.
    for (const char* quant : {"Q4_K_M", "F16"}) {
        nlohmann::json request = {
            {"model", config}, {"hardware", "nvidia-rtx-4090"}, {"quant", quant}, {"context_tokens", 4096}};
        headroom_fuzz::check_report(headroom::estimate(request, catalog), text);
    }
    return 0;
}
