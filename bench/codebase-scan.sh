#!/usr/bin/env bash
# The codebase view on a large repository, against the floor and a peer, on the same checkout:
#   floor      `git ls-files` piped into `head -c 4096` (every tracked file's first 4 KiB read)
#   cli        `buildlore codebase DIR --json` (a fresh process: start, JIT, full scan, JSON out)
#   http first the first GET /llm/learning/codebase on a freshly started `buildlore serve`, sent as soon
#              as it prints "listening on": the server starts scanning its workspace when it starts,
#              and the request waits for that scan
#   server scan that scan's own duration, as the server logs it ("Scanned N files ... in X ms")
#   no index   the same first request with BuildLore__Codebase__IndexOnStart=false: the request starts the scan
#   http again 30 more requests on the same server, answered from the cache (p50, p90)
#   warm scan  the same full scan (index + view) repeated in one warm process (bench/BuildLore.Bench
#              scan-codebase): the scan's own cost, without process start, JIT or vocabulary load
#   repomix    `repomix DIR` with its defaults (Node 22; packs every file, counts tokens, checks secrets)
# Each is run RUNS times (default 5; HTTP first scans and repomix 3 times) interleaved with the floor
# so a busy machine weighs on all alike; medians are printed as Markdown rows for docs/performance.md.
#
#   bench/codebase-scan.sh REPO_DIR        e.g. a clone of github.com/tc39/test262 (56,970 files)
#
# REPOMIX_DIR (default /tmp/repomix-bench) holds `npm install node@22 repomix`; it is installed there
# when missing. Set REPOMIX_RUNS=0 to skip repomix.
set -euo pipefail
repo=$(cd "${1:?usage: bench/codebase-scan.sh REPO_DIR}" && pwd)
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
http_runs=${HTTP_RUNS:-3}
repomix_runs=${REPOMIX_RUNS:-3}
repomix_dir=${REPOMIX_DIR:-/tmp/repomix-bench}
work=$(mktemp -d)
server=""
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

source bench/installed-cli.sh
installed_cli "$work/install"
if [[ $repomix_runs -gt 0 && ! -f $repomix_dir/node_modules/repomix/bin/repomix.cjs ]]; then
  mkdir -p "$repomix_dir"
  (cd "$repomix_dir" && npm install --no-audit --no-fund node@22 repomix >/dev/null)
fi
node22=$repomix_dir/node_modules/node/bin/node
repomix=$repomix_dir/node_modules/repomix/bin/repomix.cjs

