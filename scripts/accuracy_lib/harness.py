"""Accuracy harness: runs the dev-set measurements through `headroom batch` and scores them.

See scripts/accuracy_lib/README.md for what is mapped, how, and what is left out.
Python 3 standard library only.
"""
import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import OrderedDict, defaultdict
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Gate: the run fails when the dev-set median absolute % error of a gated metric exceeds this.
GATES = OrderedDict([
    ("tg", 15.0),
    ("pp", 25.0),
    ("file_size", 1.0),
    ("weights_size", 1.0),
    ("kv_cache", 5.0),
    ("compute_buffer", 5.0),
])

METRIC_TITLES = OrderedDict([
    ("tg", "decode (llama-bench tg / single-stream decode), tokens/s"),
    ("pp", "prefill (llama-bench pp), tokens/s"),
    ("pp_caveat", "prefill, Dec-2023 multi-GPU rows (README: unreliable; not gated)"),
    ("scale_out", "aggregate throughput at large batch (scale-out mode)"),
    ("file_size", "GGUF file size, bytes"),
    ("weights_size", "GGUF tensor bytes (llama.cpp model size), bytes"),
    ("kv_cache", "llama.cpp KV self size, bytes"),
    ("compute_buffer", "llama.cpp compute buffer per GPU, bytes"),
    ("compute_buffer_legacy", "llama.cpp compute buffer, Dec-2023 pre-ggml-backend allocator (not gated)"),
    ("working_set", "Apple recommendedMaxWorkingSetSize vs hardware.usable_bytes (not gated)"),
])

GiB = 1024.0 ** 3
MiB = 1024.0 ** 2


# ----------------------------------------------------------------------------- helpers

def load_mapping(path):
    with open(path) as f:
        return json.load(f)


def bad_note(notes):
    u = notes.upper()
    if "ANOMALOUS" in u:
        return "notes say ANOMALOUS"
    if "DO NOT USE" in u:
        return "notes say DO NOT USE"
    return None


def source_key(url, runtime=""):
    """host + owner/repo (+ PR number or pinned commit) of the source_url."""
    url = url.strip()
    m = re.match(r"(https?://\S+)", url)
    if not m:
        return runtime or url[:40]
    u = urlparse(m.group(1))
    parts = [p for p in u.path.split("/") if p]
    key = u.netloc + "/" + "/".join(parts[:2])
    if len(parts) >= 4 and parts[2] in ("pull", "issues"):
        key += "#" + parts[3]
    commit = re.search(r"@([0-9a-f]{7})\b", url) or re.search(r"/blob/([0-9a-f]{7})", url)
    if commit:
        key += "@" + commit.group(1)
    return key


def model_ref(label, mapping):
    e = mapping["models"].get(label.strip())
    if e is None:
        return None, "model '%s' not in scripts/accuracy_lib/mapping.json" % label
    if "catalog" in e:
        return e["catalog"], None
    cfg = mapping["inline_configs"][e["inline"]]
    obj = dict(cfg["config"])
    obj["name"] = cfg["name"]
    obj["params_total"] = cfg["params_total"]
    return obj, None


def hardware_ref(label, runtime, mapping):
    hw = mapping["hardware"]
    label = label.strip()
    e = None
    if "tensorrt" in runtime.lower():
        e = hw.get(label + "|TensorRT-LLM")
    if e is None:
        e = hw.get(label)
    if e is None:
        return None, "hardware '%s' not in scripts/accuracy_lib/mapping.json" % label
    if "catalog" in e:
        return e["catalog"], None
    return dict(e["inline"]), None


def norm_quant(label, mapping):
    l = label.strip().lower()
    l = re.sub(r"\s*\(llama\.cpp ftype label:.*\)$", "", l)
    q = mapping["quants"].get(l)
    if q:
        return q, None
    m = re.match(r"exl2 (\d+(?:\.\d+)?) bpw$", l)
    if m:
        return "EXL2-%s" % m.group(1), None
    if l.startswith("q4f16"):
        return None, "MLC q4f16_1 quantisation has no engine equivalent"
    # plain GGUF names (file-size rows): pass through upper-cased; the engine says if it does not know them
    if re.match(r"^(i?q\d|f16|bf16|mxfp4)", l):
        return label.strip().upper(), None
    return None, "quant label '%s' not mapped" % label


def norm_runtime(label):
    l = label.lower()
    if "mlc" in l:
        return None, "MLC LLM is not an engine runtime (its q4f16_1 format and TVM kernels have no vLLM-like equivalent); skipped"
    if "llama.cpp" in l:
        return "llama.cpp", None
    if "exllamav2" in l:
        return "exllamav2", None
    if "vllm" in l:
        return "vllm", None
    if "tensorrt" in l:
        return "tensorrt-llm", None
    return None, "runtime '%s' not mapped" % label


def norm_backend(label):
    l = label.lower()
    if l.startswith("cuda"):
        return "cuda"
    if l.startswith("metal"):
        return "metal"
    if l.startswith("rocm") or "hip" in l:
        return "rocm"
    if l.startswith("vulkan"):
        return "vulkan"
    if l.startswith("cpu"):
        return "cpu"
    return None


def flash_attention(row, runtime):
    """True/False as the row says; None leaves the runtime default."""
    n = (row.get("notes", "") + " " + row.get("runtime", "")).lower()
    if re.search(r"(-fa 1\b|\bfa=1\b|\bfa on\b|\bfa=yes\b|flash_attn 1\b|flash_attn=1)", n):
        return True
    if runtime == "llama.cpp":
        return False  # XiongjieDai (both READMEs), pre-FA PRs, strix 'fa=0' rows, '#7676 no FA'
    return None


