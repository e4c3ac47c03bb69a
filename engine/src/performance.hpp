// Decode and prefill speed from bytes moved and FLOPs, with named efficiency
// constants per runtime × backend (shared/design/estimator.md §5).
#pragma once

#include <cstdint>
#include <string>

#include "architecture.hpp"
#include "hardware.hpp"
#include "kv_cache.hpp"
#include "request.hpp"
#include "weights.hpp"

namespace headroom {

// Where the weights sit and how the devices share the work.
struct Placement {
    std::uint32_t n_devices = 1;
    SplitMode split = SplitMode::layer;
    double device_read_bytes_per_token = 0.0;  // weights read from device memory per token (all devices)
    double host_read_bytes_per_token = 0.0;    // weights read from system RAM per token (offload)
    double device_routed_read_bytes_per_token = 0.0;  // routed-expert part of device_read (top-k share)
    double host_routed_read_bytes_per_token = 0.0;    // routed-expert part of host_read
    // Share of the KV cache (and recurrent state) in system RAM: llama.cpp keeps a
    // CPU layer's cache beside it, and the CPU reads it there in attention.
    double host_kv_fraction = 0.0;
    double device_weight_bytes = 0.0;          // resident on the device(s)
    double host_weight_bytes = 0.0;            // resident in system RAM
    bool weights_quantized_int = true;         // llama.cpp integer-quantized weights (MMQ path)
};

struct Efficiency {
    double bandwidth = 0.8;          // achieved / peak memory bandwidth, decode
    double compute = 0.5;            // achieved / peak matrix throughput, prefill
    double layer_overhead_s = 0.0;   // per layer per decode step (kernel launches, syncs)
    double token_overhead_s = 0.0;   // per decode step (sampling, graph launch)
    const char* source = "";         // which rows/notes the numbers came from
};

Efficiency efficiency_for(Runtime runtime, Backend backend, const Hardware& hw, const WeightFormat& format,
                          double weight_bytes);

// Peak matrix throughput (FLOP/s) of the path the runtime uses for these weights.
double prefill_peak_flops(Runtime runtime, Backend backend, const Hardware& hw, const WeightFormat& format);

struct DecodeSpeed {
    double tokens_per_s = 0.0;
    double ceiling_tokens_per_s = 0.0;   // η = 1, no overheads
    double low = 0.0, high = 0.0;        // decode_range
    std::string bound;                   // "memory", "compute", "offload", "overhead"
};

struct SpeedModel {
    const ModelArch* arch = nullptr;     // the model's fixed facts (owned by the catalog or the request)
    Hardware hw;                         // copies, so a copied SpeedModel stays valid
    RunSettings run;
    double weight_total_bytes = 0.0;     // all weights (prefill streams them per ubatch)
    double active_params = 0.0;          // parameters used per token, excluding the embedding
    double routed_active_params = 0.0;   // of which routed experts (top-k of each MoE layer)
    KvLayout kv;
    Placement placement;
};

// Decode speed with `depth` tokens already in the context.
DecodeSpeed decode_speed(const SpeedModel& m, std::uint64_t depth);
// Aggregate decode tokens/s of `batch` sequences decoding together at `depth`.
double decode_aggregate_tokens_per_s(const SpeedModel& m, std::uint64_t depth, std::uint32_t batch);
// Average decode speed generating n tokens starting at depth (what llama-bench tgN reports).
double decode_speed_average(const SpeedModel& m, std::uint64_t depth, std::uint64_t n_tokens);
// Prefill speed for a prompt of n_tokens starting at depth (tokens/s).
double prefill_speed(const SpeedModel& m, std::uint64_t n_tokens, std::uint64_t depth);

// FLOPs to decode one token at a given depth (2 × active params + attention).
double decode_flops_per_token(const ModelArch& arch, double active_params, std::uint64_t depth);

// Seconds to load the weights from disk plus runtime start-up.
double cold_start_seconds(Runtime runtime, double weight_bytes);

// Ranges from the calibration residuals: on the dev set (scripts/accuracy,
// 595 tg and 398 pp rows) the signed error pred/meas − 1 has p10 −16.7 % and
// p90 +34.4 % for decode, −21.6 % and +71.7 % for prefill. The 80 % interval
// for the measured value is therefore prediction × [1/1.344, 1/0.833] for
// decode and × [1/1.717, 1/0.784] for prefill.
constexpr double kDecodeRangeLow = 0.744;
constexpr double kDecodeRangeHigh = 1.20;
constexpr double kPrefillRangeLow = 0.582;
constexpr double kPrefillRangeHigh = 1.275;

}  // namespace headroom
