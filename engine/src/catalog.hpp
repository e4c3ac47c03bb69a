// The bundled catalog of models and hardware. The engine never reads files:
// callers hand it the text of catalog/models.json and catalog/hardware.json.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "architecture.hpp"
#include "errors.hpp"
#include "hardware.hpp"
#include "tensors.hpp"
#include "weights.hpp"

namespace headroom {

struct WeightFile;  // weight_file.hpp: a GGUF / safetensors header's own tensors

struct ModelEntry {
    std::string id;
    std::string name;
    std::string family;
    std::string hf_repo;
    std::vector<std::string> gguf_repos;
    std::vector<std::string> aliases;
    std::string license;
    std::string release_date;
    std::string native_format;          // checkpoint format, e.g. "BF16", "FP8", "MXFP4"
    std::uint64_t context_max = 0;
    double params_published_total = 0;  // 0 = not published
    bool params_published_exact = false;
    nlohmann::json config;              // config.json form (see catalog/SCHEMA.md)
    ModelArch arch;                     // read from config at load time
    // Exact weights from a model file the request carries (model.weights); null for catalog entries.
    std::shared_ptr<const WeightFile> weight_file;
};

// Per-model results that do not depend on the device: the tensor inventory and
// the weight breakdown per format. Filled on first use by the rankings, which
// evaluate every model many times.
struct ModelCache {
    std::shared_ptr<const TensorInventory> inventory;
    std::map<std::string, std::shared_ptr<const WeightBreakdown>> weights;  // by quant name
};

struct Catalog {
    std::vector<ModelEntry> models;
    std::vector<Hardware> hardware;
    mutable std::vector<ModelCache> cache;  // parallel to models; a cache, not state
};

// Parses both files; an entry that breaks the schema is an error naming it.
Result<Catalog> load_catalog(const std::string& models_json, const std::string& hardware_json);

// Look-ups: id, Hugging Face repo (case-insensitive) or alias. nullptr when absent.
const ModelEntry* find_model(const Catalog& catalog, const std::string& key);
const Hardware* find_hardware(const Catalog& catalog, const std::string& key);

// Closest ids for "did you mean" messages (edit distance over ids, names and aliases).
std::string suggest_model(const Catalog& catalog, const std::string& key);
std::string suggest_hardware(const Catalog& catalog, const std::string& key);

}  // namespace headroom
