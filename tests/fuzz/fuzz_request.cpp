// libFuzzer target: request text -> estimate_json over the bundled catalog
// (the door the page, the CLI's batch mode and the WASM module share).
#include <cstddef>
#include <cstdint>
#include <string>

#include "estimate.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const headroom::Catalog& catalog = headroom_fuzz::bundled_catalog();
    const std::string text(reinterpret_cast<const char*>(data), size);
    headroom_fuzz::check_report_text(headroom::estimate_json(text, catalog), text);
    return 0;
}
