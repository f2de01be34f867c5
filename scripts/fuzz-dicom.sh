#!/usr/bin/env bash
# The long run of DicomFuzzTests: CASES mutated DICOM files (default 20000) from SEED through
# inspection, decoding, de-identification and writing. Appends the outcome to
# docs/DICOM-fuzz.md. A crash leaves the mutant that caused it in $work/current.dcm.
#   scripts/fuzz-dicom.sh [CASES] [SEED]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cases=${1:-20000}
seed=${2:-$(date +%s)}
work=$(mktemp -d /tmp/pleura-dicom-fuzz-XXXXXX)
swift build --build-tests >/dev/null || exit 1
start=$(date +%s)
PLEURA_DICOM_FUZZ_CASES=$cases PLEURA_DICOM_FUZZ_SEED=$seed PLEURA_DICOM_FUZZ_CURRENT=$work/current.dcm \
  swift test --skip-build --filter DicomFuzzTests >"$work/log" 2>&1
status=$?
seconds=$(( $(date +%s) - start ))
summary=$(grep -o 'dicom fuzz: .*' "$work/log" | head -1)
if [ $status -eq 0 ] && [ -n "$summary" ]; then
  verdict="passed"
else
  verdict="FAILED (exit $status; the last mutant tried is $work/current.dcm, the log $work/log)"
fi
line="| $(date -u +%Y-%m-%d) | $cases | $seed | ${seconds} s | $verdict | ${summary#dicom fuzz: } |"
echo "$line"
echo "$line" >> docs/DICOM-fuzz.md
[ $status -eq 0 ] && rm -rf "$work"
exit $status
