// One setup: a model, in one weight format, on one or more devices, run by one
// runtime with given settings. Evaluating it yields the memory breakdown, the
// placement (offload), the verdict and the speeds. The report, the quant table
// and every improvement are built from evaluations of setups.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "catalog.hpp"
#include "kv_cache.hpp"
#include "performance.hpp"
#include "request.hpp"
#include "runtime_memory.hpp"
#include "tensors.hpp"
#include "weights.hpp"

namespace headroom {

enum class Verdict : std::uint8_t { fits, tight, offload, no };
const char* verdict_name(Verdict v);

struct DeviceUse {
    std::string device;     // "gpu0", ..., "cpu"
    double bytes = 0.0;     // what sits there
    double usable_bytes = 0.0;
};

struct Setup {
    const ModelEntry* model = nullptr;
    Hardware hw;
    RunSettings run;

    std::shared_ptr<const TensorInventory> inventory_ptr;  // shared by every evaluation of one model
    const TensorInventory& inventory() const { return *inventory_ptr; }
    std::shared_ptr<const WeightBreakdown> weights_ptr;   // shared when the caller caches it
    const WeightBreakdown& weights() const { return *weights_ptr; }

    std::uint64_t n_ctx = 0;          // context per sequence, tokens
    std::uint64_t n_ctx_alloc = 0;    // tokens the cache is allocated for (all sequences)
    KvLayout kv_layout;
    ContextMemory context;
    RuntimeMemory runtime;
    DeviceBudget budget;              // one device
    std::uint32_t n_devices = 1;

    // Placement
    std::uint32_t gpu_layers = 0;     // repeating layers on the GPU(s)
    std::uint32_t cpu_moe_layers = 0; // layers whose routed experts sit in system RAM
    bool auto_offload = false;        // llama.cpp places layers and experts itself (--fit)
    double device_weight_bytes = 0.0;
    double host_weight_bytes = 0.0;
    double host_kv_bytes = 0.0;       // KV/state of CPU layers
    double host_limit_bytes = 0.0;    // system RAM available for weights

    // Totals
    double device_used_bytes = 0.0;   // all devices together
    double usable_bytes = 0.0;        // all devices together
    double memory_bytes = 0.0;        // all devices together
    std::vector<DeviceUse> per_device;
    Verdict verdict = Verdict::no;
    bool host_too_small = false;
    std::string no_reason;            // why it does not run, when verdict == no

    // Speed
    SpeedModel speed;
    DecodeSpeed decode;               // at the headline depth
    double prefill_tokens_per_s = 0.0;
    double ttft_ms = 0.0;
    double cold_start_ms = 0.0;
    // Longest context that runs: for this placement, or (auto offload) with the
    // layers --fit would move for it.
    std::uint64_t safe_context_tokens = 0;
    // Serving: how many sequences of n_ctx fit, and their aggregate decode speed.
    std::uint32_t max_concurrency = 0;
    double aggregate_tokens_per_s = 0.0;
    std::uint32_t aggregate_batch = 1;

    std::vector<std::string> assumptions;
};

// Context depth at which the headline decode speed is quoted (a chat turn with history).
constexpr std::uint64_t kHeadlineDepthTokens = 1024;
// Prompt length behind the headline TTFT.
constexpr std::uint64_t kHeadlinePromptTokens = 1024;

// Evaluates a setup. `offload_allowed`: may plan weights into system RAM when
// the runtime supports it and the request asked for (or did not forbid) it.
// `inventory` may be passed in when several setups of one model are evaluated.
Setup evaluate_setup(const ModelEntry& model, const Hardware& hw, const RunSettings& run,
                     std::shared_ptr<const TensorInventory> inventory = nullptr,
                     std::shared_ptr<const WeightBreakdown> weights = nullptr);

// Device bytes for a context length, with the setup's placement kept (for solving safe context).
double device_bytes_for_context(const Setup& s, std::uint64_t n_ctx);

}  // namespace headroom
