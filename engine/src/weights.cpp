// Weight bytes: Σ per-tensor storage (quant.cpp) into a breakdown, per-layer
// sums, the bytes one decoded token reads, and the predicted file size.
#include "weights.hpp"

#include <cmath>
#include <utility>

namespace headroom {
namespace {

// GGUF data alignment: every tensor's data starts on a multiple of
// general.alignment, default 32 bytes (GGUF_DEFAULT_ALIGNMENT, ggml gguf.h;
// runtime-memory.md §1.1).
constexpr double kGgufAlignment = 32.0;

// GGUF header estimate (magic, KV metadata, tensor infos, tokenizer arrays).
// Tokenizer: each token is a gguf string (8-byte length + text) plus an int32
// token type, and BPE vocabularies add a merges array of "a b" strings. For
// Llama 3 (128,256 tokens of ~7 bytes, 280,147 merges of ~12 bytes) that is
// 128256 × (8 + 7 + 4) + 280147 × (8 + 12) ≈ 8.0 MB ≈ 62 bytes per vocab entry;
// SentencePiece vocabularies (scores instead of merges) need less, so 64 B is an
// upper-side round figure. Checked against the Llama-3.1-8B F16 / Q8_0 / Q4_K_M
// Hugging Face sizes in measured_sizes.csv (16.1 / 8.54 / 4.92 GB), which the
// tensor bytes + this header reproduce to their 3 significant digits.
constexpr double kGgufHeaderBytesPerVocab = 64.0;
// Tensor info: name string (8 + ~28 chars), n_dims u32, up to 3 × u64 dims,
// type u32, offset u64 ≈ 72 bytes; rounded up.
constexpr double kGgufHeaderBytesPerTensor = 80.0;
// Fixed KV metadata (architecture keys, chat template of a few KiB, licence).
constexpr double kGgufHeaderFixedBytes = 16.0 * 1024.0;

// safetensors: an 8-byte header length, then a JSON object with one entry per
// stored tensor ({"dtype":..,"shape":[..],"data_offsets":[..]} plus its name,
// ~130 bytes). Quantized matrices are stored as several tensors (qweight,
// scales, zeros / g_idx), counted as 4 entries.
constexpr double kSafetensorsBytesPerEntry = 130.0;
constexpr double kSafetensorsEntriesPerQuantized = 4.0;
constexpr double kSafetensorsFixedBytes = 8.0 + 256.0;  // length + __metadata__

bool is_routed(const Tensor& t) {
    // Stacked routed-expert matrices, and their per-expert biases (gpt-oss).
    return t.is_routed_expert() || t.name.find("_exps.") != std::string::npos;
}

bool is_attention_role(TensorRole r) {
    switch (r) {
    case TensorRole::attn_q: case TensorRole::attn_k: case TensorRole::attn_v: case TensorRole::attn_qkv:
    case TensorRole::attn_output: case TensorRole::attn_q_a: case TensorRole::attn_q_b:
    case TensorRole::attn_kv_a_mqa: case TensorRole::attn_k_b: case TensorRole::attn_v_b:
        return true;
    default:
        return false;
    }
}

bool is_recurrent_projection(TensorRole r) {
    switch (r) {
    case TensorRole::ssm_in: case TensorRole::ssm_x: case TensorRole::ssm_dt: case TensorRole::ssm_proj:
    case TensorRole::ssm_out:
        return true;
    default:
        return false;
    }
}

}  // namespace

WeightBreakdown compute_weights(const ModelArch& arch, const TensorInventory& inventory, const WeightFormat& format) {
    return compute_weights_from_storage(arch, inventory, assign_tensor_storage(arch, inventory, format), format.is_gguf());
}

WeightBreakdown compute_weights_from_storage(const ModelArch& arch, const TensorInventory& inventory,
                                             std::vector<TensorStorage> storage, bool gguf_file) {
    WeightBreakdown w;
    w.storage = std::move(storage);
    w.layer_bytes.assign(arch.n_layer, 0.0);
    w.layer_routed_bytes.assign(arch.n_layer, 0.0);

    const double routed_share = routed_fraction_per_token(arch);
    bool has_output = false;
    double aligned = 0.0;
    double st_entries = 0.0;

    for (std::size_t i = 0; i < inventory.tensors.size() && i < w.storage.size(); ++i) {
        const Tensor& t = inventory.tensors[i];
        const double b = w.storage[i].bytes;
        w.total_bytes += b;
        aligned += std::ceil(b / kGgufAlignment) * kGgufAlignment;
        st_entries += w.storage[i].type_name == "bf16" ? 1.0 : kSafetensorsEntriesPerQuantized;

        const bool in_layer = t.layer >= 0 && static_cast<std::uint32_t>(t.layer) < arch.n_layer;
        // KDA stores its q/k/v/o under attention names in a layer without attention.
        const bool recurrent_layer =
            in_layer && arch.layers.size() > static_cast<std::size_t>(t.layer) &&
            arch.layers[static_cast<std::size_t>(t.layer)].attention == AttentionKind::none &&
            arch.layers[static_cast<std::size_t>(t.layer)].recurrent != RecurrentKind::none;

        if (t.role == TensorRole::token_embd) {
            w.token_embd_bytes += b;
        } else if (t.role == TensorRole::output) {
            w.output_bytes += b;
            has_output = true;
        } else if (is_routed(t)) {
            w.routed_expert_bytes += b;
        } else if (t.is_shared_expert()) {
            w.shared_expert_bytes += b;
        } else if (is_attention_role(t.role)) {
            (recurrent_layer ? w.recurrent_bytes : w.attention_bytes) += b;
        } else if (is_recurrent_projection(t.role) && t.n_dims >= 2) {
            w.recurrent_bytes += b;
        } else if (t.role == TensorRole::ffn_gate || t.role == TensorRole::ffn_up || t.role == TensorRole::ffn_down) {
            w.dense_ffn_bytes += b;
        } else {
            w.other_bytes += b;  // norms, biases, routers, conv1d, small SSM parameters, sinks
        }

        if (in_layer) {
            w.layer_bytes[static_cast<std::size_t>(t.layer)] += b;
            if (is_routed(t)) w.layer_routed_bytes[static_cast<std::size_t>(t.layer)] += b;
        }

        // One decoded token reads every weight once except the embedding matrix
        // (one row is gathered) and the routed experts (top-k of n_expert).
        if (t.role == TensorRole::token_embd) continue;
        w.read_per_token_bytes += is_routed(t) ? b * routed_share : b;
    }

    // Embedding: one row per token; a tied model multiplies by the whole matrix
    // as its output head, which already covers that row.
    if (has_output) {
        if (arch.n_vocab > 0) w.read_per_token_bytes += w.token_embd_bytes / double(arch.n_vocab);
    } else {
        w.read_per_token_bytes += w.token_embd_bytes;
    }

    w.bits_per_weight = inventory.params_total > 0 ? w.total_bytes * 8.0 / double(inventory.params_total) : 0.0;

    if (gguf_file) {
        w.file_bytes = aligned + kGgufHeaderFixedBytes + kGgufHeaderBytesPerVocab * double(arch.n_vocab) +
                       kGgufHeaderBytesPerTensor * double(inventory.tensors.size());
    } else {
        w.file_bytes = w.total_bytes + kSafetensorsFixedBytes + kSafetensorsBytesPerEntry * st_entries;
    }
    return w;
}

}  // namespace headroom
