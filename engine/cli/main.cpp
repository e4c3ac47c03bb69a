// headroom: the command-line door into the engine (shared/design/contract.md "Doors").
// The CLI reads files and arguments; the engine never does.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog.hpp"
#include "config_import.hpp"
#include "estimate.hpp"
#include "local_machine.hpp"
#include "model_import.hpp"
#include "report.hpp"
#include "tensors.hpp"

using nlohmann::json;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitNotOk = 1;
constexpr int kExitUsage = 2;

const char* kUsage =
    "usage:\n"
    "  headroom estimate --model ID|FILE --hardware ID [--count N] [--quant Q] [--runtime R]\n"
    "                    [--context N] [--kv-cache T] [--mode M] [--backend B] [--flash-attention on|off]\n"
    "                    [--offload auto|gpu-layers=N|cpu-moe=N|cpu-moe] [--bench PP,TG,DEPTH] [--json]\n"
    "                    [--devices ID,ID,...] [--ram-gb N] [--ram-gbs N] [--concurrency N]\n"
    "  headroom batch < requests.jsonl > reports.jsonl\n"
    "  headroom catalog models|hardware|quants|runtimes [--json]\n"
    "  headroom rank --hardware ID [--count N] [--json]\n"
    "  headroom rank --model ID [--json]\n"
    "  headroom detect [--json]                (this machine: nvidia-smi, rocm-smi, sysctl, /proc/meminfo)\n"
    "  headroom inspect FILE... [--json]       (GGUF, safetensors, config.json, model.safetensors.index.json)\n"
    "  headroom accuracy [--file FILE] [--json] (dev-set error table: scripts/accuracy --json FILE,\n"
    "                                            default build/accuracy.json, written by scripts/build)\n"
    "--hardware local (estimate, rank): the machine `headroom detect` finds; exits 1 when it cannot tell\n"
    "common: --catalog DIR (default: the source tree's catalog/, or $HEADROOM_CATALOG)\n";

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

struct Args {
    std::string command;
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> options;
    bool json = false;
    std::string catalog_dir;
};

bool takes_value(const std::string& flag) {
    return flag != "--json" && flag != "--help";
}

bool parse_args(int argc, char** argv, Args& a, std::string& err) {
    if (argc < 2) { err = "missing command"; return false; }
    a.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string s = argv[i];
        if (s.rfind("--", 0) == 0) {
            std::string value;
            const auto eq = s.find('=');
            if (eq != std::string::npos) {
                value = s.substr(eq + 1);
                s = s.substr(0, eq);
            } else if (takes_value(s)) {
                if (i + 1 >= argc) { err = "option " + s + " needs a value"; return false; }
                value = argv[++i];
            }
            if (s == "--json") a.json = true;
            else if (s == "--catalog") a.catalog_dir = value;
            else a.options.emplace_back(s, value);
        } else {
            a.positional.push_back(s);
        }
    }
    return true;
}

bool load(const std::string& dir, headroom::Catalog& catalog, std::string& err) {
    std::string models, hardware;
    if (!read_file(dir + "/models.json", models) || !read_file(dir + "/hardware.json", hardware)) {
        err = "cannot read the catalog in " + dir + " (models.json, hardware.json)";
        return false;
    }
    auto c = headroom::load_catalog(models, hardware);
    if (!c) {
        err = "catalog: " + c.error().message;
        return false;
    }
    catalog = std::move(*c);
    return true;
}

// ---- model files (model_import.hpp): only headers are read, in growing chunks ----

bool read_prefix(const std::string& path, std::uint64_t n, std::string& out, std::uint64_t& file_size) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return false;
    const std::streamoff end = in.tellg();
    if (end < 0) return false;
    file_size = static_cast<std::uint64_t>(end);
    const std::uint64_t want = std::min<std::uint64_t>(n, file_size);
    out.assign(static_cast<std::size_t>(want), '\0');
    in.seekg(0);
    in.read(&out[0], static_cast<std::streamsize>(want));
    return static_cast<std::uint64_t>(in.gcount()) == want;
}