def parse_test(row):
    """-> (bench dict, metric override or None, assumption text or None) or raises ValueError."""
    t = row["test"].strip()
    tl = t.lower()
    depth = 0
    m = re.search(r"@\s*d\s*(\d+)", tl)
    if m:
        depth = int(m.group(1))
    if "decode-equivalent" in tl or "ubatch 1" in tl:
        m = re.match(r"pp\s*(\d+)", tl)
        n = int(m.group(1))
        return {"pp": 0, "tg": n, "depth": depth}, "tg", "pp%d with ubatch 1 scored as tg%d at depth %d" % (n, n, depth)
    m = re.match(r"tg\s*(\d+)\b", tl)
    if m:
        return {"pp": 0, "tg": int(m.group(1)), "depth": depth}, None, None
    m = re.match(r"pp\s*(\d+)\b", tl)
    if m:
        return {"pp": int(m.group(1)), "tg": 0, "depth": depth}, None, None
    if tl.startswith("tg (1024 generated, main)"):
        return {"pp": 0, "tg": 1024, "depth": 494}, None, "./main: 1024 tokens generated after the ~494-token prompt (depth 494)"
    if tl.startswith("pp (~494-token prompt, main)"):
        return {"pp": 494, "tg": 0, "depth": 0}, None, None
    if tl.startswith("decode 256 tokens"):
        return {"pp": 0, "tg": 256, "depth": 7}, None, "256 tokens decoded after the 7-token prompt"
    if tl.startswith("single-stream generation"):
        return {"pp": 0, "tg": 128, "depth": 0}, None, "generation length not stated; tg128 from empty context assumed"
    raise ValueError("test label '%s' not understood" % t)


def is_aggregate(row):
    b = row.get("batch", "").strip()
    try:
        if int(b) > 1:
            return True
    except ValueError:
        pass
    n = (row.get("notes", "") + " " + row.get("test", "")).lower()
    return "aggregate" in n or "throughput" in n


# ----------------------------------------------------------------------------- perf rows

def build_perf(rows, mapping):
    items, skipped, unmapped = [], [], []
    for i, row in enumerate(rows):
        rid = "perf:%d" % (i + 2)  # CSV line number (header is line 1)
        desc = "%s %s %s %s x%s %s %s" % (row["model"], row["quant"].split(" (")[0], row["runtime"].split(" (")[0],
                                          row["gpu"], row["num_gpus"], row["backend"], row["test"])
        why = bad_note(row["notes"])
        if why:
            skipped.append({"id": rid, "desc": desc, "reason": why})
            continue
        if "nkvo=1" in row["notes"].replace(" ", "") and "ngl=99 nkvo=1" in row["notes"]:
            unmapped.append({"id": rid, "desc": desc, "reason": "KV cache kept in host RAM (-nkvo 1): no request field for it"})
            continue
        runtime, err = norm_runtime(row["runtime"])
        if err:
            unmapped.append({"id": rid, "desc": desc, "reason": err})
            continue
        model, err = model_ref(row["model"], mapping)
        if err:
            unmapped.append({"id": rid, "desc": desc, "reason": err})
            continue
        hw, err = hardware_ref(row["gpu"], row["runtime"], mapping)
        if err:
            unmapped.append({"id": rid, "desc": desc, "reason": err})
            continue
        quant, err = norm_quant(row["quant"], mapping)
        if err:
            unmapped.append({"id": rid, "desc": desc, "reason": err})
            continue
        backend = norm_backend(row["backend"])
        n_gpu = int(row["num_gpus"] or 1)
        split = "layer" if runtime in ("llama.cpp", "exllamav2") else "tensor"
        # Before llama.cpp PR #4766 (Jan 2024) multi-GPU meant row split (each
        # matrix split by rows, results gathered per matmul); the Dec-2023 README
        # rows predate it, so they are sent as split "tensor" (llama.cpp -sm row).
        if runtime == "llama.cpp" and "eafac9d" in row["source_url"]:
            split = "tensor"
        measured = float(row["tokens_per_s"])
        src = source_key(row["source_url"], row["runtime"])
        req = {"model": model, "hardware": hw, "gpu_count": n_gpu, "quant": quant, "runtime": runtime}
        if n_gpu > 1:
            req["split"] = split
        if backend:
            req["backend"] = backend
        fa = flash_attention(row, runtime)
        if fa is not None:
            req["flash_attention"] = fa

        if is_aggregate(row):
            m = re.search(r"in\s*(\d+)\s*out\s*(\d+)", row["test"])
            pin, pout = (int(m.group(1)), int(m.group(2))) if m else (128, 128)
            req["mode"] = "scale-out"
            req["context_tokens"] = pin + pout
            try:
                req["concurrency"] = int(row["batch"])
            except ValueError:
                pass
            # End-to-end throughput: every sequence prefills `in` tokens and decodes `out`.
            req["bench"] = {"pp": pin, "tg": pout, "depth": 0}
            if "weights+kv" in row["quant"].lower().replace(" ", ""):
                req["kv_cache_type"] = "fp8"
            items.append({"id": rid, "kind": "perf", "metric": "scale_out", "source": src, "desc": desc,
                          "measured": measured, "unit": "tokens/s", "request": req, "row": row,
                          "assumption": "aggregate output tokens/s at batch %s, input %d, output %d" % (row["batch"], pin, pout)})
            continue
        try:
            bench, metric_override, assumption = parse_test(row)
        except ValueError as e:
            unmapped.append({"id": rid, "desc": desc, "reason": str(e)})
            continue
        metric = metric_override or row["metric"].strip()
        if metric == "pp" and "eafac9d" in row["source_url"] and n_gpu > 1:
            metric = "pp_caveat"
        req["bench"] = bench
        req["context_tokens"] = max(1, bench["pp"] + bench["tg"] + bench["depth"])
        items.append({"id": rid, "kind": "perf", "metric": metric, "source": src, "desc": desc,
                      "measured": measured, "unit": "tokens/s", "request": req, "row": row, "assumption": assumption})
    return items, skipped, unmapped


