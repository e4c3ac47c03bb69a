#!/usr/bin/env python3
"""Builds catalog/hardware.json from shared/data/hardware.csv (python3 stdlib only).

    python3 scripts/catalog/build_hardware.py [--shared DIR] [--out FILE]

DIR defaults to ../shared beside the repository (or /work/shared). Source keys in
the csv's `sources` column are expanded with the key table in hardware-notes.md.
Rows the shared csv lacks come from scripts/catalog/hardware_extra.jsonl (one JSON
object per line, already in catalog form with an explicit id, aliases, sources and
notes); they are appended after the csv rows, so the csv ids stay stable.
The output is deterministic: rerunning on the same csv gives the same file.
"""
import argparse
import csv
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# --- ids -------------------------------------------------------------------

def slug(text):
    text = text.lower().replace("+", "-plus")
    text = re.sub(r"[^a-z0-9.]+", "-", text)
    return text.strip("-")

SPECIAL_IDS = {
    "RTX 6000 Ada Generation": "nvidia-rtx-6000-ada",
    "RTX PRO 6000 Blackwell Workstation Edition": "nvidia-rtx-pro-6000-blackwell",
    "RTX PRO 6000 Blackwell Max-Q Workstation Edition": "nvidia-rtx-pro-6000-blackwell-max-q",
    "A10G (AWS)": "nvidia-a10g",
    "B200 (HGX B200)": "nvidia-b200-hgx",
    "B200 (in GB200 NVL72)": "nvidia-b200-gb200-nvl72",
    "B300 (HGX B300)": "nvidia-b300-hgx",
    "B300 (in GB300 NVL72)": "nvidia-b300-gb300-nvl72",
    "GH200 Grace Hopper (96GB HBM3)": "nvidia-gh200-96gb",
    "GH200 Grace Hopper (144GB HBM3e)": "nvidia-gh200-144gb",
    "DGX Spark (GB10 Grace Blackwell)": "nvidia-dgx-spark",
    "Jetson Orin Nano Super Developer Kit (8GB)": "nvidia-jetson-orin-nano-super-8gb",
    "Jetson AGX Thor Developer Kit (T5000)": "nvidia-jetson-agx-thor-t5000",
    "Ryzen AI Max+ 395 (Strix Halo, Radeon 8060S)": "amd-ryzen-ai-max-plus-395",
    "GeForce RTX 4090 Laptop GPU": "nvidia-rtx-4090-laptop",
    "GeForce RTX 4080 Laptop GPU": "nvidia-rtx-4080-laptop",
}

def make_id(vendor, name):
    if name in SPECIAL_IDS:
        return SPECIAL_IDS[name]
    if vendor == "cpu":
        m = re.match(r"(\w+)-channel (DDR\d)-(\d+)", name)
        channels = {"Dual": 2, "8": 8, "12": 12}[m.group(1)]
        return f"cpu-{m.group(2).lower()}-{m.group(3)}-{channels}ch"
    if vendor == "apple":
        m = re.match(r"(M\d(?: Pro| Max| Ultra)?)(?: \((\d+)-core CPU, (\d+)-core GPU\))? (\d+)GB", name)
        chip, gpu_cores, mem = m.group(1), m.group(3), m.group(4)
        parts = ["apple", slug(chip)]
        if gpu_cores:
            parts.append(f"{gpu_cores}c")
        parts.append(f"{mem}gb")
        return "-".join(parts)
    n = name
    for prefix in ("GeForce ", "Tesla ", "Instinct ", "Radeon "):
        n = n.replace(prefix, "")
    if vendor == "nvidia":
        # "A100 40GB SXM4" -> nvidia-a100-40gb-sxm4, "H100 SXM5 80GB" -> nvidia-h100-sxm5-80gb (as the csv orders them)
        pass
    return f"{vendor}-{slug(n)}"

# --- aliases ---------------------------------------------------------------

