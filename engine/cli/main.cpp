// headroom: the command-line door into the engine (shared/design/contract.md "Doors").
// The CLI reads files and arguments; the engine never does.
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
    "                    [--offload auto|gpu-layers=N|cpu-moe=N] [--bench PP,TG,DEPTH] [--json]\n"
    "  headroom batch < requests.jsonl > reports.jsonl\n"
    "  headroom catalog models|hardware|quants|runtimes [--json]\n"
    "  headroom rank --hardware ID [--count N] [--json]\n"
    "  headroom rank --model ID [--json]\n"
    "  headroom inspect FILE [--json]          (config.json)\n"
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

// Model argument: a catalog id / repo, or a path to a config.json file.
json model_value(const std::string& v) {
    std::string text;
    if ((v.find('/') != std::string::npos || v.find(".json") != std::string::npos) && read_file(v, text)) {
        json j = json::parse(text, nullptr, false);
        if (!j.is_discarded()) return j;
    }
    return v;
}

bool build_request(const Args& a, json& req, std::string& err) {
    req = json::object();
    for (const auto& [k, v] : a.options) {
        try {
            if (k == "--model") req["model"] = model_value(v);
            else if (k == "--hardware") req["hardware"] = v;
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
    std::string text;
    if (!read_file(a.positional[0], text)) {
        const json e = headroom::error_report({"unreadable_file", "file", "cannot read '" + a.positional[0] + "'"});
        return print_report(e, true);
    }
    json cfg = json::parse(text, nullptr, false);
    if (cfg.is_discarded() || !cfg.is_object()) {
        return print_report(headroom::error_report({"unsupported_file", "file", "'" + a.positional[0] + "' is not a config.json (GGUF and safetensors headers come with the model-import work)"}), true);
    }
    auto arch = headroom::import_hf_config(cfg, "config");
    if (!arch) return print_report(headroom::error_report(arch.error()), true);
    const headroom::TensorInventory inv = headroom::build_tensor_inventory(*arch);
    json out = {{"ok", true}, {"model_type", arch->model_type}, {"layers", arch->n_layer}, {"hidden_size", arch->n_embd},
                {"vocab_size", arch->n_vocab}, {"params_total", double(inv.params_total)},
                {"params_active", double(inv.params_active)}, {"tensors", inv.tensors.size()},
                {"context_max", arch->n_ctx_train}, {"notes", arch->notes}};
    if (a.json) std::cout << out.dump(2) << "\n";
    else {
        std::printf("%s: %u layers, hidden %u, vocab %llu\nparameters: %.3f B total, %.3f B active (%zu tensors)\n",
                    arch->model_type.c_str(), arch->n_layer, arch->n_embd, (unsigned long long)arch->n_vocab,
                    double(inv.params_total) / 1e9, double(inv.params_active) / 1e9, inv.tensors.size());
        for (const auto& n : arch->notes) std::printf("note: %s\n", n.c_str());
    }
    return kExitOk;
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
    std::string dir = a.catalog_dir;
    if (dir.empty()) {
        const char* env = std::getenv("HEADROOM_CATALOG");
        dir = env ? env : HEADROOM_DEFAULT_CATALOG_DIR;
    }
    headroom::Catalog catalog;
    if (a.command == "estimate" || a.command == "batch" || a.command == "catalog" || a.command == "rank") {
        if (!load(dir, catalog, err)) {
            std::cerr << "headroom: " << err << "\n";
            return kExitNotOk;
        }
    }
    if (a.command == "estimate") {
        json req;
        if (!build_request(a, req, err)) {
            std::cerr << "headroom: " << err << "\n" << kUsage;
            return kExitUsage;
        }
        return print_report(headroom::estimate(req, catalog), a.json);
    }
    if (a.command == "batch") return cmd_batch(catalog);
    if (a.command == "catalog") return cmd_catalog(a, catalog);
    if (a.command == "rank") return cmd_rank(a, catalog);
    std::cerr << "headroom: unknown command '" << a.command << "'\n" << kUsage;
    return kExitUsage;
}
