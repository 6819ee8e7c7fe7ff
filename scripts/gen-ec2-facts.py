#!/usr/bin/env python3
"""Generate lib/model/ec2_facts_gen.c, hoist's built-in EC2 facts.

Reads the shared reference data (../shared/testdata, see its README.md,
sections ec2/ and pricing/) and writes the C tables that lib/model/ec2_facts.c
looks up: one row per instance type of ec2/instance-types-combined.json, the
ENI max-pods value of each (eni-max-pods.txt, else the formula over
eks-instance-info.jsonl), and the on-demand prices of every region the pricing
files carry. The output is deterministic and already clang-formatted, so the
ctest ec2_facts_gen_up_to_date can regenerate it and demand byte equality.

This script must never invent a fact: every number it writes comes from a
source file, and it stops with an error when two sources disagree where they
must agree (eni-max-pods.txt against the instance-info formula) or when a
value does not fit its C field. Python 3 standard library only.

Usage:
  python3 scripts/gen-ec2-facts.py [--testdata DIR] [-o FILE]
  python3 scripts/gen-ec2-facts.py [--testdata DIR] --check FILE
"""

import argparse
import decimal
import difflib
import json
import os
import sys
import tempfile

# Must match sizeof(struct model_ec2_type) (asserted in ec2_facts.c).
ROW_BYTES = 28
NO_PRICE_ROW = 0xFFFF

# Bits of model_ec2_type.sources, as in model/ec2_facts.h.
SRC_BITS = {"ca": 1, "eni-max-pods": 2, "karpenter": 4, "eks-instance-info": 8}
ARCH = {None: 0, "amd64": 1, "arm64": 2}

# Where each pricing file's currency comes from: the README (pricing/) says
# Karpenter prices cn- regions in CNY; every other region is USD.
PRICE_FILES = [("pricing/on-demand-usd.json", "USD"), ("pricing/on-demand-cny.json", "CNY")]


def die(msg):
    sys.exit("gen-ec2-facts: " + msg)


def default_testdata():
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.environ.get("HOIST_TESTDATA"), os.path.join(here, "..", "..", "shared", "testdata"),
                 "/work/shared/testdata"):
        if cand and os.path.isfile(os.path.join(cand, "README.md")):
            return cand
    die("cannot find the shared test data; pass --testdata DIR")


