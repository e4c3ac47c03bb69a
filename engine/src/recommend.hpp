// Guidance computed from the same model: defaults the engine picks, the
// per-quant table, what limits a setup, the best next steps, and the commands
// that run it with the flags the estimate assumed.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "request.hpp"
#include "setup.hpp"
#include "workload.hpp"

namespace headroom {

// Fills omitted settings (runtime, context, parallel sequences, KV type, flash
// attention) and checks that runtime, backend, quant and KV type go together.
// Quant stays unresolved when not given (see choose_quant).
// What each runtime loads, runs on (backends), its KV cache types, multi-GPU
// modes and defaults: the facts of catalog/runtimes.json (which cites them),
// as the "runtimes" listing shows them and resolve_settings checks requests against.
const nlohmann::json& runtime_table();

Result<bool> resolve_settings(Request& req);

// Quant names a runtime can load on this hardware, low to high bits.
std::vector<std::string> supported_quants(Runtime runtime, const Hardware& hw, const ModelArch& arch);

struct QuantRow {
    std::string quant;
    double bits_per_weight = 0.0;
    double weights_bytes = 0.0;
    double total_bytes = 0.0;      // device memory used
    double quality = 0.0;
    std::string quality_tier;
    Verdict verdict = Verdict::no;
    double score = 0.0;
    std::string grade;
    double decode_tokens_per_s = 0.0;
    bool best = false;
};

std::vector<QuantRow> quant_table(const Request& req);
// Index of the best row (fits, highest score, then quality); -1 when nothing runs.
int best_quant_index(const std::vector<QuantRow>& rows);

struct Improvement {
    std::string kind;     // "quant", "kv_cache", "flash_attention", "gpu_count", "runtime", "wired_limit", "offload"
    std::string title;
    std::string detail;
    double score_after = 0.0;
    Verdict verdict_after = Verdict::no;
};

std::vector<std::string> setup_limits(const Setup& setup, const std::vector<WorkloadResult>& workloads, double quality);
std::vector<Improvement> setup_improvements(const Request& req, const Setup& setup, double score,
                                            const std::vector<QuantRow>& quants);

struct Command {
    std::string runtime;
    std::string command;
    std::string note;
};
std::vector<Command> setup_commands(const Request& req, const Setup& setup);

}  // namespace headroom