// Inspects one file, reading more of it while the header needs more bytes.
json inspect_path(const std::string& path) {
    std::uint64_t have = headroom::kInspectFirstReadBytes, file_size = 0;
    for (;;) {
        std::string bytes;
        if (!read_prefix(path, have, bytes, file_size)) {
            return headroom::error_report({"unreadable_file", "file", "cannot read '" + path + "'"});
        }
        json r = headroom::inspect_model_file(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), file_size, path);
        const std::uint64_t need = r.value("need_bytes", std::uint64_t(0));
        if (r.value("ok", false) || need == 0 || bytes.size() >= file_size) return r;
        have = std::max<std::uint64_t>(need, 2 * have);
    }
}

std::string dir_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

bool file_exists(const std::string& path) { return static_cast<bool>(std::ifstream(path)); }

// The files that make up the model FILE names: every part of a split GGUF
// (NAME-00001-of-00003.gguf), or a safetensors checkpoint's config.json and
// the shards its model.safetensors.index.json lists.
std::vector<std::string> model_file_set(const std::string& path) {
    std::vector<std::string> files;
    const auto of = path.rfind("-of-");
    if (of != std::string::npos && of >= 6 && path.size() >= of + 9 && path.compare(path.size() - 5, 5, ".gguf") == 0) {
        const std::string total = path.substr(of + 4, path.size() - 5 - of - 4);
        const std::size_t width = of - path.rfind('-', of - 1) - 1;
        const int n = std::atoi(total.c_str());
        for (int i = 1; n > 1 && n < 10000 && i <= n; ++i) {
            std::string no = std::to_string(i);
            if (no.size() < width) no.insert(0, width - no.size(), '0');
            const std::string part = path.substr(0, of - width) + no + path.substr(of);
            if (file_exists(part)) files.push_back(part);
        }
        if (!files.empty()) return files;
    }
    const bool safetensors = path.size() > 12 && path.compare(path.size() - 12, 12, ".safetensors") == 0;
    const bool index = path.size() > 11 && path.compare(path.size() - 11, 11, ".index.json") == 0;
    if (!safetensors && !index) return {path};
    const std::string dir = dir_of(path);
    if (file_exists(dir + "/config.json")) files.push_back(dir + "/config.json");
    std::string text;
    const std::string index_path = index ? path : dir + "/model.safetensors.index.json";
    if (read_file(index_path, text)) {
        json idx = json::parse(text, nullptr, false);
        files.push_back(index_path);
        if (!idx.is_discarded() && idx.contains("weight_map") && idx["weight_map"].is_object()) {
            std::vector<std::string> seen;
            for (const auto& [name, file] : idx["weight_map"].items()) {
                if (!file.is_string()) continue;
                const std::string f = dir + "/" + file.get<std::string>();
                if (std::find(seen.begin(), seen.end(), f) == seen.end() && file_exists(f)) seen.push_back(f);
            }
            for (const std::string& f : seen) files.push_back(f);
            return files;
        }
    }
    if (safetensors) files.push_back(path);
    return files;
}

json inspect_and_combine(const std::vector<std::string>& paths, json* each = nullptr) {
    json inspected = json::array();
    for (const std::string& p : paths) {
        json r = inspect_path(p);
        if (!r.value("ok", false)) {
            if (r.contains("error")) r["error"]["message"] = "'" + p + "': " + r["error"].value("message", std::string());
            return r;
        }
        inspected.push_back(r);
    }
    if (each) *each = inspected;
    return headroom::combine_model_files(inspected);
}

// Model argument: a catalog id / repo, or a model file (config.json, GGUF,
// safetensors, index). A file that cannot be read as a model comes back as
// its error object ({"ok": false, ...}).
json model_value(const std::string& v) {
    const bool looks_like_file = v.find('/') != std::string::npos || v.find(".json") != std::string::npos ||
                                 v.find(".gguf") != std::string::npos || v.find(".safetensors") != std::string::npos;
    if (!looks_like_file || !file_exists(v)) return v;
    json combined = inspect_and_combine(model_file_set(v));
    if (!combined.value("ok", false)) return combined;
    return combined["model"];
}

bool is_file_error(const json& model) {
    return model.is_object() && model.contains("error") && model.contains("ok") && !model["ok"].get<bool>();
}

