// Grades: how good a setup is for a workload, 0–100 and A–F, from its fit
// margin, decode speed against what the workload needs, TTFT, reachable
// context and the quality cost of the quant (shared/design/estimator.md §6).
#pragma once

#include <cstdint>
#include <string>

#include "quant.hpp"
#include "setup.hpp"

namespace headroom {

// Quality of a weight format relative to the 16-bit model (0–100) and its tier name.
double quant_quality_score(const WeightFormat& format, double bits_per_weight);
const char* quant_quality_tier(double quality_score);

struct WorkloadNeeds {
    double min_tokens_per_s;   // below this it feels broken (reading speed ~5–8 t/s)
    double good_tokens_per_s;  // at or above: full marks
    double good_ttft_s;
    double bad_ttft_s;
    std::uint64_t context_tokens;  // context the workload wants
};

struct Score {
    double value = 0.0;   // 0–100
    std::string grade;    // A–F
    std::string label;    // Great, Good, Usable, Poor, Not usable / Does not run
    double speed = 0, ttft = 0, context = 0, fit = 0, quality = 0;  // components, 0–100
};

Score score_setup(Verdict verdict, double memory_used_fraction, double decode_tokens_per_s, double ttft_s,
                  std::uint64_t safe_context_tokens, double quality, const WorkloadNeeds& needs);

std::string grade_for(double score);
std::string label_for(double score, Verdict verdict);

}  // namespace headroom
