#!/usr/bin/env bash
# End-to-end benchmark of `buildlore analyze` against `grep -ciE 'error|warning'` on the same
# generated logs, in the same run: wall time, MB/s and peak memory (RSS). Results go to stdout as a
# Markdown table for docs/performance.md.
#
#   bench/analyze-vs-grep.sh [SIZES_MB...]        default: 200 1024
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[[ $# -eq 0 ]] && sizes=(200 1024)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The CLI as users install it (./install.sh), so its code is compiled ahead of time rather than by
# the JIT while the measured run goes on.
source bench/installed-cli.sh
installed_cli "$work/install"
dotnet build -c Release bench/BuildLore.Bench -v q -nologo >/dev/null
gen=bench/BuildLore.Bench/bin/Release/net10.0/BuildLore.Bench

measure() { # prints "seconds max_rss_kb" of the best of 5 runs
  local best_s="" best_kb=""
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out"
    read -r s kb <"$work/time"
    if [[ -z $best_s ]] || awk "BEGIN{exit !($s < $best_s)}"; then best_s=$s; best_kb=$kb; fi
  done
  echo "$best_s $best_kb"
}

echo "| log | tool | wall time (best of 5) | throughput | peak RSS |"
echo "|---|---|---|---|---|"
for mb in "${sizes[@]}"; do
  log="$work/build-$mb.log"
  "$gen" generate-log "$log" "$mb"
  bytes=$(stat -c %s "$log")
  cat "$log" >/dev/null # warm the page cache for both tools alike
  read -r gs gkb < <(measure grep -ciE 'error|warning' "$log")
  read -r bs bkb < <(measure "$cli" analyze "$log" --json)
  for row in "grep -ciE 'error\\|warning';$gs;$gkb" "buildlore analyze --json;$bs;$bkb"; do
    IFS=';' read -r name s kb <<<"$row"
    printf '| %s MB | %s | %.2f s | %.0f MB/s | %.0f MB |\n' "$mb" "$name" "$s" "$(awk "BEGIN{print $bytes/1048576/($s>0?$s:0.001)}")" "$(awk "BEGIN{print $kb/1024}")"
  done
  printf '| %s MB | ratio analyze / grep | %.1f× | | |\n' "$mb" "$(awk "BEGIN{print $bs/($gs>0?$gs:0.001)}")"
  rm -f "$log"
done
