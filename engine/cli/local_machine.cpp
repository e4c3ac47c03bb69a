// Runs the local hardware tools and feeds their output to the engine (local_machine.hpp).
#include "local_machine.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "detect.hpp"

namespace headroom_cli {
namespace {

using nlohmann::json;

// nvidia-smi takes about a second to initialise the driver when persistence
// mode is off; anything slower than this is hung (a wedged driver), and the
// answer is not worth waiting for. HEADROOM_TOOL_TIMEOUT_MS overrides it.
constexpr int kToolTimeoutMs = 3000;
// The engine accepts up to 1 MiB per tool output (detect.cpp); keep under it.
constexpr std::size_t kMaxToolOutputBytes = (std::size_t(1) << 20) - 1;
constexpr const char* kMeminfoPath = "/proc/meminfo";

int tool_timeout_ms() {
    const char* env = std::getenv("HEADROOM_TOOL_TIMEOUT_MS");
    if (env && *env) {
        const long v = std::strtol(env, nullptr, 10);
        if (v > 0 && v < 600000) return static_cast<int>(v);
    }
    return kToolTimeoutMs;
}

// The executable `name` in a PATH directory, or "" when there is none.
std::string find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    if (!path) return {};
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        const std::string candidate = dir + "/" + name;
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

struct ToolResult {
    std::string status = "not_found";  // ran, not_found, timed_out, failed
    std::string detail;
    std::string out;
};

// Runs `name args...` found on PATH with stdout captured, stderr discarded and
// stdin closed; kills its process group when the timeout passes.
ToolResult run_tool(const std::string& name, const std::vector<std::string>& args) {
    ToolResult r;
    const std::string exe = find_on_path(name);
    if (exe.empty()) return r;
    int fds[2];
    if (pipe(fds) != 0) {
        r.status = "failed";
        r.detail = "no pipe";
        return r;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        r.status = "failed";
        r.detail = "could not start";
        return r;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(fds[1], STDOUT_FILENO);
        const int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDERR_FILENO);
            dup2(devnull, STDIN_FILENO);
        }
        close(fds[0]);
        close(fds[1]);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(exe.c_str()));
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(exe.c_str(), argv.data());
        _exit(127);
    }
    setpgid(pid, pid);
    close(fds[1]);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(tool_timeout_ms());
    bool timed_out = false;
    char buf[4096];
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int ready = poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0) break;
        if (ready == 0) continue;
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) break;  // EOF: the tool closed its output
        if (r.out.size() < kMaxToolOutputBytes)
            r.out.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), kMaxToolOutputBytes - r.out.size()));
    }
    close(fds[0]);
    if (timed_out) kill(-pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (timed_out) {
        r.status = "timed_out";
        r.detail = "after " + std::to_string(tool_timeout_ms()) + " ms";
        r.out.clear();
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        r.status = "ran";
    } else {
        r.status = "failed";
        r.detail = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status)) : "killed";
    }
    return r;
}

std::string status_words(const json& tool) {
    const std::string s = tool["status"].get<std::string>();
    const std::string detail = tool.value("detail", std::string());
    if (s == "not_found") return "not found";
    if (s == "timed_out") return "timed out " + detail;
    if (s == "failed") return "failed (" + detail + ")";
    return s;
}

void print_candidates(const json& d) {
    for (const json& c : d["candidates"]) {
        std::printf("  %-32s %s\n", c["id"].get<std::string>().c_str(), c["name"].get<std::string>().c_str());
    }
}

}  // namespace

