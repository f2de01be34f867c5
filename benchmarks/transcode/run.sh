#!/usr/bin/env bash
# Side-by-side transcode benchmark (issue 3, part 4): Pleura's in-process FFmpeg library against the ffmpeg
# CLI with identical encoder settings, on a 10 s 854x480 54 fps clip (540 frames) as MPEG-4 Part 2 AVI and
# as H.264 MP4 (testsrc2, as in shared/peers/ffmpeg_bench.sh), converted to 640x480 30 fps H.264
# (libx264, preset medium, crf 18).
#
#   ffmpeg -i IN -vf scale=640:480,fps=30 -c:v libx264 -preset medium -crf 18 OUT
#   $PLEURA bench transcode IN OUT            (default PLEURA=.build/release/pleura)
#   or PLEURA_CMD="any command taking IN OUT" to time something else the same way
#
# Runs are interleaved (ffmpeg, pleura, ffmpeg, ...) so that load from other processes hits both alike.
# Prints a Markdown table of median wall time and peak RSS (/usr/bin/time -v), their ratios, and median CPU
# time (user + system; a steadier figure than wall time when other processes compete for the cores); with
# OUT_MD=FILE it also appends the table there.
# Usage: bash benchmarks/transcode/run.sh [workdir]     (REPS=5 by default)
set -euo pipefail
W=${1:-${TMPDIR:-/tmp}/pleura-transcode-bench}
REPS=${REPS:-5}
PLEURA=${PLEURA:-.build/release/pleura}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time: apt-get install -y time" >&2; exit 1; }
if [ -n "${PLEURA_CMD:-}" ]; then
  read -r -a TOOL <<<"$PLEURA_CMD"
else
  [ -x "$PLEURA" ] || { echo "no $PLEURA: build with 'swift build -c release' or set PLEURA / PLEURA_CMD" >&2; exit 1; }
  TOOL=("$PLEURA" bench transcode)
fi
mkdir -p "$W"
LAVFI="testsrc2=s=854x480:r=54:d=10"
[ -s "$W/in.avi" ] || ffmpeg -hide_banner -loglevel error -y -f lavfi -i "$LAVFI" -c:v mpeg4 -q:v 4 -pix_fmt yuv420p "$W/in.avi"
[ -s "$W/in.mp4" ] || ffmpeg -hide_banner -loglevel error -y -f lavfi -i "$LAVFI" -c:v libx264 -pix_fmt yuv420p "$W/in.mp4"

median() { sort -n | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# measure CMD... -> "wall-seconds peak-kilobytes cpu-seconds"
measure() {
  local log; log=$(mktemp)
  "$TIME" -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$log")
  cpu=$(awk -F': ' '/User time|System time/{s+=$2} END{print s}' "$log")
  rm -f "$log"
  echo "$wall $rss $cpu"
}

{
  echo "ffmpeg: $(ffmpeg -version | head -1 | cut -d' ' -f1-3); nproc=$(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg); reps=$REPS; $(date -u +%FT%TZ)"
  echo
  echo "| input | ffmpeg s (median) | pleura s (median) | time ratio | ffmpeg peak MB | pleura peak MB | memory ratio | ffmpeg CPU s | pleura CPU s |"
  echo "|---|---|---|---|---|---|---|---|---|"
} | tee /tmp/pleura-bench-head.$$
rows=()
for IN in in.avi in.mp4; do
  ft=(); fm=(); fc=(); pt=(); pm=(); pc=()
  for _ in $(seq "$REPS"); do
    read -r t m c < <(measure ffmpeg -hide_banner -loglevel error -y -i "$W/$IN" \
      -vf scale=640:480,fps=30 -c:v libx264 -preset medium -crf 18 "$W/out_ffmpeg.mp4")
    ft+=("$t"); fm+=("$m"); fc+=("$c")
    read -r t m c < <(measure "${TOOL[@]}" "$W/$IN" "$W/out_pleura.mp4")
    pt+=("$t"); pm+=("$m"); pc+=("$c")
  done
  FT=$(printf '%s\n' "${ft[@]}" | median); PT=$(printf '%s\n' "${pt[@]}" | median)
  FM=$(printf '%s\n' "${fm[@]}" | median); PM=$(printf '%s\n' "${pm[@]}" | median)
  FC=$(printf '%s\n' "${fc[@]}" | median); PC=$(printf '%s\n' "${pc[@]}" | median)
  row=$(awk -v i="$IN" -v ft="$FT" -v pt="$PT" -v fm="$FM" -v pm="$PM" -v fc="$FC" -v pc="$PC" 'BEGIN{
    printf "| %s | %.3f | %.3f | %.3f | %.1f | %.1f | %.3f | %.2f | %.2f |", i, ft, pt, pt/ft, fm/1024, pm/1024, pm/fm, fc, pc }')
  echo "$row"
  echo "  samples ffmpeg s: ${ft[*]}; pleura s: ${pt[*]}; ffmpeg CPU s: ${fc[*]}; pleura CPU s: ${pc[*]}" >&2
  rows+=("$row")
done
if [ -n "${OUT_MD:-}" ]; then
  { echo; cat /tmp/pleura-bench-head.$$; printf '%s\n' "${rows[@]}"; } >>"$OUT_MD"
fi
rm -f /tmp/pleura-bench-head.$$
