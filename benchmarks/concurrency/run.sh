#!/usr/bin/env bash
# Concurrency, crash and bomb harness (issue 12, items 1, 2, 3, 6 and 11), randomised, run with
# the real `pleura` binary on throwaway catalogs. The test suite runs a short deterministic subset
# (ConcurrentRunsCLITests, MixedRoundsCLITests, KilledServiceRunsCLITests, BundleBombTests); this
# runs many cases and prints the table that RESULTS.md records.
#
#   benchmarks/concurrency/run.sh                       # 50 trials, 20 mixed rounds, 20 kills, seed 12
#   TRIALS=10 ROUNDS=5 KILLS=5 SEED=3 benchmarks/concurrency/run.sh
#   PARTS="imports identical" benchmarks/concurrency/run.sh
#
# Parts (PARTS picks some; all by default):
#   imports    TRIALS trials each with 2 and with 4 processes importing one bundle into a new
#              catalog at once. A trial passes when all exit 0, exactly one says "imported" and
#              the others "already imported", no message carries SQLite's text, verify passes.
#   identical  TRIALS trials of 2 or 3 identical `split demo@1 --seed S` and 2 identical
#              `train` at once on a copy of the demo catalog: no duplicate entity, verify passes.
#   mixed      ROUNDS rounds of 8 commands drawn at random from ingest, transcode, roi, build,
#              split, train, export, import and gc, at once on one catalog; each command is cut
#              off after TIMEOUT seconds. After each round verify passes and no entity is there
#              twice. A command may fail only with a refusal concurrency makes right: gc while
#              runs are in progress, a dataset build whose ROIs changed while it was cut.
#   kills      KILLS exports and KILLS imports killed (SIGKILL) at a random moment (0-0.14 s) once
#              they write (the export's partial file, the import's staging): `runs` shows the
#              run and none still running, no partial file is left beside the export, verify
#              passes once gc has run, and the same command then succeeds.
#   bombs      10 GiB of zeros in a small .tar.zst, as a blob before the blob list and as a
#              catalog file: each import must be refused with at most 1 MiB written to staging.
#
# Needs: a debug build (`swift build`), ffmpeg (a clip to ingest), python3 (duplicate check), tar
# and zstd (bombs), GNU timeout.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pleura="${PLEURA:-$root/.build/debug/pleura}"
trials="${TRIALS:-50}"
rounds="${ROUNDS:-20}"
kills="${KILLS:-20}"
seed="${SEED:-12}"
timeout_s="${TIMEOUT:-300}"
parts="${PARTS:-imports identical mixed kills bombs}"
work="${WORK:-$(mktemp -d /tmp/pleura-concurrency-XXXXXX)}"
RANDOM=$seed
export PLEURA_CATALOG=""
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
log="$work/log.txt"
: > "$log"
summary=()
note() { echo "$*" >&2; }
fail_case() { echo "FAIL [$1] $2" >> "$work/failures.txt"; note "  FAIL [$1] $2"; }

# Rows that exist more than once with the same content, and run identities that succeeded twice.
duplicates() {
  python3 - "$1/catalog.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
groups = [("split", "dataset_id, parameters_json"), ("model", "split_id, architecture, hyperparameters_json, seed"),
          ("dataset", "site_id, name, recipe_json, summary_json"), ("conversion", "source_video_id, parameters_json"),
          ("source_video", "site_id, blob_sha256"), ("evaluation", "model_id, dataset_id, part, metrics_json")]
for table, key in groups:
    for (n,) in db.execute("SELECT count(*) FROM %s GROUP BY %s HAVING count(*) > 1" % (table, key)):
        print("%s: %d alike" % (table, n))
for plugin, n in db.execute("SELECT plugin, count(*) FROM run WHERE status = 'succeeded' AND plugin NOT IN "
                            "('ingest', 'roi', 'import', 'export', 'synthesize') GROUP BY cache_key HAVING count(*) > 1"):
    print("run: %d succeeded %s runs of one identity" % (n, plugin))
PY
}

verified() { "$pleura" verify --catalog "$1" >> "$log" 2>&1; }