# Names people type that could mean several rows: the row they most likely mean.
PREFERRED_ALIASES = {
    "a100": "nvidia-a100-80gb-sxm4",
    "a100 40gb": "nvidia-a100-40gb-sxm4",
    "a100-40gb": "nvidia-a100-40gb-sxm4",
    "a100 80gb": "nvidia-a100-80gb-sxm4",
    "a100-80gb": "nvidia-a100-80gb-sxm4",
    "h100": "nvidia-h100-sxm5-80gb",
    "h100 sxm": "nvidia-h100-sxm5-80gb",
    "h100 80gb": "nvidia-h100-sxm5-80gb",
    "h200": "nvidia-h200-sxm",
    "b200": "nvidia-b200-hgx",
    "gb200": "nvidia-b200-gb200-nvl72",
    "b300": "nvidia-b300-hgx",
    "gb300": "nvidia-b300-gb300-nvl72",
    "gh200": "nvidia-gh200-96gb",
    "gh200 96gb": "nvidia-gh200-96gb",
    "gh200 144gb": "nvidia-gh200-144gb",
    "b200 hgx": "nvidia-b200-hgx",
    "hgx b200": "nvidia-b200-hgx",
    "gb200 nvl72": "nvidia-b200-gb200-nvl72",
    "b300 hgx": "nvidia-b300-hgx",
    "hgx b300": "nvidia-b300-hgx",
    "gb300 nvl72": "nvidia-b300-gb300-nvl72",
    "rtx pro 6000 max-q": "nvidia-rtx-pro-6000-blackwell-max-q",
    "jetson orin nano super": "nvidia-jetson-orin-nano-super-8gb",
    "a10g aws": "nvidia-a10g",
    "v100": "nvidia-v100-sxm2-32gb",
    "rtx pro 6000": "nvidia-rtx-pro-6000-blackwell",
    "strix halo": "amd-ryzen-ai-max-plus-395",
    "ryzen ai max+ 395": "amd-ryzen-ai-max-plus-395",
    "ryzen ai max 395": "amd-ryzen-ai-max-plus-395",
    "ai max+ 395": "amd-ryzen-ai-max-plus-395",
    "radeon 8060s": "amd-ryzen-ai-max-plus-395",
    "8060s": "amd-ryzen-ai-max-plus-395",
    "dgx spark": "nvidia-dgx-spark",
    "spark": "nvidia-dgx-spark",
    "gb10": "nvidia-dgx-spark",
    "jetson thor": "nvidia-jetson-agx-thor-t5000",
    "agx thor": "nvidia-jetson-agx-thor-t5000",
    "orin nano": "nvidia-jetson-orin-nano-super-8gb",
    "orin nx": "nvidia-jetson-orin-nx-16gb",
    "agx orin": "nvidia-jetson-agx-orin-64gb",
    "rtx 6000 ada": "nvidia-rtx-6000-ada",
    "4090 laptop": "nvidia-rtx-4090-laptop",
    "4080 laptop": "nvidia-rtx-4080-laptop",
    "ddr4": "cpu-ddr4-3200-2ch",
    "ddr5": "cpu-ddr5-5600-2ch",
    "cpu": "cpu-ddr5-5600-2ch",
}

def alias_candidates(vendor, name, entry_id):
    out = set()
    low = name.lower()
    out.add(low)
    base = re.sub(r"\s*\(.*?\)", "", low).strip()
    out.add(base)
    for prefix in ("geforce ", "tesla ", "instinct ", "radeon "):
        if base.startswith(prefix):
            out.add(base[len(prefix):])
    if vendor == "nvidia":
        for a in list(out):
            if a.startswith("rtx ") and re.match(r"rtx \d{4}", a):
                out.add(a[4:])  # "4090", "3060 ti 8gb"
            out.add("nvidia " + a)
    if vendor == "amd":
        for a in list(out):
            if a.startswith("rx "):
                out.add(a[3:])
            out.add("amd " + a)
    if vendor == "intel":
        for a in list(out):
            if a.startswith("arc "):
                out.add(a[4:])
            out.add("intel " + a)
    if vendor == "apple":
        m = re.match(r"apple-(m\d)(?:-(pro|max|ultra))?(?:-(\d+)c)?-(\d+)gb", entry_id)
        chip = m.group(1) + (" " + m.group(2) if m.group(2) else "")
        mem = m.group(4)
        out = {f"{chip} {mem}gb", f"apple {chip} {mem}gb"}
        if m.group(3):
            out.add(f"{chip} {m.group(3)}c {mem}gb")
            out.add(f"{chip} {m.group(3)}-core gpu {mem}gb")
    if vendor == "cpu":
        m = re.match(r"cpu-(ddr\d)-(\d+)-(\d+)ch", entry_id)
        ddr, speed, ch = m.groups()
        out = {f"{ddr}-{speed}", f"{ddr} {speed}", f"{ddr}-{speed} {ch}ch", f"{ch}-channel {ddr}-{speed}",
               f"{ddr}-{speed} {ch}-channel"}
        if ch == "2":
            out.add(f"dual-channel {ddr}-{speed}")
    # "rtx 4090 laptop gpu" is also typed without "gpu"
    for a in list(out):
        if a.endswith(" laptop gpu"):
            out.add(a[: -len(" gpu")])
    # spaces and dashes: "a100 40gb" and "a100-40gb"
    for a in list(out):
        out.add(a.replace(" ", "-"))
    out.discard(entry_id)
    return {a for a in out if a and "(" not in a and ")" not in a}

