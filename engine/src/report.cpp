// Report JSON (shared/design/contract.md "Report"). Byte fields are bytes;
// rates are tokens/s; times are ms.
#include "report.hpp"

#include <cmath>
#include <sstream>

#include "estimate.hpp"
#include "format.hpp"
#include "units.hpp"

namespace headroom {

using nlohmann::json;

namespace {

double round_to(double v, double step) { return std::round(v / step) * step; }

}  // namespace

json error_report(const Error& e) {
    return json{{"ok", false}, {"engine_version", kEngineVersion},
                {"error", {{"code", e.code}, {"field", e.field}, {"message", e.message}}}};
}

json build_report(const ReportParts& p) {
    const Request& req = *p.request;
    const Setup& s = *p.setup;
    const ModelEntry& m = req.model;
    json r;
    r["ok"] = true;
    r["engine_version"] = kEngineVersion;
    r["model"] = {{"id", m.id},
                  {"name", m.name},
                  {"family", m.family},
                  {"hf_repo", m.hf_repo},
                  {"model_type", m.arch.model_type},
                  {"params_total", double(s.inventory().params_total)},
                  {"params_active", double(s.inventory().params_active)},
                  {"layers", m.arch.n_layer},
                  {"context_max", m.context_max > 0 ? m.context_max : m.arch.n_ctx_train},
                  {"moe", m.arch.is_moe()}};
    if (m.params_published_total > 0) r["model"]["params_published"] = m.params_published_total;
    r["hardware"] = {{"id", s.hw.id},
                     {"name", s.hw.name},
                     {"vendor", vendor_name(s.hw.vendor)},
                     {"count", s.n_devices},
                     {"memory_bytes", s.memory_bytes},
                     {"usable_bytes", s.usable_bytes},
                     {"bandwidth_bytes_per_s", s.hw.bandwidth_bytes_per_s},
                     {"unified_memory", s.hw.unified_memory},
                     {"usable_reason", s.budget.why}};
    r["quant"] = req.run.quant.name;
    r["runtime"] = runtime_name(req.run.runtime);
    r["backend"] = backend_name(req.run.backend);
    r["context_tokens"] = s.n_ctx;
    r["kv_cache_type"] = kv_type_name(req.run.kv_type);
    r["mode"] = mode_name(req.run.mode);
    r["flash_attention"] = req.run.flash_attention;
    r["parallel_sequences"] = std::max<std::uint32_t>(1, req.run.n_parallel);

    const double compute = s.runtime.compute_bytes * s.n_devices;
    const double overhead = s.runtime.overhead_bytes * s.n_devices;
    const double weights = s.weights().total_bytes;
    const double kv = s.context.kv_bytes;
    const double state = s.context.state_bytes;
    const double total = weights + kv + state + compute + overhead;
    const double headroom = std::max(0.0, s.usable_bytes - s.device_used_bytes);
    const double offloaded = std::max(0.0, s.host_weight_bytes - (is_llama_family(req.run.runtime) ? s.weights().token_embd_bytes : 0.0)) +
                             s.host_kv_bytes;
    json per_device = json::array();
    for (const DeviceUse& d : s.per_device) {
        per_device.push_back({{"device", d.device}, {"bytes", d.bytes}, {"usable_bytes", d.usable_bytes}});
    }
    r["memory"] = {{"weights_bytes", weights},
                   {"kv_cache_bytes", kv},
                   {"state_bytes", state},
                   {"compute_bytes", compute},
                   {"runtime_overhead_bytes", overhead},
                   {"headroom_bytes", headroom},
                   {"total_bytes", total},
                   {"device_bytes", s.device_used_bytes},
                   {"offloaded_bytes", offloaded},
                   {"host_bytes", s.host_weight_bytes + s.host_kv_bytes},
                   {"file_bytes", s.weights().file_bytes},
                   {"bits_per_weight", s.weights().bits_per_weight},
                   {"per_device", per_device}};
    r["offload"] = {{"gpu_layers", s.gpu_layers},
                    {"cpu_moe_layers", s.cpu_moe_layers},
                    {"layers", m.arch.n_layer}};

    const bool runs = s.verdict != Verdict::no;
    r["performance"] = {{"decode_tokens_per_s", runs ? s.decode.tokens_per_s : 0.0},
                        {"decode_range", runs ? json::array({s.decode.low, s.decode.high}) : json::array({0.0, 0.0})},
                        {"decode_depth_tokens", kHeadlineDepthTokens},
                        {"prefill_tokens_per_s", runs ? s.prefill_tokens_per_s : 0.0},
                        {"prefill_range", runs ? json::array({s.prefill_tokens_per_s * kPrefillRangeLow, s.prefill_tokens_per_s * kPrefillRangeHigh})
                                               : json::array({0.0, 0.0})},
                        {"ttft_ms", runs ? s.ttft_ms : 0.0},
                        {"ttft_prompt_tokens", std::min<std::uint64_t>(kHeadlinePromptTokens, s.n_ctx)},
                        {"cold_start_ms", runs ? s.cold_start_ms : 0.0},
                        {"bound", runs ? s.decode.bound : std::string("memory")},
                        {"ceiling_decode_tokens_per_s", s.decode.ceiling_tokens_per_s},
                        {"max_concurrency", s.max_concurrency},
                        {"aggregate_batch", s.aggregate_batch},
                        {"aggregate_tokens_per_s", s.aggregate_tokens_per_s}};
    if (p.bench) {
        r["bench"] = {{"pp_tokens_per_s", p.bench_pp_tokens_per_s},
                      {"tg_tokens_per_s", p.bench_tg_tokens_per_s},
                      {"pp", req.run.bench.pp},
                      {"tg", req.run.bench.tg},
                      {"depth", req.run.bench.depth}};
    }
    const double used_fraction = s.usable_bytes > 0 ? s.device_used_bytes / s.usable_bytes : 0.0;
    r["fit"] = {{"verdict", verdict_name(s.verdict)},
                {"grade", p.headline.grade},
                {"score", p.headline.value},
                {"label", p.headline.label},
                {"safe_context_tokens", s.safe_context_tokens},
                {"memory_used_fraction", round_to(used_fraction, 1e-4)},
                {"quality", p.quality},
                {"quality_tier", quant_quality_tier(p.quality)}};

    json wl = json::array();
    for (const WorkloadResult& w : p.workloads) {
        wl.push_back({{"name", w.name},
                      {"grade", w.score.grade},
                      {"score", w.score.value},
                      {"verdict", verdict_name(w.verdict)},
                      {"decode_tokens_per_s", w.decode_tokens_per_s},
                      {"ttft_ms", w.ttft_ms},
                      {"safe_context_tokens", w.safe_context_tokens},
                      {"context_enough", w.context_enough}});
    }
    r["workloads"] = wl;

    json qs = json::array();
    for (const QuantRow& q : p.quants) {
        qs.push_back({{"quant", q.quant},
                      {"bits_per_weight", round_to(q.bits_per_weight, 0.01)},
                      {"weights_bytes", q.weights_bytes},
                      {"total_bytes", q.total_bytes},
                      {"quality", q.quality_tier},
                      {"quality_score", q.quality},
                      {"verdict", verdict_name(q.verdict)},
                      {"score", q.score},
                      {"grade", q.grade},
                      {"decode_tokens_per_s", q.decode_tokens_per_s},
                      {"best", q.best}});
    }
    r["quantizations"] = qs;
    r["limits"] = p.limits;
    json imp = json::array(), imp_detail = json::array();
    for (const Improvement& i : p.improvements) {
        imp.push_back(i.detail);
        imp_detail.push_back({{"kind", i.kind}, {"title", i.title}, {"detail", i.detail}, {"verdict_after", verdict_name(i.verdict_after)}});
    }
    r["improvements"] = imp;
    r["improvement_details"] = imp_detail;
    json cmds = json::array();
    for (const Command& c : p.commands) {
        json o = {{"runtime", c.runtime}, {"command", c.command}};
        if (!c.note.empty()) o["note"] = c.note;
        cmds.push_back(o);
    }
    r["commands"] = cmds;
    r["assumptions"] = p.assumptions;
    return r;
}

bool all_numbers_finite(const json& j) {
    if (j.is_number_float()) return std::isfinite(j.get<double>());
    if (j.is_array() || j.is_object()) {
        for (const auto& v : j) {
            if (!all_numbers_finite(v)) return false;
        }
    }
    return true;
}

std::string render_report_text(const json& r) {
    std::ostringstream o;
    if (!r.value("ok", false)) {
        const json& e = r["error"];
        o << "error [" << e.value("code", "") << "]";
        if (!e.value("field", std::string()).empty()) o << " (" << e.value("field", "") << ")";
        o << ": " << e.value("message", "") << "\n";
        return o.str();
    }
    const json& m = r["memory"];
    const json& f = r["fit"];
    const json& perf = r["performance"];
    const std::string verdict = f["verdict"];
    std::string headline = verdict == "fits" ? "Yes" : verdict == "tight" ? "Yes — tight fit" : verdict == "offload" ? "Only with offload" : "No";
    const int count = r["hardware"]["count"];
    const std::string hw_name = r["hardware"]["name"].get<std::string>();
    const bool mixed = hw_name.find(" + ") != std::string::npos;
    o << "Can " << r["model"]["name"].get<std::string>() << " run on " << (count > 1 && !mixed ? std::to_string(count) + " × " : "")
      << hw_name << "?\n\n";
    o << headline << " — grade " << f["grade"].get<std::string>() << " " << f["score"].get<double>() << " ("
      << f["label"].get<std::string>() << ")\n";
    o << "Needs " << format_bytes(m["device_bytes"]) << " of " << format_bytes(r["hardware"]["usable_bytes"]) << " usable ("
      << format_percent(f["memory_used_fraction"]) << ") with " << r["quant"].get<std::string>() << " on "
      << r["runtime"].get<std::string>() << "; expect " << format_rate(perf["decode_tokens_per_s"]) << ".\n\n";
    o << "Key figures\n";
    o << "  decode        " << format_rate(perf["decode_tokens_per_s"]) << "  (range " << format_rate(perf["decode_range"][0])
      << " – " << format_rate(perf["decode_range"][1]) << ", ceiling " << format_rate(perf["ceiling_decode_tokens_per_s"]) << ")\n";
    o << "  prefill       " << format_rate(perf["prefill_tokens_per_s"]) << "\n";
    if (perf["aggregate_batch"].get<int>() > 1) {
        o << "  serving       " << format_rate(perf["aggregate_tokens_per_s"]) << " aggregate over " << perf["aggregate_batch"].get<int>()
          << " sequences (room for " << perf["max_concurrency"].get<int>() << ")\n";
    }
    o << "  TTFT          " << format_seconds(perf["ttft_ms"].get<double>() / 1000.0) << "  (" << perf["ttft_prompt_tokens"].get<std::uint64_t>()
      << "-token prompt; cold start " << format_seconds(perf["cold_start_ms"].get<double>() / 1000.0) << ")\n";
    o << "  safe context  " << format_tokens(f["safe_context_tokens"]) << " tokens (model max "
      << format_tokens(r["model"]["context_max"]) << ")\n";
    o << "  context       " << r["context_tokens"].get<std::uint64_t>() << " tokens, KV " << r["kv_cache_type"].get<std::string>()
      << ", mode " << r["mode"].get<std::string>() << "\n\n";
    o << "Memory\n";
    o << "  weights       " << format_bytes(m["weights_bytes"]) << "  (" << format_number(m["bits_per_weight"], 2) << " bits/weight)\n";
    o << "  KV cache      " << format_bytes(m["kv_cache_bytes"]) << "\n";
    if (m["state_bytes"].get<double>() > 0) o << "  state         " << format_bytes(m["state_bytes"]) << "\n";
    o << "  compute       " << format_bytes(m["compute_bytes"]) << "\n";
    o << "  runtime       " << format_bytes(m["runtime_overhead_bytes"]) << "\n";
    if (m["offloaded_bytes"].get<double>() > 0) o << "  in system RAM " << format_bytes(m["offloaded_bytes"]) << "\n";
    o << "  headroom      " << format_bytes(m["headroom_bytes"]) << "\n\n";
    o << "What limits this setup\n";
    for (const auto& l : r["limits"]) o << "  - " << l.get<std::string>() << "\n";
    if (!r["improvements"].empty()) {
        o << "\nBest improvements\n";
        for (const auto& l : r["improvements"]) o << "  - " << l.get<std::string>() << "\n";
    }
    o << "\nWorkloads\n";
    for (const auto& w : r["workloads"]) {
        char line[200];
        std::snprintf(line, sizeof line, "  %-15s %s %3.0f  %12s  TTFT %9s  context %s\n", w["name"].get<std::string>().c_str(),
                      w["grade"].get<std::string>().c_str(), w["score"].get<double>(),
                      format_rate(w["decode_tokens_per_s"]).c_str(), format_seconds(w["ttft_ms"].get<double>() / 1000.0).c_str(),
                      format_tokens(w["safe_context_tokens"]).c_str());
        o << line;
    }
    o << "\nQuantizations\n";
    for (const auto& q : r["quantizations"]) {
        char line[220];
        std::snprintf(line, sizeof line, "  %-10s %5.2f bpw  %10s  %-9s %-8s %s %3.0f%s\n", q["quant"].get<std::string>().c_str(),
                      q["bits_per_weight"].get<double>(), format_bytes(q["total_bytes"]).c_str(),
                      q["quality"].get<std::string>().c_str(), q["verdict"].get<std::string>().c_str(),
                      q["grade"].get<std::string>().c_str(), q["score"].get<double>(), q["best"].get<bool>() ? "  <- best" : "");
        o << line;
    }
    o << "\nCommands\n";
    for (const auto& c : r["commands"]) {
        o << "  [" << c["runtime"].get<std::string>() << "] " << c["command"].get<std::string>() << "\n";
        if (c.contains("note")) o << "      " << c["note"].get<std::string>() << "\n";
    }
    if (r.contains("bench")) {
        o << "\nllama-bench estimate: pp" << r["bench"]["pp"].get<std::uint32_t>() << " " << format_rate(r["bench"]["pp_tokens_per_s"])
          << ", tg" << r["bench"]["tg"].get<std::uint32_t>() << " " << format_rate(r["bench"]["tg_tokens_per_s"]) << "\n";
    }
    if (!r["assumptions"].empty()) {
        o << "\nAssumptions\n";
        for (const auto& a : r["assumptions"]) o << "  - " << a.get<std::string>() << "\n";
    }
    return o.str();
}

}  // namespace headroom