seconds() { # wall seconds of a command, output discarded
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
percentile() { sort -g | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print v[i] }'; }
floor() { (cd "$repo" && git ls-files -z | xargs -0 head -q -c 4096 >/dev/null); }

files=$(cd "$repo" && git ls-files | wc -l)
(cd "$repo" && git ls-files -z | xargs -0 cat >/dev/null) # warm the page cache for every tool alike

for _ in $(seq 1 "$runs"); do
  seconds floor >>"$work/floor"
  seconds "$cli" codebase "$repo" --json >>"$work/cli"
done
"$cli" codebase "$repo" --json >"$work/view.json"

port=$((20000 + RANDOM % 20000))
start_server() { # start_server N [ENV=VALUE...]: a fresh server with data folder N, up and listening
  local n=$1
  shift
  env "$@" "$cli" serve --port "$port" --workspace "$repo" --data-dir "$work/data$n" >"$work/serve.out" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do grep -q 'listening on' "$work/serve.out" && break; sleep 0.1; done
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
for i in $(seq 1 "$http_runs"); do
  seconds floor >>"$work/floor"
  start_server "$i"
  curl -sS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/llm/learning/codebase" >>"$work/http-first"
  for _ in $(seq 1 100); do grep -q 'Scanned [0-9]* files' "$work/serve.out" && break; sleep 0.1; done
  grep -o 'Scanned [0-9]* files .* in [0-9]* ms' "$work/serve.out" | head -1 | awk '{ printf "%.3f\n", $(NF - 1) / 1000 }' >>"$work/server-scan"
  if [[ $i -eq $http_runs ]]; then
    grep -o 'Scanned [0-9]* files .*' "$work/serve.out" | head -1 >"$work/server-scan.line"
    for _ in $(seq 1 30); do
      curl -sS -o "$work/http.json" -w '%{time_total}\n' "http://127.0.0.1:$port/llm/learning/codebase" >>"$work/http-again"
    done
  fi
  stop_server

  start_server "noindex$i" BuildLore__Codebase__IndexOnStart=false
  curl -sS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/llm/learning/codebase" >>"$work/http-noindex"
  stop_server
done

dotnet build -c Release bench/BuildLore.Bench -v q -nologo >/dev/null
bench=bench/BuildLore.Bench/bin/Release/net10.0/BuildLore.Bench
for _ in $(seq 1 "$runs"); do
  seconds floor >>"$work/floor"
  "$bench" scan-codebase "$repo" 1 >>"$work/warm"
done

for _ in $(seq 1 "$repomix_runs"); do
  seconds floor >>"$work/floor"
  seconds "$node22" "$repomix" "$repo" --quiet -o "$work/repomix-output.xml" >>"$work/repomix"
done

f=$(median <"$work/floor")
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
echo "Repository: $repo ($files tracked files), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| measure | median | vs floor |"
echo "|---|---|---|"
row "floor: git ls-files + first 4 KiB of each file ($(wc -l <"$work/floor") runs)" "$(printf '%.2f s' "$f")" "1.0×"
c=$(median <"$work/cli")
row "buildlore codebase --json, fresh process ($runs runs)" "$(printf '%.2f s' "$c")" "$(awk -v a="$c" -v b="$f" 'BEGIN { printf "%.1f×", a / b }')"
h=$(median <"$work/http-first")
row "GET /llm/learning/codebase, first request as the server starts ($http_runs servers)" "$(printf '%.2f s' "$h")" "$(awk -v a="$h" -v b="$f" 'BEGIN { printf "%.1f×", a / b }')"
g=$(median <"$work/server-scan")
row "the fresh server's own scan, as logged ($http_runs servers)" "$(printf '%.2f s' "$g")" "$(awk -v a="$g" -v b="$f" 'BEGIN { printf "%.1f×", a / b }')"
n=$(median <"$work/http-noindex")
row "first request, IndexOnStart=false: the request runs the scan ($http_runs servers)" "$(printf '%.2f s' "$n")" "$(awk -v a="$n" -v b="$f" 'BEGIN { printf "%.1f×", a / b }')"
w=$(median <"$work/warm")
row "full scan (index + view) in a warm process, bench scan-codebase ($runs runs)" "$(printf '%.2f s' "$w")" "$(awk -v a="$w" -v b="$f" 'BEGIN { printf "%.1f×", a / b }')"
row "GET /llm/learning/codebase, cached, p50 of 30" "$(percentile 50 <"$work/http-again" | awk '{ printf "%.1f ms", $1 * 1000 }')" ""
row "GET /llm/learning/codebase, cached, p90 of 30" "$(percentile 90 <"$work/http-again" | awk '{ printf "%.1f ms", $1 * 1000 }')" ""
if [[ $repomix_runs -gt 0 ]]; then
  r=$(median <"$work/repomix")
  row "repomix $("$node22" "$repomix" --version) (defaults, $repomix_runs runs)" "$(printf '%.2f s' "$r")" "$(awk -v a="$r" -v b="$f" 'BEGIN { printf "%.1f×", a / b }')"
fi
echo
echo "Response sizes: CLI JSON $(stat -c %s "$work/view.json") bytes, HTTP JSON $(stat -c %s "$work/http.json") bytes$([[ $repomix_runs -gt 0 ]] && echo ", repomix output $(stat -c %s "$work/repomix-output.xml") bytes")."
echo "Last server's log of its scan: $(cat "$work/server-scan.line")"
echo "Token estimate: $(grep -o '"token_estimate":{[^}]*}' "$work/view.json")"
