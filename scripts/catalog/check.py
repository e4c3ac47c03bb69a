#!/usr/bin/env python3
"""Lints the catalog (catalog/models.json, catalog/hardware.json); python3 stdlib only.

    python3 scripts/catalog/check.py [CATALOG_DIR]

Small named rules, one line per problem ("rule: file: entry: message"); exit 1
if any. The engine's loader checks the same files again when it reads them.
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


def check_hardware(path):
    fname = os.path.basename(path)
    doc = load(path)
    if doc is None:
        return
    entries = doc.get("hardware")
    if doc.get("schema_version") != 1 or not isinstance(entries, list):
        report("document-shape", fname, 'expected {"schema_version": 1, "hardware": [...]}')
        return
    ids = check_common(fname, entries, "hardware")
    for e in entries:
        if not isinstance(e, dict):
            continue
        where = f"{fname}: {e.get('id')}"
        for f in ("memory_gb", "bandwidth_gbs"):
            if e.get(f) is None:
                report("memory-required", where, f"{f} is required")
        check_positive(where, e, HARDWARE_NUMBERS)
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


def check_models(path):
    fname = os.path.basename(path)
    doc = load(path)
    if doc is None:
        return
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
        pp = e.get("params_published")
        if isinstance(pp, dict):
            check_positive(where, pp, ["total", "active"])
    check_aliases(fname, entries, set(ids))
    print(f"check: {fname}: {len(entries)} entries")


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
    check_hardware(os.path.join(catalog, "hardware.json"))
    check_models(os.path.join(catalog, "models.json"))
    for p in problems:
        print(p)
    print(f"check: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
