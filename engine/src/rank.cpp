// The two reverse questions, over the whole catalog: "what can this hardware
// run" (every model, its best format, ranked) and "what do I need for this
// model" (every device in 1/2/4/8-GPU setups, ranked, with price). Each entry
// is a full setup evaluation without the report's tables, with the
// device-independent work (tensor inventory, weights per format) cached in the
// catalog so a ranking re-runs quickly while someone types.
#include <algorithm>
#include <cmath>

#include "estimate.hpp"
#include "fit.hpp"
#include "recommend.hpp"
#include "report.hpp"
#include "request.hpp"
#include "setup.hpp"
#include "workload.hpp"

namespace headroom {

using nlohmann::json;

namespace {

ModelCache& cache_for(const Catalog& catalog, std::size_t model_index) {
    if (catalog.cache.size() != catalog.models.size()) catalog.cache.resize(catalog.models.size());
    ModelCache& c = catalog.cache[model_index];
    if (!c.inventory) c.inventory = std::make_shared<const TensorInventory>(build_tensor_inventory(catalog.models[model_index].arch));
    return c;
}

std::shared_ptr<const WeightBreakdown> weights_for(const Catalog& catalog, std::size_t model_index, const WeightFormat& f) {
    ModelCache& c = cache_for(catalog, model_index);
    auto it = c.weights.find(f.name);
    if (it != c.weights.end()) return it->second;
    auto w = std::make_shared<const WeightBreakdown>(compute_weights(catalog.models[model_index].arch, *c.inventory, f));
    c.weights.emplace(f.name, w);
    return w;
}

// Formats tried for an automatic pick in a ranking, highest quality first: the
// first one that runs fully on the device wins (the report page's own pick
// weighs speed too and may choose differently; the ranked entry names its quant).
std::vector<std::string> rank_candidates(Runtime runtime, const Hardware& hw) {
    if (is_llama_family(runtime)) return {"Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "IQ4_XS", "Q3_K_M", "IQ3_XXS", "Q2_K", "IQ2_M"};
    switch (runtime) {
    case Runtime::mlx: return {"BF16", "MLX-8bit", "MLX-4bit"};
    case Runtime::exllamav2: return {"EXL2-8.0", "EXL2-6.0", "EXL2-5.0", "EXL2-4.0", "EXL2-3.0"};
    default: {
        std::vector<std::string> q = {"BF16", "FP8"};
        if (hw.fp4_flops > 0) q.push_back("NVFP4");
        q.push_back("AWQ-INT4");
        return q;
    }
    }
}

struct Ranked {
    json item;
    double score = 0;
    int verdict_class = 0;
    double decode = 0;
    double params = 0;
    double price = 0;
};

int verdict_class(Verdict v) { return v == Verdict::fits ? 3 : v == Verdict::tight ? 2 : v == Verdict::offload ? 1 : 0; }

// Evaluates one (model, hardware, count) with the request's settings; nullopt-like when it does not run.
bool evaluate_entry(const Request& base, const Catalog& catalog, std::size_t model_index, const Hardware& hw,
                    std::uint32_t count, Ranked& out) {
    Request req = base;
    req.model = catalog.models[model_index];
    req.hardware = hw;
    req.run.gpu_count = count;
    if (!resolve_settings(req)) return false;
    ModelCache& cache = cache_for(catalog, model_index);
    std::vector<std::string> candidates;
    if (req.run.quant_given) candidates.push_back(req.run.quant.name);
    else candidates = rank_candidates(req.run.runtime, hw);

    bool have = false;
    Setup best;
    for (const std::string& q : candidates) {
        RunSettings run = req.run;
        // A given quant is used as resolved (a model file's own quant, e.g. GPTQ-INT8,
        // may have no catalog name to parse back); candidates are catalog names.
        if (!req.run.quant_given) run.quant = *parse_weight_format(q);
        const Setup s = evaluate_setup(req.model, hw, run, cache.inventory, weights_for(catalog, model_index, run.quant));
        if (s.verdict == Verdict::no) continue;
        if (!have || verdict_class(s.verdict) > verdict_class(best.verdict)) {
            best = s;
            have = true;
        }
        if (s.verdict == Verdict::fits || s.verdict == Verdict::tight) break;
    }
    if (!have) return false;
    const double quality = quant_quality_score(best.run.quant, best.weights().bits_per_weight);
    std::vector<WorkloadResult> wl;
    json grades = json::object();
    for (const WorkloadProfile& p : workload_profiles()) {
        wl.push_back(evaluate_workload(best, p, quality));
        grades[wl.back().name] = {{"grade", wl.back().score.grade}, {"score", wl.back().score.value}};
    }
    const double score = mode_score(req.run.mode, wl);
    const ModelEntry& m = catalog.models[model_index];
    out.score = score;
    out.verdict_class = verdict_class(best.verdict);
    out.decode = best.decode.tokens_per_s;
    out.params = double(best.inventory().params_total);
    out.price = hw.price_usd > 0 ? hw.price_usd * count : 0.0;
    out.item = {{"ok", true},
                {"model", m.id},
                {"model_name", m.name},
                {"family", m.family},
                {"moe", m.arch.is_moe()},
                {"params_total", double(best.inventory().params_total)},
                {"params_active", double(best.inventory().params_active)},
                {"context_max", m.context_max},
                {"hardware", hw.id},
                {"hardware_name", hw.name},
                {"vendor", vendor_name(hw.vendor)},
                {"count", count},
                {"price_usd", out.price > 0 ? json(out.price) : json(nullptr)},
                {"quant", best.run.quant.name},
                {"runtime", runtime_name(best.run.runtime)},
                {"verdict", verdict_name(best.verdict)},
                {"grade", grade_for(score)},
                {"score", score},
                {"decode_tokens_per_s", best.decode.tokens_per_s},
                {"ttft_ms", best.ttft_ms},
                {"safe_context_tokens", best.safe_context_tokens},
                {"total_bytes", best.device_used_bytes},
                {"usable_bytes", best.usable_bytes},
                {"workloads", grades}};
    return true;
}

// A request to carry the shared settings: model or hardware filled with a placeholder.
Result<Request> base_request(json request, const Catalog& catalog) {
    if (catalog.models.empty() || catalog.hardware.empty()) return make_error("invalid_catalog", "catalog", "the catalog is empty");
    if (!request.contains("model")) request["model"] = catalog.models.front().id;
    if (!request.contains("hardware") && !request.contains("devices")) request["hardware"] = catalog.hardware.front().id;
    return parse_request(request, catalog);
}

}  // namespace

json rank_models_for_hardware(const json& request, const Catalog& catalog) {
    try {
        // One device (hardware, gpu_count) or a mixed setup (devices: [id, ...]).
        if (!request.is_object() || (!request.contains("hardware") && !request.contains("devices"))) {
            return error_report(make_error("missing_field", "hardware",
                                           "rank by hardware needs a hardware id or object, or a devices list"));
        }
        json base_json = request;
        base_json.erase("model");
        auto base = base_request(base_json, catalog);
        if (!base) return error_report(base.error());
        std::vector<Ranked> ranked;
        for (std::size_t i = 0; i < catalog.models.size(); ++i) {
            Ranked r;
            if (evaluate_entry(*base, catalog, i, base->hardware, base->run.gpu_count, r)) ranked.push_back(std::move(r));
        }
        // "What can this hardware run": the most capable models that run well
        // come first — grade B or better sorted by size, then the rest by score.
        std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
            const bool ga = a.score >= 65.0, gb = b.score >= 65.0;
            if (ga != gb) return ga;
            if (ga && a.params != b.params) return a.params > b.params;
            if (a.score != b.score) return a.score > b.score;
            return a.decode > b.decode;
        });
        json items = json::array();
        for (Ranked& r : ranked) items.push_back(std::move(r.item));
        return json{{"ok", true}, {"items", items}};
    } catch (const std::exception& e) {
        return error_report(make_error("internal_error", "", std::string("internal error: ") + e.what()));
    } catch (...) {
        return error_report(make_error("internal_error", "", "internal error"));
    }
}

