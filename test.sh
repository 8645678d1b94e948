#!/usr/bin/env bash
# Runs BuildLore's whole test suite: unit, storage (SQLite and a real PostgreSQL), server, client and
# CLI tests over loopback. Installs what the tests need when it is missing (PostgreSQL's server
# binaries, git, make); the tests start every server they use themselves.
#
#   ./test.sh                 # everything
#   ./test.sh --filter Runner # extra arguments go to `dotnet test`
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

have_postgres() {
  command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

missing=()
have_postgres || missing+=(postgresql)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v make >/dev/null 2>&1 || missing+=(make)
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "Installing ${missing[*]}"
    # Debian starts a PostgreSQL cluster on install; the tests start their own, so keep it from starting.
    policy=/usr/sbin/policy-rc.d
    created_policy=0
    if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [[ $created_policy -eq 1 ]] && rm -f "$policy"
  else
    echo "Missing: ${missing[*]}. Install them (e.g. sudo apt-get install ${missing[*]}) and run again." >&2
    exit 1
  fi
fi

command -v dotnet >/dev/null 2>&1 || { echo "The .NET 10 SDK (dotnet) is required." >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
log "Building and testing (dotnet test BuildLore.slnx)"
set +e
dotnet test BuildLore.slnx --nologo \
  --results-directory "$results" "$@" 2>&1 | tee "$results/output.txt"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary line per test assembly; add them up into one closing line.
read -r passed failed skipped < <(
  sed -nE 's/.*(Passed|Failed)! +- Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\3 \2 \4/p' "$results/output.txt" |
    awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')

if [[ ${CI:-} == "true" && $skipped -gt 0 ]]; then
  echo "CI: $skipped test(s) were skipped; tests that need PostgreSQL or other real services must run in CI." >&2
  status=1
fi
if [[ $passed -eq 0 && $status -eq 0 ]]; then
  echo "No test ran." >&2
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
