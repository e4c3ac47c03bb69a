// Workloads. Profiles are typical sessions: their prompt and output lengths
// set the depth at which decode runs and the prompt behind TTFT.
#include "workload.hpp"

#include <algorithm>
#include <cstring>

namespace headroom {

const std::vector<WorkloadProfile>& workload_profiles() {
    // Speeds: people read ~5–8 tokens/s, so 5 t/s is the floor for chat; code
    // is skimmed faster and agents loop on their own output, so they want more.
    // TTFT: chat feels instant under 1 s; agents tolerate seconds per step.
    static const std::vector<WorkloadProfile> profiles = {
        {"chat", 1024, 400, {5.0, 20.0, 1.0, 20.0, 8192}},
        {"coding", 4096, 800, {8.0, 35.0, 2.0, 30.0, 32768}},
        {"agentic coding", 24576, 1000, {10.0, 50.0, 4.0, 60.0, 65536}},
        {"reasoning", 1024, 6000, {10.0, 40.0, 2.0, 30.0, 32768}},
        {"rag", 12288, 400, {5.0, 20.0, 3.0, 45.0, 32768}},
    };
    return profiles;
}

WorkloadResult evaluate_workload(const Setup& s, const WorkloadProfile& p, double quality) {
    WorkloadResult r;
    r.name = p.name;
    r.verdict = s.verdict;
    r.safe_context_tokens = s.safe_context_tokens;
    const std::uint64_t ctx = std::max<std::uint64_t>(1, s.safe_context_tokens);
    const std::uint64_t prompt = std::min<std::uint64_t>(p.prompt_tokens, ctx);
    const std::uint64_t output = std::min<std::uint64_t>(p.output_tokens, ctx > prompt ? ctx - prompt : 1);
    r.context_enough = s.safe_context_tokens >= p.prompt_tokens + p.output_tokens;
    if (s.verdict == Verdict::no) {
        r.score = score_setup(s.verdict, 0, 0, 0, 0, quality, p.needs);
        return r;
    }
    r.decode_tokens_per_s = decode_speed_average(s.speed, prompt, output);
    const double prefill = prefill_speed(s.speed, prompt, 0);
    r.ttft_ms = 1000.0 * (double(prompt) / prefill + 1.0 / decode_speed(s.speed, prompt).tokens_per_s);
    const double used_fraction = s.usable_bytes > 0 ? s.device_used_bytes / s.usable_bytes : 1.0;
    r.score = score_setup(s.verdict, used_fraction, r.decode_tokens_per_s, r.ttft_ms / 1000.0, s.safe_context_tokens,
                          quality, p.needs);
    return r;
}

double mode_score(Mode mode, const std::vector<WorkloadResult>& results) {
    // Weights per workload (chat, coding, agentic coding, reasoning, rag).
    static const double interactive[] = {0.45, 0.25, 0.05, 0.20, 0.05};
    static const double balanced[] = {0.30, 0.25, 0.15, 0.15, 0.15};
    static const double light_api[] = {0.20, 0.25, 0.15, 0.10, 0.30};
    static const double scale_out[] = {0.20, 0.20, 0.20, 0.10, 0.30};
    const double* w = balanced;
    if (mode == Mode::interactive) w = interactive;
    if (mode == Mode::light_api) w = light_api;
    if (mode == Mode::scale_out) w = scale_out;
    double total = 0.0, weight = 0.0;
    for (std::size_t i = 0; i < results.size() && i < 5; ++i) {
        total += w[i] * results[i].score.value;
        weight += w[i];
    }
    return weight > 0 ? std::round(total / weight) : 0.0;
}

}  // namespace headroom
