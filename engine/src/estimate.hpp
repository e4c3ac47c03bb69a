// The one facade: estimate(request) -> report, in the contract's JSON
// (shared/design/contract.md). The CLI, the WASM module and the tests call it.
// It never throws: every failure comes back as {"ok": false, "error": {...}}.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "catalog.hpp"

namespace headroom {

constexpr const char* kEngineVersion = "0.1.0";

nlohmann::json estimate(const nlohmann::json& request, const Catalog& catalog);
std::string estimate_json(const std::string& request_text, const Catalog& catalog);

// Catalog listings for `headroom catalog` and the page: "models", "hardware",
// "quants", "runtimes". Unknown kinds return an error object.
nlohmann::json catalog_listing(const Catalog& catalog, const std::string& kind);

// Ranked passes over the catalog (compact reports, best first).
nlohmann::json rank_models_for_hardware(const nlohmann::json& request, const Catalog& catalog);
nlohmann::json rank_hardware_for_model(const nlohmann::json& request, const Catalog& catalog);

}  // namespace headroom