def predicted_perf(item, rep):
    if item["metric"] == "scale_out":
        perf = rep.get("performance", {})
        v = perf.get("aggregate_tokens_per_s")
        if isinstance(v, (int, float)):
            return float(v), None
        return None, "not scored: no aggregate-throughput output"
    b = rep.get("bench") or {}
    key = "tg_tokens_per_s" if item["metric"] == "tg" else "pp_tokens_per_s"
    v = b.get(key)
    if not isinstance(v, (int, float)):
        return None, "report has no bench.%s" % key
    return float(v), None


# ----------------------------------------------------------------------------- size rows

def size_bytes(value, unit):
    v = float(value)
    u = unit.strip()
    if u == "GB":
        return v * 1e9
    if u == "GiB":
        return v * GiB
    if u in ("MiB",):
        return v * MiB
    if u == "MB":
        return None  # caller decides (llama.cpp 'MB' is MiB; Metal working set is 1e6)
    if u == "bytes":
        return v
    raise ValueError("unit '%s'" % unit)


UNMAPPED_WHAT = {
    "model_buffer_gpu": "per-device weight buffer (token_embd split to host); the report has no per-device weight field",
    "model_buffer_cpu": "host weight buffer (token_embd); no matching report field",
    "compute_buffer_host": "CUDA_Host compute buffer; the report has no host compute-buffer field",
    "output_buffer": "llama.cpp output buffer; not modelled separately",
    "vram_total": "old llama.cpp 'total VRAM used' excludes CUDA context/workspace; no like-for-like report field",
    "vram_total (peak, tool-defined)": "Strix Halo harness max_mem: definition not documented (README: low/medium trust)",
    "kv_cache_gpu0": "KV buffer of one GPU in an uneven layer split; the report gives the total only",
}

WORKING_SET_HW = {
    "Apple M1 8GB": "apple-m1-8gb",
    "Apple M1 Max 64GB and M3 Max 64GB": "apple-m1-max-64gb",
    "Apple M2 Ultra 192GB": "apple-m2-ultra-192gb",
}


def build_sizes(rows, mapping):
    items, skipped, unmapped = [], [], []
    for i, row in enumerate(rows):
        rid = "size:%d" % (i + 2)
        what = row["what"].strip()
        desc = "%s %s %s %s %s%s" % (row["model"], row["quant"].split(" (")[0], what, row["bytes_or_gib"], row["unit"],
                                     (" ctx " + row["context"]) if row["context"].strip() else "")
        why = bad_note(row["notes"])
        if why:
            skipped.append({"id": rid, "desc": desc, "reason": why})
            continue
        if what in UNMAPPED_WHAT:
            unmapped.append({"id": rid, "desc": desc, "reason": UNMAPPED_WHAT[what]})
            continue
        src = source_key(row["source_url"])
        if what == "gpu_working_set_limit":
            hwid = None
            for k, v in WORKING_SET_HW.items():
                if row["notes"].startswith(k):
                    hwid = v
            if not hwid:
                unmapped.append({"id": rid, "desc": desc, "reason": "device not identified"})
                continue
            measured = float(row["bytes_or_gib"]) * 1e6  # ggml-metal prints bytes/1e6 as 'MB'
            req = {"model": "llama-3-8b", "hardware": hwid, "quant": "Q4_K_M", "runtime": "llama.cpp",
                   "backend": "metal", "context_tokens": 512}
            items.append({"id": rid, "kind": "size", "metric": "working_set", "source": src, "desc": desc + " (" + hwid + ")",
                          "measured": measured, "unit": "bytes", "request": req, "row": row,
                          "field": "hardware.usable_bytes", "divide": 1})
            continue
        if "part 1 of" in row["quant"]:
            unmapped.append({"id": rid, "desc": desc, "reason": "first split of a multi-file GGUF only; total not shown"})
            continue
        model, err = model_ref(row["model"], mapping)
        if err:
            unmapped.append({"id": rid, "desc": desc, "reason": err})
            continue
        qlabel = row["quant"].strip()
        if qlabel.startswith("(not shown"):
            quant = "Q4_K_M"  # weight quant irrelevant for KV / compute buffer rows
        else:
            quant, err = norm_quant(qlabel, mapping)
            if err:
                unmapped.append({"id": rid, "desc": desc, "reason": err})
                continue
        unit = row["unit"].strip()
        if unit == "MB":
            measured = float(row["bytes_or_gib"]) * MiB  # old llama.cpp 'MB' is MiB (README)
        else:
            measured = size_bytes(row["bytes_or_gib"], unit)
        ctx = row["context"].strip()
        ctx_n = int(ctx) if ctx.isdigit() else 512
        req = {"model": model, "hardware": "nvidia-rtx-3090", "quant": quant, "runtime": "llama.cpp",
               "backend": "cuda", "flash_attention": False, "context_tokens": ctx_n}
        divide = 1
        note = None
        notes_l = row["notes"].lower()
        if "metal" in notes_l or "apple" in notes_l:
            req["backend"] = "metal"
            req["hardware"] = "apple-m1-8gb" if "m1 8gb" in notes_l else "apple-m1-max-64gb"
        if what == "file_size":
            metric, field = "file_size", "memory.file_bytes"
            req.pop("flash_attention")
        elif what == "model_weights_size":
            metric, field = "weights_size", "memory.weights_bytes"
            req.pop("flash_attention")
        elif what == "kv_cache":
            metric, field = "kv_cache", "memory.kv_cache_bytes"
            m = re.search(r"\((q8_0|q4_0|f16)\)", row["notes"], re.I)
            if m and m.group(1).lower() != "f16":
                req["kv_cache_type"] = m.group(1).lower()
                req["flash_attention"] = True  # llama.cpp needs FA for a quantised V cache
                note = "quantised KV needs flash attention in llama.cpp; FA on"
        elif what == "compute_buffer":
            metric, field = "compute_buffer", "memory.compute_bytes"
            # The Dec-2023 logs predate ggml-backend's allocator (their notes say
            # "pre-ggml-backend era"): scored apart, not gated.
            if "pre-ggml-backend" in notes_l:
                metric = "compute_buffer_legacy"
            m = re.search(r"in (\d+)(?:/\d+)*-gpu layer split", notes_l)
            if m or "layer split across 2 gpus" in notes_l or "pipeline parallelism" in notes_l:
                req["gpu_count"] = 2
                req["split"] = "layer"
                divide = 2
                note = "per-GPU reading: compute_bytes / 2 (2-GPU layer split)"
            if "q8_0 kv" in notes_l or "pipeline parallelism" in notes_l and "qwen" in row["model"].lower():
                req["kv_cache_type"] = "q8_0"
                req["flash_attention"] = True
                req["hardware"] = "nvidia-rtx-3090-ti"
        else:
            unmapped.append({"id": rid, "desc": desc, "reason": "'%s' has no mapping" % what})
            continue
        items.append({"id": rid, "kind": "size", "metric": metric, "source": src, "desc": desc, "measured": measured,
                      "unit": "bytes", "request": req, "row": row, "field": field, "divide": divide, "assumption": note})
    return items, skipped, unmapped


