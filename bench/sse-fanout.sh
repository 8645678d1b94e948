#!/usr/bin/env bash
# SSE fan-out: one pushed build followed by N clients of /log/stream while a generated log is pushed
# through the ingestion API; a fresh `buildlore serve` (SQLite in a temp folder) per run. Prints each
# run and a Markdown table of medians for docs/performance.md.
#
#   bench/sse-fanout.sh [SIZE_MB] [FOLLOWERS] [RUNS]      default: 50 100 3
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-50}
followers=${2:-100}
runs=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source bench/installed-cli.sh
installed_cli "$work/install"
dotnet build -c Release bench/BuildLore.Bench -v q -nologo >/dev/null
bench=bench/BuildLore.Bench/bin/Release/net10.0/BuildLore.Bench
"$bench" generate-log "$work/build.log" "$mb"
"$bench" sse-fanout --server "$cli" --log "$work/build.log" \
  --followers "0,$followers" --runs "$runs"
