// Catalog loading and look-ups (catalog/SCHEMA.md).
#include "catalog.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "config_import.hpp"

namespace headroom {
namespace {

using nlohmann::json;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// Lowercase, with separators folded, so "RTX-4090", "rtx 4090" and "rtx_4090" match.
std::string fold(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '.' || c == '+') out.push_back(char(std::tolower(c)));
    }
    return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::vector<std::string> string_list(const json& j, const char* key) {
    std::vector<std::string> out;
    if (j.contains(key) && j[key].is_array()) {
        for (const auto& v : j[key]) {
            if (v.is_string()) out.push_back(v.get<std::string>());
        }
    }
    return out;
}

template <typename Entry, typename Names>
std::string suggest(const std::vector<Entry>& entries, const std::string& key, Names names_of) {
    const std::string k = fold(key);
    if (k.empty()) return {};
    std::size_t best = std::numeric_limits<std::size_t>::max();
    std::string best_id;
    for (const Entry& e : entries) {
        for (const std::string& n : names_of(e)) {
            const std::string f = fold(n);
            std::size_t d = edit_distance(k, f);
            // Substring hits ("4090" in "nvidiartx4090") count as close, less so the more
            // characters one side has beyond the other ("rtx4090" inside "rtx4090laptp" is
            // further than the laptop part's own "rtx4090laptop").
            if (f.find(k) != std::string::npos || k.find(f) != std::string::npos) {
                const std::size_t extra = f.size() > k.size() ? f.size() - k.size() : k.size() - f.size();
                d = std::min<std::size_t>(d, 1 + extra / 4);
            }
            if (d < best) {
                best = d;
                best_id = e.id;
            }
        }
    }
    // Only suggest when the guess is reasonably close.
    if (best > std::max<std::size_t>(3, k.size() / 2)) return {};
    return best_id;
}

}  // namespace

Result<Catalog> load_catalog(const std::string& models_json, const std::string& hardware_json) {
    Catalog cat;
    json models = json::parse(models_json, nullptr, false);
    if (models.is_discarded() || !models.is_object() || !models.contains("models") || !models["models"].is_array()) {
        return make_error("invalid_catalog", "catalog.models", "models.json is not a JSON object with a \"models\" array");
    }
    json hardware = json::parse(hardware_json, nullptr, false);
    if (hardware.is_discarded() || !hardware.is_object() || !hardware.contains("hardware") || !hardware["hardware"].is_array()) {
        return make_error("invalid_catalog", "catalog.hardware", "hardware.json is not a JSON object with a \"hardware\" array");
    }
    for (const json& m : models["models"]) {
        if (!m.is_object() || !m.contains("id") || !m["id"].is_string()) {
            return make_error("invalid_catalog", "catalog.models", "a model entry has no string id");
        }
        ModelEntry e;
        e.id = m["id"].get<std::string>();
        const std::string where = "catalog.models[" + e.id + "]";
        if (!m.contains("config") || !m["config"].is_object()) {
            return make_error("invalid_catalog", where + ".config", "model '" + e.id + "' has no config object");
        }
        if (!m.contains("sources") || !m["sources"].is_array() || m["sources"].empty()) {
            return make_error("invalid_catalog", where + ".sources", "model '" + e.id + "' has no sources");
        }
        e.name = m.contains("name") && m["name"].is_string() ? m["name"].get<std::string>() : e.id;
        e.family = m.contains("family") && m["family"].is_string() ? m["family"].get<std::string>() : "";
        e.hf_repo = m.contains("hf_repo") && m["hf_repo"].is_string() ? m["hf_repo"].get<std::string>() : "";
        e.gguf_repos = string_list(m, "gguf_repos");
        e.aliases = string_list(m, "aliases");
        e.license = m.contains("license") && m["license"].is_string() ? m["license"].get<std::string>() : "";
        e.release_date = m.contains("release_date") && m["release_date"].is_string() ? m["release_date"].get<std::string>() : "";
        e.native_format = m.contains("native_format") && m["native_format"].is_string() ? m["native_format"].get<std::string>() : "BF16";
        e.config = m["config"];
        auto arch = import_hf_config(e.config, where + ".config");
        if (!arch) return arch.error();
        e.arch = std::move(*arch);
        if (m.contains("context_max") && m["context_max"].is_number_unsigned()) e.context_max = m["context_max"].get<std::uint64_t>();
        if (e.context_max == 0) e.context_max = e.arch.n_ctx_train;
        if (m.contains("params_published") && m["params_published"].is_object()) {
            const json& p = m["params_published"];
            if (p.contains("total") && p["total"].is_number()) e.params_published_total = p["total"].get<double>();
            e.params_published_exact = p.contains("exact") && p["exact"].is_boolean() && p["exact"].get<bool>();
        }
        cat.models.push_back(std::move(e));
    }
    for (const json& h : hardware["hardware"]) {
        if (!h.is_object() || !h.contains("id") || !h["id"].is_string()) {
            return make_error("invalid_catalog", "catalog.hardware", "a hardware entry has no string id");
        }
        const std::string id = h["id"].get<std::string>();
        auto hw = parse_hardware(h, "catalog.hardware[" + id + "]");
        if (!hw) return hw.error();
        if (!h.contains("sources") || !h["sources"].is_array() || h["sources"].empty()) {
            return make_error("invalid_catalog", "catalog.hardware[" + id + "].sources", "hardware '" + id + "' has no sources");
        }
        cat.hardware.push_back(std::move(*hw));
    }
    return cat;
}

namespace {

// "org/Name" -> "Name" (the part people paste without the organisation).
std::string repo_name(const std::string& repo) {
    const std::size_t slash = repo.find('/');
    return slash == std::string::npos ? repo : repo.substr(slash + 1);
}

}  // namespace

const ModelEntry* find_model(const Catalog& catalog, const std::string& key) {
    const std::string k = lower(key);
    for (const ModelEntry& e : catalog.models) {
        if (lower(e.id) == k || (!e.hf_repo.empty() && lower(e.hf_repo) == k)) return &e;
    }
    const std::string f = fold(key);
    for (const ModelEntry& e : catalog.models) {
        if (fold(e.id) == f || fold(e.name) == f) return &e;
        if (!e.hf_repo.empty() && fold(repo_name(e.hf_repo)) == f) return &e;
        for (const std::string& a : e.aliases) {
            if (lower(a) == k || fold(a) == f) return &e;
        }
        for (const std::string& g : e.gguf_repos) {
            if (lower(g) == k) return &e;
        }
    }
    return nullptr;
}

const Hardware* find_hardware(const Catalog& catalog, const std::string& key) {
    const std::string k = lower(key);
    for (const Hardware& h : catalog.hardware) {
        if (lower(h.id) == k) return &h;
    }
    const std::string f = fold(key);
    for (const Hardware& h : catalog.hardware) {
        if (fold(h.id) == f || fold(h.name) == f) return &h;
        for (const std::string& a : h.aliases) {
            if (lower(a) == k || fold(a) == f) return &h;
        }
    }
    return nullptr;
}

std::string suggest_model(const Catalog& catalog, const std::string& key) {
    return suggest(catalog.models, key, [](const ModelEntry& e) {
        std::vector<std::string> n = {e.id, e.name};
        n.insert(n.end(), e.aliases.begin(), e.aliases.end());
        return n;
    });
}

std::string suggest_hardware(const Catalog& catalog, const std::string& key) {
    return suggest(catalog.hardware, key, [](const Hardware& h) {
        std::vector<std::string> n = {h.id, h.name};
        n.insert(n.end(), h.aliases.begin(), h.aliases.end());
        return n;
    });
}

}  // namespace headroom