def dig(rep, field):
    cur = rep
    for p in field.split("."):
        if not isinstance(cur, dict) or p not in cur:
            return None
        cur = cur[p]
    return cur


def predicted_size(item, rep):
    v = dig(rep, item["field"])
    if not isinstance(v, (int, float)):
        return None, "report has no %s" % item["field"]
    return float(v) / item["divide"], None


# ----------------------------------------------------------------------------- naive baseline

# What a naive calculator predicts for the same row, so the tables show what the modelling buys.
# Facts: params = the engine report's model.params_total, nominal bits = the number in the quant
# name (Q4_K_M -> 4, Q8_0 -> 8, F16 -> 16, EXL2-4.65 -> 4.65), bandwidth = the report's per-device
# hardware.bandwidth_bytes_per_s, FP16 peak = the catalog's (or inline) dense fp16_tflops (fp32_tflops
# when no tensor figure is published), layers / hidden from the model's config.json. The naive
# calculator ignores the GPU count (one device's bandwidth and FLOPs), context depth, GQA, flash
# attention, the runtime and the backend.
BASELINE_FORMULAS = OrderedDict([
    ("tg", "bandwidth / (params x nominal bits / 8)"),
    ("pp", "peak FP16 FLOPs / (2 x params)"),
    ("pp_caveat", "peak FP16 FLOPs / (2 x params)"),
    ("file_size", "params x nominal bits / 8"),
    ("weights_size", "params x nominal bits / 8"),
    ("kv_cache", "2 x layers x hidden x context x 2 bytes (no GQA)"),
])


def load_catalog_facts():
    """{model id: config.json dict}, {hardware id: entry} from catalog/*.json (empty when missing)."""
    models, hardware = {}, {}
    try:
        with open(os.path.join(REPO, "catalog", "models.json")) as f:
            for m in json.load(f).get("models", []):
                models[m["id"]] = m.get("config") or {}
    except (OSError, ValueError):
        pass
    try:
        with open(os.path.join(REPO, "catalog", "hardware.json")) as f:
            for h in json.load(f).get("hardware", []):
                hardware[h["id"]] = h
    except (OSError, ValueError):
        pass
    return models, hardware


def nominal_bits(quant):
    q = (quant or "").upper()
    if q in ("F16", "BF16", "FP16"):
        return 16.0
    if q == "F32":
        return 32.0
    m = re.search(r"(\d+(?:\.\d+)?)", q)
    return float(m.group(1)) if m else None


def _first(cfg, keys):
    for k in keys:
        v = cfg.get(k)
        if isinstance(v, (int, float)) and v > 0:
            return float(v)
    tc = cfg.get("text_config")
    if isinstance(tc, dict):
        return _first(tc, keys)
    return None


def baseline_value(item, rep, facts):
    """The naive calculator's number for this row, or None where it has no formula."""
    metric = item["metric"]
    if metric not in BASELINE_FORMULAS:
        return None
    req = item["request"]
    model = rep.get("model") or {}
    params = model.get("params_total")
    bits = nominal_bits(req.get("quant"))
    if metric in ("file_size", "weights_size"):
        return params * bits / 8.0 if params and bits else None
    if metric == "tg":
        bw = (rep.get("hardware") or {}).get("bandwidth_bytes_per_s")
        return bw / (params * bits / 8.0) if bw and params and bits else None
    if metric in ("pp", "pp_caveat"):
        hw = req.get("hardware")
        entry = hw if isinstance(hw, dict) else facts[1].get(hw, {})
        tflops = entry.get("fp16_tflops") or entry.get("fp32_tflops")
        return tflops * 1e12 / (2.0 * params) if tflops and params else None
    if metric == "kv_cache":
        m = req.get("model")
        cfg = m if isinstance(m, dict) else facts[0].get(m, {})
        layers = model.get("layers") or _first(cfg, ("num_hidden_layers", "n_layer", "num_layers", "n_layers"))
        hidden = _first(cfg, ("hidden_size", "n_embd", "d_model", "dim"))
        ctx = req.get("context_tokens")
        return 2.0 * layers * hidden * ctx * 2.0 if layers and hidden and ctx else None
    return None


# ----------------------------------------------------------------------------- engine