# --- numbers and text --------------------------------------------------------

def num(text):
    text = (text or "").strip()
    if not text:
        return None
    v = float(text)
    return int(v) if v.is_integer() else v

PCIE_PER_LANE_GBS = {3: 1.0, 4: 2.0, 5: 4.0, 6: 8.0}  # per direction, rounded as usually quoted (x16: 16/32/64/128)

def interconnect_gbs(text, unified):
    """Per-direction GB/s. Figures in the csv are bidirectional totals (NVIDIA's NVLink
    convention, "64 GB/s bidir" for PCIe 4.0 x16), so the largest figure is halved;
    without a figure, the PCIe generation and width give it."""
    if unified or not text or text == "n/a":
        return None
    figures = []
    for value, unit in re.findall(r"([\d.]+)\s*(GB|TB)/s", text):
        figures.append(float(value) * (1000 if unit == "TB" else 1))
    if figures:
        v = max(figures) / 2
        return int(v) if v.is_integer() else v
    m = re.search(r"PCIe (?:Gen)?(\d)(?:\.0)?(?: x(\d+))?", text)
    if m:
        lanes = int(m.group(2) or 16)
        v = PCIE_PER_LANE_GBS[int(m.group(1))] * lanes
        return int(v) if float(v).is_integer() else v
    return None

def form_factor(vendor, name):
    if vendor == "cpu":
        return "cpu"
    if vendor == "apple" or "Ryzen AI" in name or "DGX Spark" in name:
        return "soc"
    if "Jetson" in name:
        return "embedded"
    if "Laptop" in name:
        return "laptop"
    if name.startswith(("RTX A", "RTX 6000", "RTX PRO")):
        return "workstation"
    if name.startswith(("GeForce", "Radeon", "Arc")):
        return "desktop"
    return "datacenter"

