// Hugging Face config.json -> ModelArch, for every model_type the catalog uses
// and the common others. Catalog model entries store their architecture in the
// same config.json form, so this is the only architecture reader.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "architecture.hpp"
#include "errors.hpp"

namespace headroom {

// `config` is a config.json object (multimodal configs: the text part, from
// text_config / llm_config, is used and a note says so). Unknown keys are
// ignored; a missing required key is an error naming `field_prefix.<key>`.
Result<ModelArch> import_hf_config(const nlohmann::json& config, const std::string& field_prefix);

}  // namespace headroom