bool build_request(const Args& a, json& req, std::string& err) {
    req = json::object();
    for (const auto& [k, v] : a.options) {
        try {
            if (k == "--model") req["model"] = model_value(v);
            else if (k == "--hardware") req["hardware"] = v;
            else if (k == "--devices") {
                json list = json::array();
                std::size_t start = 0;
                while (start <= v.size()) {
                    const std::size_t comma = v.find(',', start);
                    const std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                    if (!item.empty()) list.push_back(item);
                    if (comma == std::string::npos) break;
                    start = comma + 1;
                }
                req["devices"] = list;
            } else if (k == "--ram-gb") req["system_memory_gb"] = std::stod(v);
            else if (k == "--ram-gbs") req["system_bandwidth_gbs"] = std::stod(v);
            else if (k == "--concurrency") req["concurrency"] = std::stoll(v);
            else if (k == "--count") req["gpu_count"] = std::stoll(v);
            else if (k == "--quant") req["quant"] = v;
            else if (k == "--runtime") req["runtime"] = v;
            else if (k == "--context") req["context_tokens"] = std::stoll(v);
            else if (k == "--kv-cache") req["kv_cache_type"] = v;
            else if (k == "--mode") req["mode"] = v;
            else if (k == "--backend") req["backend"] = v;
            else if (k == "--split") req["split"] = v;
            else if (k == "--flash-attention") req["flash_attention"] = (v == "on" || v == "1" || v == "true");
            else if (k == "--offload") {
                if (v == "auto") req["offload"] = "auto";
                else if (v.rfind("gpu-layers=", 0) == 0) req["offload"] = {{"gpu_layers", std::stoll(v.substr(11))}};
                else if (v.rfind("cpu-moe=", 0) == 0) req["offload"] = {{"cpu_moe_layers", std::stoll(v.substr(8))}};
                else if (v == "cpu-moe") req["offload"] = {{"cpu_moe", true}};
                else { err = "--offload takes auto, gpu-layers=N or cpu-moe=N"; return false; }
            } else if (k == "--bench") {
                long long pp = 512, tg = 128, depth = 0;
                if (std::sscanf(v.c_str(), "%lld,%lld,%lld", &pp, &tg, &depth) < 2) { err = "--bench takes PP,TG[,DEPTH]"; return false; }
                req["bench"] = {{"pp", pp}, {"tg", tg}, {"depth", depth}};
            } else {
                err = "unknown option " + k;
                return false;
            }
        } catch (...) {
            err = "option " + k + " needs a whole number, got '" + v + "'";
            return false;
        }
    }
    return true;
}

int print_report(const json& report, bool as_json) {
    if (as_json) std::cout << report.dump(2) << "\n";
    else std::cout << headroom::render_report_text(report);
    return report.value("ok", false) ? kExitOk : kExitNotOk;
}

int cmd_catalog(const Args& a, const headroom::Catalog& catalog) {
    if (a.positional.empty()) { std::cerr << kUsage; return kExitUsage; }
    const json listing = headroom::catalog_listing(catalog, a.positional[0]);
    if (a.json || !listing.value("ok", false)) return print_report(listing, true);
    for (const auto& item : listing["items"]) {
        if (item.contains("id")) std::cout << item["id"].get<std::string>() << "\t" << item["name"].get<std::string>() << "\n";
        else if (item.contains("quant")) std::cout << item["quant"].get<std::string>() << "\n";
        else if (item.contains("runtime")) std::cout << item["runtime"].get<std::string>() << "\n";
    }
    return kExitOk;
}

int cmd_rank(const Args& a, const headroom::Catalog& catalog) {
    json req;
    std::string err;
    if (!build_request(a, req, err)) { std::cerr << "headroom: " << err << "\n" << kUsage; return kExitUsage; }
    json out;
    if (req.contains("hardware") && !req.contains("model")) out = headroom::rank_models_for_hardware(req, catalog);
    else if (req.contains("model") && !req.contains("hardware")) out = headroom::rank_hardware_for_model(req, catalog);
    else { std::cerr << "headroom: rank takes --hardware or --model (one of them)\n" << kUsage; return kExitUsage; }
    if (a.json || !out.value("ok", false)) return print_report(out, true);
    int rank = 0;
    for (const auto& item : out["items"]) {
        std::printf("%3d. %-40s %-28s %-8s %-7s %s %3.0f  %7.1f tok/s\n", ++rank,
                    item["model_name"].get<std::string>().c_str(), item["hardware_name"].get<std::string>().c_str(),
                    item["quant"].get<std::string>().c_str(), item["verdict"].get<std::string>().c_str(),
                    item["grade"].get<std::string>().c_str(), item["score"].get<double>(),
                    item["decode_tokens_per_s"].get<double>());
    }
    return kExitOk;
}