def run_engine(binary, requests):
    payload = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in requests)
    t0 = time.time()
    p = subprocess.run([binary, "batch"], input=payload.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.time() - t0
    lines = p.stdout.decode().splitlines()
    if len(lines) != len(requests):
        sys.stderr.write("accuracy: engine returned %d lines for %d requests (exit %d)\n%s\n" %
                         (len(lines), len(requests), p.returncode, p.stderr.decode()[-2000:]))
    reports = []
    for i in range(len(requests)):
        if i < len(lines):
            try:
                reports.append(json.loads(lines[i]))
                continue
            except ValueError:
                pass
        reports.append({"ok": False, "error": {"code": "no_report", "message": "no parsable report line"}})
    return reports, dt


# ----------------------------------------------------------------------------- stats

def pct(sorted_vals, q):
    if not sorted_vals:
        return float("nan")
    k = (len(sorted_vals) - 1) * q
    f, c = math.floor(k), math.ceil(k)
    if f == c:
        return sorted_vals[int(k)]
    return sorted_vals[f] + (sorted_vals[c] - sorted_vals[f]) * (k - f)


def summarize(scored, key="error_pct"):
    scored = [s for s in scored if s.get(key) is not None]
    ape = sorted(abs(s[key]) for s in scored)
    signed = sorted(s[key] for s in scored)
    n = len(ape)
    return {
        "n": n,
        "median_ape": pct(ape, 0.5),
        "p90_ape": pct(ape, 0.9),
        "within_10": (sum(1 for a in ape if a <= 10) / n) if n else float("nan"),
        "within_25": (sum(1 for a in ape if a <= 25) / n) if n else float("nan"),
        "median_signed": pct(signed, 0.5),
    }


def fmt_row(label, s, width=62, b=None):
    base = "%10s %10s" % ("-", "-")
    if b and b["n"]:
        base = "%10.1f %10.1f" % (b["median_ape"], b["p90_ape"])
    return "  %-*s %5d %8.1f %8.1f %7.0f%% %7.0f%% %+9.1f %s" % (
        width, label[:width], s["n"], s["median_ape"], s["p90_ape"], 100 * s["within_10"], 100 * s["within_25"],
        s["median_signed"], base)


HEADER = "  %-62s %5s %8s %8s %8s %8s %9s %10s %10s" % ("", "n", "med|%|", "p90|%|", "<=10%", "<=25%", "med±%",
                                                       "naive med", "naive p90")


def human(v, unit):
    if unit == "bytes":
        return "%.3f GiB" % (v / GiB) if v >= GiB else "%.1f MiB" % (v / MiB)
    return "%.1f" % v


# ----------------------------------------------------------------------------- weak spots, page data

def finite(o):
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {k: finite(v) for k, v in o.items()}
    if isinstance(o, list):
        return [finite(v) for v in o]
    return o


def _params(it):
    return (it.get("engine_model") or {}).get("params_total") or 0


def _hw_id(it):
    h = it["request"].get("hardware")
    return h if isinstance(h, str) else (h or {}).get("id", "")


# Known weak spots, stated plainly on the accuracy page with their numbers from this run.
WEAK_SPOTS = [
    ("row-split-multi-gpu", "Old row-split multi-GPU prefill (Dec 2023)",
     "llama.cpp's Dec-2023 multi-GPU runs split every matrix by rows (before ggml-backend's layer split, "
     "PR #4766); their prefill readings are far below what the engine predicts and the source's own README calls "
     "multi-GPU prefill of that era unreliable. Scored apart as pp_caveat, not gated.",
     lambda it: it["metric"] == "pp_caveat"),
    ("tensorrt-large-batch", "TensorRT-LLM throughput at large batch",
     "Aggregate tokens/s at batch 16 to 1280 (static batching, gptSessionBenchmark) is scored against the "
     "engine's scale-out mode, not single-stream decode; errors stay large and rows the report has no comparable "
     "number for are not scored. Not gated.",
     lambda it: it["metric"] == "scale_out" and it["request"].get("runtime") == "tensorrt-llm"),
    ("70b-multi-gpu-prefill", "70B-class prefill across several GPUs",
     "In the same runs llama.cpp's pipeline sped up 8B prefill across GPUs but not 70B; the engine applies the "
     "same layer-split pipelining to both, so 70B multi-GPU prefill is the least certain prefill figure.",
     lambda it: it["metric"] == "pp" and _params(it) > 60e9 and it["request"].get("gpu_count", 1) > 1),
    ("apple-cpu-fallback", "Apple CPU fallback",
     "Rows run on an Apple machine's CPU (no Metal) are few and the CPU path's efficiency is least known; "
     "treat the engine's CPU numbers on Macs as rough.",
     lambda it: it["request"].get("backend") == "cpu" and (
         (it.get("engine_hardware") or {}).get("vendor") == "apple" or _hw_id(it).startswith("apple"))),
    ("a100-hbm-decode", "A100 (HBM) decode efficiency",
     "Decode on A100 reaches a smaller share of its HBM bandwidth than GDDR cards do, and that share varies "
     "between the A100 sources; the engine uses one HBM efficiency, so A100 decode errors are wider than the "
     "dev-set median.",
     lambda it: it["metric"] == "tg" and _hw_id(it).startswith("nvidia-a100")),
]


def weak_spots(scored, unscored):
    out = []
    for wid, title, text, pred in WEAK_SPOTS:
        rows = [it for it in scored if pred(it)]
        metrics = sorted(set(it["metric"] for it in rows))
        out.append({"id": wid, "title": title, "text": text, "metrics": metrics,
                    "rows": [it["id"] for it in rows],
                    "engine": summarize(rows), "baseline": summarize(rows, "baseline_error_pct"),
                    "unscored": sum(1 for it in unscored if pred(it))})
    return out


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def row_date(*texts):
    """'May 2024' from the first ISO date or 'Mon YYYY' in the texts, else None."""
    for t in texts:
        t = t or ""
        m = re.search(r"\b(20\d\d)-(\d\d)(?:-\d\d)?\b", t)
        if m and 1 <= int(m.group(2)) <= 12:
            return "%s %s" % (MONTHS[int(m.group(2)) - 1], m.group(1))
        m = re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? (20\d\d)\b", t)
        if m:
            i = [x[:3] for x in MONTHS].index(m.group(1))
            return "%s %s" % (MONTHS[i], m.group(2))
    return None


def source_url(text):
    m = re.search(r"https?://[^\s,()]+", text or "")
    return m.group(0).rstrip(".;") if m else None


def tool_label(runtime_label):
    l = runtime_label or ""
    if "llama-bench" in l:
        return "llama-bench"
    if re.search(r"\bmain\b", l):
        return "llama.cpp main"
    return l.split(" (")[0].strip()


def _sig(v, digits=6):
    return float("%.*g" % (digits, v)) if isinstance(v, float) and math.isfinite(v) else v


def _pct2(v):
    return round(v, 2) if isinstance(v, float) and math.isfinite(v) else v


def page_row(it):
    row, req = it["row"], it["request"]
    perf = it["kind"] == "perf"
    em, eh = it.get("engine_model") or {}, it.get("engine_hardware") or {}
    mref = req.get("model")
    notes = (row.get("notes") or "").strip()
    if perf:
        runtime_label = row.get("runtime", "")
        test = row.get("test", "").strip()
        method = "%s %s" % (tool_label(runtime_label), test)
        bench = req.get("bench") or {}
    else:
        runtime_label = "llama.cpp"
        test = row.get("what", "").strip() + ((" ctx " + row["context"].strip()) if row.get("context", "").strip() else "")
        method = test
        bench = {}
    return {
        "id": it["id"], "metric": it["metric"],
        "model": row.get("model", "").strip(), "model_id": mref if isinstance(mref, str) else em.get("id"),
        "quant": req.get("quant"),
        "device": row.get("gpu", "").strip() if perf else None, "hardware_id": (eh.get("id") or _hw_id(it)) if perf else None,
        "runtime": req.get("runtime"), "runtime_label": runtime_label.strip(),
        "backend": req.get("backend") if perf else None, "gpus": req.get("gpu_count", 1),
        "flash_attention": req.get("flash_attention"), "depth": bench.get("depth"),
        "tokens": (bench.get("tg") or bench.get("pp")) if perf else None,
        "test": test, "method": method,
        "measured": it["measured"], "predicted": _sig(it["predicted"]), "baseline": _sig(it.get("baseline")),
        "error": _pct2(it["error_pct"]), "baseline_error": _pct2(it.get("baseline_error_pct")),
        "source": it["source"], "url": source_url(row.get("source_url", "")),
        "date": row_date(row.get("source_url"), row.get("runtime"), notes),
        "notes": notes[:200] + ("…" if len(notes) > 200 else ""), "assumption": it.get("assumption"),
    }


def metrics_table(scored, summaries, base_summaries, per_source, per_source_base):
    """Per metric, in METRIC_TITLES order: engine and naive-baseline summaries, gate, per-source rows."""
    metrics = []
    for m, title in METRIC_TITLES.items():
        if m not in summaries:
            continue
        srcs = [{"source": k, "engine": v, "baseline": per_source_base.get(m, {}).get(k)}
                for k, v in per_source.get(m, {}).items() if not k.startswith("by setup")]
        unit = next((it["unit"] for it in scored if it["metric"] == m), "")
        metrics.append({"metric": m, "title": title, "unit": unit, "gate": GATES.get(m), "gated": m in GATES,
                        "engine": summaries[m],
                        "baseline": base_summaries[m] if base_summaries.get(m, {}).get("n") else None,
                        "baseline_formula": BASELINE_FORMULAS.get(m), "by_source": srcs})
    return metrics


def page_doc(args, scored, unscored, skipped, unmapped, summaries, base_summaries, per_source, per_source_base,
             weak, failed, engine_version):
    """The web page's accuracy.json: every scored row, the tables, the weak spots and the sources."""
    metrics = metrics_table(scored, summaries, base_summaries, per_source, per_source_base)
    sources = OrderedDict()
    for it in sorted(scored + unscored, key=lambda x: x["source"]):
        row = it["row"]
        s = sources.setdefault(it["source"], {
            "source": it["source"], "url": source_url(row.get("source_url", "")),
            "label": row.get("source_url", "").strip(), "date": None, "rows": 0, "scored": 0, "metrics": {},
            "runtimes": [], "devices": [], "models": []})
        s["rows"] += 1
        s["date"] = s["date"] or row_date(row.get("source_url"), row.get("runtime"), row.get("notes"))
        if "predicted" in it and it.get("predicted") is not None:
            s["scored"] += 1
            s["metrics"][it["metric"]] = s["metrics"].get(it["metric"], 0) + 1
        for key, val in (("runtimes", (row.get("runtime") or "").split(" (")[0].strip() if it["kind"] == "perf" else None),
                         ("devices", (row.get("gpu") or "").strip() if it["kind"] == "perf" else None),
                         ("models", (row.get("model") or "").strip())):
            if val and val not in s[key]:
                s[key].append(val)
    data = os.path.normpath(args.data)
    parts = data.split(os.sep)
    if "shared" in parts:
        data = "/".join(parts[parts.index("shared"):])
    return {
        "schema": "headroom-accuracy/1",
        "generated_by": "scripts/accuracy --page-json",
        "data": data,
        "engine_version": engine_version,
        "gates": GATES,
        "failed_gates": failed,
        "counts": {"scored": len(scored), "unscored": len(unscored), "skipped": len(skipped), "unmapped": len(unmapped)},
        "baseline": {"text": "The naive baseline is a calculator with no efficiency model: decode = bandwidth / (parameters x nominal bits / 8); prefill = peak "
                             "FP16 FLOPs / (2 x parameters); file and weight sizes = parameters x nominal bits / 8; "
                             "KV cache = 2 x layers x hidden x context x 2 bytes, ignoring grouped-query attention. "
                             "One device's bandwidth and FLOPs (it ignores the GPU count), no depth, runtime or "
                             "backend effects.",
                     "formulas": BASELINE_FORMULAS},
        "metrics": metrics,
        "weak_spots": [{k: w[k] for k in ("id", "title", "text", "metrics", "engine", "baseline", "unscored")}
                       for w in weak],
        "sources": list(sources.values()),
        "rows": [page_row(it) for it in scored],
    }


# ----------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(prog="scripts/accuracy",
                                 description="Score the engine against the measured dev set (shared/validation/dev).")
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "validation", "dev"),
                    help="folder with measured_perf.csv and measured_sizes.csv (default: ../shared/validation/dev)")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "headroom"), help="headroom binary (default build/headroom)")
    ap.add_argument("--mapping", default=os.path.join(HERE, "mapping.json"))
    ap.add_argument("--json", metavar="FILE", help="write full per-row results here")
    ap.add_argument("--page-json", metavar="FILE",
                    help="write the web page's accuracy data here (rows, summaries, naive baseline, weak spots, sources)")
    ap.add_argument("--no-fail", action="store_true", help="always exit 0 after printing")
    ap.add_argument("--worst", type=int, default=10, help="worst rows listed per metric (default 10)")
    ap.add_argument("--quiet-lists", action="store_true", help="do not list skipped/unmapped/unscored rows one by one")
    args = ap.parse_args(argv)

    mapping = load_mapping(args.mapping)
    perf_path = os.path.join(args.data, "measured_perf.csv")
    size_path = os.path.join(args.data, "measured_sizes.csv")
    with open(perf_path, newline="") as f:
        perf_rows = list(csv.DictReader(f))
    size_rows = []
    if os.path.exists(size_path):
        with open(size_path, newline="") as f:
            size_rows = list(csv.DictReader(f))

    p_items, p_skip, p_unmap = build_perf(perf_rows, mapping)
    s_items, s_skip, s_unmap = build_sizes(size_rows, mapping)
    items = p_items + s_items
    skipped = p_skip + s_skip
    unmapped = p_unmap + s_unmap

    if not os.path.exists(args.bin):
        sys.stderr.write("accuracy: engine binary %s not found (build it: cmake --build build --target headroom)\n" % args.bin)
        return 2
    reports, dt = run_engine(args.bin, [it["request"] for it in items])
    facts = load_catalog_facts()
    engine_version = next((r.get("engine_version") for r in reports if r.get("engine_version")), None)

    scored, unscored = [], []
    for it, rep in zip(items, reports):
        it["report_ok"] = bool(rep.get("ok"))
        if not rep.get("ok"):
            err = rep.get("error") or {}
            it["unscored"] = "engine error %s: %s" % (err.get("code", "?"), err.get("message", ""))
            it["engine_error"] = err.get("code", "?")
            unscored.append(it)
            continue
        if it["kind"] == "perf":
            pred, why = predicted_perf(it, rep)
        else:
            pred, why = predicted_size(it, rep)
        if pred is None:
            it["unscored"] = why
            unscored.append(it)
            continue
        it["predicted"] = pred
        it["error_pct"] = (pred / it["measured"] - 1.0) * 100.0 if it["measured"] else float("nan")
        it["abs_error_pct"] = abs(it["error_pct"])
        base = baseline_value(it, rep, facts)
        it["baseline"] = base
        it["baseline_error_pct"] = (base / it["measured"] - 1.0) * 100.0 if base and it["measured"] else None
        rm, rh = rep.get("model") or {}, rep.get("hardware") or {}
        it["engine_model"] = {"id": rm.get("id"), "name": rm.get("name"), "params_total": rm.get("params_total")}
        it["engine_hardware"] = {"id": rh.get("id"), "name": rh.get("name"), "vendor": rh.get("vendor")}
        scored.append(it)

    by_metric = defaultdict(list)
    for s in scored:
        by_metric[s["metric"]].append(s)

    out = sys.stdout
    out.write("Headroom accuracy vs %s\n" % os.path.normpath(args.data))
    out.write("engine: %s  (%d requests in one batch process, %.2f s)\n" % (args.bin, len(items), dt))
    out.write("rows: perf %d, sizes %d | sent %d, scored %d, unscored %d, skipped %d, unmapped %d\n\n" %
              (len(perf_rows), len(size_rows), len(items), len(scored), len(unscored), len(skipped), len(unmapped)))
    out.write("error = predicted/measured - 1; |%%| columns are absolute percentage error; med±%% is the signed median (bias)\n\n")

    out.write("OVERALL\n" + HEADER + "\n")
    summaries, base_summaries = {}, {}
    for m, title in METRIC_TITLES.items():
        if by_metric.get(m):
            summaries[m] = summarize(by_metric[m])
            base_summaries[m] = summarize(by_metric[m], "baseline_error_pct")
            out.write(fmt_row(m + (" [gate %.0f%%]" % GATES[m] if m in GATES else ""), summaries[m],
                              b=base_summaries[m]) + "\n")
    n_scale = sum(1 for it in unscored if it["metric"] == "scale_out")
    if n_scale:
        out.write("  scale_out: %d rows not scored: no aggregate-throughput output in the report\n" % n_scale)
    out.write("\n")

    per_source, per_source_base = {}, {}
    for m, title in METRIC_TITLES.items():
        rows = by_metric.get(m)
        if not rows:
            continue
        out.write("== %s: %s\n" % (m, title))
        out.write(HEADER + "\n")
        groups = defaultdict(list)
        for r in rows:
            groups[r["source"]].append(r)
        per_source[m] = {}
        per_source_base[m] = {}
        for src in sorted(groups, key=lambda k: -len(groups[k])):
            s = summarize(groups[src])
            per_source[m][src] = s
            per_source_base[m][src] = summarize(groups[src], "baseline_error_pct")
            out.write(fmt_row(src, s, b=per_source_base[m][src]) + "\n")
        if m in ("tg", "pp", "pp_caveat"):
            classes = defaultdict(list)
            for r in rows:
                q = r["request"]
                classes["by setup: %s %s %s %s" % (q["runtime"], q.get("backend", "default"),
                                                   "1 GPU" if q.get("gpu_count", 1) == 1 else "multi-GPU",
                                                   r["source"].split("/")[-1][:22])].append(r)
            for c in sorted(classes, key=lambda k: -len(classes[k])):
                s = summarize(classes[c])
                per_source[m][c] = s
                per_source_base[m][c] = summarize(classes[c], "baseline_error_pct")
                out.write(fmt_row(c, s, b=per_source_base[m][c]) + "\n")
        worst = sorted(rows, key=lambda r: -r["abs_error_pct"])[:args.worst]
        out.write("  worst %d:\n" % len(worst))
        for r in worst:
            out.write("    %+8.1f%%  pred %-12s meas %-12s %s  [%s]\n" % (
                r["error_pct"], human(r["predicted"], r["unit"]), human(r["measured"], r["unit"]), r["desc"], r["id"]))
        out.write("\n")

    def listing(title, entries, key):
        out.write("%s: %d\n" % (title, len(entries)))
        reasons = defaultdict(list)
        for e in entries:
            reasons[e[key]].append(e)
        for reason, es in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
            out.write("  %4d  %s\n" % (len(es), reason))
            if not args.quiet_lists:
                for e in es[:400]:
                    out.write("          %s  %s\n" % (e["id"], e["desc"]))

    listing("SKIPPED (flagged in notes)", skipped, "reason")
    listing("UNMAPPED", unmapped, "reason")
    uns = [{"id": u["id"], "desc": u["desc"], "reason": re.sub(r":.*", "", u["unscored"]) if u.get("engine_error") else u["unscored"]}
           for u in unscored]
    listing("UNSCORED (sent to the engine, no comparable number)", uns, "reason")
    if unscored and not args.quiet_lists:
        msgs = defaultdict(int)
        for u in unscored:
            if u.get("engine_error"):
                msgs[u["unscored"]] += 1
        for msg, c in sorted(msgs.items(), key=lambda kv: -kv[1])[:15]:
            out.write("        %3d x %s\n" % (c, msg[:160]))
    out.write("\n")

    weak = weak_spots(scored, unscored)
    out.write("WEAK SPOTS (known; stated on the accuracy page)\n")
    for w in weak:
        e, b = w["engine"], w["baseline"]
        if e["n"]:
            nums = "n %d, median |err| %.1f%%, p90 %.1f%%, bias %+.1f%%" % (e["n"], e["median_ape"], e["p90_ape"], e["median_signed"])
            if b["n"]:
                nums += "; naive median %.1f%%" % b["median_ape"]
        else:
            nums = "no scored rows"
        if w.get("unscored"):
            nums += "; %d rows not scored" % w["unscored"]
        out.write("  %s (%s)\n      %s\n" % (w["title"], nums, w["text"]))
    out.write("\n")

    failed = []
    out.write("GATES (dev-set median absolute error)\n")
    for m, lim in GATES.items():
        s = summaries.get(m)
        if not s:
            out.write("  %-16s   n/a (no scored rows)\n" % m)
            continue
        ok = s["median_ape"] <= lim
        if not ok:
            failed.append(m)
        out.write("  %-16s %6.2f%% <= %5.1f%%  %s\n" % (m, s["median_ape"], lim, "ok" if ok else "FAIL"))

    if args.json:
        def clean(it):
            d = {k: it.get(k) for k in ("id", "kind", "metric", "source", "desc", "measured", "unit", "predicted",
                                        "error_pct", "abs_error_pct", "baseline", "baseline_error_pct", "assumption",
                                        "unscored", "engine_error", "field")}
            d["request"] = it["request"]
            d["row"] = it["row"]
            return d
        doc = {
            "data": os.path.normpath(args.data),
            "engine": args.bin,
            "gates": GATES,
            "engine_version": engine_version,
            "metric_titles": METRIC_TITLES,
            "summary": summaries,
            "baseline_formulas": BASELINE_FORMULAS,
            "baseline_summary": base_summaries,
            "per_source": per_source,
            "per_source_baseline": per_source_base,
            "weak_spots": weak,
            "metrics": metrics_table(scored, summaries, base_summaries, per_source, per_source_base),
            "failed_gates": failed,
            "rows": [clean(it) for it in items],
            "skipped": skipped,
            "unmapped": unmapped,
        }
        with open(args.json, "w") as f:
            json.dump(finite(doc), f, indent=1)
        out.write("wrote %s\n" % args.json)

    if args.page_json:
        doc = page_doc(args, scored, unscored, skipped, unmapped, summaries, base_summaries, per_source,
                       per_source_base, weak, failed, engine_version)
        os.makedirs(os.path.dirname(os.path.abspath(args.page_json)), exist_ok=True)
        with open(args.page_json, "w") as f:
            json.dump(finite(doc), f, separators=(",", ":"))
        out.write("wrote %s\n" % args.page_json)

    if failed and not args.no_fail:
        out.write("accuracy: FAIL (%s)\n" % ", ".join(failed))
        return 1
    out.write("accuracy: %s\n" % ("ok" if not failed else "gates exceeded (--no-fail)"))
    return 0
