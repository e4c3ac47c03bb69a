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
    parts.quality = quant_quality_score(req.run.quant, s.weights().bits_per_weight);
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
        if (auto ok = check_request_text(request_text); !ok) return error_report(ok.error()).dump();
        json request = json::parse(request_text, nullptr, false);
        if (request.is_discarded()) {
            return error_report(make_error("invalid_json", "", "the request is not valid JSON")).dump();
        }
        return estimate(request, catalog).dump();
    } catch (...) {
        return error_report(make_error("internal_error", "", "internal error")).dump();
    }
}

namespace {


const char* format_family_name(FormatFamily f) {
    switch (f) {
        case FormatFamily::gguf:
            return "gguf";
        case FormatFamily::awq:
            return "awq";
        case FormatFamily::gptq:
            return "gptq";
        case FormatFamily::fp8:
            return "fp8";
        case FormatFamily::nvfp4:
            return "nvfp4";
        case FormatFamily::mlx:
            return "mlx";
        case FormatFamily::exl2:
            return "exl2";
        case FormatFamily::float16:
            return "float16";
    }
    return "gguf";
}

// The GGML base type of a GGUF file type: among the types whose bits per weight equal the
// format's nominal bits, the one sharing the longest name prefix ("Q4_K_M" -> Q4_K, "IQ3_M"
// -> IQ3_S, "Q5_K_S" -> Q5_K rather than Q5_0). catalog/quants.json states the same bases
// (runtime-memory.md §1.3) and the tests compare them.
const GgmlTypeInfo* gguf_base_type(const WeightFormat& f) {
    const GgmlTypeInfo* best = nullptr;
    std::size_t best_prefix = 0;
    for (int t = 0; t <= static_cast<int>(GgmlType::NVFP4); ++t) {
        const GgmlTypeInfo& info = ggml_type_info(static_cast<GgmlType>(t));
        if (8.0 * info.type_size / info.block_size != f.bits) continue;
        const std::string name = info.name;
        std::size_t prefix = 0;
        while (prefix < name.size() && prefix < f.name.size() && name[prefix] == f.name[prefix]) ++prefix;
        if (best == nullptr || prefix > best_prefix) {
            best = &info;
            best_prefix = prefix;
        }
    }
    return best;
}

json quant_record(const std::string& quant) {
    const WeightFormat f = *parse_weight_format(quant);
    const std::string family = format_family_name(f.family);
    json rec = {{"quant", quant}, {"family", family}, {"gguf", f.is_gguf()}};
    const GgmlTypeInfo* base = f.is_gguf() ? gguf_base_type(f) : nullptr;
    rec["base_type"] = base ? json(base->name) : json();
    rec["block_size"] = base ? json(base->block_size) : json();
    rec["bytes_per_block"] = base ? json(base->type_size) : json();
    rec["bits_per_weight"] = f.bits;
    rec["quality_tier"] = quant_quality_tier(quant_quality_score(f, f.bits));
    json runtimes = json::array();
    std::vector<std::string> backends;
    for (const json& r : runtime_table()) {
        const auto& fams = r["format_families"];
        if (std::find(fams.begin(), fams.end(), family) == fams.end()) continue;
        runtimes.push_back(r["runtime"]);
        for (const json& b : r["backends"]) {
            if (std::find(backends.begin(), backends.end(), b.get<std::string>()) == backends.end())
                backends.push_back(b);
        }
    }
    // Backends in the request's order (cuda rocm metal vulkan sycl cpu).
    std::vector<std::string> ordered;
    for (const char* b : {"cuda", "rocm", "metal", "vulkan", "sycl", "cpu"}) {
        if (std::find(backends.begin(), backends.end(), b) != backends.end()) ordered.push_back(b);
    }
    rec["runtimes"] = runtimes;
    rec["backends"] = ordered;
    return rec;
}

}  // namespace

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
            for (const std::string& q : canonical_quant_names()) items.push_back(quant_record(q));
        } else if (kind == "runtimes") {
            items = runtime_table();
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

}  // namespace headroom
