// The safetensors header reader: an 8-byte little-endian header length, then a
// JSON object naming each tensor's dtype, shape and [begin, end) byte offsets
// in the data that follows (huggingface/safetensors, docs "Format"). The file
// is treated as hostile: the header length and nesting are bounded before the
// JSON is parsed, and every tensor's offsets must match its dtype and shape.
// Also reads model.safetensors.index.json (sharded checkpoints).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "errors.hpp"

namespace headroom {

// The Rust reference implementation refuses headers over 100,000,000 bytes
// (safetensors/src/tensor.rs MAX_HEADER_SIZE); so does this reader.
constexpr std::uint64_t kSafetensorsMaxHeaderBytes = 100000000;
constexpr std::uint64_t kSafetensorsMaxTensorCount = 1u << 20;  // 1,048,576 (DeepSeek-V3 shards hold ~2,000 each)
constexpr std::uint32_t kSafetensorsMaxDims = 8;
constexpr std::uint32_t kSafetensorsMaxJsonDepth = 8;             // the format nests 3 deep
constexpr std::uint64_t kSafetensorsMaxIndexBytes = 64ull << 20;  // model.safetensors.index.json

struct SafetensorsDtype {
    const char* name;    // as the header spells it: "BF16", "F8_E4M3", ...
    std::uint32_t bits;  // storage bits per element
    bool floating;
};
// nullptr when the dtype is not one the format defines.
const SafetensorsDtype* safetensors_dtype(const std::string& name);

struct SafetensorsTensor {
    std::string name;
    std::string dtype;
    std::vector<std::uint64_t> shape;  // outermost first (PyTorch order)
    std::uint64_t begin_bytes = 0;     // relative to the data section
    std::uint64_t end_bytes = 0;
    std::uint64_t n_elements = 0;
    std::uint64_t size_bytes() const { return end_bytes - begin_bytes; }
};

struct SafetensorsHeader {
    std::uint64_t header_bytes = 0;                             // the JSON's length
    std::uint64_t data_offset_bytes = 0;                        // 8 + header_bytes
    std::uint64_t data_bytes = 0;                               // end of the last tensor
    std::uint64_t file_bytes = 0;                               // known file size, else data_offset + data_bytes
    std::vector<SafetensorsTensor> tensors;                     // in header order
    std::vector<std::pair<std::string, std::string>> metadata;  // __metadata__ (string values)
};

struct SafetensorsReadResult {
    bool ok = false;
    SafetensorsHeader header;
    Error error;
    std::uint64_t need_bytes = 0;  // > 0 only for safetensors_truncated when more of the file exists
};

// Reads the header from the first `size` bytes of a file of `file_size` bytes
// (0 = unknown). Errors (field "file"): safetensors_truncated (with need_bytes),
// safetensors_too_large, safetensors_bad_header, safetensors_bad_tensor.
SafetensorsReadResult read_safetensors_header(const std::uint8_t* data, std::uint64_t size, std::uint64_t file_size);

// model.safetensors.index.json: metadata.total_size and the weight_map.
struct SafetensorsIndex {
    std::uint64_t total_size_bytes = 0;
    bool total_size_known = false;
    std::uint64_t tensor_count = 0;
    std::vector<std::string> files;  // distinct shard names, in first-seen order
};
Result<SafetensorsIndex> read_safetensors_index(const nlohmann::json& index);

// True when the object looks like an index (has a weight_map object).
bool looks_like_safetensors_index(const nlohmann::json& j);

}  // namespace headroom
