// Weight formats: GGML tensor types (block layouts) and llama.cpp's per-tensor
// type rules for each GGUF file type, plus the non-GGUF formats (AWQ, GPTQ,
// FP8, NVFP4, MXFP4, MLX, EXL2, BF16/F16).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "errors.hpp"
#include "tensors.hpp"

namespace headroom {

// GGML storage types (ids as in ggml/include/ggml.h).
enum class GgmlType : std::uint8_t {
    F32, F16, BF16,
    Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
    Q2_K, Q3_K, Q4_K, Q5_K, Q6_K,
    IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M, IQ4_NL, IQ4_XS,
    TQ1_0, TQ2_0, MXFP4, NVFP4,
};

struct GgmlTypeInfo {
    const char* name;
    std::uint32_t ggml_id;      // numeric id in GGUF files
    std::uint32_t block_size;   // elements per block
    std::uint32_t type_size;    // bytes per block
    bool quantized;
};

const GgmlTypeInfo& ggml_type_info(GgmlType type);
// Bytes of one row of ne0 elements (ne0 must be a multiple of the block size).
std::uint64_t ggml_row_bytes(GgmlType type, std::uint64_t ne0);
// Type from its GGUF numeric id (for the GGUF reader); false when unknown.
bool ggml_type_from_id(std::uint32_t id, GgmlType& out);

enum class FormatFamily : std::uint8_t {
    gguf,      // a llama.cpp file type (ftype) with per-tensor rules
    awq,       // W4A16, group 128
    gptq,      // W4A16, group 128
    fp8,       // e4m3 weights, per-channel/block scales
    nvfp4,     // E2M1 + FP8 scale per 16
    mlx,       // MLX affine, group 64
    exl2,      // ExLlamaV2 at a given average bpw
    float16,   // unquantized checkpoint (BF16 or F16)
};

// GGUF file types (llama_ftype) that the contract names.
enum class GgufFtype : std::uint8_t {
    Q2_K, Q3_K_S, Q3_K_M, Q3_K_L, Q4_0, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, Q8_0,
    IQ2_XXS, IQ2_XS, IQ2_M, IQ3_XXS, IQ3_M, IQ4_XS, IQ4_NL, MXFP4_MOE, F16, BF16,
};

struct WeightFormat {
    std::string name;                 // canonical request name: "Q4_K_M", "AWQ-INT4", "EXL2-4.65", ...
    FormatFamily family = FormatFamily::gguf;
    GgufFtype ftype = GgufFtype::Q4_K_M;  // when family == gguf
    double bits = 16.0;               // nominal bits of the quantized linear weights (exl2: the bpw asked for)
    bool is_gguf() const { return family == FormatFamily::gguf; }
};

// Parses a canonical quant name (case-insensitive; "Q4_K" is accepted for Q4_K_M,
// "MXFP4" for the GGUF MXFP4_MOE mix). Errors name the field "quant".
Result<WeightFormat> parse_weight_format(const std::string& name);

// Every canonical name the contract lists, in display order (low to high bits).
const std::vector<std::string>& canonical_quant_names();

// Storage chosen for one tensor.
struct TensorStorage {
    GgmlType ggml_type = GgmlType::F32;  // GGUF only; for other formats the nearest GGML analogue
    std::string type_name;               // "Q6_K", "int4-g128", "fp8", "bf16", ...
    double bytes = 0.0;
};

// Per-tensor storage for a format (parallel to inventory.tensors).
std::vector<TensorStorage> assign_tensor_storage(const ModelArch& arch, const TensorInventory& inventory,
                                                 const WeightFormat& format);

}  // namespace headroom
