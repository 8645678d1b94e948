#!/bin/sh
# Regenerates the pnpm/*.log fixtures with pnpm 10.34.9 (the npm package "pnpm", installed from the
# npm registry into a temp folder) on Node 20, with TypeScript 5.9.3 for the script cases. The store
# and pnpm's own folders are kept in the temp folder.
. "$(dirname "$0")/../common.sh"
npm_deps typescript@5.9.3
mkdir -p "$tmp/pm"; echo '{ "name": "pm", "private": true }' > "$tmp/pm/package.json"
(cd "$tmp/pm" && npm install --no-audit --no-fund --loglevel=error pnpm@10.34.9) > "$tmp/pm.txt" 2>&1 \
  || { echo "npm install pnpm failed:" >&2; cat "$tmp/pm.txt" >&2; exit 1; }
pnpm() { node "$tmp/pm/node_modules/pnpm/bin/pnpm.cjs" "$@"; }
export npm_config_store_dir="$tmp/pnpm-store" npm_config_cache_dir="$tmp/pnpm-cache" npm_config_state_dir="$tmp/pnpm-state" \
  npm_config_update_notifier=false XDG_DATA_HOME="$tmp/xdg"


# --- install-404: pnpm add of a package that does not exist (ERR_PNPM_FETCH_404) -----------------
d=$tmp/install-404; mkdir -p "$d"
echo '{ "name": "demo", "version": "1.0.0", "private": true }' > "$d/package.json"
capture install-404 "$d" /builds/group/demo/ pnpm add buildlore-fixtures-no-such-package@1.0.0

# --- script-tsc: "pnpm run build" runs tsc with two type errors; pnpm adds ELIFECYCLE --------------
d=$tmp/script-tsc; mkdir -p "$d"
echo '{ "name": "demo", "version": "1.0.0", "private": true, "scripts": { "build": "tsc -p ." } }' > "$d/package.json"
broken_ts "$d"; use_deps "$d"
capture script-tsc "$d" /home/runner/work/demo/demo/ pnpm run build

# --- missing-script: "pnpm run deploy" with no such script (ERR_PNPM_NO_SCRIPT) --------------------
d=$tmp/missing-script; mkdir -p "$d"
echo '{ "name": "demo", "version": "1.0.0", "private": true, "scripts": { "build": "node build.js" } }' > "$d/package.json"
capture missing-script "$d" - pnpm run deploy

# --- recursive-tsc: "pnpm -r run build" in a workspace whose package "web" has two type errors ------
d=$tmp/recursive-tsc; mkdir -p "$d/packages/web"
echo '{ "name": "demo", "version": "1.0.0", "private": true }' > "$d/package.json"
printf 'packages:\n  - "packages/*"\n' > "$d/pnpm-workspace.yaml"
echo '{ "name": "web", "version": "1.0.0", "private": true, "scripts": { "build": "tsc -p ." } }' > "$d/packages/web/package.json"
broken_ts "$d/packages/web"; use_deps "$d/packages/web"
capture recursive-tsc "$d" /var/lib/jenkins/workspace/demo/ pnpm -r run build
