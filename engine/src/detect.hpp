// "This machine": from what the browser or the local tools say about the
// hardware Headroom runs on, to catalog entries with a confidence.
//
// The page gathers WebGPU adapter info, the WebGL renderer string and a few
// navigator fields; the CLI runs nvidia-smi, rocm-smi, sysctl and dmidecode and
// reads /proc/meminfo. Both hand the raw text to detect(); this file reads it.
// It does no I/O.
//
// Observations (JSON, every key optional; unknown keys are an error):
//   { "webgpu": { "vendor", "architecture", "device", "description", "is_fallback_adapter" },
//     "webgl": { "vendor", "renderer" },            // UNMASKED_VENDOR/RENDERER_WEBGL
//     "platform": "macOS",                            // navigator.userAgentData.platform or navigator.platform
//     "hardware_concurrency": 16, "device_memory_gb": 8,
//     "tools": { "nvidia_smi", "rocm_smi_product", "rocm_smi_vram", "meminfo", "dmidecode_memory", "sysctl" } }
// Tool fields hold the commands' stdout verbatim:
//   nvidia_smi        nvidia-smi --query-gpu=name,memory.total --format=csv
//   rocm_smi_product  rocm-smi --showproductname
//   rocm_smi_vram     rocm-smi --showmeminfo vram
//   meminfo           /proc/meminfo
//   dmidecode_memory  dmidecode -t 17
//   sysctl            sysctl machdep.cpu.brand_string hw.memsize hw.ncpu iogpu.wired_limit_mb
//
// The answer (see detection_to_json): confidence "exact" (one catalog entry),
// "family" (a chip whose memory size the evidence cannot tell: the choices),
// or "unknown" (suggestions, possibly none), with what was read, in words.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog.hpp"
#include "errors.hpp"

namespace headroom {

enum class DetectConfidence : std::uint8_t { exact, family, unknown };

const char* confidence_name(DetectConfidence c);

struct WebGpuInfo {
    std::string vendor;        // "nvidia", "apple", ... (GPUAdapterInfo.vendor)
    std::string architecture;  // "lovelace", "rdna-3", "common-3", ...
    std::string device;
    std::string description;
    bool fallback = false;  // GPUAdapter.isFallbackAdapter (a software adapter)
};

struct Observations {
    WebGpuInfo webgpu;
    std::string webgl_vendor;
    std::string webgl_renderer;
    std::string platform;
    std::uint32_t hardware_concurrency = 0;
    double device_memory_gb = 0;  // navigator.deviceMemory: rounded and capped by browsers
    std::string nvidia_smi;
    std::string rocm_smi_product;
    std::string rocm_smi_vram;
    std::string meminfo;
    std::string dmidecode_memory;
    std::string sysctl;
};

// Reads the observations object; a wrong type or an unknown key is an error naming it.
Result<Observations> parse_observations(const nlohmann::json& j);

// ---- readers for single sources (pure functions over the text) ----

// One GPU as a tool reports it.
struct GpuReading {
    std::string name;         // as printed, e.g. "NVIDIA GeForce RTX 4090"
    double memory_bytes = 0;  // total device memory as reported; 0 = not reported
};

std::vector<GpuReading> read_nvidia_smi(const std::string& csv);
std::vector<GpuReading> read_rocm_smi(const std::string& product, const std::string& vram);

struct SysctlReading {
    std::string cpu_brand;             // machdep.cpu.brand_string
    double memory_bytes = 0;           // hw.memsize
    std::uint32_t cpu_count = 0;       // hw.ncpu
    double gpu_wired_limit_bytes = 0;  // iogpu.wired_limit_mb (0 = the macOS default)
};

SysctlReading read_sysctl(const std::string& text);

double read_meminfo_total_bytes(const std::string& meminfo);  // MemTotal; 0 when absent

struct MemoryModules {
    std::uint32_t count = 0;  // populated modules
    double total_bytes = 0;
    std::string type;             // "DDR5", "LPDDR5", ... ("" when unknown)
    std::uint32_t speed_mts = 0;  // configured speed when given, else rated; 0 = unknown
};

MemoryModules read_dmidecode_memory(const std::string& text);

// The device name inside a WebGL renderer string or adapter description:
// "ANGLE (NVIDIA, NVIDIA GeForce RTX 4090 (0x00002684) Direct3D11 vs_5_0 ps_5_0, D3D11)"
// -> "NVIDIA GeForce RTX 4090". "" when nothing names a device.
std::string device_name_from_renderer(const std::string& renderer);

// SwiftShader, llvmpipe, lavapipe, Microsoft Basic Render Driver, ...
bool is_software_renderer(const std::string& renderer);

// ---- the mapping ----

struct DetectCandidate {
    std::string id;
    std::string name;
    double memory_bytes = 0;
    std::string label;  // "36 GB" when the choices differ only in memory, else the name
};

struct DetectEvidence {
    std::string source;  // "nvidia-smi", "rocm-smi", "sysctl", "meminfo", "dmidecode", "webgpu", "webgl", "navigator"
    std::string text;    // what it said, in words
};

struct Detection {
    DetectConfidence confidence = DetectConfidence::unknown;
    std::string hardware;                     // the catalog id, when exact
    std::uint32_t gpu_count = 1;              // identical GPUs the tools listed
    std::string device;                       // the device name read ("" when none)
    std::string vendor;                       // "nvidia", "amd", "intel", "apple" or ""
    std::string platform;                     // "windows", "mac", "linux", "chromeos", "android", "ios" or ""
    std::string question;                     // family: "Apple M3 Max — 36, 48, 64, 96 or 128 GB?"
    std::vector<DetectCandidate> candidates;  // exact: the one; family: the choices; unknown: suggestions
    double system_memory_bytes = 0;
    double gpu_memory_limit_bytes = 0;  // macOS iogpu.wired_limit_mb, when set
    std::vector<DetectEvidence> evidence;
    std::string detected;  // the evidence, in one sentence
    std::string message;   // the answer, in one sentence
};

Detection detect_hardware(const Observations& obs, const Catalog& catalog);

nlohmann::json detection_to_json(const Detection& d);

// The facade for the doors: observations JSON in, {"ok": true, ...} or
// {"ok": false, "error": {...}} out. Never throws.
nlohmann::json detect(const nlohmann::json& observations, const Catalog& catalog);
std::string detect_json(const std::string& observations_text, const Catalog& catalog);

}  // namespace headroom