# The demo catalog (6 synthetic patients, demo@1 built and split) and bundles of it and of a
# second site, made once.
prepare() {
  [ -d "$work/demo" ] && return
  note "== preparing the demo catalog and bundles"
  local c="$work/demo"
  {
    "$pleura" init --catalog "$c" --site-name "Hospital A" &&
      "$pleura" synthesize --catalog "$c" --patients 6 --absent-fraction 0.5 --min-seconds 2.1 --max-seconds 2.2 --seed 5 --style classic &&
      "$pleura" transcode --catalog "$c" --all --preset ultrafast &&
      "$pleura" dataset build --catalog "$c" demo &&
      "$pleura" split --catalog "$c" demo@1 --seed 7 &&
      "$pleura" export --catalog "$c" demo@1 -o "$work/demo.tar.zst" &&
      "$pleura" init --catalog "$work/siteb" --site-name "Hospital B" &&
      "$pleura" synthesize --catalog "$work/siteb" --patients 3 --min-seconds 2.1 --max-seconds 2.2 --seed 6 --style classic &&
      "$pleura" transcode --catalog "$work/siteb" --all --preset ultrafast &&
      "$pleura" dataset build --catalog "$work/siteb" demo &&
      "$pleura" export --catalog "$work/siteb" demo@1 -o "$work/siteb.tar.zst" --with-sources --with-conversions
  } >> "$log" 2>&1 || { note "preparing failed; see the log"; tail -20 "$log" >&2; exit 1; }
}

# ---------------------------------------------------------------------------------------------
part_imports() {
  prepare
  local processes trial
  for processes in 2 4; do
    local failures=0
    note "== imports: $trials trials with $processes processes"
    for trial in $(seq "$trials"); do
      local c="$work/imports-$processes-$trial" out=() pids=() i ok=1
      "$pleura" init --catalog "$c" >> "$log" 2>&1
      for i in $(seq "$processes"); do
        "$pleura" import "$work/demo.tar.zst" --catalog "$c" > "$c.out$i" 2> "$c.err$i" &
        pids+=($!)
      done
      local imported=0 already=0
      for i in $(seq "$processes"); do
        wait "${pids[$((i - 1))]}" || { ok=0; fail_case imports "$processes/$trial: $(cat "$c.err$i")"; }
        grep -q "already imported" "$c.out$i" && already=$((already + 1))
        grep -q "^imported" "$c.out$i" && imported=$((imported + 1))
        grep -qi "sqlite" "$c.err$i" && { ok=0; fail_case imports "$processes/$trial: $(cat "$c.err$i")"; }
      done
      if [ "$imported" -ne 1 ] || [ "$already" -ne $((processes - 1)) ]; then
        ok=0
        fail_case imports "$processes/$trial: $imported imported, $already already imported"
      fi
      verified "$c" || { ok=0; fail_case imports "$processes/$trial: verify failed"; }
      [ "$ok" = 1 ] || failures=$((failures + 1))
      rm -rf "$c" "$c".out* "$c".err*
    done
    summary+=("| imports of one bundle, $processes processes at once | $trials | $failures |")
  done
}

# ---------------------------------------------------------------------------------------------
part_identical() {
  prepare
  local failures=0 trial
  note "== identical runs: $trials trials"
  for trial in $(seq "$trials"); do
    local c="$work/identical-$trial" pids=() ok=1 splits=$((2 + RANDOM % 2)) split_seed=$((100 + RANDOM % 1000))
    local train_seed=$((RANDOM % 1000)) i
    cp -a "$work/demo" "$c"
    for i in $(seq "$splits"); do
      "$pleura" split demo@1 --seed "$split_seed" --catalog "$c" >> "$log" 2>&1 &
      pids+=($!)
    done
    for i in 1 2; do
      "$pleura" train demo@1 --width 0.03125 --epochs 1 --batch 16 --seed "$train_seed" --catalog "$c" >> "$log" 2>&1 &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || { ok=0; fail_case identical "$trial: a run failed (see the log)"; }; done
    local dups
    dups=$(duplicates "$c")
    [ -z "$dups" ] || { ok=0; fail_case identical "$trial ($splits splits seed $split_seed, train seed $train_seed): $dups"; }
    verified "$c" || { ok=0; fail_case identical "$trial: verify failed"; }
    [ "$ok" = 1 ] || failures=$((failures + 1))
    rm -rf "$c"
  done
  summary+=("| identical split (2-3) and train (2) runs at once | $trials | $failures |")
}

