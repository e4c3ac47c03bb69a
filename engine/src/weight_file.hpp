// A model file's own weights: the tensor table of a GGUF file or of a
// safetensors checkpoint, as a request carries it (contract addition
// `model.weights`, README "Bring your own model"). When a request's quant is
// the file's own, its exact tensors and bytes replace the predicted inventory
// and storage (setup.cpp evaluate_setup).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "architecture.hpp"
#include "errors.hpp"
#include "quant.hpp"
#include "tensors.hpp"
#include "weights.hpp"

namespace headroom {

// Tensors one request may list (every GGUF or stacked safetensors table is far below).
constexpr std::uint64_t kWeightFileMaxTensors = 1u << 20;

struct WeightFile {
    std::string format;               // "gguf" or "safetensors"
    std::string quant;                // the file's quant: GGUF ftype name ("Q4_K_M") or checkpoint dtype ("BF16")
    WeightFormat weight_format;       // how the rest of the engine reads that quant
    bool complete = true;             // false when split parts are missing (their tensors predicted)
    std::uint32_t parts = 1;          // parts given (split GGUF / safetensors shards)
    std::uint32_t parts_total = 1;    // parts the model has
    std::uint64_t tensors_exact = 0;  // tensors whose bytes come from the file
    std::uint64_t tensors_predicted = 0;
    std::uint64_t tensors_skipped = 0;                 // in the file but not loaded (next-token-prediction layers)
    double file_bytes = 0.0;                           // the files' real size when given, else estimated
    std::shared_ptr<const TensorInventory> inventory;  // the file's tensors, with roles and layers
    std::shared_ptr<const WeightBreakdown> weights;    // their exact storage and breakdown
    std::vector<std::string> notes;                    // said in the report's assumptions

    bool applies_to(const WeightFormat& quant_format) const { return quant_format.name == weight_format.name; }
};

// Reads `model.weights` ({format, quant?, tensors: [[name, type, shape], ...],
// file_bytes?, parts?, parts_total?, tensors_total?}) against the model's
// architecture. GGUF rows give the ggml type name and ne (row length first);
// safetensors rows the dtype and the shape outermost first, as each file
// stores them. Errors name `field` (e.g. "model.weights.tensors[3]").
Result<std::shared_ptr<const WeightFile>> weight_file_from_json(const nlohmann::json& weights, const ModelArch& arch,
                                                                const std::string& field);

// Role and layer of a tensor from its GGUF name (blk.N.attn_q.weight) or its
// Hugging Face name (model.layers.N.self_attn.q_proj.weight).
TensorRole role_from_gguf_name(const std::string& name, std::uint32_t n_dims, std::int32_t& layer);
TensorRole role_from_hf_name(const std::string& name, std::uint32_t n_dims, std::int32_t& layer);

// GGUF ggml type by its name ("Q4_K", "F32", ...); false when unknown.
bool ggml_type_from_name(const std::string& name, GgmlType& out);

}  // namespace headroom
