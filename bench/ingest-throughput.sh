#!/usr/bin/env bash
# Ingestion with analysis through the HTTP API: uploads a generated realistic log to a real
# `buildlore serve` (SQLite in a temp folder) with curl, and reports MB/s.
#
#   bench/ingest-throughput.sh [SIZE_MB]       default: 200
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-200}
work=$(mktemp -d)
# The CLI as users install it (./install.sh), so its code is compiled ahead of time rather than by
# the JIT while the measured run goes on.
source bench/installed-cli.sh
installed_cli "$work/install"
dotnet build -c Release bench/BuildLore.Bench -v q -nologo >/dev/null
bench/BuildLore.Bench/bin/Release/net10.0/BuildLore.Bench generate-log "$work/build.log" "$mb"
"$cli" serve --port 0 --workspace "$work" --data-dir "$work/data" >"$work/serve.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q 'listening on' "$work/serve.out" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -1)
bytes=$(stat -c %s "$work/build.log")
# Three uploads to the same running server: the first includes the server's warm-up.
for run in 1 2 3; do
  start=$(date +%s.%N)
  curl -sS --fail-with-body -X POST -H 'Content-Type: text/plain' --data-binary "@$work/build.log" "$url/llm/learning/builds/upload?project=bench" >"$work/response.json"
  end=$(date +%s.%N)
  grep -q '"status":"failed"' "$work/response.json" || { echo "unexpected response: $(head -c 300 "$work/response.json")" >&2; exit 1; }
  awk -v r="$run" -v b="$bytes" -v s="$start" -v e="$end" 'BEGIN { t = e - s; printf "| upload %d: %.0f MB with analysis | %.2f s | %.0f MB/s |\n", r, b / 1048576, t, b / 1048576 / t }'
done
