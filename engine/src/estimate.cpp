// The facade: request JSON in, report JSON out. Never throws.
#include "estimate.hpp"

#include <algorithm>
#include <exception>

#include "fit.hpp"
#include "recommend.hpp"
#include "report.hpp"
#include "request.hpp"
#include "setup.hpp"
#include "workload.hpp"

namespace headroom {

using nlohmann::json;

namespace {

// `full`: the whole report; otherwise only what a ranked list shows (no quant
// table when the quant is given, no improvements or commands).
json estimate_unchecked(const json& request, const Catalog& catalog, bool full) {
    auto parsed = parse_request(request, catalog);
    if (!parsed) return error_report(parsed.error());
    Request req = std::move(*parsed);
    if (auto ok = resolve_settings(req); !ok) return error_report(ok.error());
    req.inventory = std::make_shared<const TensorInventory>(build_tensor_inventory(req.model.arch));

    std::vector<QuantRow> quants;
    if (!req.run.quant_given) {
        quants = quant_table(req);
        const int best = best_quant_index(quants);
        const std::string pick = best >= 0 ? quants[static_cast<std::size_t>(best)].quant : quants.front().quant;
        req.run.quant = *parse_weight_format(pick);
        req.assumptions.push_back("quant not given; " + pick +
                                  (best >= 0 ? " has the best grade that runs" : " is the smallest, and nothing runs"));
    }
    const Setup s = evaluate_setup(req.model, req.hardware, req.run, req.inventory);
    if (quants.empty() && full) quants = quant_table(req);

    ReportParts parts;
    parts.request = &req;
    parts.setup = &s;
    parts.quality = quant_quality_score(req.run.quant, s.weights.bits_per_weight);
    for (const WorkloadProfile& p : workload_profiles()) parts.workloads.push_back(evaluate_workload(s, p, parts.quality));
    const double score = s.verdict == Verdict::no ? 0.0 : mode_score(req.run.mode, parts.workloads);
    parts.headline.value = score;
    parts.headline.grade = grade_for(score);
    parts.headline.label = label_for(score, s.verdict);
    parts.quants = quants;
    parts.limits = setup_limits(s, parts.workloads, parts.quality);
    if (full) {
        parts.improvements = setup_improvements(req, s, score, quants);
        parts.commands = setup_commands(req, s);
    }
    parts.assumptions = req.assumptions;
    for (const std::string& a : req.hardware.assumptions) parts.assumptions.push_back(a);
    for (const std::string& a : s.assumptions) parts.assumptions.push_back(a);
    for (const std::string& a : s.runtime.notes) parts.assumptions.push_back(a);
    for (const std::string& a : req.model.arch.notes) parts.assumptions.push_back(a);
    if (req.run.bench.present) {
        parts.bench = true;
        parts.bench_pp_tokens_per_s = req.run.bench.pp > 0 ? prefill_speed(s.speed, req.run.bench.pp, req.run.bench.depth) : 0.0;
        parts.bench_tg_tokens_per_s = req.run.bench.tg > 0 ? decode_speed_average(s.speed, req.run.bench.depth, req.run.bench.tg) : 0.0;
    }
    json report = build_report(parts);
    if (!all_numbers_finite(report)) {
        return error_report(make_error("internal_error", "", "the estimate produced a non-finite number; please report this request"));
    }
    return report;
}

}  // namespace

json estimate(const json& request, const Catalog& catalog) {
    try {
        return estimate_unchecked(request, catalog, true);
    } catch (const std::exception& e) {
        return error_report(make_error("internal_error", "", std::string("internal error: ") + e.what()));
    } catch (...) {
        return error_report(make_error("internal_error", "", "internal error"));
    }
}

std::string estimate_json(const std::string& request_text, const Catalog& catalog) {
    try {
        json request = json::parse(request_text, nullptr, false);
        if (request.is_discarded()) {
            return error_report(make_error("invalid_json", "", "the request is not valid JSON")).dump();
        }
        return estimate(request, catalog).dump();
    } catch (...) {
        return error_report(make_error("internal_error", "", "internal error")).dump();
    }
}

json catalog_listing(const Catalog& catalog, const std::string& kind) {
    try {
        json out;
        out["ok"] = true;
        out["kind"] = kind;
        json items = json::array();
        if (kind == "models") {
            for (const ModelEntry& m : catalog.models) {
                items.push_back({{"id", m.id}, {"name", m.name}, {"family", m.family}, {"hf_repo", m.hf_repo},
                                 {"aliases", m.aliases}, {"context_max", m.context_max}, {"model_type", m.arch.model_type},
                                 {"moe", m.arch.is_moe()}, {"params_published", m.params_published_total},
                                 {"license", m.license}, {"release_date", m.release_date}});
            }
        } else if (kind == "hardware") {
            for (const Hardware& h : catalog.hardware) {
                items.push_back({{"id", h.id}, {"name", h.name}, {"vendor", vendor_name(h.vendor)}, {"arch", h.arch},
                                 {"form_factor", h.form_factor}, {"memory_bytes", h.memory_bytes},
                                 {"bandwidth_bytes_per_s", h.bandwidth_bytes_per_s}, {"unified_memory", h.unified_memory},
                                 {"aliases", h.aliases}, {"price_usd", h.price_usd}, {"year", h.year}});
            }
        } else if (kind == "quants") {
            for (const std::string& q : canonical_quant_names()) {
                const WeightFormat f = *parse_weight_format(q);
                items.push_back({{"quant", q}, {"gguf", f.is_gguf()}});
            }
        } else if (kind == "runtimes") {
            for (const std::string& r : runtime_names()) items.push_back({{"runtime", r}});
        } else {
            return error_report(make_error("unknown_catalog_kind", "kind",
                                           "catalog kind '" + kind + "' is not one of models, hardware, quants, runtimes"));
        }
        out["items"] = items;
        return out;
    } catch (...) {
        return error_report(make_error("internal_error", "", "internal error"));
    }
}

namespace {

json compact(const json& report) {
    json c = {{"ok", report.value("ok", false)}};
    if (!c["ok"].get<bool>()) {
        c["error"] = report["error"];
        return c;
    }
    c["model"] = report["model"]["id"];
    c["model_name"] = report["model"]["name"];
    c["hardware"] = report["hardware"]["id"];
    c["hardware_name"] = report["hardware"]["name"];
    c["count"] = report["hardware"]["count"];
    c["quant"] = report["quant"];
    c["runtime"] = report["runtime"];
    c["verdict"] = report["fit"]["verdict"];
    c["grade"] = report["fit"]["grade"];
    c["score"] = report["fit"]["score"];
    c["decode_tokens_per_s"] = report["performance"]["decode_tokens_per_s"];
    c["ttft_ms"] = report["performance"]["ttft_ms"];
    c["safe_context_tokens"] = report["fit"]["safe_context_tokens"];
    c["total_bytes"] = report["memory"]["device_bytes"];
    c["usable_bytes"] = report["hardware"]["usable_bytes"];
    c["params_total"] = report["model"]["params_total"];
    return c;
}

bool better(const json& a, const json& b) {
    auto cls = [](const json& r) {
        const std::string v = r.value("verdict", "no");
        return v == "fits" ? 3 : v == "tight" ? 2 : v == "offload" ? 1 : 0;
    };
    if (a["score"].get<double>() != b["score"].get<double>()) return a["score"].get<double>() > b["score"].get<double>();
    if (cls(a) != cls(b)) return cls(a) > cls(b);
    return a["decode_tokens_per_s"].get<double>() > b["decode_tokens_per_s"].get<double>();
}

json rank(const json& base, const Catalog& catalog, bool over_models) {
    json out = {{"ok", true}};
    json items = json::array();
    const std::size_t n = over_models ? catalog.models.size() : catalog.hardware.size();
    for (std::size_t i = 0; i < n; ++i) {
        json req = base;
        if (over_models) req["model"] = catalog.models[i].id;
        else req["hardware"] = catalog.hardware[i].id;
        json r;
        try {
            r = estimate_unchecked(req, catalog, false);
        } catch (...) {
            continue;
        }
        if (!r.value("ok", false)) continue;
        json c = compact(r);
        if (c["verdict"] == "no") continue;
        items.push_back(c);
    }
    std::stable_sort(items.begin(), items.end(), better);
    out["items"] = items;
    return out;
}

}  // namespace

json rank_models_for_hardware(const json& request, const Catalog& catalog) {
    try {
        if (!request.is_object() || !request.contains("hardware")) {
            return error_report(make_error("missing_field", "hardware", "rank by hardware needs a hardware id or object"));
        }
        return rank(request, catalog, true);
    } catch (...) {
        return error_report(make_error("internal_error", "", "internal error"));
    }
}

json rank_hardware_for_model(const json& request, const Catalog& catalog) {
    try {
        if (!request.is_object() || !request.contains("model")) {
            return error_report(make_error("missing_field", "model", "rank by model needs a model id or object"));
        }
        return rank(request, catalog, false);
    } catch (...) {
        return error_report(make_error("internal_error", "", "internal error"));
    }
}

}  // namespace headroom
