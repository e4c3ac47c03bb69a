// What each runtime allocates beyond weights and context: compute buffers,
// CUDA/Metal context, vLLM's utilisation budget; and how much of a device's
// memory the runtime can really use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "architecture.hpp"
#include "hardware.hpp"
#include "kv_cache.hpp"
#include "request.hpp"
#include "weights.hpp"

namespace headroom {

struct DeviceBudget {
    double memory_bytes = 0.0;   // physical device memory (marketed GB are binary: 24 GB = 24 GiB)
    double usable_bytes = 0.0;   // what the runtime can allocate on it
    std::string why;             // one line: what was subtracted and why
};

DeviceBudget device_budget(const Hardware& hw, Runtime runtime);

// An AMD APU (Strix Halo / Ryzen AI Max): its GPU maps system RAM through GTT,
// capped by Linux's TTM page limit (device_budget; recommend.cpp's improvement).
bool is_amd_apu(const Hardware& hw);

// Fraction of the device a paged server may use (vLLM gpu_memory_utilization,
// SGLang mem_fraction_static, TensorRT-LLM free-memory fraction).
double paged_server_memory_fraction(Runtime runtime);

// vLLM's default max_num_batched_tokens for the API server (arg_utils.get_batch_defaults).
std::uint32_t paged_server_batched_tokens(const Hardware& hw);

// The KV layout a runtime uses for n_ctx tokens (per-sequence context × sequences).
KvLayout kv_layout_for(const RunSettings& run, std::uint64_t n_ctx);

struct RuntimeMemory {
    double compute_bytes = 0.0;    // compute buffers / activation peak, on the device(s)
    double overhead_bytes = 0.0;   // CUDA/Metal context, cuBLAS workspace, CUDA graphs, allocator pools
    double host_bytes = 0.0;       // host-side buffers (logits output buffer, CPU compute buffer)
    double margin_bytes = 0.0;     // memory the runtime keeps free on purpose (llama.cpp --fit margin)
    std::vector<std::string> notes;
};

// Runtime memory for one device holding n_devices' share of the model.
RuntimeMemory runtime_memory(const ModelArch& arch, const Hardware& hw, const RunSettings& run,
                             std::uint64_t n_ctx, bool holds_output);

// llama.cpp compute buffer (reserve of the worst-case graph), bytes.
double llama_compute_buffer_bytes(const ModelArch& arch, const RunSettings& run, std::uint64_t n_ctx,
                                  bool holds_output);

// The free memory llama.cpp's --fit keeps on every device (1 GiB).
double llama_fit_margin_bytes();

}  // namespace headroom
