#!/usr/bin/env python3
"""Build catalog/models.json from the research data in shared/data/models.jsonl.

Standard library only. Each jsonl record keeps Hugging Face config.json key names
(some grouped into moe / mla / sliding_window / hybrid sub-objects); this script
puts them back into one flat config.json-style `config` object that
engine/src/config_import.cpp reads, and maps the other fields to the form
catalog/SCHEMA.md describes.

Records the shared file lacks come from scripts/catalog/models_extra.jsonl (same
record form; a record with "base": "<id>" starts from that shared record's
architecture and overrides the keys it gives). Every extra record carries its own
sources; ids must not collide with the shared file's.

Corrections to records of either file come from scripts/catalog/models_overrides.jsonl,
one object per line, keyed by "id" (see apply_override): "set" replaces record fields
(a dict value such as "hybrid" is merged key by key), "sources" is appended to the
record's sources and must name where each fact was read, "sources_replace" rewrites a
source (exact text "old") as "new" (to give a vague source its location), and "resolve" lists
`unconfirmed_fields` items (exact text) that the override settles, each dropped or,
with "keep", replaced by what is still unconfirmed. A stale override (unknown id,
item text not found) stops the build.

Usage: scripts/catalog/build_models.py [--src models.jsonl] [--extra models_extra.jsonl]
                                       [--overrides models_overrides.jsonl] [--out catalog/models.json]
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_SRC = os.path.abspath(os.path.join(ROOT, "..", "shared", "data", "models.jsonl"))
DEFAULT_OUT = os.path.join(ROOT, "catalog", "models.json")
DEFAULT_EXTRA = os.path.join(HERE, "models_extra.jsonl")
DEFAULT_OVERRIDES = os.path.join(HERE, "models_overrides.jsonl")

# Keys an extra record never inherits from its "base" record (facts about the base checkpoint).
BASE_DROP = {"id", "hf_repo", "sources", "notes", "params_published", "params_status", "params_note", "confirmed",
             "unconfirmed_fields", "release_date", "kv_cache"}

# Records the engine cannot represent with its layer kinds (reported, not emitted).
UNMODELLED = {
    "lfm2": "LFM2 short-convolution layers are not a layer kind the engine models yet",
    "gemma3n (text: gemma3n_text)": "Gemma 3n per-layer embeddings / AltUp / LAuReL are not modelled",
    "nemotron-nas": "per-layer heterogeneous block_configs (NAS) are not in models.jsonl and not modelled",
}

# model_type values whose HF config names the expert width `intermediate_size`
# (no moe_intermediate_size key).
EXPERT_WIDTH_IS_INTERMEDIATE = {"mixtral", "gpt_oss", "phimoe", "olmoe", "minimax_m2", "granitemoehybrid",
                                "jamba", "llama4_text"}
# model_type values whose HF config has no n_shared_experts key.
NO_SHARED_KEY = {"qwen3_moe", "qwen3_vl_moe", "mixtral", "gpt_oss", "olmoe", "minimax_m2", "qwen2_moe",
                 "qwen3_next", "llama4_text", "phimoe", "granitemoehybrid", "jamba"}

MOE_DROP = {"router", "field_names", "note", "n_moe_layers", "n_dense_layers", "mlp", "shared_expert_gate"}
MLA_DROP = {"applies_to_layers"}
SLIDING_KEEP = {"sliding_window", "sliding_window_pattern", "attention_chunk_size", "attn_logit_softcapping",
                "final_logit_softcapping", "query_pre_attn_scalar", "rope_local_base_freq", "num_kv_shared_layers"}

# Extra config keys the record's notes state (HF key names), per id.
EXTRA_KEYS = {
    "glm-4.5": {"attention_bias": True, "use_qk_norm": False},
    "glm-4.5-air": {"attention_bias": True, "use_qk_norm": False},
    "glm-4.6": {"attention_bias": True, "use_qk_norm": True},
    "phi-3.5-moe-instruct": {"attention_bias": True},
    "stablelm-2-1.6b": {"use_qkv_bias": True},
    "c4ai-command-r-plus-08-2024": {"use_qk_norm": True},
    "aya-expanse-32b": {"use_qk_norm": False},
}

OLLAMA = {
    "llama-3.1-8b": ["llama3.1:8b"], "llama-3.1-70b": ["llama3.1:70b"], "llama-3.1-405b": ["llama3.1:405b"],
    "llama-3.2-1b": ["llama3.2:1b"], "llama-3.2-3b": ["llama3.2:3b"], "llama-3.3-70b-instruct": ["llama3.3:70b"],
    "llama-3-8b": ["llama3:8b"], "llama-3-70b": ["llama3:70b"],
    "qwen3-0.6b": ["qwen3:0.6b"], "qwen3-1.7b": ["qwen3:1.7b"], "qwen3-4b": ["qwen3:4b"], "qwen3-8b": ["qwen3:8b"],
    "qwen3-14b": ["qwen3:14b"], "qwen3-32b": ["qwen3:32b"], "qwen3-30b-a3b": ["qwen3:30b-a3b", "qwen3:30b"],
    "qwen3-235b-a22b": ["qwen3:235b-a22b", "qwen3:235b"],
    "qwen3-coder-30b-a3b-instruct": ["qwen3-coder:30b"], "qwen3-coder-480b-a35b-instruct": ["qwen3-coder:480b"],
    "qwen2.5-0.5b": ["qwen2.5:0.5b"], "qwen2.5-1.5b": ["qwen2.5:1.5b"], "qwen2.5-3b": ["qwen2.5:3b"],
    "qwen2.5-7b": ["qwen2.5:7b"], "qwen2.5-14b": ["qwen2.5:14b"], "qwen2.5-32b": ["qwen2.5:32b"],
    "qwen2.5-72b": ["qwen2.5:72b"],
    "qwen2.5-coder-7b-instruct": ["qwen2.5-coder:7b"], "qwen2.5-coder-32b-instruct": ["qwen2.5-coder:32b"],
    "gpt-oss-20b": ["gpt-oss:20b"], "gpt-oss-120b": ["gpt-oss:120b"],
    "gemma-2-2b": ["gemma2:2b"], "gemma-2-9b": ["gemma2:9b"], "gemma-2-27b": ["gemma2:27b"],
    "gemma-3-270m": ["gemma3:270m"], "gemma-3-1b-it": ["gemma3:1b"], "gemma-3-4b-it": ["gemma3:4b"],
    "gemma-3-12b-it": ["gemma3:12b"], "gemma-3-27b-it": ["gemma3:27b"],
    "deepseek-r1-distill-qwen-1.5b": ["deepseek-r1:1.5b"], "deepseek-r1-distill-qwen-7b": ["deepseek-r1:7b"],
    "deepseek-r1-distill-llama-8b": ["deepseek-r1:8b"], "deepseek-r1-distill-qwen-14b": ["deepseek-r1:14b"],
    "deepseek-r1-distill-qwen-32b": ["deepseek-r1:32b"], "deepseek-r1-distill-llama-70b": ["deepseek-r1:70b"],
    "deepseek-r1": ["deepseek-r1:671b"], "deepseek-v3": ["deepseek-v3:671b"],
    "mistral-7b-v0.3": ["mistral:7b"], "mistral-nemo-12b": ["mistral-nemo:12b"],
    "mistral-small-24b-instruct-2501": ["mistral-small:24b"], "mixtral-8x7b": ["mixtral:8x7b"],
    "mixtral-8x22b": ["mixtral:8x22b"], "phi-4": ["phi4:14b"], "phi-3-mini-4k-instruct": ["phi3:3.8b"],
    "phi-4-mini-instruct": ["phi4-mini:3.8b"], "smollm2-135m": ["smollm2:135m"], "smollm2-360m": ["smollm2:360m"],
    "smollm2-1.7b": ["smollm2:1.7b"], "olmo-2-1124-7b": ["olmo2:7b"], "olmo-2-1124-13b": ["olmo2:13b"],
    "c4ai-command-r7b-12-2024": ["command-r7b:7b"],
    # Ollama library tags for further catalog entries (library names as Ollama publishes them).
    "llama-2-7b": ["llama2:7b"], "llama-2-13b": ["llama2:13b"], "llama-2-70b": ["llama2:70b"],
    "tinyllama-1.1b-chat-v1.0": ["tinyllama:1.1b"], "codellama-7b": ["codellama:7b"], "codellama-13b": ["codellama:13b"],
    "codellama-34b": ["codellama:34b"], "codellama-70b": ["codellama:70b"], "phi-3-medium-4k-instruct": ["phi3:14b"],
    "phi-3.5-mini-instruct": ["phi3.5:3.8b"], "gemma-2b": ["gemma:2b"], "gemma-7b": ["gemma:7b"], "qwq-32b": ["qwq:32b"],
    "codestral-22b-v0.1": ["codestral:22b"], "mistral-large-instruct-2411": ["mistral-large:123b"],
    "c4ai-command-r-08-2024": ["command-r:35b"], "c4ai-command-r-plus-08-2024": ["command-r-plus:104b"],
    "deepseek-v2-lite": ["deepseek-v2:16b"], "deepseek-v2": ["deepseek-v2:236b"],
    "deepseek-coder-v2-lite-instruct": ["deepseek-coder-v2:16b"], "deepseek-coder-v2-instruct": ["deepseek-coder-v2:236b"],
    "falcon3-1b": ["falcon3:1b"], "falcon3-3b": ["falcon3:3b"], "falcon3-7b": ["falcon3:7b"], "falcon3-10b": ["falcon3:10b"],
    "granite-3.3-8b-instruct": ["granite3.3:8b"], "granite-3.3-2b-instruct": ["granite3.3:2b"],
    "granite-4.0-h-small": ["granite4:small-h"], "granite-4.0-h-tiny": ["granite4:tiny-h"],
    "exaone-3.5-2.4b-instruct": ["exaone3.5:2.4b"], "exaone-3.5-7.8b-instruct": ["exaone3.5:7.8b"],
    "exaone-3.5-32b-instruct": ["exaone3.5:32b"], "starcoder2-3b": ["starcoder2:3b"], "starcoder2-7b": ["starcoder2:7b"],
    "starcoder2-15b": ["starcoder2:15b"], "aya-expanse-8b": ["aya-expanse:8b"], "aya-expanse-32b": ["aya-expanse:32b"],
    "aya-23-8b": ["aya:8b"], "hermes-3-llama-3.1-8b": ["hermes3:8b"], "hermes-3-llama-3.1-70b": ["hermes3:70b"],
    "zephyr-7b-beta": ["zephyr:7b"], "llama-3.1-nemotron-70b-instruct": ["nemotron:70b"],
    "magistral-small-2506": ["magistral:24b"], "devstral-small-2505": ["devstral:24b"],
    "mistral-small-3.1-24b-instruct-2503": ["mistral-small3.1:24b"], "mistral-small-3.2-24b-instruct-2506": ["mistral-small3.2:24b"],
    "qwen2.5-vl-3b-instruct": ["qwen2.5vl:3b"], "qwen2.5-vl-7b-instruct": ["qwen2.5vl:7b"],
    "qwen2.5-vl-32b-instruct": ["qwen2.5vl:32b"], "qwen2.5-vl-72b-instruct": ["qwen2.5vl:72b"],
    "qwen3-vl-2b-instruct": ["qwen3-vl:2b"], "qwen3-vl-4b-instruct": ["qwen3-vl:4b"], "qwen3-vl-8b-instruct": ["qwen3-vl:8b"],
    "qwen3-vl-32b-instruct": ["qwen3-vl:32b"], "qwen3-vl-30b-a3b-instruct": ["qwen3-vl:30b"],
    "qwen3-vl-235b-a22b-instruct": ["qwen3-vl:235b"], "phi-4-reasoning": ["phi4-reasoning:14b"],
    "phi-4-mini-reasoning": ["phi4-mini-reasoning:3.8b"], "glm-4-9b-chat-hf": ["glm4:9b"],
    "qwen1.5-0.5b": ["qwen:0.5b"], "qwen1.5-1.8b": ["qwen:1.8b"], "qwen1.5-4b": ["qwen:4b"], "qwen1.5-7b": ["qwen:7b"],
    "qwen1.5-14b": ["qwen:14b"], "qwen1.5-32b": ["qwen:32b"], "codeqwen1.5-7b": ["codeqwen:7b"],
    "qwen2-0.5b": ["qwen2:0.5b"], "qwen2-1.5b": ["qwen2:1.5b"], "qwen2-7b": ["qwen2:7b"], "qwen2-72b": ["qwen2:72b"],
    "stablelm-zephyr-3b": ["stablelm-zephyr:3b"], "stablelm-2-1.6b": ["stablelm2:1.6b"], "yi-coder-9b-chat": ["yi-coder:9b"],
    "mathstral-7b-v0.1": ["mathstral:7b"], "phi-2": ["phi:2.7b"], "codegemma-7b": ["codegemma:7b"],
    "falcon-7b": ["falcon:7b"], "falcon-40b": ["falcon:40b"], "falcon-180b": ["falcon:180b"],
    "llama-4-scout-17b-16e-instruct": ["llama4:scout"], "llama-4-maverick-17b-128e-instruct": ["llama4:maverick"],
    "smollm-135m": ["smollm:135m"], "smollm-360m": ["smollm:360m"], "smollm-1.7b": ["smollm:1.7b"],
    "qwen2.5-coder-0.5b-instruct": ["qwen2.5-coder:0.5b"], "qwen2.5-coder-1.5b-instruct": ["qwen2.5-coder:1.5b"],
    "phi-3-mini-128k-instruct": ["phi3:3.8b-mini-128k-instruct"],
}

# Other names people search with (no Ollama tag), per id.
EXTRA_ALIASES = {
    "mistral-small-24b-instruct-2501": ["mistral-small-24b", "mistral small 24b", "mistral small 3"],
    "llama-7b": ["llama 1 7b", "llama1 7b"], "llama-13b": ["llama 1 13b", "llama1 13b"],
    "llama-30b": ["llama 1 30b", "llama-33b", "llama 1 33b"], "llama-65b": ["llama 1 65b", "llama1 65b"],
    "kimi-k2-instruct-0905": ["kimi k2 0905", "kimi-k2-0905"],
    "ministral-8b-instruct-2410": ["ministral 8b", "ministral-8b", "ministral 8b instruct"],
    "deepseek-v3-0324": ["deepseek v3 0324", "deepseek-v3 0324"],
    "deepseek-r1-0528": ["deepseek r1 0528", "r1-0528"],
    "qwen3-30b-a3b-thinking-2507": ["qwen3 30b a3b thinking"],
    "qwen3-235b-a22b-thinking-2507": ["qwen3 235b a22b thinking"],
    "qwen3-4b-thinking-2507": ["qwen3 4b thinking"],
    "granite-4.0-micro": ["granite4:micro", "granite 4 micro"],
    "hermes-4-70b": ["hermes 4 70b", "hermes4 70b"],
    "hermes-4-405b": ["hermes 4 405b", "hermes4 405b"],
}

# GGUF repositories confirmed by public-repository mentions (find_string over stored GitHub files).
GGUF = {
    "llama-3.1-8b": ["bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"],
    "llama-3.1-70b": ["bartowski/Meta-Llama-3.1-70B-Instruct-GGUF"],
    "qwen3-30b-a3b": ["unsloth/Qwen3-30B-A3B-GGUF"],
    "gpt-oss-20b": ["unsloth/gpt-oss-20b-GGUF"],
    "gpt-oss-120b": ["unsloth/gpt-oss-120b-GGUF"],
    "gemma-3-27b-it": ["unsloth/gemma-3-27b-it-GGUF"],
    # Confirmed by find_string over stored public repositories (download URLs, llama-server -hf lines).
    "mistral-small-24b-instruct-2501": ["bartowski/Mistral-Small-24B-Instruct-2501-GGUF"],
    "qwen2.5-coder-32b-instruct": ["bartowski/Qwen2.5-Coder-32B-Instruct-GGUF"],
    "qwen2.5-7b": ["bartowski/Qwen2.5-7B-Instruct-GGUF"],
    "deepseek-r1": ["unsloth/DeepSeek-R1-GGUF"],
    "c4ai-command-r7b-12-2024": ["dranger003/c4ai-command-r7b-12-2024-GGUF"],
    "qwen3-30b-a3b-instruct-2507": ["unsloth/Qwen3-30B-A3B-Instruct-2507-GGUF"],
}
GGUF["llama-3.1-8b"] = GGUF["llama-3.1-8b"] + ["lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF"]
GGUF["gpt-oss-20b"] = GGUF["gpt-oss-20b"] + ["ggml-org/gpt-oss-20b-GGUF"]
GGUF["qwen3-30b-a3b"] = GGUF["qwen3-30b-a3b"] + ["Qwen/Qwen3-30B-A3B-GGUF"]

NAME_OVERRIDES = {
    "gpt-oss-20b": "gpt-oss-20b", "gpt-oss-120b": "gpt-oss-120b",
    "gpt-oss-safeguard-20b": "gpt-oss-safeguard-20b", "gpt-oss-safeguard-120b": "gpt-oss-safeguard-120b",
    "llama-3.1-8b": "Llama 3.1 8B (Instruct)", "llama-3.1-70b": "Llama 3.1 70B (Instruct)",
    "llama-3.1-405b": "Llama 3.1 405B (Instruct)",
}

SUFFIX_VARIANTS = ("-Instruct", "-instruct", "-it", "-Chat", "-chat")

# context_max where the record has no max_position_embeddings: the advertised context
# the record's notes quote (kept out of `config`, which only holds what a config.json says).
CONTEXT_FALLBACK = {
    "granite-4.0-h-small": (131072, "128K context claimed by IBM (notes); max_position_embeddings not read"),
    "aya-expanse-32b": (131072, "128K advertised; max_position_embeddings not read"),
    "c4ai-command-r-08-2024": (131072, "128K advertised; max_position_embeddings not read"),
    "c4ai-command-r-plus-08-2024": (131072, "128K advertised; max_position_embeddings not read"),
}


def clean_repo(raw):
    """'org/Name(-Instruct)' -> ('org/Name', ['org/Name-Instruct'], remark or None)."""
    raw = raw.strip()
    m = re.match(r"^([A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+)\s*(.*)$", raw)
    if not m:
        return raw, [], None
    repo, rest = m.group(1), m.group(2).strip()
    variants = []
    if rest:
        v = re.match(r"^\((-[A-Za-z0-9_.]+)\)$", rest)
        if v and v.group(1) in SUFFIX_VARIANTS:
            variants.append(repo + v.group(1))
    return repo, variants, (rest or None)


BRANDS = {"gemma": "Gemma", "codegemma": "CodeGemma", "granite": "Granite", "falcon": "Falcon", "mpt": "MPT",
          "olmo": "OLMo", "phi": "Phi", "smollm": "SmolLM", "smollm2": "SmolLM2", "smollm3": "SmolLM3",
          "zephyr": "Zephyr", "vicuna": "Vicuna", "yi": "Yi", "openhermes": "OpenHermes", "stablelm": "StableLM",
          "starcoder2": "StarCoder2", "internlm2": "InternLM2", "internlm2_5": "InternLM2.5", "internlm3": "InternLM3",
          "glm": "GLM", "aya": "Aya", "c4ai": "C4AI", "command": "Command", "salamandra": "Salamandra",
          "mistral": "Mistral", "mixtral": "Mixtral", "qwen": "Qwen", "deepseek": "DeepSeek", "mamba": "Mamba",
          "h": "H", "chat": "Chat", "instruct": "Instruct", "base": "Base", "hf": "HF"}


def display_name(rec, repo):
    """Repository name with separators as spaces, brand casing and upper-case size suffixes (9b -> 9B)."""
    if rec["id"] in NAME_OVERRIDES:
        return NAME_OVERRIDES[rec["id"]]
    words = re.split(r"[-_ ]+", repo.split("/", 1)[1])
    out = []
    for w in words:
        lw = w.lower()
        if lw in BRANDS:
            w = BRANDS[lw]
        elif re.match(r"^(a|e)?\d+(\.\d+)?[bmk]$", lw):
            w = w.upper()
        out.append(w)
    return " ".join(out)


def native_format(rec):
    t = rec["model_type"]
    if t == "gpt_oss":
        return "MXFP4"
    if rec["id"] == "kimi-k2-thinking":
        return "INT4"
    if t in ("deepseek_v3", "kimi_k2", "deepseek_v32", "minimax_m2"):
        return "FP8"
    return "BF16"


def params_published(rec):
    p = rec.get("params_published")
    if not p:
        return None
    src = p.get("source", "")
    order = [("total_exact", "model"), ("total_exact_text", "model"), ("total_exact_same_shapes", "same_shapes"),
             ("total_exact_with_vision", "with_vision"),
             ("total_exact_with_vision_same_layout", "with_vision_same_layout"),
             ("total_exact_incl_mtp", "incl_mtp"),
             ("total_exact_fp8_checkpoint_incl_scales", "fp8_checkpoint_incl_scales"),
             ("total_on_disk", "on_disk_duplicate_lm_head"), ("total_hf_api", "hf_api_incl_mtp_and_scales"),
             ("total_exact_third_party", "third_party")]
    for key, scope in order:
        if p.get(key) is not None:
            out = {"total": int(p[key]), "active": None, "exact": True, "scope": scope, "source": src}
            if rec["model_type"].startswith("gemma3n"):
                out["scope"] = "with_vision_audio_and_per_layer_embeddings"
            return out
    if p.get("total_third_party") is not None:
        return {"total": int(p["total_third_party"]), "active": None, "exact": False, "scope": "third_party",
                "source": src}
    if p.get("total_b") is not None:
        act = p.get("active_b")
        return {"total": round(float(p["total_b"]) * 1e9), "active": round(float(act) * 1e9) if act else None,
                "exact": False, "scope": "model", "source": src}
    return None


# params_published scopes that count the text decoder the engine counts; exact totals of
# other scopes (vision tower, MTP layer, FP8 scales, duplicate lm_head) are kept but not
# compared (tests/test_config_import.cpp skips them the same way).
COMPARABLE_SCOPES = {"model", "same_shapes", "third_party"}


def params_status(rec, notes):
    """computed_matches_published_exact exactly when an exact, comparable total exists
    (the engine's total is then checked against it within 1.5 %)."""
    p = params_published(rec)
    status = rec["params_status"]
    comparable = bool(p) and p["exact"] and p["scope"] in COMPARABLE_SCOPES
    if comparable and status != "computed_matches_published_exact":
        notes.append("params_status: the exact published total (scope %s) is checked against the engine's count"
                     % p["scope"])
        return "computed_matches_published_exact"
    if not comparable and status == "computed_matches_published_exact":
        notes.append("params_status: the exact published total covers %s, not the text decoder alone; the engine's"
                     " count is not compared with it" % (p["scope"] if p else "nothing"))
        return "computed_from_config_fields"
    return status


def synth_nemotron_pattern(n_layer, n_m, n_att, n_mlp):
    """Spread attention layers evenly over an M-/- alternation (positions are not known)."""
    body = []
    m, f = n_m, n_mlp
    while m or f:
        if m:
            body.append("M"); m -= 1
        if f:
            body.append("-"); f -= 1
    out = list(body)
    for k in range(n_att):
        pos = round((k + 1) * len(body) / (n_att + 1)) + k
        out.insert(pos, "*")
    assert len(out) == n_layer, (len(out), n_layer)
    return "".join(out)


def build_config(rec, notes):
    t = rec["model_type"]
    cfg = {"model_type": t.split(" ")[0]}
    core = ["hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim",
            "intermediate_size", "vocab_size", "tie_word_embeddings", "max_position_embeddings"]
    for k in core:
        if rec.get(k) is not None:
            cfg[k] = rec[k]
    if rec.get("model_max_length") is not None:
        cfg["model_max_length"] = rec["model_max_length"]
    if t == "exaone":  # EXAONE 3.x configs name the layer count num_layers
        cfg["num_layers"] = cfg.pop("num_hidden_layers")
    if t == "mpt":  # MPT configs use their own names
        cfg = {"model_type": "mpt", "d_model": rec["hidden_size"], "n_layers": rec["num_hidden_layers"],
               "n_heads": rec["num_attention_heads"], "expansion_ratio": rec["intermediate_size"] / rec["hidden_size"],
               "vocab_size": rec["vocab_size"], "max_seq_len": rec["max_position_embeddings"], "no_bias": True}
    if t == "falcon":
        new_arch = rec["num_key_value_heads"] not in (1, rec["num_attention_heads"])
        cfg["new_decoder_architecture"] = new_arch
        cfg["parallel_attn"] = True
        cfg["bias"] = False
        if new_arch:
            cfg["num_kv_heads"] = cfg.pop("num_key_value_heads")
        else:
            cfg["multi_query"] = rec["num_key_value_heads"] == 1
            cfg.pop("num_key_value_heads", None)
        cfg["ffn_hidden_size"] = cfg.pop("intermediate_size")
        if "tie_word_embeddings" in cfg and cfg["tie_word_embeddings"]:
            cfg.pop("tie_word_embeddings")  # not in Falcon configs; the class default ties
    if t in ("deepseek_v3", "kimi_k2", "deepseek_v32", "deepseek_v2") or rec.get("mla"):
        cfg.pop("head_dim", None) if rec.get("head_dim") is None else None

    moe = rec.get("moe") or {}
    for k, v in moe.items():
        if k in MOE_DROP or v is None:
            continue
        if k == "moe_intermediate_size" and t in EXPERT_WIDTH_IS_INTERMEDIATE:
            if cfg.get("intermediate_size") not in (None, v) and t != "llama4_text":
                notes.append("expert width %s differs from intermediate_size %s" % (v, cfg.get("intermediate_size")))
            cfg["intermediate_size"] = v
            continue
        if k == "n_shared_experts" and t in NO_SHARED_KEY:
            continue
        if k == "intermediate_size_mlp_dense":
            cfg["intermediate_size_mlp"] = v
            continue
        if k == "intermediate_size" and t == "phimoe":
            continue
        if t == "kimi_linear" and k == "num_experts_per_tok":
            k = "num_experts_per_token"
        if t == "kimi_linear" and k == "n_shared_experts":
            k = "num_shared_experts"
        cfg[k] = v

    mla = rec.get("mla") or {}
    for k, v in mla.items():
        if k not in MLA_DROP:
            cfg[k] = v

    sw = rec.get("sliding_window")
    if isinstance(sw, dict):
        for k, v in sw.items():
            if k in SLIDING_KEEP and v is not None:
                cfg[k] = v
            if k == "layer_types" and isinstance(v, list):
                cfg[k] = v
    elif isinstance(sw, (int, float)):
        cfg["sliding_window"] = sw

    hy = rec.get("hybrid") or {}
    if t == "kimi_linear":
        cfg["linear_attn_config"] = {
            "full_attn_layers": hy["full_attn_layers_1indexed"], "kda_layers": hy["kda_layers_1indexed"],
            "num_heads": hy["linear_num_heads"], "head_dim": hy["linear_head_dim"],
            "short_conv_kernel_size": hy["short_conv_kernel_size"]}
    elif t == "qwen3_next":
        for k in ("full_attention_interval", "linear_num_key_heads", "linear_key_head_dim", "linear_num_value_heads",
                  "linear_value_head_dim", "linear_conv_kernel_dim", "partial_rotary_factor"):
            cfg[k] = hy[k]
    elif t == "nemotron_h":
        for k in ("ssm_state_size", "mamba_num_heads", "mamba_head_dim", "n_groups", "conv_kernel", "expand"):
            if hy.get(k) is not None:
                cfg[k] = hy[k]
        cfg["mlp_hidden_act"] = "relu2"
        pat = hy.get("hybrid_override_pattern")
        if not pat:
            pat = synth_nemotron_pattern(rec["num_hidden_layers"], hy["n_mamba"], hy["n_attention"], hy["n_mlp"])
            notes.append("hybrid_override_pattern synthesized from the layer counts (%d Mamba-2, %d attention, %d MLP);"
                         " positions not read, counts are what the estimates use" % (hy["n_mamba"], hy["n_attention"],
                                                                                   hy["n_mlp"]))
        cfg["hybrid_override_pattern"] = pat
    elif t == "granitemoehybrid":
        att = hy.get("attention_layers_0indexed")
        if not isinstance(att, list):
            att = [5, 15, 25, 35]
            notes.append("layer_types: positions of the %d attention layers not read; assumed 5/15/25/35 as in"
                         " granite-4.0-h-tiny (only the count matters for the estimates)" % hy["n_attention"])
        cfg["layer_types"] = ["attention" if i in att else "mamba" for i in range(rec["num_hidden_layers"])]
        for k in ("mamba_d_state", "mamba_d_conv", "mamba_expand", "mamba_n_groups", "mamba_n_heads", "mamba_d_head",
                  "position_embedding_type"):
            if hy.get(k) is not None:
                cfg[k] = hy[k]
        if not moe:
            cfg["num_local_experts"] = 0
            cfg["shared_intermediate_size"] = rec["intermediate_size"]
            notes.append("dense variant: FFN width (shared_intermediate_size) from models.jsonl intermediate_size")
    elif t == "falcon_h1":
        for k in ("mamba_d_ssm", "mamba_n_heads", "mamba_d_head", "mamba_d_state", "mamba_n_groups", "mamba_d_conv",
                  "mamba_expand"):
            if hy.get(k) is not None:
                cfg[k] = hy[k]
    elif t == "jamba":
        for k in ("attn_layer_period", "attn_layer_offset", "mamba_d_state", "mamba_d_conv", "mamba_expand",
                  "mamba_dt_rank"):
            if hy.get(k) is not None:
                cfg[k] = hy[k]

    for k, v in EXTRA_KEYS.get(rec["id"], {}).items():
        cfg[k] = v
    return cfg


def convert(rec):
    notes = []
    repo, variants, remark = clean_repo(rec["hf_repo"])
    if remark:
        notes.append("hf_repo remark: " + remark)
    cfg = build_config(rec, notes)
    name = display_name(rec, repo)
    aliases = []
    variant_ids = [v.split("/", 1)[1].lower() for v in variants]
    for a in OLLAMA.get(rec["id"], []) + EXTRA_ALIASES.get(rec["id"], []) + variants + variant_ids + [name.lower()]:
        if a not in aliases and a != rec["id"] and a != repo:
            aliases.append(a)
    ctx = rec.get("max_position_embeddings") or rec.get("model_max_length") or 0
    if not ctx and rec["id"] in CONTEXT_FALLBACK:
        ctx, why = CONTEXT_FALLBACK[rec["id"]]
        notes.append("context_max %d: %s" % (ctx, why))
    release = rec.get("release_date")
    if isinstance(release, str) and not re.match(r"^\d{4}-\d{2}(-\d{2})?$", release):
        notes.append("release_date remark: " + release)
        release = release[:7]
    license_ = rec.get("license")
    entry = {
        "id": rec["id"],
        "name": name,
        "family": rec["family"],
        "hf_repo": repo,
        "gguf_repos": list(GGUF.get(rec["id"], [])),
        "aliases": aliases,
        "license": license_,
        "release_date": release,
        "context_max": ctx,
        "params_published": params_published(rec),
        "params_status": params_status(rec, notes),
        "native_format": native_format(rec),
        "config": cfg,
        "sources": list(rec.get("sources") or []),
        "notes": list(rec.get("notes") or []) + notes +
                 (["params: " + rec["params_note"]] if rec.get("params_note") else []) +
                 (["unconfirmed: " + u for u in rec.get("unconfirmed_fields") or []]),
    }
    if native_format(rec) == "INT4":
        entry["notes"].append("native_format INT4: routed experts ship as INT4 (compressed-tensors); the rest BF16")
    return entry


def read_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line))
    return out


