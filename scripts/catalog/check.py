#!/usr/bin/env python3
"""Lints the catalog (catalog/models.json, hardware.json, quants.json, runtimes.json); python3 stdlib only.

    python3 scripts/catalog/check.py [CATALOG_DIR]

Small named rules, one line per problem ("rule: file: entry: message"); exit 1
if any. Each file is first validated against its JSON Schema in
catalog/schema/<name>.schema.json (rule schema-<name>; a small validator for
the keywords those schemas use, below), then the rules schemas cannot express
run: unique ids and aliases, heads divisible by KV heads, plausible memory,
bandwidth and compute, the parameter-status self-check, source keys, the
quant/runtime cross-reference and the ids scripts/accuracy_lib/mapping.json uses.
The engine's loader checks models.json and hardware.json again when it reads them,
and tests/test_config_import.cpp checks computed against published parameters.
"""
import json
import math
import os
import re
import sys

ID_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")

HARDWARE_NUMBERS = ["memory_gb", "bandwidth_gbs", "fp16_tflops", "fp8_tflops", "int8_tops", "fp4_tflops",
                    "fp32_tflops", "system_memory_gb", "system_bandwidth_gbs", "interconnect_gbs", "tdp_w",
                    "year", "price_usd"]
VENDORS = {"nvidia", "amd", "apple", "intel", "cpu"}
FORM_FACTORS = {"desktop", "laptop", "workstation", "datacenter", "soc", "embedded", "cpu"}
# Ids other parts of the project (the seed question, the README, tests) rely on.
REQUIRED_HARDWARE = ["nvidia-a100-40gb-sxm4", "nvidia-a100-80gb-sxm4", "nvidia-h100-sxm5-80gb", "nvidia-h100-pcie",
                     "nvidia-rtx-4090", "nvidia-rtx-3090", "nvidia-rtx-5090", "amd-ryzen-ai-max-plus-395",
                     "nvidia-dgx-spark"]
REQUIRED_HARDWARE_PREFIXES = ["apple-m3-max-", "apple-m2-ultra-"]

problems = []

# ---- a minimal JSON Schema (2020-12) validator -------------------------------------------
# Keywords used by catalog/schema/*.json: type, const, enum, pattern, minLength, minimum,
# maximum, exclusiveMinimum, required, properties, additionalProperties, items, minItems,
# and $ref to "#/$defs/...". Anything else in a schema is reported, so a new keyword is not
# silently ignored.
SCHEMA_KEYWORDS = {"$schema", "$id", "$defs", "title", "description", "type", "const", "enum", "pattern", "minLength",
                   "minimum", "maximum", "exclusiveMinimum", "required", "properties", "additionalProperties", "items",
                   "minItems", "$ref"}
JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def type_ok(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return is_number(value)
    return isinstance(value, JSON_TYPES[name])


def validate(value, schema, root, path, out):
    """Appends 'path: message' for each violation of `schema` by `value`."""
    unknown = set(schema) - SCHEMA_KEYWORDS
    if unknown:
        out.append(f"{path}: schema uses unsupported keywords {sorted(unknown)}")
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            out.append(f"{path}: unsupported $ref {ref}")
            return
        validate(value, root["$defs"][ref[len("#/$defs/"):]], root, path, out)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(type_ok(value, t) for t in types):
            out.append(f"{path}: expected {'/'.join(types)}, got {json.dumps(value)[:60]}")
            return
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: must be {schema['const']!r}, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value.strip()) < schema["minLength"]:
            out.append(f"{path}: empty string")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if is_number(value):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{path}: {value} below minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{path}: {value} above maximum {schema['maximum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            out.append(f"{path}: {value} must be above {schema['exclusiveMinimum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                out.append(f"{path}: missing required field {key!r}")
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                validate(item, props[key], root, f"{path}.{key}", out)
            elif extra is False:
                out.append(f"{path}: unexpected field {key!r}")
            elif isinstance(extra, dict):
                validate(item, extra, root, f"{path}.{key}", out)
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append(f"{path}: needs at least {schema['minItems']} item(s)")
        if "items" in schema:
            for i, item in enumerate(value):
                validate(item, schema["items"], root, f"{path}[{i}]", out)


def check_schema(catalog, fname, doc):
    name = fname.rsplit(".", 1)[0]
    schema_path = os.path.join(catalog, "schema", f"{name}.schema.json")
    schema = load(schema_path)
    if schema is None:
        return
    out = []
    validate(doc, schema, schema, name, out)
    for message in out[:50]:
        report(f"schema-{name}", fname, message)
    if len(out) > 50:
        report(f"schema-{name}", fname, f"... and {len(out) - 50} more")


def report(rule, where, message):
    problems.append(f"{rule}: {where}: {message}")


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_common(fname, entries, kind):
    seen = {}
    for i, e in enumerate(entries):
        where = f"{fname}: {kind}[{i}]"
        if not isinstance(e, dict):
            report("entry-object", where, "entry is not an object")
            continue
        eid = e.get("id")
        if not isinstance(eid, str) or not ID_RE.match(eid):
            report("id-format", where, f"id {eid!r} must match {ID_RE.pattern}")
        else:
            where = f"{fname}: {eid}"
            if eid in seen:
                report("id-unique", where, f"id also used by entry {seen[eid]}")
            seen[eid] = i
        if not isinstance(e.get("name"), str) or not e["name"].strip():
            report("name-present", where, "name missing or empty")
        sources = e.get("sources")
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s.strip() for s in sources):
            report("sources-present", where, "sources must be a non-empty list of non-empty strings")
        aliases = e.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            report("aliases-strings", where, "aliases must be a list of non-empty strings")
    return seen


def check_aliases(fname, entries, ids):
    owner = {}
    for e in entries:
        if not isinstance(e, dict):
            continue
        for a in e.get("aliases", []) or []:
            if not isinstance(a, str):
                continue
            key = a.lower()
            if key in ids and key != e.get("id"):
                report("alias-not-id", f"{fname}: {e.get('id')}", f"alias {a!r} is another entry's id")
            if key in owner and owner[key] != e.get("id"):
                report("alias-unique", f"{fname}: {e.get('id')}", f"alias {a!r} also names {owner[key]}")
            owner[key] = e.get("id")


def check_positive(where, e, fields):
    for f in fields:
        v = e.get(f)
        if v is None:
            continue
        if not is_number(v) or v <= 0:
            report("number-positive", where, f"{f} must be a positive number or null, got {v!r}")


# Plausible ranges (rule plausible-range): a number outside them is almost always a unit
# slip (GiB/GB, MB/s, sparse figures). Bandwidth per GB of memory: CPU rows sit near
# 0.5-3 GB/s per GB, HBM parts near 20-60, small GDDR cards up to ~90.
BANDWIDTH_PER_GB_RANGE = (0.2, 120.0)
FP16_TFLOPS_MAX = 5000.0  # B300 is 2250 dense; above 5000 is a sparse or aggregate figure


def check_hardware_numbers(where, e):
    mem, bw = e.get("memory_gb"), e.get("bandwidth_gbs")
    if is_number(mem) and is_number(bw) and mem > 0:
        ratio = bw / mem
        lo, hi = BANDWIDTH_PER_GB_RANGE
        if not lo <= ratio <= hi:
            report("plausible-range", where, f"bandwidth_gbs / memory_gb = {ratio:.2f} outside {lo}-{hi}")
    fp16 = e.get("fp16_tflops")
    if is_number(fp16) and fp16 > FP16_TFLOPS_MAX:
        report("plausible-range", where, f"fp16_tflops {fp16} above {FP16_TFLOPS_MAX} (sparse figure?)")
    # Lower precisions never run slower than FP16 on the same tensor cores.
    for lower in ("fp8_tflops", "int8_tops", "fp4_tflops"):
        v = e.get(lower)
        if is_number(fp16) and is_number(v) and v < fp16:
            report("precision-order", where, f"{lower} {v} below fp16_tflops {fp16}")
    if is_number(e.get("fp4_tflops")) and is_number(e.get("fp8_tflops")) and e["fp4_tflops"] < e["fp8_tflops"]:
        report("precision-order", where, f"fp4_tflops {e['fp4_tflops']} below fp8_tflops {e['fp8_tflops']}")


def check_hardware(path):
    fname = os.path.basename(path)
    doc = load(path)
    if doc is None:
        return
    check_schema(os.path.dirname(path), fname, doc)
    entries = doc.get("hardware")
    if doc.get("schema_version") != 1 or not isinstance(entries, list):
        report("document-shape", fname, 'expected {"schema_version": 1, "hardware": [...]}')
        return
    ids = check_common(fname, entries, "hardware")
    hardware_ids = set(ids)
    for e in entries:
        if not isinstance(e, dict):
            continue
        where = f"{fname}: {e.get('id')}"
        for f in ("memory_gb", "bandwidth_gbs"):
            if e.get(f) is None:
                report("memory-required", where, f"{f} is required")
        check_positive(where, e, HARDWARE_NUMBERS)
        check_hardware_numbers(where, e)
        if e.get("vendor") not in VENDORS:
            report("vendor-known", where, f"vendor {e.get('vendor')!r} not in {sorted(VENDORS)}")
        if e.get("form_factor") not in FORM_FACTORS:
            report("form-factor-known", where, f"form_factor {e.get('form_factor')!r} not in {sorted(FORM_FACTORS)}")
        if "unified_memory" in e and not isinstance(e["unified_memory"], bool):
            report("unified-bool", where, "unified_memory must be true or false")
        if e.get("unified_memory") and e.get("system_memory_gb") not in (None, e.get("memory_gb")):
            report("unified-system-memory", where, "a unified-memory entry's system_memory_gb equals memory_gb")
        year = e.get("year")
        if is_number(year) and not 2000 <= year <= 2100:
            report("year-range", where, f"year {year} out of range")
    check_aliases(fname, entries, set(ids))
    for rid in REQUIRED_HARDWARE:
        if rid not in ids:
            report("required-id", fname, f"required hardware id {rid!r} missing")
    for prefix in REQUIRED_HARDWARE_PREFIXES:
        if not any(i.startswith(prefix) for i in ids):
            report("required-id", fname, f"no hardware id starting with {prefix!r}")
    print(f"check: {fname}: {len(entries)} entries")
    return hardware_ids


HEAD_KEYS = ("num_attention_heads", "n_heads", "n_head")
KV_HEAD_KEYS = ("num_key_value_heads", "num_kv_heads", "n_head_kv")
# params_published scopes whose total is the text decoder the engine counts (the others
# include a vision tower, MTP layers or FP8 scales, so the engine's total differs on purpose).
COMPARABLE_SCOPES = {"model", "same_shapes", "third_party"}


def first_int(cfg, keys):
    for k in keys:
        v = cfg.get(k)
        if isinstance(v, int) and not isinstance(v, bool):
            return k, v
    return None, None


def check_model_rules(where, e):
    cfg = e.get("config") if isinstance(e.get("config"), dict) else {}
    hk, heads = first_int(cfg, HEAD_KEYS)
    kk, kv = first_int(cfg, KV_HEAD_KEYS)
    if heads is not None and kv is not None and (kv <= 0 or heads % kv):
        report("heads-divisible", where, f"{hk} {heads} is not a multiple of {kk} {kv}")
    # Parameter self-check bookkeeping: the numeric comparison (within 1.5 %) is the
    # engine's, in tests/test_config_import.cpp; here the status must say which case applies.
    pp, status = e.get("params_published"), e.get("params_status")
    exact = isinstance(pp, dict) and pp.get("exact") is True
    comparable = exact and pp.get("scope", "model") in COMPARABLE_SCOPES
    if status == "computed_matches_published_exact" and not comparable:
        report("params-status", where, "computed_matches_published_exact needs an exact published total of the text model")
    if comparable and status != "computed_matches_published_exact":
        report("params-status", where, f"an exact published total (scope {pp.get('scope', 'model')}) is given, "
                                       f"so params_status must be computed_matches_published_exact, not {status}")
    if status == "published_only" and pp is None:
        report("params-status", where, "published_only without params_published")
    ctx = e.get("context_max")
    if is_number(ctx) and not 512 <= ctx <= 16_777_216:
        report("plausible-range", where, f"context_max {ctx} outside 512-16M tokens")


def check_models(path):
    fname = os.path.basename(path)
    doc = load(path)
    if doc is None:
        return
    check_schema(os.path.dirname(path), fname, doc)
    entries = doc.get("models")
    if doc.get("schema_version") != 1 or not isinstance(entries, list):
        report("document-shape", fname, 'expected {"schema_version": 1, "models": [...]}')
        return
    ids = check_common(fname, entries, "models")
    for e in entries:
        if not isinstance(e, dict):
            continue
        where = f"{fname}: {e.get('id')}"
        if not isinstance(e.get("config"), dict) or not e["config"]:
            report("config-present", where, "config must be a non-empty object (config.json fields)")
        elif "model_type" not in e["config"] and "architectures" not in e["config"]:
            report("config-model-type", where, "config needs model_type (or architectures)")
        if not isinstance(e.get("hf_repo"), str) or "/" not in e.get("hf_repo", ""):
            report("hf-repo", where, "hf_repo must be 'owner/name'")
        check_positive(where, e, ["context_max"])
        check_model_rules(where, e)
        pp = e.get("params_published")
        if isinstance(pp, dict):
            check_positive(where, pp, ["total", "active"])
    check_aliases(fname, entries, set(ids))
    print(f"check: {fname}: {len(entries)} entries")
    return set(ids)


def check_source_keys(fname, doc, key):
    keys = set(doc.get("sources", {}) or {})
    seen = set()
    for e in doc.get(key, []) or []:
        name = e.get("quant") or e.get("runtime")
        if name in seen:
            report("id-unique", f"{fname}: {name}", "listed twice")
        seen.add(name)
        for s in e.get("sources", []) or []:
            if s not in keys:
                report("source-key", f"{fname}: {name}", f"source {s!r} is not a key of the file's sources table")


def check_formats(catalog):
    """quants.json and runtimes.json: schema, source keys, and the cross-reference (a
    quant lists exactly the runtimes whose format_families include its family, and the
    union of their backends)."""
    quants = load(os.path.join(catalog, "quants.json"))
    runtimes = load(os.path.join(catalog, "runtimes.json"))
    if quants is None or runtimes is None:
        return
    check_schema(catalog, "quants.json", quants)
    check_schema(catalog, "runtimes.json", runtimes)
    check_source_keys("quants.json", quants, "quants")
    check_source_keys("runtimes.json", runtimes, "runtimes")
    rts = runtimes.get("runtimes", []) or []
    order = ["cuda", "rocm", "metal", "vulkan", "sycl", "cpu"]
    for q in quants.get("quants", []) or []:
        fam = q.get("family")
        want_rt = [r.get("runtime") for r in rts if fam in (r.get("format_families") or [])]
        want_bk = [b for b in order if any(fam in (r.get("format_families") or []) and b in (r.get("backends") or [])
                                           for r in rts)]
        if q.get("runtimes") != want_rt:
            report("quant-runtimes", f"quants.json: {q.get('quant')}", f"runtimes {q.get('runtimes')} but runtimes.json gives {want_rt}")
        if q.get("backends") != want_bk:
            report("quant-runtimes", f"quants.json: {q.get('quant')}", f"backends {q.get('backends')} but runtimes.json gives {want_bk}")
        blk, by, bits = q.get("block_size"), q.get("bytes_per_block"), q.get("bits_per_weight")
        if q.get("gguf") and is_number(blk) and is_number(by) and is_number(bits) and abs(8 * by / blk - bits) > 1e-9:
            report("quant-bits", f"quants.json: {q.get('quant')}", f"8 x {by} / {blk} != bits_per_weight {bits}")
    print(f"check: quants.json: {len(quants.get('quants', []))} entries; runtimes.json: {len(rts)} entries")


def check_mapping_ids(root, model_ids, hardware_ids):
    """Every catalog id scripts/accuracy_lib/mapping.json uses must exist (rule mapping-id)."""
    path = os.path.join(root, "scripts", "accuracy_lib", "mapping.json")
    if not os.path.exists(path) or model_ids is None or hardware_ids is None:
        return
    mapping = load(path) or {}
    for section, ids in (("models", model_ids), ("hardware", hardware_ids)):
        for label, entry in (mapping.get(section) or {}).items():
            cid = entry.get("catalog") if isinstance(entry, dict) else None
            if cid and cid not in ids:
                report("mapping-id", f"mapping.json: {section}: {label}", f"catalog id {cid!r} is not in the catalog")


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f, parse_constant=lambda c: float(c))
    except FileNotFoundError:
        report("file-present", os.path.basename(path), "missing")
    except json.JSONDecodeError as err:
        report("json-valid", os.path.basename(path), str(err))
    return None


def main():
    catalog = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "catalog")
    hardware_ids = check_hardware(os.path.join(catalog, "hardware.json"))
    model_ids = check_models(os.path.join(catalog, "models.json"))
    check_formats(catalog)
    check_mapping_ids(os.path.dirname(os.path.abspath(catalog)), model_ids, hardware_ids)
    for p in problems:
        print(p)
    print(f"check: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
