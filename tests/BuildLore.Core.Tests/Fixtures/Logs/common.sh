# Sourced by every <toolchain>/generate.sh in this folder. Not meant to be run on its own.
#
# Each generate.sh writes tiny projects into a fresh temp folder, runs the real toolchain on them
# with stdout and stderr merged into one file (as a CI runner captures them), and then rewrites
# the temp project folder in the log:
#   capture NAME DIR ROOT COMMAND...
#     NAME  log file to write next to the calling generate.sh (NAME.log)
#     DIR   project folder; COMMAND runs there
#     ROOT  "-" to keep the log as the tool printed it (the tools print paths relative to DIR);
#           otherwise a CI checkout root such as /home/runner/work/demo/demo/ that replaces DIR
#           everywhere in the log (this is the "root" of the case's .expected.json)
# The exit code of COMMAND is printed on the console (not in the log).
set -u
export LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=UTC
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export CARGO_TERM_COLOR=never NO_COLOR=1 FORCE_COLOR=0
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/buildlore-logs-XXXXXX)
[ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT

capture() {
  name=$1; dir=$2; root=$3; shift 3
  (cd "$dir" && "$@") > "$tmp/$name.raw" 2>&1
  rc=$?
  echo "$name: exit $rc"
  if [ "$root" = "-" ]; then
    cp "$tmp/$name.raw" "$here/$name.log"
  else
    sed -e "s|$dir/|$root|g" -e "s|$dir|${root%/}|g" "$tmp/$name.raw" > "$here/$name.log"
  fi
  if grep -q "$tmp" "$here/$name.log"; then echo "  WARNING: $name.log still mentions $tmp" >&2; fi
  return 0
}

# npm without this machine's user config (keeps "npm warn Unknown user config" and update notices
# out of the logs).
printf 'update-notifier=false\nfund=false\naudit=false\n' > "$tmp/npmrc"
export NPM_CONFIG_USERCONFIG="$tmp/npmrc"

# npm_deps PKG@VERSION...: installs the given packages once into $tmp/deps (needs the npm registry).
npm_deps() {
  mkdir -p "$tmp/deps"
  echo '{ "name": "deps", "private": true }' > "$tmp/deps/package.json"
  (cd "$tmp/deps" && npm install --no-audit --no-fund --loglevel=error "$@") > "$tmp/npm-deps.txt" 2>&1 \
    || { echo "npm install $* failed:" >&2; cat "$tmp/npm-deps.txt" >&2; exit 1; }
}
# use_deps DIR: gives project DIR its own node_modules (hard links to $tmp/deps/node_modules).
use_deps() { cp -al "$tmp/deps/node_modules" "$1/"; }

# broken_ts DIR: a TypeScript project whose src/index.ts has TS2322 (line 2) and TS2304 (line 6), for
# the package managers' script cases (yarn/, pnpm/).
broken_ts() {
  mkdir -p "$1/src"
  cat > "$1/tsconfig.json" <<'EOF'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "outDir": "dist" }, "include": ["src"] }
EOF
  cat > "$1/src/index.ts" <<'EOF'
export function total(prices: number[]): number {
  let sum: number = "0";
  for (const p of prices) {
    sum += p;
  }
  return roundCents(sum);
}
EOF
}
