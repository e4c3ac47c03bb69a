// The GGUF header reader: metadata key/values and the tensor table of a GGUF
// file (versions 2 and 3, little-endian), read from a byte span that may be
// only the file's first bytes. The file is treated as hostile: every count and
// length is bounded by a named limit and by the bytes actually present before
// anything is allocated for it, and every offset is checked with overflow-safe
// arithmetic. Format: ggml/docs/gguf.md and ggml/src/gguf.cpp (gguf_init_from_file_impl).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "errors.hpp"

namespace headroom {

// GGUF metadata value types (gguf_type in ggml/include/gguf.h).
enum class GgufValueType : std::uint32_t {
    u8 = 0,
    i8 = 1,
    u16 = 2,
    i16 = 3,
    u32 = 4,
    i32 = 5,
    f32 = 6,
    boolean = 7,
    string = 8,
    array = 9,
    u64 = 10,
    i64 = 11,
    f64 = 12,
};
const char* gguf_value_type_name(GgufValueType t);

// Limits (a real header is far below each; beyond them the file is refused as
// gguf_too_large rather than read).
constexpr std::uint64_t kGgufMaxTensorCount = 1u << 20;  // 1,048,576 tensor infos (DeepSeek-V3 has 1,025)
constexpr std::uint64_t kGgufMaxKvCount = 1u << 16;      // 65,536 metadata keys (a model has ~40)
constexpr std::uint64_t kGgufMaxKeyBytes = 1u << 16;     // 64 KiB per key name
constexpr std::uint64_t kGgufMaxStringBytes = 64ull
                                              << 20;  // 64 MiB per string (tokenizer.huggingface.json is a few MiB)
constexpr std::uint64_t kGgufMaxArrayCount =
    16ull << 20;  // 16 Mi elements per array (vocabularies are ≤ 1 Mi; merges ~0.5 Mi)
constexpr std::uint64_t kGgufMaxHeaderBytes = 1ull << 30;  // 1 GiB of header before the tensor data
constexpr std::uint32_t kGgufMaxDims = 4;                  // GGML_MAX_DIMS
// Numeric array elements kept per key (per-layer lists); longer arrays keep only their length.
constexpr std::uint64_t kGgufKeptArrayCount = 4096;
// String values kept per key, in bytes (longer strings, e.g. chat templates, keep only their length).
constexpr std::uint64_t kGgufKeptStringBytes = 4096;
// general.alignment default (GGUF_DEFAULT_ALIGNMENT, ggml/include/gguf.h).
constexpr std::uint32_t kGgufDefaultAlignment = 32;

struct GgufValue {
    GgufValueType type = GgufValueType::u32;
    // Scalars: numbers as double and, for integers, exactly as integers.
    double number = 0.0;
    std::int64_t integer = 0;
    std::uint64_t uinteger = 0;
    bool boolean = false;
    std::string text;  // strings (cut at kGgufKeptStringBytes; text_bytes is the real length)
    std::uint64_t text_bytes = 0;
    // Arrays.
    GgufValueType array_type = GgufValueType::u32;
    std::uint64_t array_count = 0;
    std::vector<double> numbers;    // numeric/bool arrays up to kGgufKeptArrayCount elements
    bool numbers_complete = false;  // every element kept

    bool is_integer() const;
    bool is_array() const { return type == GgufValueType::array; }
};

struct GgufKv {
    std::string key;
    GgufValue value;
};

struct GgufTensorInfo {
    std::string name;
    std::uint32_t n_dims = 0;
    std::uint64_t ne[kGgufMaxDims] = {1, 1, 1, 1};  // ne[0] is the row length
    std::uint32_t ggml_type_id = 0;
    std::uint64_t offset_bytes = 0;  // relative to the start of the data section
    std::uint64_t size_bytes = 0;    // ggml_nbytes for the type and shape
    std::uint64_t n_elements = 0;
};

struct GgufHeader {
    std::uint32_t version = 0;
    std::uint64_t tensor_count = 0;
    std::uint64_t kv_count = 0;
    std::vector<GgufKv> kvs;
    std::vector<GgufTensorInfo> tensors;
    std::uint32_t alignment = kGgufDefaultAlignment;
    std::uint64_t tensor_infos_end_bytes = 0;  // where the tensor table ends
    std::uint64_t data_offset_bytes = 0;       // start of the data section (aligned)
    std::uint64_t data_bytes = 0;              // end of the last tensor's data, relative to data_offset_bytes
    std::uint64_t file_bytes = 0;              // the file size when known, else data_offset + data_bytes

    const GgufValue* find(const std::string& key) const;
};

// The failure of a read: an Error (code gguf_*, field "file") and, for a
// prefix that ended too early, the total number of bytes known to be needed
// so far (a lower bound: the caller reads at least that much and tries again).
struct GgufReadError {
    Error error;
    std::uint64_t need_bytes = 0;  // > 0 only for gguf_truncated when more of the file exists
};

struct GgufReadResult {
    bool ok = false;
    GgufHeader header;
    GgufReadError failure;
};

// Reads the header from `data[0..size)`, the first `size` bytes of a file of
// `file_size` bytes (0 = unknown; then offsets are not checked against it).
// Errors: gguf_bad_magic, gguf_unsupported_version, gguf_truncated ("need more
// bytes: N" when the prefix ends before the tensor table does), gguf_too_large,
// gguf_bad_metadata, gguf_bad_tensor.
GgufReadResult read_gguf_header(const std::uint8_t* data, std::uint64_t size, std::uint64_t file_size);

// True when the bytes start with the GGUF magic.
bool looks_like_gguf(const std::uint8_t* data, std::uint64_t size);

}  // namespace headroom
