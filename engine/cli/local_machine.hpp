// "This machine" for the command line: `headroom detect [--json]` and
// `--hardware local`. The CLI (not the engine) runs the tools that exist on
// this machine (nvidia-smi, rocm-smi, sysctl, dmidecode; each found on PATH
// and stopped after a short timeout) and reads /proc/meminfo, then hands the
// text to the engine's detect() (engine/src/detect.hpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog.hpp"

namespace headroom_cli {

// The engine's detection plus "tools": [{"name", "status"}] saying what ran.
// status: "ran", "not_found", "timed_out", "failed" ("exit N" in "detail").
nlohmann::json detect_local_machine(const headroom::Catalog& catalog);

// `headroom detect`: prints what was found and how sure it is. Exit status 0
// for an exact or family match, 1 when nothing could be told.
int cmd_detect(bool as_json, const headroom::Catalog& catalog);

// `--hardware local` among the options: replaced by the detected catalog id
// (and `--count` by the number of identical GPUs, unless given). A note goes
// to stderr. When the machine cannot be told exactly, prints why and returns
// false (the caller exits 1).
bool resolve_local_hardware(std::vector<std::pair<std::string, std::string>>& options,
                            const headroom::Catalog& catalog);

}  // namespace headroom_cli
