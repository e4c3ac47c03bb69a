// Per-run settings (llama.cpp calls them cparams) and the parsed request:
// which model, which hardware, and how it is run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog.hpp"
#include "errors.hpp"
#include "quant.hpp"
#include "tensors.hpp"

namespace headroom {

enum class Runtime : std::uint8_t { llama_cpp, ollama, vllm, sglang, mlx, lmstudio, exllamav2, tensorrt_llm };
enum class Backend : std::uint8_t { cuda, rocm, metal, vulkan, sycl, cpu };
enum class Mode : std::uint8_t { interactive, balanced, light_api, scale_out };
enum class KvType : std::uint8_t { f16, bf16, fp8, q8_0, q4_0 };
enum class SplitMode : std::uint8_t { layer, tensor };

const char* runtime_name(Runtime r);
const char* backend_name(Backend b);
const char* mode_name(Mode m);
const char* kv_type_name(KvType k);
bool parse_runtime(const std::string& s, Runtime& out);
bool parse_backend(const std::string& s, Backend& out);
bool parse_mode(const std::string& s, Mode& out);
bool parse_kv_type(const std::string& s, KvType& out);
const std::vector<std::string>& runtime_names();

// llama.cpp family: GGUF files, llama.cpp memory layout.
inline bool is_llama_family(Runtime r) {
    return r == Runtime::llama_cpp || r == Runtime::ollama || r == Runtime::lmstudio;
}
// Paged-KV servers with a memory-utilisation budget.
inline bool is_paged_server(Runtime r) {
    return r == Runtime::vllm || r == Runtime::sglang || r == Runtime::tensorrt_llm;
}

struct OffloadSettings {
    enum class Kind : std::uint8_t { none, gpu_layers, cpu_moe_layers, automatic };
    Kind kind = Kind::none;
    std::uint32_t count = 0;  // gpu_layers: layers on the GPU; cpu_moe_layers: layers whose experts are in RAM
};

struct BenchSettings {
    bool present = false;
    std::uint32_t pp = 512;
    std::uint32_t tg = 128;
    std::uint32_t depth = 0;
};

struct RunSettings {
    Runtime runtime = Runtime::llama_cpp;
    bool runtime_given = false;
    WeightFormat quant;
    bool quant_given = false;
    std::uint64_t context_tokens = 0;
    bool context_given = false;
    KvType kv_type = KvType::f16;
    bool kv_given = false;
    Mode mode = Mode::balanced;
    std::uint32_t gpu_count = 1;
    SplitMode split = SplitMode::layer;
    bool split_given = false;
    Backend backend = Backend::cuda;
    bool backend_given = false;
    bool flash_attention = true;
    bool flash_attention_given = false;
    OffloadSettings offload;
    BenchSettings bench;
    std::uint32_t n_parallel = 1;   // concurrent sequences the memory is sized for
    bool concurrency_given = false;
    std::uint32_t n_ubatch = 512;   // llama.cpp physical batch (default 512)
};

struct Request {
    ModelEntry model;        // resolved catalog entry, or one built from an inline object
    Hardware hardware;       // resolved catalog entry, or inline
    RunSettings run;
    std::vector<std::string> assumptions;  // defaults the engine chose and why
    std::shared_ptr<const TensorInventory> inventory;  // built once per request, shared by every evaluation
};

// Limits the engine accepts (documented in README): larger values are errors.
constexpr std::uint64_t kMaxContextTokens = 16ull * 1024 * 1024;  // 16 Mi tokens
constexpr std::uint32_t kMaxGpuCount = 64;
constexpr std::uint32_t kMaxBenchTokens = 1u << 20;
constexpr std::uint32_t kMaxConcurrency = 4096;
// Request text (estimate_json, the CLI's batch lines, the WASM module): a
// config.json is a few KiB and nests ~4 deep, so these only refuse hostile input.
constexpr std::uint64_t kMaxRequestBytes = 1u << 20;  // 1 MiB
constexpr std::uint32_t kMaxRequestDepth = 32;         // nested arrays/objects
// A model or hardware key (id, Hugging Face repo, alias); the catalog's longest is 75.
constexpr std::uint64_t kMaxIdBytes = 256;

// Refuses request text over kMaxRequestBytes (request_too_large) or nested
// deeper than kMaxRequestDepth (request_too_deep) before it is parsed; the
// message names the limit.
Result<bool> check_request_text(const std::string& text);

// Parses and validates; chooses defaults for omitted fields except quant and
// runtime, which the estimator picks (see estimate.cpp) and says so.
Result<Request> parse_request(const nlohmann::json& j, const Catalog& catalog);

// Default backend for a device (CUDA for NVIDIA, ROCm for AMD GPUs, Metal for Apple, ...).
Backend default_backend(const Hardware& hw);

}  // namespace headroom
