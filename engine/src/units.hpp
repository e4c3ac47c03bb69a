// Byte and rate units. Formulas work in bytes, FLOPs and seconds; GB versus GiB
// is decided only in format.cpp.
#pragma once

#include <cstdint>

namespace headroom {

constexpr double kKiB = 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kGB = 1e9;   // datasheet gigabyte (memory sizes, GB/s)
constexpr double kTera = 1e12;

inline std::uint64_t pad_to(std::uint64_t value, std::uint64_t multiple) {
    return multiple == 0 ? value : (value + multiple - 1) / multiple * multiple;
}

}  // namespace headroom
