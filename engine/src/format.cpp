#include "format.hpp"

#include <cmath>
#include <cstdio>

#include "units.hpp"

namespace headroom {

std::string format_number(double value, int decimals) {
    if (!std::isfinite(value)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string format_bytes(double bytes) {
    if (!std::isfinite(bytes)) return "n/a";
    if (std::fabs(bytes) >= 1000.0 * kMiB) return format_number(bytes / kGiB, bytes >= 100.0 * kGiB ? 0 : 1) + " GiB";
    if (std::fabs(bytes) >= kMiB) return format_number(bytes / kMiB, 0) + " MiB";
    return format_number(bytes / kKiB, 0) + " KiB";
}

std::string format_tokens(std::uint64_t tokens) {
    if (tokens >= 1024ull * 1024) {
        const double m = double(tokens) / (1024.0 * 1024.0);
        return format_number(m, std::fmod(m, 1.0) == 0 ? 0 : 1) + "M";
    }
    if (tokens >= 1024) {
        const double k = double(tokens) / 1024.0;
        return format_number(k, std::fmod(k, 1.0) == 0 || k >= 100 ? 0 : 1) + "K";
    }
    return std::to_string(tokens);
}

std::string format_rate(double tps) {
    if (!std::isfinite(tps)) return "n/a";
    return format_number(tps, tps >= 100 ? 0 : 1) + " tok/s";
}

std::string format_seconds(double s) {
    if (!std::isfinite(s)) return "n/a";
    if (s < 1.0) return format_number(s * 1000.0, 0) + " ms";
    if (s < 120.0) return format_number(s, 1) + " s";
    return format_number(s / 60.0, 1) + " min";
}

std::string format_percent(double fraction) { return format_number(fraction * 100.0, 0) + "%"; }

}  // namespace headroom
