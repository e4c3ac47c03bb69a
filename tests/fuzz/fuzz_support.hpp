// Shared by the libFuzzer targets: the bundled catalog (loaded once per
// process) and the oracle every engine answer must pass. A fuzz target aborts
// (and libFuzzer saves the input) when an answer breaks the contract, not only
// when the engine crashes: an internal_error, a non-finite or negative number,
// a total that is not the sum of its parts, or text that is not JSON.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog.hpp"

namespace headroom_fuzz {

inline std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string catalog_text(const char* file) {
    const char* dir = std::getenv("HEADROOM_CATALOG");
    return read_text_file(std::string(dir ? dir : HEADROOM_CATALOG_DIR) + "/" + file);
}

[[noreturn]] inline void fail(const std::string& what, const std::string& detail) {
    std::fprintf(stderr, "\nheadroom fuzz oracle: %s\n%s\n", what.c_str(), detail.substr(0, 4000).c_str());
    std::abort();
}

inline const headroom::Catalog& bundled_catalog() {
    static const headroom::Catalog c = [] {
        auto r = headroom::load_catalog(catalog_text("models.json"), catalog_text("hardware.json"));
        if (!r) fail("the bundled catalog does not load", r.error().message);
        return *r;
    }();
    return c;
}

// Every number finite; every number under a key that names a quantity
// (_bytes, _tokens, _per_s, _ms, score, ...) non-negative.
inline void check_numbers(const nlohmann::json& j, const std::string& path) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) check_numbers(it.value(), path + "." + it.key());
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) check_numbers(j[i], path + "[" + std::to_string(i) + "]");
    } else if (j.is_number_float()) {
        const double d = j.get<double>();
        if (!std::isfinite(d)) fail("non-finite number at " + path, j.dump());
        if (d < 0) fail("negative number at " + path, j.dump());
    } else if (j.is_number_integer() && !j.is_number_unsigned()) {
        if (j.get<std::int64_t>() < 0) fail("negative number at " + path, j.dump());
    }
}

// The answer of estimate_json / estimate: JSON with a boolean ok; an error is
// never internal_error and names a code and a message; a report's memory
// total is the sum of its parts.
inline void check_report(const nlohmann::json& r, const std::string& input) {
    try {
        (void)r.dump();  // the doors dump strictly: every string must be valid UTF-8
    } catch (const std::exception& e) {
        fail(std::string("the answer cannot be serialised: ") + e.what(), "input: " + input);
    }
    if (!r.is_object() || !r.contains("ok") || !r["ok"].is_boolean())
        fail("answer without a boolean ok", r.dump() + "\ninput: " + input);
    if (!r["ok"].get<bool>()) {
        const auto& e = r["error"];
        if (!e.is_object() || !e.contains("code") || !e["code"].is_string() || !e.contains("message") ||
            !e["message"].is_string())
            fail("error without code and message", r.dump());
        if (e["code"] == "internal_error") fail("internal_error", r.dump() + "\ninput: " + input);
        if (e["message"].get<std::string>().empty()) fail("error with an empty message", r.dump());
        return;
    }
    check_numbers(r, "report");
    const auto& m = r["memory"];
    const double parts = m["weights_bytes"].get<double>() + m["kv_cache_bytes"].get<double>() +
                         m["state_bytes"].get<double>() + m["compute_bytes"].get<double>() +
                         m["runtime_overhead_bytes"].get<double>();
    const double total = m["total_bytes"].get<double>();
    if (std::fabs(parts - total) > 1e-9 * std::max(1.0, total))
        fail("memory.total_bytes is not the sum of its parts", m.dump());
}

inline void check_report_text(const std::string& text, const std::string& input) {
    nlohmann::json r = nlohmann::json::parse(text, nullptr, false);
    if (r.is_discarded()) fail("the answer is not JSON", text);
    check_report(r, input);
}

}  // namespace headroom_fuzz