def load_eni_max_pods(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 2:
                die("%s:%d: expected '<type> <maxPods>'" % (path, n))
            out[parts[0]] = int(parts[1])
    return out


def load_instance_info(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            out[d["instanceType"]] = (d["defaultMaxENIs"], d["ipv4AddressesPerInterface"])
    return out


def micros(value, where):
    """A price as an exact integer count of millionths."""
    m = value * 1000000
    if m != m.to_integral_value() or m <= 0 or m >= 1 << 32:
        die("%s: price %s is not a positive multiple of 1e-6 below 4294.967296 thousand" % (where, value))
    return int(m)


def fit(value, bits, where):
    if value is None:
        return 0
    if not 0 <= value < (1 << bits):
        die("%s = %r does not fit in %d bits" % (where, value, bits))
    return value


class Pool:
    """NUL-terminated strings, each stored once, addressed by byte offset."""

    def __init__(self):
        self.strings = []
        self.offsets = {}
        self.size = 0

    def add(self, s):
        if s not in self.offsets:
            self.offsets[s] = self.size
            self.strings.append(s)
            self.size += len(s.encode("ascii")) + 1
        return self.offsets[s]


def generate(td):
    combined_path = os.path.join(td, "ec2/instance-types-combined.json")
    with open(combined_path, encoding="utf-8") as f:
        combined = json.load(f)["instanceTypes"]
    eni = load_eni_max_pods(os.path.join(td, "ec2/eni-max-pods.txt"))
    info = load_instance_info(os.path.join(td, "ec2/eks-instance-info.jsonl"))

    # The two ENI sources must agree wherever both know a type.
    for name, pods in eni.items():
        if name in info:
            enis, ips = info[name]
            if enis * (ips - 1) + 2 != pods:
                die("eni-max-pods.txt says %s %d but instance-info gives %d*(%d-1)+2" %
                    (name, pods, enis, ips))

    prices = {}  # region -> (currency, {type: micros})
    for rel, currency in PRICE_FILES:
        with open(os.path.join(td, rel), encoding="utf-8") as f:
            data = json.load(f, parse_float=decimal.Decimal, parse_int=decimal.Decimal)
        for region, table in data.items():
            if region.startswith("_"):
                continue
            if region in prices:
                die("region %s appears in two pricing files" % region)
            prices[region] = (currency, {t: micros(v, "%s %s %s" % (rel, region, t))
                                         for t, v in table.items()})
    regions = sorted(prices)
    price_names = sorted({t for _, tab in prices.values() for t in tab})
    price_row = {t: i for i, t in enumerate(price_names)}
    if len(price_names) >= NO_PRICE_ROW:
        die("too many priced types for a 16-bit row index")

    names = sorted(combined)
    words = [""] + sorted({v[k] for v in combined.values()
                           for k in ("gpuName", "gpuManufacturer") if v[k]})
    word_index = {w: i for i, w in enumerate(words)}
    if len(words) > 255:
        die("too many GPU names and manufacturers for an 8-bit index")

    pool = Pool()
    pool.add("")
    for n in names:
        pool.add(n)
    for n in price_names:
        pool.add(n)
    for r in regions:
        pool.add(r)
        pool.add(prices[r][0])
    for w in words:
        pool.add(w)

    rows = []
    stats = {"eni": 0, "info": 0, "none": 0}
    for n in names:
        v = combined[n]
        where = "instanceTypes[%s]" % n
        src = 0
        for s in v["sources"]:
            if s not in SRC_BITS:
                die("%s: unknown source %r" % (where, s))
            src |= SRC_BITS[s]
        if v["maxPodsEni"] is not None and v["maxPodsEni"] != eni.get(n):
            die("%s.maxPodsEni = %r but eni-max-pods.txt says %r" % (where, v["maxPodsEni"], eni.get(n)))
        enis, ips = info.get(n, (0, 0))
        if n in info:
            src |= SRC_BITS["eks-instance-info"]
        if n in eni:
            max_pods = eni[n]
            stats["eni"] += 1
        elif n in info:
            max_pods = enis * (ips - 1) + 2
            stats["info"] += 1
        else:
            max_pods = 0
            stats["none"] += 1
        if v["architecture"] not in ARCH:
            die("%s: unknown architecture %r" % (where, v["architecture"]))
        rows.append((n, [
            pool.offsets[n],
            fit(v["memoryMiB"], 32, where + ".memoryMiB"),
            fit(v["gpuMemoryMiB"], 32, where + ".gpuMemoryMiB"),
            fit(v["vcpu"], 16, where + ".vcpu"),
            fit(max_pods, 16, where + " max pods"),
            fit(v["karpenterPods"], 16, where + ".karpenterPods"),
            price_row.get(n, NO_PRICE_ROW),
            fit(v["gpuCount"], 8, where + ".gpuCount"),
            word_index[v["gpuName"] or ""],
            word_index[v["gpuManufacturer"] or ""],
            ARCH[v["architecture"]],
            fit(enis, 8, where + " defaultMaxENIs"),
            fit(ips, 8, where + " ipv4AddressesPerInterface"),
            src,
        ]))

    flat = []
    for t in price_names:
        flat.append([prices[r][1].get(t, 0) for r in regions])
    n_prices = sum(len(tab) for _, tab in prices.values())

    type_bytes = ROW_BYTES * len(rows)
    price_bytes = 4 * len(price_names) + 4 * len(price_names) * len(regions)
    total = pool.size + type_bytes + price_bytes + 4 * len(words) + 8 * len(regions)

    o = []
    w = o.append
    w("/*")
    w(" * GENERATED by scripts/gen-ec2-facts.py from the shared test data; do not edit.")
    w(" * Regenerate: python3 scripts/gen-ec2-facts.py -o lib/model/ec2_facts_gen.c")
    w(" * (ctest ec2_facts_gen_up_to_date fails when this file differs from the output.)")
    w(" *")
    w(" * Sources, under ../shared/testdata (provenance in its README.md):")
    w(" *   ec2/instance-types-combined.json  one row per type (%d)" % len(rows))
    w(" *   ec2/eni-max-pods.txt              max_pods_eni (%d types)" % stats["eni"])
    w(" *   ec2/eks-instance-info.jsonl       max_enis, ipv4_per_eni; max_pods_eni")
    w(" *                                     = ENIs*(IPv4 per ENI-1)+2 where the")
    w(" *                                     .txt has no entry (%d types)" % stats["info"])
    w(" *   pricing/on-demand-usd.json, pricing/on-demand-cny.json")
    w(" *                                     %d prices, %d regions, %d priced types" %
      (n_prices, len(regions), len(price_names)))
    w(" *")
    w(" * Sizes: string pool %d B; types %d x %d B = %d B; prices %d rows x" %
      (pool.size, len(rows), ROW_BYTES, type_bytes, len(price_names)))
    w(" * (4 B name + %d x 4 B) = %d B; about %d KiB in all, read-only and free of" %
      (len(regions), price_bytes, (total + 1023) // 1024))
    w(" * pointers (strings are pool offsets). Data only: lookups live in ec2_facts.c.")
    w(" */")
    w('#include "ec2_facts_int.h"')
    w("")
    w("_Static_assert(MODEL__N_PRICE_REGIONS == %d, \"update MODEL__N_PRICE_REGIONS in ec2_facts_int.h\");" %
      len(regions))
    w("")
    # One literal per line, aligned after the '=' as clang-format lays it out.
    head = "const char model__ec2_pool[] = "
    lits = ['"%s\\0"' % s for s in pool.strings]
    w(head + lits[0])
    for lit in lits[1:-1]:
        w(" " * len(head) + lit)
    w(" " * len(head) + lits[-1] + ";")
    w("")
    w("const uint32_t model__ec2_words[%d] = {" % len(words))
    for i, word in enumerate(words):
        w("    /* %d: \"%s\" */ %d," % (i, word, pool.offsets[word]))
    w("};")
    w("const size_t model__ec2_n_words = %d;" % len(words))
    w("")
    w("/* name, memory_mib, gpu_memory_mib, vcpu, max_pods_eni, karpenter_pods, price_row,")
    w(" * gpu_count, gpu_name, gpu_manufacturer, arch, max_enis, ipv4_per_eni, sources */")
    w("const struct model_ec2_type model__ec2_types[%d] = {" % len(rows))
    for n, vals in rows:
        w("    /* %s */ { %s }," % (n, ", ".join(str(x) for x in vals)))
    w("};")
    w("const size_t model__n_instance_types = %d;" % len(rows))
    w("")
    w("const struct model__price_region model__price_regions[%d] = {" % len(regions))
    for r in regions:
        w("    /* %s %s */ { %d, %d }," % (r, prices[r][0], pool.offsets[r],
                                        pool.offsets[prices[r][0]]))
    w("};")
    w("const size_t model__n_price_regions = %d;" % len(regions))
    w("")
    w("/* Sorted by name; micros: millionths of the region's currency per hour, 0 = no price. */")
    w("const struct model__price_row model__price_rows[%d] = {" % len(price_names))
    for t, cells in zip(price_names, flat):
        w("    /* %s */ { %d, { %s } }," % (t, pool.offsets[t], ", ".join(str(c) for c in cells)))
    w("};")
    w("const size_t model__n_price_rows = %d;" % len(price_names))
    return "\n".join(o) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--testdata", default=None, help="the shared testdata directory")
    ap.add_argument("-o", "--output", default=None, help="write here (default: stdout)")
    ap.add_argument("--check", metavar="FILE",
                    help="regenerate into a temporary file and fail with a diff if FILE differs")
    args = ap.parse_args()
    text = generate(args.testdata or default_testdata())
    if args.check:
        with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False, encoding="ascii") as tmp:
            tmp.write(text)
            tmp_path = tmp.name
        try:
            with open(tmp_path, encoding="ascii") as f:
                fresh = f.read()
            with open(args.check, encoding="ascii") as f:
                committed = f.read()
        finally:
            os.unlink(tmp_path)
        if fresh != committed:
            sys.stdout.writelines(difflib.unified_diff(
                committed.splitlines(True), fresh.splitlines(True), args.check, "regenerated"))
            die("%s is stale or was edited by hand; run: python3 scripts/gen-ec2-facts.py -o %s" %
                (args.check, args.check))
        print("gen-ec2-facts: %s is up to date" % args.check)
        return
    if args.output:
        with open(args.output, "w", encoding="ascii") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
