// Helpers shared by the tests: reading files the tests check against.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace headroom_test {

inline std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string catalog_path(const std::string& file) { return std::string(HEADROOM_CATALOG_DIR) + "/" + file; }
inline std::string shared_path(const std::string& file) { return std::string(HEADROOM_SHARED_DIR) + "/" + file; }

}  // namespace headroom_test

#include "catalog.hpp"

namespace headroom_test {

// The bundled catalog, loaded once per test binary.
inline const headroom::Catalog& catalog() {
    static const headroom::Catalog c = [] {
        auto r = headroom::load_catalog(read_text_file(catalog_path("models.json")), read_text_file(catalog_path("hardware.json")));
        if (!r) throw std::runtime_error("catalog failed to load: " + r.error().message);
        return *r;
    }();
    return c;
}

inline const headroom::ModelEntry& model(const std::string& id) {
    const headroom::ModelEntry* m = headroom::find_model(catalog(), id);
    if (!m) throw std::runtime_error("no model " + id);
    return *m;
}

}  // namespace headroom_test