def resolve_extra(rec, shared):
    """An extra record with "base" takes the base record's architecture, then its own keys."""
    if "base" not in rec:
        return rec
    base = shared.get(rec["base"])
    if base is None:
        sys.exit("models_extra: %s: base %r is not in models.jsonl" % (rec["id"], rec["base"]))
    out = {k: v for k, v in base.items() if k not in BASE_DROP}
    out["params_status"] = "computed_from_config_fields"
    out["params_published"] = None
    out.update({k: v for k, v in rec.items() if k != "base"})
    return out


def apply_override(rec, ov):
    """Apply one models_overrides.jsonl object to a (shared or extra) record, in place.

    {"id": ..., "set": {field: value}, "sources": [where each fact was read],
     "sources_replace": [{"old": "<exact source text>", "new": "<the same source, located>"}],
     "resolve": [{"item": "<exact unconfirmed_fields text>", "keep": "<what stays unconfirmed>"}]}
    """
    where = "models_overrides: %s" % ov["id"]
    unknown = set(ov) - {"id", "set", "sources", "sources_replace", "resolve", "why"}
    if unknown:
        sys.exit("%s: unknown keys %s" % (where, sorted(unknown)))
    if not ov.get("sources") and not ov.get("sources_replace"):
        sys.exit("%s: an override must give its sources" % where)
    for k, v in (ov.get("set") or {}).items():
        if isinstance(v, dict) and isinstance(rec.get(k), dict):
            rec[k] = dict(rec[k], **v)
        else:
            rec[k] = v
    srcs = list(rec.get("sources") or [])
    for r in ov.get("sources_replace") or []:
        if r["old"] not in srcs:
            sys.exit("%s: source to replace not found: %r" % (where, r["old"]))
        srcs[srcs.index(r["old"])] = r["new"]
    rec["sources"] = srcs + list(ov.get("sources") or [])
    items = list(rec.get("unconfirmed_fields") or [])
    for r in ov.get("resolve") or []:
        if r["item"] not in items:
            sys.exit("%s: unconfirmed item not found: %r" % (where, r["item"]))
        i = items.index(r["item"])
        if r.get("keep"):
            items[i] = r["keep"]
        else:
            del items[i]
    rec["unconfirmed_fields"] = items


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=DEFAULT_SRC)
    ap.add_argument("--extra", default=DEFAULT_EXTRA)
    ap.add_argument("--overrides", default=DEFAULT_OVERRIDES)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    models, skipped = [], []
    shared = read_jsonl(args.src)
    by_id = {r["id"]: r for r in shared}
    extra = [resolve_extra(r, by_id) for r in (read_jsonl(args.extra) if os.path.exists(args.extra) else [])]
    clash = sorted({r["id"] for r in extra} & set(by_id))
    if clash:
        sys.exit("models_extra: ids already in models.jsonl: %s" % clash)
    all_by_id = {r["id"]: r for r in shared + extra}
    seen = set()
    for ov in (read_jsonl(args.overrides) if os.path.exists(args.overrides) else []):
        if ov["id"] not in all_by_id:
            sys.exit("models_overrides: unknown id %r" % ov["id"])
        if ov["id"] in seen:
            sys.exit("models_overrides: %s given twice (merge the lines)" % ov["id"])
        seen.add(ov["id"])
        apply_override(all_by_id[ov["id"]], ov)
    for rec in shared + extra:
        reason = UNMODELLED.get(rec["model_type"])
        if reason is None and any(rec.get(k) is None for k in ("hidden_size", "num_hidden_layers", "vocab_size",
                                                               "num_attention_heads")):
            reason = "architecture fields missing in models.jsonl"
        if reason is None and rec.get("intermediate_size") is None:
            reason = "intermediate_size missing in models.jsonl"
        if reason:
            skipped.append((rec["id"], reason))
            continue
        models.append(convert(rec))
    ids = [m["id"] for m in models]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        sys.exit("duplicate ids: %s" % sorted(dup))
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump({"schema_version": 1, "models": models}, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print("wrote %d models to %s" % (len(models), args.out))
    for i, reason in skipped:
        print("skipped %s: %s" % (i, reason))


if __name__ == "__main__":
    main()
