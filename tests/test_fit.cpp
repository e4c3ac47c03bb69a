// Grades and scores: each boundary just under, at and over.
#include <catch2/catch.hpp>

#include "fit.hpp"

using namespace headroom;

TEST_CASE("Grade boundaries", "[fit]") {
    CHECK(grade_for(79.9) == "B");
    CHECK(grade_for(80.0) == "A");
    CHECK(grade_for(80.1) == "A");
    CHECK(grade_for(64.9) == "C");
    CHECK(grade_for(65.0) == "B");
    CHECK(grade_for(49.9) == "D");
    CHECK(grade_for(50.0) == "C");
    CHECK(grade_for(34.9) == "F");
    CHECK(grade_for(35.0) == "D");
    CHECK(label_for(90, Verdict::no) == "Does not run");
    CHECK(label_for(90, Verdict::fits) == "Great");
}

TEST_CASE("A setup that does not run scores F 0", "[fit]") {
    const WorkloadNeeds needs{5, 20, 1, 20, 8192};
    const Score s = score_setup(Verdict::no, 1.2, 100, 0.1, 100000, 100, needs);
    CHECK(s.value == 0);
    CHECK(s.grade == "F");
}

TEST_CASE("Score components", "[fit]") {
    const WorkloadNeeds needs{5, 20, 1, 20, 8192};
    // Everything at or beyond 'good': 0.35·100 + 0.15·100 + 0.15·100 + 0.15·100 + 0.20·100 = 100.
    CHECK(score_setup(Verdict::fits, 0.5, 20, 1.0, 8192, 100, needs).value == 100);
    // Decode exactly at the floor (5 t/s) gives 40 speed points: 0.35·40 = 14 instead of 35 -> 79.
    CHECK(score_setup(Verdict::fits, 0.5, 5, 1.0, 8192, 100, needs).value == 79);
    // Just under the floor (4.9 t/s): speed 40 × 4.9 / 5 = 39.2 -> 0.35 × 39.2 = 13.72 -> 78.72,
    // but slower than the workload's minimum caps the score at 49 (grade D).
    const Score slow = score_setup(Verdict::fits, 0.5, 4.9, 1.0, 8192, 100, needs);
    CHECK(slow.value == 49);
    CHECK(slow.grade == "D");
    // Far below it, the weighted sum is under the cap and stands: speed 40 × 1 / 5 = 8 -> 2.8
    // + 15 + 15 + 15 + 20 = 67.8, capped at 49; with half the quality (50): 2.8 + 45 + 10 = 57.8
    // -> 49; with context 512 of 8192 too (sqrt(1/16) = 25 -> 3.75): 2.8 + 15 + 3.75 + 15 + 10 = 46.55 -> 47.
    CHECK(score_setup(Verdict::fits, 0.5, 1, 1.0, 512, 50, needs).value == 47);
    // Half the needed context: sqrt(0.5) = 0.7071 -> 70.7 × 0.15 = 10.6 instead of 15 -> 95.6 -> 96.
    CHECK(score_setup(Verdict::fits, 0.5, 20, 1.0, 4096, 100, needs).value == 96);
    // Tight at 95 % used: fit 100 − 0.5 × 30 = 85 -> 0.15 × 85 = 12.75 -> 97.75 -> 98.
    CHECK(score_setup(Verdict::tight, 0.95, 20, 1.0, 8192, 100, needs).value == 98);
    // Offload: fit 45 -> 0.15 × 45 = 6.75 -> 91.75 -> 92.
    CHECK(score_setup(Verdict::offload, 0.95, 20, 1.0, 8192, 100, needs).value == 92);
}

TEST_CASE("Quant quality follows effective bits", "[fit]") {
    WeightFormat q;
    q.family = FormatFamily::gguf;
    q.ftype = GgufFtype::Q4_K_M;
    // 4.89 bpw: 85 + 0.89 × 8 = 92.12.
    CHECK(quant_quality_score(q, 4.89) == Approx(92.12));
    CHECK(quant_quality_score(q, 8.5) == 100.0);
    CHECK(quant_quality_score(q, 2.0) == 40.0);
    CHECK(std::string(quant_quality_tier(92.12)) == "high");
    CHECK(std::string(quant_quality_tier(100)) == "maximum");
}
