// Helpers shared by the tests: reading files the tests check against.
#pragma once

#include <fstream>
#include <sstream>
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
