// The WASM door. This file only binds and adapts: JSON text in, JSON text out,
// over the engine's facade (estimate.hpp, catalog.hpp). The module keeps one
// Catalog, handed in once by loadCatalog(). Every entry point returns an
// {"ok": ...} object as text and never lets a C++ exception reach JavaScript,
// so a malformed request leaves the module working.
#include <emscripten/bind.h>

#include <cstdint>
#include <exception>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "catalog.hpp"
#include "detect.hpp"
#include "estimate.hpp"
#include "model_import.hpp"
#include "request.hpp"

namespace {

using nlohmann::json;

struct ModuleState {
    headroom::Catalog catalog;
    bool loaded = false;
};

ModuleState& state() {
    static ModuleState s;
    return s;
}

std::string error_text(const std::string& code, const std::string& field, const std::string& message) {
    return json{{"ok", false}, {"error", {{"code", code}, {"field", field}, {"message", message}}}}.dump();
}

std::string not_loaded() {
    return error_text("catalog_not_loaded", "catalog",
                      "the catalog is not loaded; call loadCatalog(models, hardware) first");
}

std::string internal_error(const char* what) {
    return error_text("internal_error", "", std::string("internal error: ") + what);
}

// Dumps with invalid UTF-8 replaced, so a stray byte in an echoed value cannot throw.
std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Parses request text for the ranked passes (estimate_json parses its own).
bool parse_request(const std::string& text, json& out, std::string& error) {
    // The same size and nesting limits as estimate (SECURITY.md): checked before parsing.
    if (auto ok = headroom::check_request_text(text); !ok) {
        error = error_text(ok.error().code, ok.error().field, ok.error().message);
        return false;
    }
    out = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (out.is_discarded()) {
        error = error_text("invalid_json", "request", "the request is not valid JSON");
        return false;
    }
    return true;
}

std::string load_catalog(const std::string& models_json, const std::string& hardware_json) {
    try {
        auto result = headroom::load_catalog(models_json, hardware_json);
        if (!result) {
            const auto& e = result.error();
            return error_text(e.code, e.field, e.message);
        }
        state().catalog = std::move(result.value());
        state().loaded = true;
        return dump(json{
            {"ok", true}, {"models", state().catalog.models.size()}, {"hardware", state().catalog.hardware.size()}});
    } catch (const std::exception& e) {
        return internal_error(e.what());
    } catch (...) {
        return internal_error("unknown exception");
    }
}

std::string estimate(const std::string& request_json) {
    if (!state().loaded) return not_loaded();
    try {
        return headroom::estimate_json(request_json, state().catalog);
    } catch (const std::exception& e) {
        return internal_error(e.what());
    } catch (...) {
        return internal_error("unknown exception");
    }
}

std::string catalog(const std::string& kind) {
    if (!state().loaded) return not_loaded();
    try {
        return dump(headroom::catalog_listing(state().catalog, kind));
    } catch (const std::exception& e) {
        return internal_error(e.what());
    } catch (...) {
        return internal_error("unknown exception");
    }
}

template <typename RankFn>
std::string rank(const std::string& request_json, RankFn fn) {
    if (!state().loaded) return not_loaded();
    try {
        json request;
        std::string error;
        if (!parse_request(request_json, request, error)) return error;
        return dump(fn(request, state().catalog));
    } catch (const std::exception& e) {
        return internal_error(e.what());
    } catch (...) {
        return internal_error("unknown exception");
    }
}

std::string rank_for_hardware(const std::string& request_json) {
    return rank(request_json, headroom::rank_models_for_hardware);
}

std::string rank_for_model(const std::string& request_json) {
    return rank(request_json, headroom::rank_hardware_for_model);
}

// "This machine": observations JSON (detect.hpp) in, detection JSON out.
std::string detect(const std::string& observations_json) {
    if (!state().loaded) return not_loaded();
    try {
        return headroom::detect_json(observations_json, state().catalog);
    } catch (const std::exception& e) {
        return internal_error(e.what());
    } catch (...) {
        return internal_error("unknown exception");
    }
}

// inspect(bytes, fileSize, fileName): bytes is a Uint8Array (Embind copies it
// into the std::string byte for byte) holding the file or its first bytes.
std::string inspect(const std::string& bytes, double file_size, const std::string& file_name) {
    try {
        const double size = file_size > 0 && file_size < 1.8e19 ? file_size : 0.0;
        return dump(headroom::inspect_model_file(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                                                 static_cast<std::uint64_t>(size), file_name));
    } catch (const std::exception& e) {
        return internal_error(e.what());
    } catch (...) {
        return internal_error("unknown exception");
    }
}

// combine(inspectedJson): an array of inspect results -> one request model object.
std::string combine(const std::string& inspected_json) {
    try {
        const json inspected = json::parse(inspected_json, nullptr, /*allow_exceptions=*/false);
        if (inspected.is_discarded()) return error_text("invalid_json", "files", "the inspected files are not valid JSON");
        return dump(headroom::combine_model_files(inspected));
    } catch (const std::exception& e) {
        return internal_error(e.what());
    } catch (...) {
        return internal_error("unknown exception");
    }
}

std::string version() {
    return headroom::kEngineVersion;
}

}  // namespace

// The whole JS API of the module (wrapped by headroom-api.mjs).
EMSCRIPTEN_BINDINGS(headroom) {
    emscripten::function("loadCatalog", &load_catalog);
    emscripten::function("estimate", &estimate);
    emscripten::function("catalog", &catalog);
    emscripten::function("rankForHardware", &rank_for_hardware);
    emscripten::function("rankForModel", &rank_for_model);
    emscripten::function("detect", &detect);
    emscripten::function("inspect", &inspect);
    emscripten::function("combine", &combine);
    emscripten::function("version", &version);
}
