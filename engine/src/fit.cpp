// Scoring. Every threshold is a named constant; the tests pin each grade
// boundary just under, at and over.
#include "fit.hpp"

#include <algorithm>
#include <cmath>

namespace headroom {
namespace {

// Weights of the score components (sum 1).
constexpr double kWeightSpeed = 0.35;
constexpr double kWeightTtft = 0.15;
constexpr double kWeightContext = 0.15;
constexpr double kWeightFit = 0.15;
constexpr double kWeightQuality = 0.20;

// Fit component by verdict: comfortable, tight (scaled by how full), offload.
constexpr double kFitScoreFits = 100.0;
constexpr double kFitScoreTightAtFull = 70.0;   // 100 % used
constexpr double kFitScoreOffload = 45.0;

// Grade boundaries.
constexpr double kGradeA = 80.0;
constexpr double kGradeB = 65.0;
constexpr double kGradeC = 50.0;
constexpr double kGradeD = 35.0;
// The highest score (grade D) a setup slower than its workload's minimum decode speed gets.
constexpr double kScoreCapTooSlow = kGradeC - 1.0;

double clamp01(double x) { return std::min(1.0, std::max(0.0, x)); }

// 0 at or below `bad`, 100 at or above `good`, logarithmic in between
// (perceived speed is roughly logarithmic).
double log_scale_up(double value, double bad, double good) {
    if (value <= 0) return 0.0;
    if (value >= good) return 100.0;
    if (value <= bad) return 40.0 * value / bad;  // below the floor: falls to 0 linearly
    return 40.0 + 60.0 * std::log(value / bad) / std::log(good / bad);
}

}  // namespace

double quant_quality_score(const WeightFormat& format, double bits_per_weight) {
    // Quality relative to 16-bit, from published perplexity/KLD studies of
    // llama.cpp quants (quantize.cpp's ppl table for Llama-3-8B: Q8_0 +0.0004,
    // Q6_K +0.0044, Q5_K_M +0.0122, Q4_K_M +0.0535, Q3_K_M +0.2437, Q2_K +0.8698
    // ppl) mapped onto 0–100 by effective bits: ≥ 8 bits ≈ lossless, 4.5–5 bits
    // good, < 3 bits noticeably worse. Non-GGUF formats use the same curve on
    // their effective bits, with FP8/NVFP4 and AWQ/GPTQ at their measured class.
    double bits = bits_per_weight;
    if (format.family == FormatFamily::fp8) bits = 8.0;
    if (format.family == FormatFamily::float16) bits = 16.0;
    if (format.is_gguf() && (format.ftype == GgufFtype::F16 || format.ftype == GgufFtype::BF16)) bits = 16.0;
    // i-quants and K-quants beat legacy quants of the same size (importance matrix, non-linear grids).
    if (bits >= 8.0) return 100.0;
    if (bits >= 6.0) return 97.0 + (bits - 6.0) * 1.5;
    if (bits >= 5.0) return 93.0 + (bits - 5.0) * 4.0;
    if (bits >= 4.0) return 85.0 + (bits - 4.0) * 8.0;
    if (bits >= 3.0) return 68.0 + (bits - 3.0) * 17.0;
    if (bits >= 2.0) return 40.0 + (bits - 2.0) * 28.0;
    return 20.0;
}

const char* quant_quality_tier(double q) {
    if (q >= 99.0) return "maximum";
    if (q >= 95.0) return "very high";
    if (q >= 90.0) return "high";
    if (q >= 82.0) return "medium";
    if (q >= 65.0) return "low";
    return "very low";
}

std::string grade_for(double score) {
    if (score >= kGradeA) return "A";
    if (score >= kGradeB) return "B";
    if (score >= kGradeC) return "C";
    if (score >= kGradeD) return "D";
    return "F";
}

std::string label_for(double score, Verdict verdict) {
    if (verdict == Verdict::no) return "Does not run";
    if (score >= kGradeA) return "Great";
    if (score >= kGradeB) return "Good";
    if (score >= kGradeC) return "Usable";
    if (score >= kGradeD) return "Poor";
    return "Not usable";
}

Score score_setup(Verdict verdict, double used_fraction, double decode_tps, double ttft_s,
                  std::uint64_t safe_ctx, double quality, const WorkloadNeeds& needs) {
    Score s;
    if (verdict == Verdict::no) {
        s.grade = "F";
        s.label = label_for(0, verdict);
        return s;
    }
    s.speed = log_scale_up(decode_tps, needs.min_tokens_per_s, needs.good_tokens_per_s);
    // TTFT: full marks at or below good, 0 at or beyond bad, logarithmic between.
    if (ttft_s <= needs.good_ttft_s) s.ttft = 100.0;
    else if (ttft_s >= needs.bad_ttft_s) s.ttft = 0.0;
    else s.ttft = 100.0 * (1.0 - std::log(ttft_s / needs.good_ttft_s) / std::log(needs.bad_ttft_s / needs.good_ttft_s));
    s.context = 100.0 * std::sqrt(clamp01(double(safe_ctx) / double(std::max<std::uint64_t>(1, needs.context_tokens))));
    switch (verdict) {
    case Verdict::fits: s.fit = kFitScoreFits; break;
    case Verdict::tight: {
        // 90 % used -> 100, 100 % used -> 70.
        const double over = clamp01((used_fraction - 0.9) / 0.1);
        s.fit = kFitScoreFits - over * (kFitScoreFits - kFitScoreTightAtFull);
        break;
    }
    case Verdict::offload: s.fit = kFitScoreOffload; break;
    case Verdict::no: s.fit = 0; break;
    }
    s.quality = quality;
    s.value = kWeightSpeed * s.speed + kWeightTtft * s.ttft + kWeightContext * s.context + kWeightFit * s.fit +
              kWeightQuality * s.quality;
    // Slower than the least the workload needs (below reading speed for chat): at
    // best "Poor", however well the rest scores; the weighted sum alone gave a
    // grade B to a 70B model at 7 tokens/s for coding (needs 8).
    if (decode_tps < needs.min_tokens_per_s) s.value = std::min(s.value, kScoreCapTooSlow);
    s.value = std::round(std::min(100.0, std::max(0.0, s.value)));
    s.grade = grade_for(s.value);
    s.label = label_for(s.value, verdict);
    return s;
}

}  // namespace headroom
