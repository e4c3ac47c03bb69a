// Human-readable numbers. The one place where bytes become GiB/MiB for text
// (GiB: device memory is binary, and the GiB figures match what nvidia-smi and
// llama.cpp print).
#pragma once

#include <cstdint>
#include <string>

namespace headroom {

std::string format_bytes(double bytes);           // "36.6 GiB", "512 MiB"
std::string format_tokens(std::uint64_t tokens);  // "128K", "75.5K", "1M" (K = 1024 tokens)
std::string format_rate(double tokens_per_s);     // "35.7 tok/s"
std::string format_seconds(double seconds);       // "850 ms", "5.4 s", "2.1 min"
std::string format_number(double value, int decimals);
std::string format_percent(double fraction);      // "92%"

}  // namespace headroom
