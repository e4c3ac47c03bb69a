// "This machine": raw observations -> catalog entries with a confidence (detect.hpp).
#include "detect.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include "format.hpp"
#include "report.hpp"
#include "units.hpp"

namespace headroom {
namespace {

using nlohmann::json;

// Longest text accepted per field: browser strings are one line; tool outputs
// (dmidecode on a large server lists dozens of slots) stay well under 1 MiB.
constexpr std::size_t kMaxBrowserTextChars = 1024;
constexpr std::size_t kMaxToolTextChars = std::size_t(1) << 20;
constexpr std::uint32_t kMaxHardwareConcurrency = 4096;
constexpr double kMaxDeviceMemoryGb = 1e6;

// A reported memory total matches a catalog size when reported / catalog is in
// [0.90, 1.05]. Drivers keep some memory back: nvidia-smi prints 23034 MiB for
// the 24 GB L4 and 46068 MiB for the 48 GB L40S (ratio 0.937), 81559 MiB for
// the 80 GB H100 (0.996) (github.com/modal-labs/modal-client/pull/2797);
// sysctl hw.memsize on a Mac is exact (1.0). The next size down of any family
// in the catalog is at most 0.86 of the one above (RTX 3080 10 GB vs 12 GB).
constexpr double kMemoryMatchLow = 0.90;
constexpr double kMemoryMatchHigh = 1.05;
// A "40GB" in a device name matches a catalog size within half a gigabyte.
constexpr double kNameMemoryToleranceGb = 0.5;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find('\n', start);
        out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

std::string collapse_spaces(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!out.empty() && out.back() != ' ') out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return trim(out);
}

// Removes every "( ... )" group, nested ones included: "(0x00002684)", "(TM)", "(radeonsi, navi31, ...)".
std::string remove_parenthesized(const std::string& s) {
    std::string out;
    int depth = 0;
    for (char c : s) {
        if (c == '(') {
            ++depth;
        } else if (c == ')') {
            if (depth > 0) --depth;
        } else if (depth == 0) {
            out.push_back(c);
        }
    }
    return out;
}

// Splits at `sep` outside parentheses.
std::vector<std::string> split_top_level(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    for (char c : s) {
        if (c == '(') ++depth;
        if (c == ')' && depth > 0) --depth;
        if (c == sep && depth == 0) {
            out.push_back(trim(cur));
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    out.push_back(trim(cur));
    return out;
}

// The text inside the first top-level "( ... )", or "" when there is none.
std::string first_group(const std::string& s) {
    const auto open = s.find('(');
    if (open == std::string::npos) return {};
    int depth = 0;
    for (std::size_t i = open; i < s.size(); ++i) {
        if (s[i] == '(') ++depth;
        if (s[i] == ')' && --depth == 0) return s.substr(open + 1, i - open - 1);
    }
    return s.substr(open + 1);
}

// Cuts `s` at the first case-insensitive occurrence of `marker`.
std::string cut_at(const std::string& s, const std::string& marker) {
    const auto at = lower(s).find(marker);
    return at == std::string::npos ? s : s.substr(0, at);
}

std::string remove_all(std::string s, const std::string& part) {
    for (auto at = lower(s).find(part); at != std::string::npos; at = lower(s).find(part)) s.erase(at, part.size());
    return s;
}

bool parse_number(const std::string& text, double& out) {
    const std::string t = trim(text);
    if (t.empty()) return false;
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (end == t.c_str() || !std::isfinite(v)) return false;
    out = v;
    return true;
}

bool is_hex_id(const std::string& s) {
    const std::string t = lower(trim(s));
    if (t.size() < 3 || !starts_with(t, "0x")) return false;
    return std::all_of(t.begin() + 2, t.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// ---------- device names as tokens ----------

// Words that name a vendor or say nothing about which device it is; dropped
// from both the detected name and the catalog names before comparing.
const std::set<std::string>& brand_words() {
    static const std::set<std::string> words = {"nvidia", "geforce",     "tesla",        "amd",      "ati",  "radeon",
                                                "intel",  "apple",       "gpu",          "graphics", "tm",   "r",
                                                "inc",    "corporation", "technologies", "series",   "mesa", "dri"};
    return words;
}

// Words a detected name may carry beyond a catalog key without naming a
// different device: product lines, memory technology, packaging.
const std::set<std::string>& ignorable_extra_words() {
    static const std::set<std::string> words = {"rtx",   "gtx",  "rx",    "arc",   "instinct", "hbm",   "hbm2",
                                                "hbm2e", "hbm3", "hbm3e", "gddr6", "gddr6x",   "gddr7", "oam"};
    return words;
}

// "40gb" -> 40; anything else -> 0.
double memory_token_gb(const std::string& t) {
    if (t.size() < 3 || t.compare(t.size() - 2, 2, "gb") != 0) return 0;
    const std::string digits = t.substr(0, t.size() - 2);
    if (!std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) return 0;
    return std::atof(digits.c_str());
}

struct NameKey {
    std::vector<std::string> tokens;  // sorted, unique, brand words and memory sizes removed
    double memory_gb = 0;             // a size written in the name ("A100-SXM4-40GB")
};

NameKey name_key(const std::string& text) {
    std::string t = lower(text);
    for (auto at = t.find("max-q"); at != std::string::npos; at = t.find("max-q")) t.replace(at, 5, "maxq");
    NameKey key;
    std::set<std::string> tokens;
    std::string cur;
    auto flush = [&]() {
        if (cur.empty()) return;
        if (const double gb = memory_token_gb(cur); gb > 0)
            key.memory_gb = gb;
        else if (!brand_words().count(cur))
            tokens.insert(cur);
        cur.clear();
    };
    for (char c : t) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '+')
            cur.push_back(c);
        else
            flush();
    }
    flush();
    key.tokens.assign(tokens.begin(), tokens.end());
    return key;
}

// A catalog entry's keys: its name without parenthesized details, and each alias.
struct KeyedEntry {
    const Hardware* hw = nullptr;
    std::vector<std::vector<std::string>> keys;
};

std::vector<KeyedEntry> index_catalog(const Catalog& catalog) {
    std::vector<KeyedEntry> out;
    for (const Hardware& h : catalog.hardware) {
        if (h.vendor == Vendor::cpu) continue;  // system memory, not a GPU
        KeyedEntry e;
        e.hw = &h;
        e.keys.push_back(name_key(remove_parenthesized(h.name)).tokens);
        for (const std::string& a : h.aliases) e.keys.push_back(name_key(a).tokens);
        out.push_back(std::move(e));
    }
    return out;
}

double marketed_gb(const Hardware& h) {
    return h.memory_bytes / kGiB;
}

std::string gb_text(double gb) {
    return format_number(gb, std::floor(gb) == gb ? 0 : 1);
}

// Entries whose key is contained in the detected tokens, where what the
// detected name says beyond the key is ignorable; the longest keys win.
std::vector<const Hardware*> match_tokens(const NameKey& detected, const std::vector<KeyedEntry>& index,
                                          const std::string& vendor) {
    const std::vector<std::string>& d = detected.tokens;
    std::size_t best = 0;
    std::vector<const Hardware*> out;
    for (const KeyedEntry& e : index) {
        if (!vendor.empty() && vendor != vendor_name(e.hw->vendor)) continue;
        if (detected.memory_gb > 0 && std::fabs(marketed_gb(*e.hw) - detected.memory_gb) > kNameMemoryToleranceGb)
            continue;
        std::size_t score = 0;
        for (const auto& key : e.keys) {
            if (key.empty() || !std::includes(d.begin(), d.end(), key.begin(), key.end())) continue;
            std::vector<std::string> extra;
            std::set_difference(d.begin(), d.end(), key.begin(), key.end(), std::back_inserter(extra));
            const bool ignorable = std::all_of(
                extra.begin(), extra.end(), [](const std::string& w) { return ignorable_extra_words().count(w) > 0; });
            if (ignorable) score = std::max(score, key.size());
        }
        if (score == 0 || score < best) continue;
        if (score > best) out.clear();
        best = score;
        out.push_back(e.hw);
    }
    return out;
}

// "Radeon RX 7900 XT/7900 XTX" names two devices: each alternative is matched.
std::vector<const Hardware*> match_name(const std::string& name, const std::vector<KeyedEntry>& index,
                                        const std::string& vendor) {
    std::vector<const Hardware*> out;
    for (const std::string& alt : split_top_level(name, '/')) {
        for (const Hardware* h : match_tokens(name_key(alt), index, vendor)) {
            if (std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
        }
    }
    return out;
}

std::string vendor_from_words(const std::string& text) {
    const std::string t = " " + lower(text) + " ";
    if (contains(t, "nvidia") || contains(t, "geforce") || contains(t, "quadro") || contains(t, "tesla"))
        return "nvidia";
    if (contains(t, "amd") || contains(t, "radeon") || contains(t, " ati ") || contains(t, "instinct")) return "amd";
    if (contains(t, "intel") || contains(t, " arc ") || contains(t, " iris ")) return "intel";
    if (contains(t, "apple")) return "apple";
    return {};
}

// WebGPU vendor strings (Dawn's gpu_info.json names) that are GPUs Headroom knows.
std::string vendor_from_webgpu(const std::string& v) {
    const std::string t = lower(trim(v));
    if (t == "nvidia" || t == "amd" || t == "intel" || t == "apple") return t;
    return {};
}

std::string normalize_platform(const std::string& raw) {
    const std::string t = lower(raw);
    if (t.empty()) return {};
    if (contains(t, "iphone") || contains(t, "ipad") || contains(t, "ipod") || t == "ios") return "ios";
    if (contains(t, "android")) return "android";
    if (contains(t, "mac") || contains(t, "darwin")) return "mac";
    if (contains(t, "win")) return "windows";
    if (contains(t, "cros") || contains(t, "chrome os") || contains(t, "chromeos")) return "chromeos";
    if (contains(t, "linux") || contains(t, "x11")) return "linux";
    return {};
}

const char* platform_words(const std::string& p) {
    if (p == "mac") return "macOS";
    if (p == "windows") return "Windows";
    if (p == "linux") return "Linux";
    if (p == "chromeos") return "ChromeOS";
    if (p == "android") return "Android";
    if (p == "ios") return "iOS";
    return "";
}

const char* vendor_words(const std::string& v) {
    if (v == "nvidia") return "NVIDIA";
    if (v == "amd") return "AMD";
    if (v == "intel") return "Intel";
    if (v == "apple") return "Apple";
    return "";
}

// "(14-core CPU, 30-core GPU)" in a catalog name -> 14; 0 when absent.
std::uint32_t cpu_cores_in_name(const std::string& name) {
    const std::string t = lower(name);
    const auto at = t.find("-core cpu");
    if (at == std::string::npos) return 0;
    std::size_t begin = at;
    while (begin > 0 && std::isdigit(static_cast<unsigned char>(t[begin - 1]))) --begin;
    return begin == at ? 0 : static_cast<std::uint32_t>(std::atoi(t.substr(begin, at - begin).c_str()));
}

// ---------- observations ----------

std::string dump_short(const json& v) {
    std::string s = v.dump();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

Result<std::string> read_text(const json& parent, const char* key, const std::string& field, std::size_t max_chars) {
    if (!parent.contains(key) || parent[key].is_null()) return std::string();
    const json& v = parent[key];
    if (!v.is_string()) return make_error("invalid_type", field, field + " must be a string, got " + dump_short(v));
    std::string s = v.get<std::string>();
    if (s.size() > max_chars) {
        return make_error(
            "out_of_range", field,
            field + " is " + std::to_string(s.size()) + " characters; the limit is " + std::to_string(max_chars));
    }
    return s;
}

std::optional<Error> check_keys(const json& j, const std::set<std::string>& known, const std::string& prefix) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!known.count(it.key())) {
            const std::string field = prefix.empty() ? it.key() : prefix + "." + it.key();
            std::string list;
            for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
            return make_error("unknown_field", field, "'" + field + "' is not an observation; known: " + list);
        }
    }
    return std::nullopt;
}

Result<const json*> read_object(const json& parent, const char* key) {
    if (!parent.contains(key) || parent[key].is_null()) return static_cast<const json*>(nullptr);
    if (!parent[key].is_object()) {
        return make_error("invalid_type", key, std::string(key) + " must be an object, got " + dump_short(parent[key]));
    }
    return &parent[key];
}

// ---------- readings ----------

// One named device to match, from one source.
struct Reading {
    std::string source;       // "nvidia-smi", "rocm-smi", "sysctl", "webgpu", "webgl"
    std::string raw;          // as the source printed it
    std::string name;         // the device name read from it ("" when it names none)
    std::string vendor;       // from the source or the name
    double memory_bytes = 0;  // total memory the source reports
    std::uint32_t count = 1;  // identical devices listed
    bool software = false;
    bool generic = false;  // a deliberately vague name (Firefox's ", or similar")
};

// Groups identical GPUs, keeping the order in which the tool listed them.
std::vector<Reading> group_gpus(const std::vector<GpuReading>& gpus, const std::string& source,
                                const std::string& vendor) {
    std::vector<Reading> out;
    for (const GpuReading& g : gpus) {
        auto same = std::find_if(out.begin(), out.end(), [&](const Reading& r) { return r.raw == g.name; });
        if (same != out.end()) {
            ++same->count;
            continue;
        }
        Reading r;
        r.source = source;
        r.raw = g.name;
        r.name = is_hex_id(g.name) ? std::string() : device_name_from_renderer(g.name);
        r.vendor = vendor;
        r.memory_bytes = g.memory_bytes;
        out.push_back(std::move(r));
    }
    return out;
}

Reading browser_reading(const std::string& source, const std::string& raw, const std::string& vendor_hint) {
    Reading r;
    r.source = source;
    r.raw = raw;
    r.software = is_software_renderer(raw);
    r.generic = contains(lower(raw), ", or similar");
    r.name = r.software ? std::string() : device_name_from_renderer(raw);
    r.vendor = vendor_from_words(r.software ? std::string() : raw);
    if (r.vendor.empty()) r.vendor = vendor_hint;
    return r;
}

// The vendor inside "Google Inc. (NVIDIA)" or the first part of "ANGLE (NVIDIA, ...)".
std::string webgl_vendor_hint(const Observations& obs) {
    std::string v = vendor_from_words(first_group(obs.webgl_vendor));
    if (v.empty()) v = vendor_from_words(obs.webgl_vendor);
    if (v.empty() && starts_with(lower(trim(obs.webgl_renderer)), "angle (")) {
        v = vendor_from_words(split_top_level(first_group(obs.webgl_renderer), ',').front());
    }
    return v;
}

std::string gpu_memory_words(double bytes) {
    return bytes > 0 ? " with " + format_bytes(bytes) : std::string();
}

std::string count_prefix(std::uint32_t n) {
    return n > 1 ? std::to_string(n) + " × " : std::string();
}

// The choices' labels: their memory sizes when those tell them apart, else their names.
void label_candidates(std::vector<DetectCandidate>& cands) {
    std::set<double> sizes;
    for (const auto& c : cands) sizes.insert(c.memory_bytes);
    const bool by_memory = sizes.size() == cands.size();
    for (auto& c : cands) c.label = by_memory ? gb_text(c.memory_bytes / kGiB) + " GB" : c.name;
}

DetectCandidate candidate_of(const Hardware& h) {
    DetectCandidate c;
    c.id = h.id;
    c.name = h.name;
    c.memory_bytes = h.memory_bytes;
    c.label = h.name;
    return c;
}

std::vector<DetectCandidate> candidates_of(std::vector<const Hardware*> hws) {
    std::stable_sort(hws.begin(), hws.end(),
                     [](const Hardware* a, const Hardware* b) { return a->memory_bytes < b->memory_bytes; });
    std::vector<DetectCandidate> out;
    for (const Hardware* h : hws) out.push_back(candidate_of(*h));
    return out;
}

// "36, 48, 64, 96 or 128 GB"
std::string sizes_text(const std::vector<DetectCandidate>& cands) {
    std::string out;
    for (std::size_t i = 0; i < cands.size(); ++i) {
        if (i > 0) out += i + 1 == cands.size() ? " or " : ", ";
        out += gb_text(cands[i].memory_bytes / kGiB);
    }
    return out + " GB";
}

double memory_ratio(double reported, const Hardware& h) {
    return h.memory_bytes > 0 ? reported / h.memory_bytes : 0;
}

bool memory_matches(double reported, const Hardware& h) {
    const double r = memory_ratio(reported, h);
    return r >= kMemoryMatchLow && r <= kMemoryMatchHigh;
}

// Same-vendor GPUs whose memory matches a reported total (for a GPU the tool
// names only by a PCI id).
std::vector<const Hardware*> by_memory(const Catalog& catalog, const std::string& vendor, double reported) {
    std::vector<const Hardware*> out;
    for (const Hardware& h : catalog.hardware) {
        if (h.vendor == Vendor::cpu || h.unified_memory) continue;
        if (!vendor.empty() && vendor != vendor_name(h.vendor)) continue;
        if (memory_matches(reported, h)) out.push_back(&h);
    }
    return out;
}

// "DDR5-5600" in a CPU entry's name -> 5600.
std::uint32_t speed_in_name(const std::string& name, const std::string& type) {
    const std::string t = lower(name);
    const auto at = t.find(lower(type) + "-");
    if (at == std::string::npos) return 0;
    return static_cast<std::uint32_t>(std::atoi(t.c_str() + at + type.size() + 1));
}

// "cpu-ddr5-5600-2ch" -> 2 memory channels; 0 when the id does not say.
std::uint32_t channels_in_id(const std::string& id) {
    const auto at = id.rfind('-');
    if (at == std::string::npos || id.size() < at + 4 || id.compare(id.size() - 2, 2, "ch") != 0) return 0;
    return static_cast<std::uint32_t>(std::atoi(id.c_str() + at + 1));
}

// Up to this many populated modules is a desktop or laptop board, which runs
// two memory channels; a server fills one module per channel or more.
constexpr std::uint32_t kDesktopMaxModules = 4;
constexpr std::uint32_t kDesktopChannels = 2;

// CPU (system memory) entries of the same DDR generation: the closest channel
// count first, then the closest speed.
std::vector<DetectCandidate> cpu_suggestions(const Catalog& catalog, const MemoryModules& m) {
    std::string type = m.type;
    if (starts_with(lower(type), "lp")) type = type.substr(2);  // LPDDR5 -> DDR5 rows
    if (type.empty()) return {};
    const std::uint32_t channels = m.count <= kDesktopMaxModules ? kDesktopChannels : m.count;
    auto gap = [](std::uint32_t a, std::uint32_t b) { return a > b ? a - b : b - a; };
    std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, const Hardware*>> rows;
    for (const Hardware& h : catalog.hardware) {
        if (h.vendor != Vendor::cpu) continue;
        const std::uint32_t speed = speed_in_name(h.name, type);
        if (speed == 0) continue;
        rows.push_back({{gap(channels_in_id(h.id), channels), gap(m.speed_mts, speed)}, &h});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<DetectCandidate> out;
    for (const auto& row : rows) out.push_back(candidate_of(*row.second));
    return out;
}

}  // namespace

const char* confidence_name(DetectConfidence c) {
    switch (c) {
        case DetectConfidence::exact:
            return "exact";
        case DetectConfidence::family:
            return "family";
        case DetectConfidence::unknown:
            return "unknown";
    }
    return "unknown";
}

// ---------- readers ----------

std::string device_name_from_renderer(const std::string& renderer) {
    std::string s = trim(remove_all(renderer, ", or similar"));
    // ANGLE: "ANGLE (Vendor, Device, Backend)"; the older form has only the device.
    if (starts_with(lower(s), "angle (")) {
        const std::vector<std::string> parts = split_top_level(first_group(s), ',');
        s = parts.size() >= 2 ? parts[1] : parts[0];
    }
    // "Vulkan 1.3.242 (NVIDIA GeForce RTX 4090 (0x00002684))", "D3D12 (Intel(R) Arc(TM) A380 Graphics)"
    const std::string l = lower(s);
    if ((starts_with(l, "vulkan") || starts_with(l, "d3d12")) && !first_group(s).empty()) s = first_group(s);
    for (const char* prefix : {"angle metal renderer:", "mesa dri ", "mesa "}) {
        if (starts_with(lower(s), prefix)) s = s.substr(std::string(prefix).size());
    }
    s = remove_all(s, "/pcie/sse2");
    s = remove_all(s, "/sse2");
    s = remove_parenthesized(s);
    s = cut_at(s, " direct3d");
    s = cut_at(s, " opengl");
    s = collapse_spaces(s);
    // Vulkan names repeat the vendor: "NVIDIA NVIDIA GeForce GTX 970".
    const auto space = s.find(' ');
    if (space != std::string::npos && starts_with(lower(s.substr(space + 1)), lower(s.substr(0, space)) + " ")) {
        s = s.substr(space + 1);
    }
    if (name_key(s).tokens.empty()) return {};  // "Apple GPU", "AMD Radeon(TM) Graphics": no device named
    return s;
}

bool is_software_renderer(const std::string& renderer) {
    const std::string t = lower(renderer);
    for (const char* marker : {"swiftshader", "llvmpipe", "softpipe", "lavapipe", "basic render driver",
                               "software adapter", "software rasterizer", "software renderer"}) {
        if (contains(t, marker)) return true;
    }
    return false;
}

std::vector<GpuReading> read_nvidia_smi(const std::string& csv) {
    std::vector<GpuReading> out;
    for (const std::string& line : lines_of(csv)) {
        const std::string t = trim(line);
        const auto comma = t.rfind(',');
        if (t.empty() || comma == std::string::npos) continue;
        if (starts_with(lower(t), "name") && contains(lower(t), "memory")) continue;  // the header
        GpuReading g;
        g.name = trim(t.substr(0, comma));
        const std::string mem = trim(t.substr(comma + 1));
        double value = 0;
        if (starts_with(mem, "[")) {
            value = 0;  // "[N/A]": unified memory (GB10, Jetson)
        } else if (!parse_number(mem, value)) {
            continue;  // not a data line
        }
        g.memory_bytes = value * (contains(lower(mem), "gib") ? kGiB : kMiB);  // the header says [MiB]
        if (!g.name.empty()) out.push_back(g);
    }
    return out;
}

std::vector<GpuReading> read_rocm_smi(const std::string& product, const std::string& vram) {
    std::map<int, std::map<std::string, std::string>> fields;  // GPU index -> lower-case key -> value
    auto read_lines = [&](const std::string& text) {
        std::vector<std::string> csv_header;
        for (const std::string& line : lines_of(text)) {
            const std::string t = trim(line);
            if (starts_with(lower(t), "device,")) {  // --csv: "device,Card series,Card model,..."
                csv_header = split_top_level(lower(t), ',');
                continue;
            }
            if (!csv_header.empty() && starts_with(lower(t), "card")) {
                const auto cells = split_top_level(t, ',');
                const int idx = std::atoi(t.c_str() + 4);
                for (std::size_t i = 1; i < cells.size() && i < csv_header.size(); ++i)
                    fields[idx][csv_header[i]] = cells[i];
                continue;
            }
            if (!starts_with(t, "GPU[")) continue;  // "GPU[0]\t\t: Card series: \t\tNavi 31 [...]"
            const int idx = std::atoi(t.c_str() + 4);
            const auto colon = t.find(':');
            if (colon == std::string::npos) continue;
            const std::string rest = t.substr(colon + 1);
            const auto sep = rest.rfind(": ");
            const auto key_end = contains(lower(rest), "memory") ? sep : rest.find(':');
            if (key_end == std::string::npos) continue;
            fields[idx][lower(trim(rest.substr(0, key_end)))] = trim(rest.substr(key_end + 1));
        }
    };
    read_lines(product);
    read_lines(vram);
    std::vector<GpuReading> out;
    for (const auto& [idx, f] : fields) {
        GpuReading g;
        for (const char* key : {"marketing name", "card series", "card model"}) {
            const auto it = f.find(key);
            if (it == f.end() || it->second.empty() || is_hex_id(it->second)) continue;
            std::string v = it->second;
            const auto open = v.find('['), close = v.rfind(']');
            if (open != std::string::npos && close != std::string::npos && close > open)
                v = v.substr(open + 1, close - open - 1);
            g.name = trim(v);
            break;
        }
        if (g.name.empty()) {  // only a PCI id ("Card series: 0x744c"): keep it for the words
            const auto it = f.find("card series");
            if (it != f.end()) g.name = it->second;
        }
        const auto mem = f.find("vram total memory (b)");
        if (mem != f.end()) parse_number(mem->second, g.memory_bytes);
        if (!g.name.empty() || g.memory_bytes > 0) out.push_back(g);
    }
    return out;
}

SysctlReading read_sysctl(const std::string& text) {
    SysctlReading r;
    for (const std::string& line : lines_of(text)) {
        auto sep = line.find(':');
        if (sep == std::string::npos) sep = line.find('=');
        if (sep == std::string::npos) continue;
        const std::string key = trim(line.substr(0, sep));
        const std::string value = trim(line.substr(sep + 1));
        double v = 0;
        if (key == "machdep.cpu.brand_string")
            r.cpu_brand = value;
        else if (key == "hw.memsize" && parse_number(value, v))
            r.memory_bytes = v;
        else if (key == "hw.ncpu" && parse_number(value, v) && v > 0)
            r.cpu_count = static_cast<std::uint32_t>(v);
        else if (key == "iogpu.wired_limit_mb" && parse_number(value, v))
            r.gpu_wired_limit_bytes = v * kMiB;
    }
    return r;
}

double read_meminfo_total_bytes(const std::string& meminfo) {
    for (const std::string& line : lines_of(meminfo)) {
        if (!starts_with(line, "MemTotal:")) continue;
        double kib = 0;
        if (parse_number(line.substr(9), kib)) return kib * kKiB;  // /proc/meminfo's "kB" are KiB
    }
    return 0;
}

MemoryModules read_dmidecode_memory(const std::string& text) {
    MemoryModules m;
    double size = 0;
    std::string type;
    std::uint32_t rated = 0, configured = 0;
    bool in_device = false;
    auto finish = [&]() {
        if (in_device && size > 0) {
            ++m.count;
            m.total_bytes += size;
            if (m.type.empty()) m.type = type;
            const std::uint32_t speed = configured ? configured : rated;
            if (speed && (m.speed_mts == 0 || speed < m.speed_mts))
                m.speed_mts = speed;  // the slowest module sets the pace
        }
        size = 0;
        type.clear();
        rated = configured = 0;
    };
    for (const std::string& line : lines_of(text)) {
        const std::string t = trim(line);
        if (t == "Memory Device") {
            finish();
            in_device = true;
            continue;
        }
        if (starts_with(t, "Handle ")) {
            finish();
            in_device = false;
            continue;
        }
        if (!in_device) continue;
        const auto colon = t.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = t.substr(0, colon);
        const std::string value = trim(t.substr(colon + 1));
        double v = 0;
        if (key == "Size" && parse_number(value, v)) {
            const std::string unit = lower(value);
            size = v * (contains(unit, "tb")   ? 1024.0 * kGiB
                        : contains(unit, "gb") ? kGiB
                        : contains(unit, "mb") ? kMiB
                                               : kKiB);
        } else if (key == "Type" && value != "Unknown" && value != "Other") {
            type = value;
        } else if (key == "Speed" && parse_number(value, v)) {
            rated = static_cast<std::uint32_t>(v);
        } else if ((key == "Configured Memory Speed" || key == "Configured Clock Speed") && parse_number(value, v)) {
            configured = static_cast<std::uint32_t>(v);
        }
    }
    finish();
    return m;
}

Result<Observations> parse_observations(const json& j) {
    if (!j.is_object())
        return make_error("invalid_request", "", "the observations must be a JSON object, got " + dump_short(j));
    static const std::set<std::string> top = {"webgpu",           "webgl", "platform", "hardware_concurrency",
                                              "device_memory_gb", "tools"};
    if (auto e = check_keys(j, top, "")) return *e;
    Observations o;

    auto webgpu = read_object(j, "webgpu");
    if (!webgpu) return webgpu.error();
    if (const json* g = *webgpu) {
        if (auto e =
                check_keys(*g, {"vendor", "architecture", "device", "description", "is_fallback_adapter"}, "webgpu"))
            return *e;
        for (auto [key, out] : {std::pair<const char*, std::string*>{"vendor", &o.webgpu.vendor},
                                {"architecture", &o.webgpu.architecture},
                                {"device", &o.webgpu.device},
                                {"description", &o.webgpu.description}}) {
            auto s = read_text(*g, key, std::string("webgpu.") + key, kMaxBrowserTextChars);
            if (!s) return s.error();
            *out = *s;
        }
        if (g->contains("is_fallback_adapter") && !(*g)["is_fallback_adapter"].is_null()) {
            if (!(*g)["is_fallback_adapter"].is_boolean()) {
                return make_error("invalid_type", "webgpu.is_fallback_adapter",
                                  "webgpu.is_fallback_adapter must be true or false");
            }
            o.webgpu.fallback = (*g)["is_fallback_adapter"].get<bool>();
        }
    }

    auto webgl = read_object(j, "webgl");
    if (!webgl) return webgl.error();
    if (const json* g = *webgl) {
        if (auto e = check_keys(*g, {"vendor", "renderer"}, "webgl")) return *e;
        auto v = read_text(*g, "vendor", "webgl.vendor", kMaxBrowserTextChars);
        if (!v) return v.error();
        auto r = read_text(*g, "renderer", "webgl.renderer", kMaxBrowserTextChars);
        if (!r) return r.error();
        o.webgl_vendor = *v;
        o.webgl_renderer = *r;
    }

    auto platform = read_text(j, "platform", "platform", kMaxBrowserTextChars);
    if (!platform) return platform.error();
    o.platform = *platform;

    if (j.contains("hardware_concurrency") && !j["hardware_concurrency"].is_null()) {
        const json& v = j["hardware_concurrency"];
        if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > kMaxHardwareConcurrency) {
            return make_error("invalid_number", "hardware_concurrency",
                              "hardware_concurrency must be a number from 0 to " +
                                  std::to_string(kMaxHardwareConcurrency) + ", got " + dump_short(v));
        }
        o.hardware_concurrency = static_cast<std::uint32_t>(v.get<double>());
    }
    if (j.contains("device_memory_gb") && !j["device_memory_gb"].is_null()) {
        const json& v = j["device_memory_gb"];
        if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0 ||
            v.get<double>() > kMaxDeviceMemoryGb) {
            return make_error("invalid_number", "device_memory_gb",
                              "device_memory_gb must be a non-negative number, got " + dump_short(v));
        }
        o.device_memory_gb = v.get<double>();
    }