json detect_local_machine(const headroom::Catalog& catalog) {
    json tools = json::object();
    json runs = json::array();
    auto record = [&](const std::string& label, const ToolResult& r, const char* field) {
        json t = {{"name", label}, {"status", r.status}};
        if (!r.detail.empty()) t["detail"] = r.detail;
        runs.push_back(t);
        if (!r.out.empty()) tools[field] = r.out;
    };
    record("nvidia-smi", run_tool("nvidia-smi", {"--query-gpu=name,memory.total", "--format=csv"}), "nvidia_smi");
    const ToolResult rocm = run_tool("rocm-smi", {"--showproductname"});
    record("rocm-smi", rocm, "rocm_smi_product");
    if (rocm.status != "not_found") {
        const ToolResult vram = run_tool("rocm-smi", {"--showmeminfo", "vram"});
        if (!vram.out.empty()) tools["rocm_smi_vram"] = vram.out;
    }
    // sysctl exists on Linux too; these macOS names just print nothing there.
    record("sysctl", run_tool("sysctl", {"machdep.cpu.brand_string", "hw.memsize", "hw.ncpu", "iogpu.wired_limit_mb"}),
           "sysctl");
    // dmidecode needs root; without it, it fails quickly and says nothing.
    record("dmidecode", run_tool("dmidecode", {"-t", "17"}), "dmidecode_memory");

    std::ifstream meminfo(kMeminfoPath);
    if (meminfo) {
        std::ostringstream ss;
        ss << meminfo.rdbuf();
        tools["meminfo"] = ss.str().substr(0, kMaxToolOutputBytes);
        runs.push_back({{"name", kMeminfoPath}, {"status", "ran"}});
    } else {
        runs.push_back({{"name", kMeminfoPath}, {"status", "not_found"}});
    }

    json out = headroom::detect(json{{"tools", tools}}, catalog);
    out["tools"] = runs;
    return out;
}

int cmd_detect(bool as_json, const headroom::Catalog& catalog) {
    const json d = detect_local_machine(catalog);
    if (!d.value("ok", false)) {
        std::cout << d.dump(2) << "\n";
        return 1;
    }
    const std::string confidence = d["confidence"].get<std::string>();
    const int status = confidence == "unknown" ? 1 : 0;
    if (as_json) {
        std::cout << d.dump(2) << "\n";
        return status;
    }
    std::cout << d["message"].get<std::string>() << "\n";
    if (confidence == "exact") {
        std::cout << "Sure: exact match, --hardware " << d["hardware"].get<std::string>();
        if (d["gpu_count"].get<int>() > 1) std::cout << " --count " << d["gpu_count"].get<int>();
        std::cout << " (or --hardware local)\n";
    } else if (confidence == "family") {
        std::cout << d["question"].get<std::string>() << "\n";
        print_candidates(d);
        std::cout << "Not sure which: pass the right one with --hardware ID.\n";
    } else {
        if (!d["candidates"].empty()) {
            std::cout << "Suggestions:\n";
            print_candidates(d);
        }
        std::cout << "Not sure: pass your device with --hardware ID (`headroom catalog hardware` lists them).\n";
    }
    std::cout << "Detected: " << d["detected"].get<std::string>() << "\n";
    std::cout << "Looked at:";
    bool first = true;
    for (const json& t : d["tools"]) {
        std::cout << (first ? " " : "; ") << t["name"].get<std::string>() << " " << status_words(t);
        first = false;
    }
    std::cout << "\n";
    return status;
}

bool resolve_local_hardware(std::vector<std::pair<std::string, std::string>>& options,
                            const headroom::Catalog& catalog) {
    auto hw = std::find_if(options.begin(), options.end(),
                           [](const auto& o) { return o.first == "--hardware" && o.second == "local"; });
    if (hw == options.end()) return true;
    const json d = detect_local_machine(catalog);
    if (!d.value("ok", false) || d["confidence"] != "exact") {
        std::cerr << "headroom: --hardware local: "
                  << (d.value("ok", false) ? d["message"].get<std::string>() : d["error"]["message"].get<std::string>())
                  << "\n";
        if (d.value("ok", false) && d["confidence"] == "family") {
            std::cerr << d["question"].get<std::string>() << "\n";
            for (const json& c : d["candidates"]) std::cerr << "  --hardware " << c["id"].get<std::string>() << "\n";
        }
        std::cerr << "Run `headroom detect` to see what was found, then pass --hardware ID.\n";
        return false;
    }
    hw->second = d["hardware"].get<std::string>();
    const int count = d["gpu_count"].get<int>();
    const bool count_given =
        std::any_of(options.begin(), options.end(), [](const auto& o) { return o.first == "--count"; });
    if (count > 1 && !count_given) options.emplace_back("--count", std::to_string(count));
    std::cerr << "headroom: --hardware local is " << hw->second
              << (count > 1 && !count_given ? " --count " + std::to_string(count) : std::string()) << " ("
              << d["detected"].get<std::string>() << ")\n";
    return true;
}

}  // namespace headroom_cli