def load_source_keys(notes_path):
    keys = {}
    in_table = False
    with open(notes_path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("## Source keys"):
                in_table = True
                continue
            if in_table and line.startswith("## "):
                break
            if not in_table or not line.startswith("|"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 3 or cells[0] in ("key", "---"):
                continue
            desc = f"{cells[1]} [{cells[2]}]"
            for key in cells[0].split(","):
                keys[key.strip()] = desc
    return keys

def expand_sources(text, keys):
    out = [f"hardware.csv per-field attribution: {text}"]
    for key in sorted(keys, key=lambda k: text.find(k) if k in text else 10**6):
        if re.search(r"(?<![A-Z0-9])" + re.escape(key) + r"(?![A-Z0-9])", text):
            out.append(f"{key}: {keys[key]}")
    return out

# Rows whose bandwidth the csv leaves blank: NVIDIA's stated figures, quoted in
# the row notes / hardware-notes.md "Gaps" section, marked as unverified.
BANDWIDTH_FILL = {
    "Jetson Orin NX 16GB": 102.4,
    "Jetson Orin Nano Super Developer Kit (8GB)": 102,
    "Jetson AGX Thor Developer Kit (T5000)": 273,
}

# CPU reference rows have no capacity in the csv ("configurable"): a sensible default.
def cpu_default_memory_gb(name):
    if name.startswith("Dual"):
        return 64, "desktop default: 64 GB (2 x 32 GB DIMMs)"
    if name.startswith("8-channel"):
        return 256, "server default: 256 GB (8 x 32 GB RDIMMs)"
    return 384, "server default: 384 GB (12 x 32 GB RDIMMs)"

def convert(row, keys):
    vendor = {"NVIDIA": "nvidia", "AMD": "amd", "Intel": "intel", "Apple": "apple"}.get(row["vendor"], "cpu")
    name = row["name"]
    entry_id = make_id(vendor, name)
    notes = []
    if row["notes"].strip():
        notes.append(row["notes"].strip())

    memory_gb = num(row["mem_gb"])
    bandwidth = num(row["bandwidth_gbs"])
    sources = expand_sources(row["sources"], keys)
    if bandwidth is None and name in BANDWIDTH_FILL:
        bandwidth = BANDWIDTH_FILL[name]
        notes.append(f"bandwidth_gbs {bandwidth} is NVIDIA's stated figure as quoted in hardware-notes.md; "
                     "not verified against the datasheet (the csv leaves it blank).")
        sources.append("hardware-notes.md (Gaps): NVIDIA states 102.4 / 68->102 / 273 GB/s for Orin NX / Orin Nano / AGX Thor")

    unified = vendor in ("apple", "cpu") or "Ryzen AI" in name or "DGX Spark" in name or "Jetson" in name
    if vendor == "cpu":
        memory_gb, why = cpu_default_memory_gb(name)
        notes.append(f"memory_gb is a {why}; the csv leaves capacity blank (configurable). "
                     "Pass an inline hardware object with your own memory_gb to change it.")

    system_memory = memory_gb if unified else None
    system_bw = bandwidth if unified else None
    if name.startswith("GH200"):
        system_memory, system_bw = 480, 512
        notes.append("system_memory_gb/system_bandwidth_gbs: the Grace CPU's 480 GB LPDDR5X (~512 GB/s), "
                     "reachable coherently over NVLink-C2C.")

    if name.startswith("DGX Spark"):
        ic_gbs = 25
        notes.append("interconnect_gbs 25: one 200 GbE ConnectX-7 link per direction, for 2-unit clustering.")
    else:
        ic_gbs = interconnect_gbs(row["interconnect"], unified)

    entry = {
        "id": entry_id,
        "name": name if vendor in ("cpu",) else f"{row['vendor']} {name}",
        "aliases": [],
        "vendor": vendor,
        "arch": row["arch"],
        "form_factor": form_factor(vendor, name),
        "memory_gb": memory_gb,
        "memory_type": row["mem_type"] or None,
        "bandwidth_gbs": bandwidth,
        "fp16_tflops": num(row["fp16_tflops_dense"]),
        "fp8_tflops": num(row["fp8_tflops_dense"]),
        "int8_tops": num(row["int8_tops_dense"]),
        "fp4_tflops": num(row["fp4_tflops_dense"]),
        "fp32_tflops": num(row["fp32_tflops"]),
        "unified_memory": unified,
        "system_memory_gb": system_memory,
        "system_bandwidth_gbs": system_bw,
        "interconnect": row["interconnect"] if row["interconnect"] not in ("", "n/a") else None,
        "interconnect_gbs": ic_gbs,
        "tdp_w": num(row["tdp_w"]),
        "year": num(row["year"]),
        "price_usd": num(row["price_usd"]),
        "sources": sources,
        "notes": " ".join(notes),
    }
    if vendor == "cpu":
        entry["name"] = f"CPU: {name}"
    return entry

EXTRA_PATH = os.path.join(REPO, "scripts", "catalog", "hardware_extra.jsonl")
EXTRA_NUMBERS = ["memory_gb", "bandwidth_gbs", "fp16_tflops", "fp8_tflops", "int8_tops", "fp4_tflops", "fp32_tflops",
                 "tdp_w", "year", "price_usd"]
VENDOR_LABEL = {"nvidia": "NVIDIA", "amd": "AMD", "intel": "Intel", "apple": "Apple"}

def convert_extra(rec, line_no):
    """A hardware_extra.jsonl record -> a catalog entry (same field order as convert())."""
    where = f"hardware_extra.jsonl:{line_no}"
    for key in ("id", "vendor", "name", "arch", "form_factor", "memory_gb", "memory_type", "bandwidth_gbs", "sources"):
        if rec.get(key) in (None, "", []):
            sys.exit(f"build_hardware: {where}: {key} is required")
    vendor = rec["vendor"]
    unified = bool(rec.get("unified_memory", vendor in ("apple", "cpu")))
    entry = {
        "id": rec["id"],
        "name": f"CPU: {rec['name']}" if vendor == "cpu" else f"{VENDOR_LABEL[vendor]} {rec['name']}",
        "aliases": [],
        "vendor": vendor,
        "arch": rec["arch"],
        "form_factor": rec["form_factor"],
    }
    for key in EXTRA_NUMBERS[:2]:
        entry[key] = rec[key]
    entry["memory_type"] = rec["memory_type"]
    for key in ("bandwidth_gbs", "fp16_tflops", "fp8_tflops", "int8_tops", "fp4_tflops", "fp32_tflops"):
        entry[key] = rec.get(key)
    entry["unified_memory"] = unified
    entry["system_memory_gb"] = rec["memory_gb"] if unified else None
    entry["system_bandwidth_gbs"] = rec["bandwidth_gbs"] if unified else None
    entry["interconnect"] = rec.get("interconnect")
    entry["interconnect_gbs"] = interconnect_gbs(rec.get("interconnect") or "", unified)
    for key in ("tdp_w", "year", "price_usd"):
        entry[key] = rec.get(key)
    entry["sources"] = list(rec["sources"])
    entry["notes"] = rec.get("notes", "")
    return entry

def load_extra(path):
    entries, explicit = [], {}
    if not os.path.exists(path):
        return entries, explicit
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            entries.append(convert_extra(rec, n))
            explicit[rec["id"]] = [a.lower() for a in rec.get("aliases", [])]
    return entries, explicit

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_shared = os.path.join(os.path.dirname(REPO), "shared")
    if not os.path.isdir(default_shared):
        default_shared = "/work/shared"
    ap.add_argument("--shared", default=default_shared)
    ap.add_argument("--out", default=os.path.join(REPO, "catalog", "hardware.json"))
    args = ap.parse_args()

    keys = load_source_keys(os.path.join(args.shared, "data", "hardware-notes.md"))
    with open(os.path.join(args.shared, "data", "hardware.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    entries = [convert(r, keys) for r in rows]
    extra, extra_aliases = load_extra(EXTRA_PATH)
    entries += extra

    ids = [e["id"] for e in entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        sys.exit(f"build_hardware: duplicate ids: {dupes}")

    # Aliases: drop any that would name two entries (or another entry's id), then
    # add the preferred owners of the ambiguous ones.
    candidates = {}
    for e in entries:
        if e["id"] in extra_aliases:  # extra rows: their own aliases, plus the derived ones for GPUs
            derived = set() if e["vendor"] == "cpu" else alias_candidates(
                e["vendor"], e["name"].replace(e["name"].split(" ")[0] + " ", "", 1), e["id"])
            candidates[e["id"]] = derived | set(extra_aliases[e["id"]])
            continue
        candidates[e["id"]] = alias_candidates(e["vendor"], e["name"].split(": ", 1)[-1]
                                               .replace(e["name"].split(" ")[0] + " ", "", 1)
                                               if e["vendor"] != "cpu" else e["name"], e["id"])
    owners = {}
    for entry_id, aliases in candidates.items():
        for a in aliases:
            owners.setdefault(a, set()).add(entry_id)
    idset = set(ids)
    for e in entries:
        keep = {a for a in candidates[e["id"]] if len(owners[a]) == 1 and a not in idset and a not in PREFERRED_ALIASES}
        keep |= {a for a, owner in PREFERRED_ALIASES.items() if owner == e["id"]}
        e["aliases"] = sorted(keep, key=lambda a: (len(a), a))
    missing = sorted(set(PREFERRED_ALIASES.values()) - idset)
    if missing:
        sys.exit(f"build_hardware: preferred aliases name unknown ids: {missing}")

    doc = {"schema_version": 1,
           "generated_by": "scripts/catalog/build_hardware.py from shared/data/hardware.csv and scripts/catalog/hardware_extra.jsonl; edit those or the script, not this file",
           "hardware": entries}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"build_hardware: wrote {len(entries)} entries to {os.path.relpath(args.out)}")

if __name__ == "__main__":
    main()