    auto tools = read_object(j, "tools");
    if (!tools) return tools.error();
    if (const json* t = *tools) {
        const std::vector<std::pair<const char*, std::string*>> fields = {{"nvidia_smi", &o.nvidia_smi},
                                                                          {"rocm_smi_product", &o.rocm_smi_product},
                                                                          {"rocm_smi_vram", &o.rocm_smi_vram},
                                                                          {"meminfo", &o.meminfo},
                                                                          {"dmidecode_memory", &o.dmidecode_memory},
                                                                          {"sysctl", &o.sysctl}};
        std::set<std::string> known;
        for (const auto& f : fields) known.insert(f.first);
        if (auto e = check_keys(*t, known, "tools")) return *e;
        for (const auto& [key, out] : fields) {
            auto s = read_text(*t, key, std::string("tools.") + key, kMaxToolTextChars);
            if (!s) return s.error();
            *out = *s;
        }
    }
    return o;
}

// ---------- the mapping ----------

Detection detect_hardware(const Observations& obs, const Catalog& catalog) {
    Detection d;
    const std::vector<KeyedEntry> index = index_catalog(catalog);
    auto note = [&](const std::string& source, const std::string& text) { d.evidence.push_back({source, text}); };

    // Readings, most trustworthy first: the drivers' tools, then the browser.
    std::vector<Reading> readings;
    const std::vector<Reading> nvidia = group_gpus(read_nvidia_smi(obs.nvidia_smi), "nvidia-smi", "nvidia");
    for (const Reading& r : nvidia) note(r.source, count_prefix(r.count) + r.raw + gpu_memory_words(r.memory_bytes));
    readings.insert(readings.end(), nvidia.begin(), nvidia.end());

    const std::vector<Reading> rocm =
        group_gpus(read_rocm_smi(obs.rocm_smi_product, obs.rocm_smi_vram), "rocm-smi", "amd");
    for (const Reading& r : rocm) {
        note(r.source,
             count_prefix(r.count) + (r.raw.empty() ? "an AMD GPU" : r.raw) + gpu_memory_words(r.memory_bytes));
    }
    readings.insert(readings.end(), rocm.begin(), rocm.end());

    const SysctlReading sys = read_sysctl(obs.sysctl);
    const bool apple_silicon = starts_with(sys.cpu_brand, "Apple");
    if (!sys.cpu_brand.empty()) {
        note("sysctl",
             sys.cpu_brand + (sys.memory_bytes > 0 ? ", " + format_bytes(sys.memory_bytes) + " of memory" : ""));
    }
    if (apple_silicon) {
        Reading r;
        r.source = "sysctl";
        r.raw = sys.cpu_brand;
        r.name = device_name_from_renderer(sys.cpu_brand);
        r.vendor = "apple";
        r.memory_bytes = sys.memory_bytes;
        readings.push_back(r);
    }
    if (sys.gpu_wired_limit_bytes > 0) {
        d.gpu_memory_limit_bytes = sys.gpu_wired_limit_bytes;
        note("sysctl", "the GPU may use up to " + format_bytes(sys.gpu_wired_limit_bytes) + " (iogpu.wired_limit_mb)");
    }

    const WebGpuInfo& gpu = obs.webgpu;
    const std::string webgpu_vendor = vendor_from_webgpu(gpu.vendor);
    {
        std::string parts;
        for (const std::string* p : {&gpu.vendor, &gpu.architecture, &gpu.device, &gpu.description}) {
            if (!p->empty() && !contains(parts, *p)) parts += (parts.empty() ? "" : ", ") + *p;
        }
        if (!parts.empty())
            note("webgpu", "WebGPU adapter: " + parts + (gpu.fallback ? " (a software fallback adapter)" : ""));
    }
    // Safari answers "apple" in every field: only a name beyond the vendor counts.
    for (const std::string* field : {&gpu.description, &gpu.device}) {
        if (field->empty() || lower(*field) == lower(gpu.vendor)) continue;
        Reading r = browser_reading("webgpu", *field, webgpu_vendor);
        r.software = r.software || gpu.fallback || lower(gpu.architecture) == "swiftshader";
        readings.push_back(r);
        break;
    }
    if (!obs.webgl_renderer.empty()) {
        Reading r = browser_reading("webgl", obs.webgl_renderer, webgl_vendor_hint(obs));
        note("webgl", r.software
                          ? "WebGL draws with a software renderer (" + collapse_spaces(obs.webgl_renderer) + ")"
                          : "WebGL renderer: " + (r.name.empty() ? collapse_spaces(obs.webgl_renderer) : r.name));
        readings.push_back(r);
    }

    // The platform and the machine's memory.
    d.platform = normalize_platform(obs.platform);
    if (d.platform.empty() && !obs.sysctl.empty() && (sys.memory_bytes > 0 || !sys.cpu_brand.empty()))
        d.platform = "mac";
    if (d.platform.empty() && !obs.meminfo.empty()) d.platform = "linux";
    if (!obs.platform.empty() || obs.hardware_concurrency > 0 || obs.device_memory_gb > 0) {
        std::string words = platform_words(d.platform);
        if (words.empty() && !obs.platform.empty()) words = collapse_spaces(obs.platform);
        if (obs.hardware_concurrency > 0) {
            words += (words.empty() ? "" : ", ") + std::to_string(obs.hardware_concurrency) + " logical processors";
        }
        if (obs.device_memory_gb > 0) {
            words += (words.empty() ? "" : ", ") + std::string("at least ") + gb_text(obs.device_memory_gb) +
                     " GB of memory (browsers round this down and cap it)";
        }
        note("navigator", words);
    }
    d.system_memory_bytes = read_meminfo_total_bytes(obs.meminfo);
    if (d.system_memory_bytes > 0) note("meminfo", format_bytes(d.system_memory_bytes) + " of system memory");
    if (apple_silicon && sys.memory_bytes > 0) d.system_memory_bytes = sys.memory_bytes;
    const MemoryModules modules = read_dmidecode_memory(obs.dmidecode_memory);
    if (modules.count > 0) {
        note("dmidecode", std::to_string(modules.count) + " memory module" + (modules.count > 1 ? "s" : "") + ", " +
                              format_bytes(modules.total_bytes) + (modules.type.empty() ? "" : " " + modules.type) +
                              (modules.speed_mts ? " at " + std::to_string(modules.speed_mts) + " MT/s" : ""));
        if (d.system_memory_bytes == 0) d.system_memory_bytes = modules.total_bytes;
    }

    // The first reading that names a catalog device decides.
    const Reading* chosen = nullptr;
    std::vector<const Hardware*> matched;
    for (const Reading& r : readings) {
        if (r.software || r.generic || r.name.empty()) continue;
        matched = match_name(r.name, index, r.vendor);
        if (!matched.empty()) {
            chosen = &r;
            break;
        }
    }
    // For the words: the best reading even when nothing matched. A tool that
    // lists a GPU without naming it counts; a browser's vague answer does not.
    const Reading* named = chosen;
    for (const Reading& r : readings) {
        if (named) break;
        const bool tool = r.source == "nvidia-smi" || r.source == "rocm-smi";
        if (!r.software && !r.generic && (!r.name.empty() || tool)) named = &r;
    }
    const bool software_only =
        !readings.empty() && std::all_of(readings.begin(), readings.end(), [](const Reading& r) { return r.software; });
    d.vendor = named ? named->vendor : std::string();
    for (const Reading& r : readings) {
        if (d.vendor.empty() && !r.software) d.vendor = r.vendor;
    }
    if (d.vendor.empty()) d.vendor = webgpu_vendor.empty() ? webgl_vendor_hint(obs) : webgpu_vendor;
    if (d.vendor.empty() && apple_silicon) d.vendor = "apple";
    if (named) {
        d.device = named->name.empty() ? named->raw : named->name;
        d.gpu_count = named->count;
    }
    for (const DetectEvidence& e : d.evidence) d.detected += (d.detected.empty() ? "" : "; ") + e.text;
    if (d.detected.empty()) d.detected = "Nothing was detected";
    d.detected += ".";

    if (chosen) {
        // Apple chips come in CPU-core variants: the logical processor count narrows them.
        const std::uint32_t cores = sys.cpu_count ? sys.cpu_count : obs.hardware_concurrency;
        std::vector<const Hardware*> by_cores;
        for (const Hardware* h : matched) {
            if (cores && cpu_cores_in_name(h->name) == cores) by_cores.push_back(h);
        }
        if (!by_cores.empty() && by_cores.size() < matched.size()) matched = by_cores;

        // A reported memory total picks the size. Unified-memory SoCs report a
        // configurable carve-out to rocm-smi, so only sysctl's total counts there.
        const bool memory_counts =
            chosen->memory_bytes > 0 &&
            (chosen->source == "sysctl" ||
             std::none_of(matched.begin(), matched.end(), [](const Hardware* h) { return h->unified_memory; }));
        const Hardware* pick = nullptr;
        if (memory_counts) {
            double best = 0;
            for (const Hardware* h : matched) {
                if (!memory_matches(chosen->memory_bytes, *h)) continue;
                const double closeness = -std::fabs(std::log(memory_ratio(chosen->memory_bytes, *h)));
                if (!pick || closeness > best) {
                    pick = h;
                    best = closeness;
                }
            }
        } else if (matched.size() == 1) {
            pick = matched.front();
        }
        if (pick) {
            d.confidence = DetectConfidence::exact;
            d.hardware = pick->id;
            d.candidates = {candidate_of(*pick)};
            d.message = "This machine: " + count_prefix(d.gpu_count) + pick->name + ".";
            return d;
        }
        d.confidence = DetectConfidence::family;
        d.candidates = candidates_of(matched);
        label_candidates(d.candidates);
        const bool by_size = d.candidates.front().label != d.candidates.front().name;
        d.question = by_size ? d.device + " — " + sizes_text(d.candidates) + "?" : d.device + ": which one?";
        if (memory_counts) {
            d.message = chosen->source + " reports " + format_bytes(chosen->memory_bytes) + " for " + d.device +
                        ", which matches none of the catalog's sizes exactly; pick the closest.";
        } else if (by_size) {
            d.message = "This machine has an " + d.device + "; which memory size?";
        } else {
            d.message = "This machine has an " + d.device + "; which one is it?";
        }
        return d;
    }

    // Unknown: say why, and suggest what the evidence allows.
    d.confidence = DetectConfidence::unknown;
    const std::string pick = " Pick your GPU from the list.";
    if (named && named->name.empty()) {
        if (named->memory_bytes > 0)
            d.candidates = candidates_of(by_memory(catalog, named->vendor, named->memory_bytes));
        d.message =
            named->source + " does not name this " + vendor_words(named->vendor) + " GPU (" +
            (named->raw.empty() ? "no name" : named->raw) + ")" +
            (d.candidates.empty() ? "." : "; " + format_bytes(named->memory_bytes) + " matches the suggestions.") +
            pick;
    } else if (named && !named->name.empty()) {
        d.message = named->name + " is not in the catalog." + pick;
    } else if (software_only) {
        d.message =
            "The browser draws without a GPU (a software renderer), so it cannot tell which GPU this machine has." +
            pick;
    } else if (d.platform == "ios" || d.platform == "android") {
        d.message = "Phones and tablets are not in the catalog." + pick;
    } else if (d.vendor == "apple") {
        d.message = "The browser says only that this is an Apple GPU, not which chip." + pick;
    } else if (!d.vendor.empty()) {
        d.message = std::string("The browser says only that this is an ") + vendor_words(d.vendor) + " GPU." + pick;
    } else if (readings.empty() && d.evidence.empty()) {
        d.message = "Nothing was detected: we could not tell which GPU this machine has." + pick;
    } else {
        d.message = "No GPU was found: we could not tell which GPU this machine has." + pick;
    }
    if (d.candidates.empty() && !named && modules.count > 0) {
        d.candidates = cpu_suggestions(catalog, modules);
        if (!d.candidates.empty()) {
            d.message +=
                " For CPU-only inference, " + d.candidates.front().name + " is the closest system-memory entry.";
        }
    }
    return d;
}

