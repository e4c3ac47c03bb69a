#!/usr/bin/env python3
"""Lists catalog entries whose facts are not fully confirmed (python3 stdlib only).

    python3 scripts/catalog/gaps.py [CATALOG_DIR] [--summary]

A report, not a check (exit 0): the work list for sourcing. One line per flag:

  models.json    unconfirmed   a note "unconfirmed: ..." (a field not read from the
                               model's own config.json / card; the builder writes one
                               per models.jsonl `unconfirmed_fields` item)
                 params        no exact published total to check the engine's count against
                 source-vague  a source that names no URL, repository or file
  hardware.json  unsourced     a compute column left null (the engine estimates it)
                 provisional   notes saying a number is not verified / provisional
                 source-vague  as above
  runtimes.json  unsourced     a runtime whose defaults are marked "not sourced"
"""
import json
import os
import re
import sys

VAGUE = re.compile(r"(https?://|github:|[\w.-]+/[\w.-]+|\.md\b|\.py\b|\.json\b|models?-notes|hardware-notes|"
                   r"shared/|hardware\.csv|[A-Z0-9]{3,}:)")
PROVISIONAL = re.compile(r"not (re-)?verified|provisional|not sourced|recalled|unverified|believed", re.I)
COMPUTE = ("fp16_tflops", "fp32_tflops")


def load(catalog, name):
    with open(os.path.join(catalog, name), encoding="utf-8") as fh:
        return json.load(fh)


def vague_sources(entry):
    return [s for s in entry.get("sources") or [] if not VAGUE.search(s)]


def model_gaps(models):
    out = []
    for m in models:
        for n in m.get("notes") or []:
            if n.startswith("unconfirmed: "):
                out.append(("models.json", m["id"], "unconfirmed", n[len("unconfirmed: "):]))
        pp = m.get("params_published")
        if m.get("params_status") != "computed_matches_published_exact":
            what = "none published" if pp is None else ("%s total, exact=%s" % (pp.get("scope"), pp.get("exact")))
            out.append(("models.json", m["id"], "params", what))
        for s in vague_sources(m):
            out.append(("models.json", m["id"], "source-vague", s))
    return out


def hardware_gaps(devices):
    out = []
    for h in devices:
        nulls = [k for k in COMPUTE if h.get(k) is None]
        if nulls:
            out.append(("hardware.json", h["id"], "unsourced", ", ".join(nulls) + " null (engine estimates)"))
        notes = h.get("notes") or ""
        if PROVISIONAL.search(notes):
            out.append(("hardware.json", h["id"], "provisional", PROVISIONAL.search(notes).group(0)))
        for s in vague_sources(h):
            out.append(("hardware.json", h["id"], "source-vague", s))
    return out


def runtime_gaps(runtimes):
    out = []
    for r in runtimes:
        text = json.dumps(r.get("defaults")) + " " + (r.get("notes") or "")
        if "not sourced" in text:
            out.append(("runtimes.json", r["runtime"], "unsourced", "defaults partly not sourced"))
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    catalog = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "catalog")
    rows = (model_gaps(load(catalog, "models.json")["models"]) +
            hardware_gaps(load(catalog, "hardware.json")["hardware"]) +
            runtime_gaps(load(catalog, "runtimes.json")["runtimes"]))
    if "--summary" not in sys.argv:
        for f, eid, kind, what in rows:
            print("%s\t%s\t%s\t%s" % (f, eid, kind, what))
    counts = {}
    for f, eid, kind, _ in rows:
        counts.setdefault((f, kind), set()).add(eid)
    for (f, kind), ids in sorted(counts.items()):
        print("gaps: %s %s: %d entries" % (f, kind, len(ids)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