json rank_hardware_for_model(const json& request, const Catalog& catalog) {
    try {
        if (!request.is_object() || !request.contains("model")) {
            return error_report(make_error("missing_field", "model", "rank by model needs a model id or object"));
        }
        json base_json = request;
        base_json.erase("hardware");
        auto base = base_request(base_json, catalog);
        if (!base) return error_report(base.error());
        // Find the model in the catalog (inline models are ranked through a temporary catalog entry).
        Catalog local;
        const Catalog* cat = &catalog;
        std::size_t index = catalog.models.size();
        // Only a model named by id is the catalog's; an inline model keeps its own
        // config and weights even when its "id" repeats a catalog id.
        if (request["model"].is_string()) {
            for (std::size_t i = 0; i < catalog.models.size(); ++i) {
                if (catalog.models[i].id == base->model.id) index = i;
            }
        }
        if (index == catalog.models.size()) {
            local.models.push_back(base->model);
            cat = &local;
            index = 0;
        }
        const bool counts_given = request.contains("gpu_count");
        std::vector<Ranked> ranked;
        for (const Hardware& hw : catalog.hardware) {
            const bool multi = !hw.unified_memory && hw.vendor != Vendor::cpu && !counts_given;
            for (std::uint32_t count : {1u, 2u, 4u, 8u}) {
                if (count > 1 && !multi) break;
                const std::uint32_t n = counts_given ? base->run.gpu_count : count;
                Ranked r;
                if (evaluate_entry(*base, *cat, index, hw, n, r)) {
                    const bool resident = r.verdict_class >= 2;
                    ranked.push_back(std::move(r));
                    if (resident) break;  // it fits: more GPUs of this kind add cost, not a better answer
                }
                if (counts_given) break;
            }
        }
        std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
            if (a.score != b.score) return a.score > b.score;
            if (a.verdict_class != b.verdict_class) return a.verdict_class > b.verdict_class;
            return a.decode > b.decode;
        });
        json items = json::array();
        for (Ranked& r : ranked) items.push_back(std::move(r.item));
        return json{{"ok", true}, {"items", items}};
    } catch (const std::exception& e) {
        return error_report(make_error("internal_error", "", std::string("internal error: ") + e.what()));
    } catch (...) {
        return error_report(make_error("internal_error", "", "internal error"));
    }
}

}  // namespace headroom