# ---------------------------------------------------------------------------------------------
part_mixed() {
  prepare
  local c="$work/mixed" failures=0 commands=0 round
  cp -a "$work/demo" "$c"
  local videos
  mapfile -t videos < <("$pleura" videos --json --catalog "$c" | grep -o '"vid_[0-9a-f]*"' | tr -d '"')
  note "== mixed rounds: $rounds rounds of 8 commands"
  for round in $(seq "$rounds"); do
    local pool=() picked=() i
    # A clip of its own each round (its frame rate is the round), so no two ingests hold the same bytes.
    ffmpeg -v error -y -f lavfi -i "testsrc2=size=160x120:rate=$((10 + round)):duration=1" -c:v libx264 \
      "$work/clip$round.mp4" >> "$log" 2>&1
    pool+=("ingest $work/clip$round.mp4 --patient M$((RANDOM % 5)) --label present")
    pool+=("transcode --all --preset ultrafast --width $((160 + 16 * (RANDOM % 3))) --height 240")
    pool+=("roi set ${videos[$((RANDOM % ${#videos[@]}))]} --rect 10,10,$((50 + RANDOM % 3)),60")
    pool+=("dataset build demo")
    pool+=("split demo@1 --seed $((RANDOM % 3))")
    pool+=("train demo@1 --width 0.03125 --epochs 1 --batch 16 --seed $((RANDOM % 2))")
    pool+=("export demo@1 -o $work/mixed-$round.tar.zst")
    pool+=("import $work/siteb.tar.zst")
    pool+=("gc")
    # Eight of the nine, in a random order.
    local skip=$((RANDOM % 9))
    for i in $(seq 0 8); do [ "$i" = "$skip" ] || picked+=("${pool[$i]}"); done
    for i in $(seq 7 -1 1); do
      local j=$((RANDOM % (i + 1))) t="${picked[$i]}"
      picked[$i]="${picked[$j]}"
      picked[$j]="$t"
    done
    local pids=() ok=1
    for i in "${!picked[@]}"; do
      # shellcheck disable=SC2086
      timeout "$timeout_s" "$pleura" ${picked[$i]} --catalog "$c" > "$c.out$i" 2> "$c.err$i" &
      pids+=($!)
    done
    for i in "${!picked[@]}"; do
      commands=$((commands + 1))
      if ! wait "${pids[$i]}"; then
        grep -q -e "runs are in progress" -e "the inputs changed since the dataset was planned" "$c.err$i" ||
          { ok=0; fail_case mixed "round $round: ${picked[$i]}: $(head -c 400 "$c.err$i")"; }
      fi
    done
    local dups
    dups=$(duplicates "$c")
    [ -z "$dups" ] || { ok=0; fail_case mixed "round $round: $dups"; }
    verified "$c" || { ok=0; fail_case mixed "round $round: verify failed: $("$pleura" verify --catalog "$c" 2>&1 | tail -3)"; }
    [ "$ok" = 1 ] || failures=$((failures + 1))
    rm -f "$c".out* "$c".err* "$work/mixed-$round.tar.zst"
  done
  summary+=("| mixed rounds of 8 commands at once ($commands commands) | $rounds | $failures |")
}