json detection_to_json(const Detection& d) {
    json cands = json::array();
    for (const DetectCandidate& c : d.candidates) {
        cands.push_back({{"id", c.id}, {"name", c.name}, {"memory_bytes", c.memory_bytes}, {"label", c.label}});
    }
    json evidence = json::array();
    for (const DetectEvidence& e : d.evidence) evidence.push_back({{"source", e.source}, {"text", e.text}});
    return {{"ok", true},
            {"confidence", confidence_name(d.confidence)},
            {"hardware", d.hardware},
            {"gpu_count", d.gpu_count},
            {"device", d.device},
            {"vendor", d.vendor},
            {"platform", d.platform},
            {"question", d.question},
            {"candidates", cands},
            {"system_memory_bytes", d.system_memory_bytes},
            {"gpu_memory_limit_bytes", d.gpu_memory_limit_bytes},
            {"evidence", evidence},
            {"detected", d.detected},
            {"message", d.message}};
}

json detect(const json& observations, const Catalog& catalog) {
    try {
        auto obs = parse_observations(observations);
        if (!obs) return error_report(obs.error());
        return detection_to_json(detect_hardware(*obs, catalog));
    } catch (const std::exception& e) {
        return error_report(make_error("internal_error", "", std::string("internal error: ") + e.what()));
    } catch (...) {
        return error_report(make_error("internal_error", "", "internal error"));
    }
}

std::string detect_json(const std::string& observations_text, const Catalog& catalog) {
    try {
        const json j = json::parse(observations_text, nullptr, /*allow_exceptions=*/false);
        if (j.is_discarded()) {
            return error_report(make_error("invalid_json", "observations", "the observations are not valid JSON"))
                .dump();
        }
        return detect(j, catalog).dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (...) {
        return error_report(make_error("internal_error", "", "internal error")).dump();
    }
}

}  // namespace headroom
