// The report: the contract's JSON built from an evaluated setup, and its text
// rendering for the CLI.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recommend.hpp"
#include "request.hpp"
#include "setup.hpp"
#include "workload.hpp"

namespace headroom {

struct ReportParts {
    const Request* request = nullptr;
    const Setup* setup = nullptr;
    double quality = 0.0;
    Score headline;
    std::vector<WorkloadResult> workloads;
    std::vector<QuantRow> quants;
    std::vector<std::string> limits;
    std::vector<Improvement> improvements;
    std::vector<Command> commands;
    std::vector<std::string> assumptions;
    bool bench = false;
    double bench_pp_tokens_per_s = 0.0;
    double bench_tg_tokens_per_s = 0.0;
};

nlohmann::json build_report(const ReportParts& parts);
nlohmann::json error_report(const Error& error);

// Plain-text rendering of a report (ok or error) for the terminal.
std::string render_report_text(const nlohmann::json& report);

// True when every number in the document is finite (no NaN/inf reaches a caller).
bool all_numbers_finite(const nlohmann::json& j);

}  // namespace headroom
