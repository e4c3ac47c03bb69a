// Bringing your own model: a Hugging Face config.json, a GGUF file (or the
// parts of a split one), safetensors headers and model.safetensors.index.json,
// turned into the `model` object of an estimate request. The CLI (`headroom
// inspect`, `--model FILE`) and the WASM module (`inspect(bytes)`) call the
// same two functions: inspect each file, then combine what was inspected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "gguf.hpp"

namespace headroom {

// Reads only what a header needs from the first bytes of a file: the GGUF
// tensor table or the safetensors header (several MiB for a large vocabulary).
constexpr std::uint64_t kInspectFirstReadBytes = 4ull << 20;

// Inspects one file from its first `size` bytes (`file_size` = its full size,
// 0 when unknown). Returns {"ok": true, "kind", "file", "summary", "model",
// "notes"} or an error object; a GGUF or safetensors prefix that ends too early
// comes back as code gguf_truncated / safetensors_truncated with "need_bytes"
// (read at least that many bytes from the start and call again).
nlohmann::json inspect_model_file(const std::uint8_t* data, std::uint64_t size, std::uint64_t file_size,
                                  const std::string& file_name);

// Combines inspected files into one request `model` object: a config.json, a
// GGUF (all or some parts of a split one), safetensors shards with their
// config.json (and index). Returns {"ok": true, "kind", "model", "summary",
// "notes"} or an error object naming what is missing.
nlohmann::json combine_model_files(const nlohmann::json& inspected);

// GGUF metadata (general.architecture + <arch>.* keys) and tensor table ->
// the config.json form import_hf_config reads. Errors: gguf_missing_metadata,
// gguf_bad_metadata. `all_tensors`: false for a split GGUF with parts missing
// (layer kinds that depend on tensors absent from the parts given are guessed).
Result<nlohmann::json> gguf_to_hf_config(const GgufHeader& header, std::vector<std::string>& notes,
                                         bool all_tensors = true);

// llama_ftype name for general.file_type (llama.h), in the engine's spelling
// ("Q4_K_M", "MXFP4"); empty when unknown.
std::string gguf_file_type_name(std::uint64_t file_type);

}  // namespace headroom