int cmd_batch(const headroom::Catalog& catalog) {
    std::string line;
    bool all_ok = true;
    while (std::getline(std::cin, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const json report = json::parse(headroom::estimate_json(line, catalog));
        all_ok = all_ok && report.value("ok", false);
        std::cout << report.dump() << "\n";
    }
    return all_ok ? kExitOk : kExitNotOk;
}

int cmd_inspect(const Args& a) {
    if (a.positional.empty()) { std::cerr << kUsage; return kExitUsage; }
    json each = json::array();
    std::vector<std::string> paths = a.positional;
    if (paths.size() == 1) paths = model_file_set(paths[0]);
    json combined = inspect_and_combine(paths, &each);
    if (!combined.value("ok", false)) return print_report(combined.contains("engine_version") ? combined : headroom::error_report({
        combined["error"].value("code", ""), combined["error"].value("field", ""), combined["error"].value("message", "")}), true);
    // One file: its inspection, with its summary's figures also at the top level.
    json out = each.size() == 1 ? each[0] : json{{"ok", true}, {"files", each}};
    for (const auto& [k, v] : combined["summary"].items())
        if (!out.contains(k)) out[k] = v;
    if (each.size() == 1) {
        for (const auto& [k, v] : each[0]["summary"].items())
            if (!out.contains(k)) out[k] = v;
    }
    out["kind"] = combined["kind"];
    out["model"] = combined["model"];
    out["notes"] = combined["notes"];
    if (a.json) {
        std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
        return kExitOk;
    }
    for (const json& f : each) {
        const json& s = f["summary"];
        const std::string kind = f["kind"];
        std::printf("%s: %s", f["file"].value("name", "").c_str(), kind.c_str());
        if (kind == "gguf") {
            std::printf(" v%u, %s, %llu tensors, %.3f GB of tensor data, file type %s\n", s.value("version", 0u),
                        s.value("architecture", std::string("?")).c_str(), (unsigned long long)s.value("tensor_count", std::uint64_t(0)),
                        double(s.value("tensor_bytes", std::uint64_t(0))) / 1e9,
                        f["model"]["weights"].value("quant", std::string("?")).c_str());
            for (const auto& [type, t] : s["types"].items())
                std::printf("  %-8s %6llu tensors %14llu bytes\n", type.c_str(), (unsigned long long)t.value("tensors", std::uint64_t(0)),
                            (unsigned long long)t.value("bytes", std::uint64_t(0)));
        } else if (kind == "safetensors") {
            std::printf(", %llu tensors, %.3f GB\n", (unsigned long long)s.value("tensor_count", std::uint64_t(0)),
                        double(s.value("tensor_bytes", std::uint64_t(0))) / 1e9);
            for (const auto& [type, t] : s["dtypes"].items())
                std::printf("  %-8s %6llu tensors %14llu bytes\n", type.c_str(), (unsigned long long)t.value("tensors", std::uint64_t(0)),
                            (unsigned long long)t.value("bytes", std::uint64_t(0)));
        } else if (kind == "safetensors_index") {
            std::printf(", %llu tensors in %zu files", (unsigned long long)s.value("tensor_count", std::uint64_t(0)), s["files"].size());
            if (s.contains("total_size_bytes")) std::printf(", %.3f GB", double(s["total_size_bytes"].get<std::uint64_t>()) / 1e9);
            std::printf("\n");
        } else {
            std::printf(" %s: %u layers, hidden %u, vocab %llu\nparameters: %.3f B total, %.3f B active (%llu tensors)\n",
                        s.value("model_type", std::string()).c_str(), s.value("layers", 0u), s.value("hidden_size", 0u),
                        (unsigned long long)s.value("vocab_size", std::uint64_t(0)), double(s.value("params_total", std::uint64_t(0))) / 1e9,
                        double(s.value("params_active", std::uint64_t(0))) / 1e9, (unsigned long long)s.value("tensors", std::uint64_t(0)));
        }
    }
    for (const auto& n : combined["notes"]) std::printf("note: %s\n", n.get<std::string>().c_str());
    return kExitOk;
}

// headroom accuracy: prints the error table that scripts/accuracy wrote with --json (scripts/build
// writes build/accuracy.json). The python harness owns the row mapping, the naive baseline and the
// scoring; this only reads its result, so the CLI and the page show the same numbers.
std::string accuracy_pct(const json& s, const char* key) {
    if (!s.is_object() || !s.contains(key) || !s[key].is_number()) return "-";
    char buf[32];
    const double v = s[key].get<double>();
    if (std::string(key).rfind("within", 0) == 0)
        std::snprintf(buf, sizeof buf, "%.0f%%", 100.0 * v);
    else
        std::snprintf(buf, sizeof buf, v < 1.0 ? "%.2f%%" : "%.1f%%", v);
    return buf;
}

json accuracy_table(const json& doc) {
    json out = {{"ok", true},
                {"data", doc.value("data", "")},
                {"engine_version", doc.value("engine_version", json())},
                {"gates", doc.value("gates", json::object())},
                {"failed_gates", doc.value("failed_gates", json::array())},
                {"metrics", json::array()},
                {"weak_spots", json::array()}};
    if (doc.contains("metrics") && doc["metrics"].is_array()) {  // scripts/accuracy --json or --page-json
        for (const auto& m : doc["metrics"])
            out["metrics"].push_back({{"metric", m.value("metric", "")},
                                      {"title", m.value("title", "")},
                                      {"gate", m.value("gate", json())},
                                      {"engine", m.value("engine", json())},
                                      {"baseline", m.value("baseline", json())}});
    } else if (doc.contains("summary") && doc["summary"].is_object()) {  // an older --json file: no order
        const json titles = doc.value("metric_titles", json::object());
        const json base = doc.value("baseline_summary", json::object());
        const json gates = doc.value("gates", json::object());
        std::vector<std::string> order;
        for (const auto& [k, v] : titles.items()) order.push_back(k);
        for (const auto& [k, v] : doc["summary"].items())
            if (!titles.contains(k)) order.push_back(k);
        for (const auto& k : order) {
            if (!doc["summary"].contains(k)) continue;
            const json b = base.value(k, json());
            out["metrics"].push_back({{"metric", k},
                                      {"title", titles.value(k, k)},
                                      {"gate", gates.value(k, json())},
                                      {"engine", doc["summary"][k]},
                                      {"baseline", b.is_object() && b.value("n", 0) > 0 ? b : json()}});
        }
    }
    for (const auto& w : doc.value("weak_spots", json::array())) {
        json x = w;
        x.erase("rows");
        out["weak_spots"].push_back(x);
    }
    return out;
}

int cmd_accuracy(const Args& a) {
    std::string path;
    for (const auto& [k, v] : a.options) {
        if (k == "--file")
            path = v;
        else {
            std::cerr << "headroom: accuracy takes --file FILE and --json, not " << k << "\n" << kUsage;
            return kExitUsage;
        }
    }
    if (path.empty()) {
        path = "build/accuracy.json";
        if (!std::ifstream(path)) path = std::string(HEADROOM_DEFAULT_CATALOG_DIR) + "/../build/accuracy.json";
    }
    std::string text;
    json doc;
    if (read_file(path, text)) doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !(doc.contains("summary") || doc.contains("metrics"))) {
        const std::string msg =
            "no accuracy results in '" + path +
            "': run scripts/build (needs python3 and ../shared/validation/dev/) or scripts/accuracy --json " + path;
        if (a.json)
            std::cout << headroom::error_report({"no_accuracy_data", "file", msg}).dump(2) << "\n";
        else
            std::cerr << "headroom: " << msg << "\n";
        return kExitNotOk;
    }
    json table = accuracy_table(doc);
    table["file"] = path;
    const bool gates_ok = table["failed_gates"].empty();
    if (a.json) {
        std::cout << table.dump(2) << "\n";
        return gates_ok ? kExitOk : kExitNotOk;
    }
    std::printf("Headroom accuracy vs %s (engine %s), from %s\n", table["data"].get<std::string>().c_str(),
                table["engine_version"].is_string() ? table["engine_version"].get<std::string>().c_str() : "?",
                path.c_str());
    std::printf("absolute %% error of predicted vs measured; naive = a calculator with no efficiency model\n\n");
    std::printf("%-22s %5s %8s %8s %6s %6s %8s %8s %6s\n", "metric", "n", "median", "p90", "<=10%", "<=25%", "naive md",
                "naive 90", "gate");
    for (const auto& m : table["metrics"]) {
        const json& e = m["engine"];
        const json& b = m["baseline"];
        char gate[16] = "-";
        if (m["gate"].is_number()) std::snprintf(gate, sizeof gate, "%g%%", m["gate"].get<double>());
        std::printf("%-22s %5d %8s %8s %6s %6s %8s %8s %6s\n", m["metric"].get<std::string>().c_str(),
                    e.is_object() ? e.value("n", 0) : 0, accuracy_pct(e, "median_ape").c_str(),
                    accuracy_pct(e, "p90_ape").c_str(), accuracy_pct(e, "within_10").c_str(),
                    accuracy_pct(e, "within_25").c_str(), accuracy_pct(b, "median_ape").c_str(),
                    accuracy_pct(b, "p90_ape").c_str(), gate);
    }
    if (!table["weak_spots"].empty()) std::printf("\nknown weak spots:\n");
    for (const auto& w : table["weak_spots"]) {
        const json e = w.value("engine", json::object());
        std::printf("  - %s: n %d, median %s, p90 %s\n    %s\n", w.value("title", "").c_str(), e.value("n", 0),
                    accuracy_pct(e, "median_ape").c_str(), accuracy_pct(e, "p90_ape").c_str(),
                    w.value("text", "").c_str());
    }
    std::printf("\ngates: %s\n", gates_ok ? "all met" : ("exceeded: " + table["failed_gates"].dump()).c_str());
    return gates_ok ? kExitOk : kExitNotOk;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    std::string err;
    if (!parse_args(argc, argv, a, err)) {
        std::cerr << "headroom: " << err << "\n" << kUsage;
        return kExitUsage;
    }
    if (a.command == "--help" || a.command == "help" || a.command == "-h") {
        std::cout << kUsage;
        return kExitOk;
    }
    if (a.command == "inspect") return cmd_inspect(a);
    if (a.command == "accuracy") return cmd_accuracy(a);
    std::string dir = a.catalog_dir;
    if (dir.empty()) {
        const char* env = std::getenv("HEADROOM_CATALOG");
        dir = env ? env : HEADROOM_DEFAULT_CATALOG_DIR;
    }
    headroom::Catalog catalog;
    if (a.command == "estimate" || a.command == "batch" || a.command == "catalog" || a.command == "rank" ||
        a.command == "detect") {
        if (!load(dir, catalog, err)) {
            std::cerr << "headroom: " << err << "\n";
            return kExitNotOk;
        }
    }
    if (a.command == "detect") return headroom_cli::cmd_detect(a.json, catalog);
    if ((a.command == "estimate" || a.command == "rank") && !headroom_cli::resolve_local_hardware(a.options, catalog)) {
        return kExitNotOk;
    }
    if (a.command == "estimate") {
        json req;
        if (!build_request(a, req, err)) {
            std::cerr << "headroom: " << err << "\n" << kUsage;
            return kExitUsage;
        }
        if (is_file_error(req["model"])) {
            const json& e = req["model"]["error"];
            return print_report(headroom::error_report({e.value("code", ""), "model", e.value("message", "")}), a.json);
        }
        return print_report(headroom::estimate(req, catalog), a.json);
    }
    if (a.command == "batch") return cmd_batch(catalog);
    if (a.command == "catalog") return cmd_catalog(a, catalog);
    if (a.command == "rank") return cmd_rank(a, catalog);
    std::cerr << "headroom: unknown command '" << a.command << "'\n" << kUsage;
    return kExitUsage;
}
