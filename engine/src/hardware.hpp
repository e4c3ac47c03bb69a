// A device's datasheet facts, in base units (bytes, bytes/s, FLOP/s).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "errors.hpp"

namespace headroom {

enum class Vendor : std::uint8_t { nvidia, amd, apple, intel, cpu };

const char* vendor_name(Vendor v);

struct Hardware {
    std::string id;
    std::string name;
    Vendor vendor = Vendor::nvidia;
    std::string arch;                       // "Ada Lovelace", "RDNA 3.5", "Apple M3", ...
    std::string form_factor;                // desktop, laptop, workstation, datacenter, soc, embedded, cpu
    std::string memory_type;                // "GDDR6X", "HBM3", "LPDDR5X", ...
    double memory_bytes = 0.0;              // device memory (marketed GB are binary: × 2^30)
    double bandwidth_bytes_per_s = 0.0;     // peak memory bandwidth
    double fp16_flops = 0.0;                // dense FP16/BF16 tensor, FP32 accumulate
    double fp8_flops = 0.0;                 // 0 = not supported
    double int8_ops = 0.0;                  // dense INT8 tensor ops
    double fp4_flops = 0.0;
    double fp32_flops = 0.0;                // vector FP32
    bool unified_memory = false;            // memory shared with the CPU/OS (Apple, Strix Halo, DGX Spark, Jetson)
    double system_memory_bytes = 0.0;       // host RAM (for offload); 0 = unknown
    double system_bandwidth_bytes_per_s = 0.0;
    std::string interconnect;               // "PCIe 4.0 x16", "NVLink 4 (900 GB/s)", ...
    double interconnect_bytes_per_s = 0.0;  // per direction, for tensor-parallel sync and offload streaming
    double tdp_w = 0.0;
    int year = 0;
    double price_usd = 0.0;                 // launch price; 0 = unknown
    std::vector<std::string> aliases;
    std::vector<std::string> assumptions;   // figures estimated rather than read (e.g. missing compute)
    // A mixed multi-GPU setup (see combine_devices): the member devices, in order.
    std::vector<std::string> member_names;
    std::vector<double> member_memory_bytes;
    std::vector<std::string> member_form_factors;
};

// Several different GPUs used together with llama.cpp's layer split: layers
// are shared in proportion to each device's memory (llama.cpp's default
// tensor split follows free memory) and run one device after another, so the
// setup behaves like one device whose memory is the average (× count = the
// sum) and whose bandwidth and FLOP rates are the memory-weighted harmonic
// means of the members. Devices must share a vendor (one backend).
Result<Hardware> combine_devices(const std::vector<Hardware>& devices);

// Reads a catalog hardware entry or an inline request object. Missing compute
// figures are estimated (and said so in assumptions); missing memory or
// bandwidth is an error naming `field_prefix.memory_gb` / `.bandwidth_gbs`.
Result<Hardware> parse_hardware(const nlohmann::json& j, const std::string& field_prefix);

}  // namespace headroom