# ---------------------------------------------------------------------------------------------
part_kills() {
  prepare
  local kind trial
  for kind in export import; do
    local failures=0 early=0
    note "== kill -9 of $kind: $kills trials"
    for trial in $(seq "$kills"); do
      local c="$work/kill-$kind-$trial" out="$work/kill-out-$trial" ok=1 command
      mkdir -p "$out"
      if [ "$kind" = export ]; then
        cp -a "$work/demo" "$c"
        command=(export demo@1 -o "$out/demo.tar.zst")
      else
        "$pleura" init --catalog "$c" >> "$log" 2>&1
        command=(import "$work/demo.tar.zst")
      fi
      "$pleura" "${command[@]}" --catalog "$c" >> "$log" 2>&1 &
      local pid=$! delay waited=0
      # Wait until it is writing (the export's partial file, the import's staging), then a random
      # moment more (0-0.14 s), then kill it.
      while kill -0 "$pid" 2> /dev/null && [ "$waited" -lt 400 ]; do
        if [ "$kind" = export ]; then ls -A "$out" | grep -q partial && break; fi
        if [ "$kind" = import ]; then [ -n "$(ls -A "$c/objects/staging" 2> /dev/null)" ] && break; fi
        sleep 0.05
        waited=$((waited + 1))
      done
      delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", r % 15 / 100 }')
      sleep "$delay"
      if ! kill -9 "$pid" 2> /dev/null; then early=$((early + 1)); fi
      wait "$pid" 2> /dev/null
      local runs
      runs=$("$pleura" runs --json --catalog "$c")
      echo "$runs" | grep -q "\"running\"" && { ok=0; fail_case kills "$kind $trial (+${delay}s): a run is still running"; }
      echo "$runs" | grep -q "\"plugin\" : \"$kind\"" ||
        { ok=0; fail_case kills "$kind $trial (+${delay}s): the killed $kind left no run row"; }
      ls -A "$out" | grep -q partial && { ok=0; fail_case kills "$kind $trial (+${delay}s): a partial file is left: $(ls -A "$out")"; }
      "$pleura" gc --catalog "$c" >> "$log" 2>&1 || { ok=0; fail_case kills "$kind $trial: gc failed"; }
      verified "$c" || { ok=0; fail_case kills "$kind $trial (+${delay}s): verify failed"; }
      rm -f "$out/demo.tar.zst"
      "$pleura" "${command[@]}" --catalog "$c" >> "$log" 2>&1 || { ok=0; fail_case kills "$kind $trial (+${delay}s): the repeat failed"; }
      [ "$ok" = 1 ] || failures=$((failures + 1))
      rm -rf "$c" "$out"
    done
    summary+=("| kill -9 of $kind while it writes (+0-0.14 s; $early finished first) | $kills | $failures |")
  done
}

# ---------------------------------------------------------------------------------------------
part_bombs() {
  note "== bombs"
  local failures=0 cases=0 name
  local sha=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
  for name in "data/blobs/$sha" data/catalog/cube.json; do
    cases=$((cases + 1))
    local b="$work/bomb" c="$work/bomb-catalog"
    rm -rf "$b" "$c"
    mkdir -p "$b/bag/$(dirname "$name")"
    truncate -s 10G "$b/bag/$name"
    printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' > "$b/bag/bagit.txt"
    printf 'Payload-Oxum: 10737418240.1\n' > "$b/bag/bag-info.txt"
    # The big entry first, the tag files after it, as the attack had it.
    tar -C "$b" --zstd -cf "$b/bomb.tar.zst" "bag/$name" bag/bagit.txt bag/bag-info.txt
    rm -f "$b/bag/$name"
    "$pleura" init --catalog "$c" >> "$log" 2>&1
    local peak=0 size
    "$pleura" import "$b/bomb.tar.zst" --catalog "$c" > "$b/out" 2> "$b/err" &
    local pid=$!
    while kill -0 "$pid" 2> /dev/null; do
      size=$(du -sb "$c/objects/staging" 2> /dev/null | cut -f1)
      [ "${size:-0}" -gt "$peak" ] && peak=$size
      sleep 0.05
    done
    wait "$pid"
    local status=$? archive
    archive=$(stat -c %s "$b/bomb.tar.zst")
    note "  $name: archive $archive bytes, exit $status, staging peak $peak bytes: $(cat "$b/err")"
    echo "bomb $name: archive $archive bytes, exit $status, staging peak $peak bytes: $(cat "$b/err")" >> "$work/bombs.txt"
    if [ "$status" -ne 1 ] || [ "$peak" -gt $((1 << 20)) ] || ! grep -q "refused before extraction" "$b/err"; then
      failures=$((failures + 1))
      fail_case bombs "$name: exit $status, staging peak $peak bytes"
    fi
    rm -rf "$b" "$c"
  done
  summary+=("| 10 GiB zero entries in a small .tar.zst (before the blob list; as cube.json) | $cases | $failures |")
}

: > "$work/failures.txt"
started=$(date +%s)
for part in $parts; do "part_$part"; done
elapsed=$(($(date +%s) - started))

echo
echo "Seed $seed, $(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ${elapsed} s, binary $pleura"
echo
echo "| case | cases | failures |"
echo "|---|---|---|"
for line in "${summary[@]}"; do echo "$line"; done
if [ -s "$work/bombs.txt" ]; then
  echo
  sed 's/^/- /' "$work/bombs.txt"
fi
if [ -s "$work/failures.txt" ]; then
  echo
  echo "Failures:"
  sed 's/^/- /' "$work/failures.txt"
  exit 1
fi
