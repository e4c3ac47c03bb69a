// Weight bytes of a model in a format: a breakdown with its total, the bytes
// one decoded token reads, and the predicted file size.
#pragma once

#include <vector>

#include "quant.hpp"
#include "tensors.hpp"

namespace headroom {

struct WeightBreakdown {
    double total_bytes = 0.0;          // Σ tensor bytes (what llama.cpp prints as "model size")
    double file_bytes = 0.0;           // predicted file size (GGUF: tensor data with alignment + header)
    double token_embd_bytes = 0.0;
    double output_bytes = 0.0;         // output head (0 when tied to the embedding)
    double attention_bytes = 0.0;      // attention / MLA projections
    double recurrent_bytes = 0.0;      // SSM / linear-attention projections
    double dense_ffn_bytes = 0.0;
    double routed_expert_bytes = 0.0;
    double shared_expert_bytes = 0.0;
    double other_bytes = 0.0;          // norms, biases, router, small SSM params
    std::vector<double> layer_bytes;         // per layer, everything in blk.N (routed experts included)
    std::vector<double> layer_routed_bytes;  // per layer, routed experts only
    double read_per_token_bytes = 0.0; // weights read to decode one token (routed experts × k/E; one embedding row)
    double bits_per_weight = 0.0;      // total_bytes × 8 / params_total
    std::vector<TensorStorage> storage;  // per tensor, parallel to the inventory
};

WeightBreakdown compute_weights(const ModelArch& arch, const TensorInventory& inventory, const WeightFormat& format);

// The same breakdown over storage already known, e.g. read from a GGUF or
// safetensors header (weight_file.hpp); `gguf_file` picks the file-size estimate.
WeightBreakdown compute_weights_from_storage(const ModelArch& arch, const TensorInventory& inventory,
                                             std::vector<TensorStorage> storage, bool gguf_file);

}  // namespace headroom
