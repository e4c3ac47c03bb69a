// Hardware entries: catalog rows and inline request objects.
#include "hardware.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "units.hpp"

namespace headroom {
namespace {

using nlohmann::json;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// Optional positive number; absent/null -> 0. Present but bad -> error naming it.
Result<double> optional_positive(const json& j, const std::string& key, const std::string& prefix) {
    if (!j.contains(key) || j[key].is_null()) return 0.0;
    const json& v = j[key];
    const std::string field = prefix + "." + key;
    if (!v.is_number()) return make_error("invalid_type", field, field + " must be a number, got " + v.dump());
    const double d = v.get<double>();
    if (!std::isfinite(d) || d <= 0) {
        return make_error("invalid_number", field, field + " must be a positive number, got " + v.dump());
    }
    if (d > 1e9) return make_error("out_of_range", field, field + " is " + v.dump() + ", beyond any real device; the limit is 1000000000");
    return d;
}

Result<double> required_positive(const json& j, const std::string& key, const std::string& prefix) {
    if (!j.contains(key) || j[key].is_null()) {
        return make_error("missing_field", prefix + "." + key, prefix + "." + key + " is required");
    }
    return optional_positive(j, key, prefix);
}

// Bandwidth of common links per direction, GB/s, when only the name is given.
double link_from_text(const std::string& text) {
    const std::string t = lower(text);
    if (t.find("nvlink") != std::string::npos) return 300e9;
    if (t.find("pcie 5") != std::string::npos) return 64e9;
    if (t.find("pcie 4") != std::string::npos) return 32e9;
    if (t.find("pcie 3") != std::string::npos) return 16e9;
    return 0.0;
}

}  // namespace

const char* vendor_name(Vendor v) {
    switch (v) {
    case Vendor::nvidia: return "nvidia";
    case Vendor::amd: return "amd";
    case Vendor::apple: return "apple";
    case Vendor::intel: return "intel";
    case Vendor::cpu: return "cpu";
    }
    return "nvidia";
}

Result<Hardware> parse_hardware(const json& j, const std::string& prefix) {
    if (!j.is_object()) return make_error("invalid_type", prefix, prefix + " must be an object");
    Hardware hw;
    // Strings only: json::value() would throw on {"id": 5}.
    hw.id = j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : std::string();
    hw.name = j.contains("name") && j["name"].is_string() ? j["name"].get<std::string>() : std::string();
    hw.arch = j.contains("arch") && j["arch"].is_string() ? j["arch"].get<std::string>() : std::string();
    hw.form_factor = j.contains("form_factor") && j["form_factor"].is_string() ? j["form_factor"].get<std::string>() : std::string();

    std::string vendor = j.contains("vendor") && j["vendor"].is_string() ? lower(j["vendor"].get<std::string>()) : "";
    if (vendor.empty()) {
        const std::string n = lower(hw.name + " " + hw.arch);
        if (n.find("apple") != std::string::npos || n.find(" m1") != std::string::npos) vendor = "apple";
        else if (n.find("radeon") != std::string::npos || n.find("instinct") != std::string::npos || n.find("rdna") != std::string::npos) vendor = "amd";
        else if (n.find("arc") != std::string::npos) vendor = "intel";
        else vendor = "nvidia";
        hw.assumptions.push_back("vendor not given; assumed " + vendor);
    }
    if (vendor == "nvidia") hw.vendor = Vendor::nvidia;
    else if (vendor == "amd") hw.vendor = Vendor::amd;
    else if (vendor == "apple") hw.vendor = Vendor::apple;
    else if (vendor == "intel") hw.vendor = Vendor::intel;
    else if (vendor == "cpu") hw.vendor = Vendor::cpu;
    else return make_error("invalid_value", prefix + ".vendor", prefix + ".vendor must be one of nvidia, amd, apple, intel, cpu, got '" + vendor + "'");

    auto mem = required_positive(j, "memory_gb", prefix);
    if (!mem) return mem.error();
    auto bw = required_positive(j, "bandwidth_gbs", prefix);
    if (!bw) return bw.error();
    // Memory as marketed is binary: a "24 GB" card carries 12 × 2 GiB chips.
    hw.memory_bytes = *mem * kGiB;
    hw.bandwidth_bytes_per_s = *bw * kGB;

    auto fp16 = optional_positive(j, "fp16_tflops", prefix);
    if (!fp16) return fp16.error();
    auto fp8 = optional_positive(j, "fp8_tflops", prefix);
    if (!fp8) return fp8.error();
    auto int8 = optional_positive(j, "int8_tops", prefix);
    if (!int8) return int8.error();
    auto fp4 = optional_positive(j, "fp4_tflops", prefix);
    if (!fp4) return fp4.error();
    auto fp32 = optional_positive(j, "fp32_tflops", prefix);
    if (!fp32) return fp32.error();
    hw.fp16_flops = *fp16 * kTera;
    hw.fp8_flops = *fp8 * kTera;
    hw.int8_ops = *int8 * kTera;
    hw.fp4_flops = *fp4 * kTera;
    hw.fp32_flops = *fp32 * kTera;
    if (hw.fp16_flops <= 0) {
        if (hw.fp32_flops > 0) {
            hw.fp16_flops = hw.fp32_flops;
            hw.assumptions.push_back("no FP16 matrix figure for " + (hw.name.empty() ? prefix : hw.name) +
                                     "; prefill uses the FP32 vector peak");
        } else {
            // Bandwidth-to-compute ratio of recent GPUs (RTX 4090: 165 TFLOPS FP16 / 1008 GB/s ≈ 160 FLOP/byte);
            // for a device of unknown compute we assume a conservative 80 FLOP/byte.
            hw.fp16_flops = hw.bandwidth_bytes_per_s * 80.0;
            hw.assumptions.push_back("no compute figures for " + (hw.name.empty() ? prefix : hw.name) +
                                     "; assumed 80 FP16 FLOPs per byte of bandwidth (prefill and TTFT are rough)");
        }
    }
    if (hw.fp32_flops <= 0) hw.fp32_flops = hw.fp16_flops / 4.0;

    hw.unified_memory = j.contains("unified_memory") && j["unified_memory"].is_boolean() && j["unified_memory"].get<bool>();
    auto sys_mem = optional_positive(j, "system_memory_gb", prefix);
    if (!sys_mem) return sys_mem.error();
    auto sys_bw = optional_positive(j, "system_bandwidth_gbs", prefix);
    if (!sys_bw) return sys_bw.error();
    hw.system_memory_bytes = *sys_mem * kGiB;
    hw.system_bandwidth_bytes_per_s = *sys_bw * kGB;
    if (hw.unified_memory || hw.vendor == Vendor::cpu) {
        if (hw.system_memory_bytes <= 0) hw.system_memory_bytes = hw.memory_bytes;
        if (hw.system_bandwidth_bytes_per_s <= 0) hw.system_bandwidth_bytes_per_s = hw.bandwidth_bytes_per_s;
    }
    if (hw.form_factor.empty()) {
        hw.form_factor = hw.vendor == Vendor::cpu ? "cpu" : (hw.unified_memory ? "soc" : "desktop");
    }
    hw.memory_type = j.contains("memory_type") && j["memory_type"].is_string() ? j["memory_type"].get<std::string>() : "";
    hw.interconnect = j.contains("interconnect") && j["interconnect"].is_string() ? j["interconnect"].get<std::string>() : "";
    auto link = optional_positive(j, "interconnect_gbs", prefix);
    if (!link) return link.error();
    hw.interconnect_bytes_per_s = *link > 0 ? *link * kGB : link_from_text(hw.interconnect);
    auto tdp = optional_positive(j, "tdp_w", prefix);
    if (!tdp) return tdp.error();
    hw.tdp_w = *tdp;
    if (j.contains("year") && j["year"].is_number_integer()) hw.year = j["year"].get<int>();
    auto price = optional_positive(j, "price_usd", prefix);
    if (!price) return price.error();
    hw.price_usd = *price;
    if (j.contains("aliases") && j["aliases"].is_array()) {
        for (const auto& a : j["aliases"]) {
            if (a.is_string()) hw.aliases.push_back(a.get<std::string>());
        }
    }
    return hw;
}

Result<Hardware> combine_devices(const std::vector<Hardware>& devices) {
    if (devices.empty()) return make_error("invalid_value", "devices", "devices must list at least one device");
    if (devices.size() == 1) return devices.front();
    Hardware c = devices.front();
    double total_memory = 0.0;
    for (const Hardware& d : devices) {
        if (d.vendor != c.vendor) {
            return make_error("incompatible_devices", "devices",
                              std::string("devices mix ") + vendor_name(c.vendor) + " and " + vendor_name(d.vendor) +
                                  " hardware; one runtime backend cannot drive both");
        }
        if (d.unified_memory || d.vendor == Vendor::cpu) {
            return make_error("incompatible_devices", "devices", "'" + d.name + "' is a unified-memory system, not a GPU to combine");
        }
        total_memory += d.memory_bytes;
    }
    // Memory-weighted harmonic mean: time per token = Σ share_i / rate_i.
    auto harmonic = [&](double Hardware::*field) {
        double t = 0.0;
        for (const Hardware& d : devices) {
            const double share = d.memory_bytes / total_memory;
            if (d.*field <= 0) return 0.0;
            t += share / (d.*field);
        }
        return t > 0 ? 1.0 / t : 0.0;
    };
    c.bandwidth_bytes_per_s = harmonic(&Hardware::bandwidth_bytes_per_s);
    c.fp16_flops = harmonic(&Hardware::fp16_flops);
    c.fp8_flops = harmonic(&Hardware::fp8_flops);
    c.int8_ops = harmonic(&Hardware::int8_ops);
    c.fp4_flops = harmonic(&Hardware::fp4_flops);
    c.fp32_flops = harmonic(&Hardware::fp32_flops);
    c.memory_bytes = total_memory / double(devices.size());
    c.interconnect_bytes_per_s = devices.front().interconnect_bytes_per_s;
    c.id.clear();
    c.name.clear();
    c.price_usd = 0.0;
    for (const Hardware& d : devices) {
        if (!c.id.empty()) { c.id += "+"; c.name += " + "; }
        c.id += d.id;
        c.name += d.name;
        c.price_usd += d.price_usd;
        c.member_names.push_back(d.name);
        c.member_memory_bytes.push_back(d.memory_bytes);
        c.member_form_factors.push_back(d.form_factor);
        if (d.price_usd <= 0) c.price_usd = -1e30;  // unknown if any member's price is unknown
    }
    if (c.price_usd < 0) c.price_usd = 0.0;
    c.assumptions.push_back("mixed GPUs: layers split in proportion to memory; speed is the memory-weighted mean of the cards, run one after another");
    return c;
}

}  // namespace headroom
