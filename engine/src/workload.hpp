// Workload profiles (prompt / output / context) and each one's numbers on a setup.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fit.hpp"
#include "setup.hpp"

namespace headroom {

struct WorkloadProfile {
    const char* name;
    std::uint64_t prompt_tokens;   // tokens to prefill before the answer
    std::uint64_t output_tokens;   // tokens generated
    WorkloadNeeds needs;
};

const std::vector<WorkloadProfile>& workload_profiles();

struct WorkloadResult {
    std::string name;
    Score score;
    Verdict verdict = Verdict::no;
    double decode_tokens_per_s = 0.0;  // average over the answer
    double ttft_ms = 0.0;
    std::uint64_t safe_context_tokens = 0;
    bool context_enough = false;
};

WorkloadResult evaluate_workload(const Setup& setup, const WorkloadProfile& profile, double quality);

// The headline score for a mode: a weighted mean of the workload scores.
double mode_score(Mode mode, const std::vector<WorkloadResult>& results);

}  // namespace headroom
