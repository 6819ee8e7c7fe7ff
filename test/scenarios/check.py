#!/usr/bin/env python3
"""One scenario of `hoist simulate`: run the real binary on a directory's
files and compare its JSON with expected.json.

A scenario directory holds:
  cluster.json   kubectl get ... -o json output (required)
  asgs.json      aws autoscaling describe-auto-scaling-groups output (required)
  types.json     aws ec2 describe-instance-types output (optional)
  lt.json        aws ec2 describe-launch-template-versions output (optional)
  priority.txt   the priority expander's priorities text (optional)
  flags          extra flags, one per line (optional; # comments)
  expected.json  what the plan must contain: every top-level key given here
                 must equal the actual value exactly (keys left out are not
                 checked); "textLines", lines `--output text` must print. Or, for bad input: {"exit": 2, "stderr": "..."}
                 where stderr must be the single line printed.
The plan must also be byte-identical across two runs (determinism), and the
text output must succeed whenever the JSON output does.
"""
import json
import os
import subprocess
import sys


def run(hoist, d, output):
    args = [hoist, "simulate", "--cluster", os.path.join(d, "cluster.json"),
            "--asgs", os.path.join(d, "asgs.json"), "--output", output]
    for opt, name in (("--instance-types", "types.json"), ("--launch-templates", "lt.json"),
                      ("--priority-config", "priority.txt")):
        if os.path.exists(os.path.join(d, name)):
            args += [opt, os.path.join(d, name)]
    flags = os.path.join(d, "flags")
    if os.path.exists(flags):
        with open(flags) as f:
            args += [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr, args


def main():
    hoist, d = sys.argv[1], sys.argv[2]
    with open(os.path.join(d, "expected.json")) as f:
        expected = json.load(f)
    rc, out, err, args = run(hoist, d, "json")
    name = os.path.basename(d.rstrip("/"))
    if "exit" in expected:
        want_err = expected["stderr"].replace("$DIR", d.rstrip("/"))
        ok = rc == expected["exit"] and err.rstrip("\n") == want_err and "\n" not in err.rstrip("\n")
        if not ok or out:
            print(f"{name}: want exit {expected['exit']} and the one line\n  {want_err}\n"
                  f"got exit {rc}, stdout {out!r}, stderr\n  {err!r}")
            return 1
        print(f"{name}: bad input refused as expected")
        return 0
    if rc != 0:
        print(f"{name}: hoist exited {rc}: {err.strip()}\ncommand: {' '.join(args)}")
        return 1
    try:
        actual = json.loads(out)
    except json.JSONDecodeError as e:
        print(f"{name}: output is not JSON ({e}):\n{out}")
        return 1
    fails = 0
    for key, want in expected.items():
        if key.startswith("_") or key == "textLines":
            continue  # comments; text lines are checked below
        got = actual.get(key, "<missing>")
        if got != want:
            print(f"{name}: {key} differs\n  want {json.dumps(want, sort_keys=True)}\n"
                  f"  got  {json.dumps(got, sort_keys=True)}")
            fails += 1
    rc2, out2, _, _ = run(hoist, d, "json")
    if rc2 != 0 or out2 != out:
        print(f"{name}: a second run printed different bytes (the planner must be deterministic)")
        fails += 1
    rc3, text, err3, _ = run(hoist, d, "text")
    if rc3 != 0 or not text:
        print(f"{name}: --output text failed ({rc3}): {err3.strip()}")
        fails += 1
    lines = text.splitlines()
    for want in expected.get("textLines", []):
        if want not in lines:
            print(f"{name}: --output text lacks the line\n  {want}\ngot\n{text}")
            fails += 1
    if fails:
        print(f"full output:\n{out}")
        return 1
    print(f"{name}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
