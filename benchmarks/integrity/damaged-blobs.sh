#!/usr/bin/env bash
# The randomised damaged-blob harness (issue 12, items 4 and 5): CASES random cases from SEED,
# each a random blob-reading command (transcode, frame, mmode, sheet, roi suggest/show, dataset
# build/export-npy, train, evaluate, explain, export with each option, rerun) on a private copy
# of a pipeline catalog whose blob it reads is truncated, overwritten, replaced by another blob
# of its kind or emptied at a random offset. Each must fail with exit 1 naming the blob and its
# entity, write no output file and leave every row and every other blob as it was, and `verify`
# must report the damaged blobs and nothing else. The short deterministic subset runs in
# `make test` (DamagedBlobCLITests). Appends the outcome to RESULTS.md beside this script.
# Usage: CASES=200 SEED=12 bash benchmarks/integrity/damaged-blobs.sh   (debug build, built if missing)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cases=${CASES:-200}
seed=${SEED:-$(date +%s)}
report=$(mktemp "${TMPDIR:-/tmp}/pleura-damaged-blobs-XXXXXX.json")
trap 'rm -f "$report"' EXIT
cd "$root"
[ -x .build/debug/pleura ] || swift build --build-tests >/dev/null
start=$(date +%s)
set +e
PLEURA_INTEGRITY_CASES=$cases PLEURA_INTEGRITY_SEED=$seed PLEURA_INTEGRITY_REPORT=$report \
  swift test --skip-build --filter 'DamagedBlobCLITests.randomisedDamage' >"$report.log" 2>&1
status=$?
set -e
seconds=$(( $(date +%s) - start ))
python3 - "$report" "$seconds" "$status" "$root/benchmarks/integrity/RESULTS.md" <<'PY'
import json, sys, datetime
report, seconds, status, results = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
data = json.load(open(report)) if open(report).read().strip() else None
lines = [f"\n## Damaged blobs, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC\n"]
if data is None:
    lines.append(f"The run did not finish (swift test exit {status}); see the log.\n")
else:
    lines.append(f"`CASES={data['cases']} SEED={data['seed']} bash benchmarks/integrity/damaged-blobs.sh`: "
                 f"{data['cases']} cases, **{len(data['failures'])} failures**, {seconds} s.\n\n")
    damages = ["truncated", "overwritten", "replaced", "emptied"]
    table = {}
    for key, count in data["tally"].items():
        command, damage = key.rsplit(" / ", 1)
        table.setdefault(command, {})[damage] = count
    lines.append("| command | " + " | ".join(damages) + " |\n|---|" + "---|" * len(damages) + "\n")
    for command in sorted(table):
        lines.append(f"| {command} | " + " | ".join(str(table[command].get(d, 0)) for d in damages) + " |\n")
    for failure in data["failures"]:
        lines.append(f"\n- {failure}")
    if data["failures"]:
        lines.append("\n")
open(results, "a").write("".join(lines))
print("".join(lines))
PY
rm -f "$report.log"
exit $status
