#!/bin/sh
# Regenerates the yarn/*.log fixtures with yarn 1.22.22 (classic, the npm package "yarn") and yarn
# 4.18.1 (berry, the npm package "@yarnpkg/cli-dist"), both installed from the npm registry into a
# temp folder, on Node 20, with TypeScript 5.9.3 for the script cases. Both yarns are pointed at the
# npm registry (.yarnrc / .yarnrc.yml) and told to keep their caches in the temp folder.
. "$(dirname "$0")/../common.sh"
npm_deps typescript@5.9.3
mkdir -p "$tmp/pm"; echo '{ "name": "pm", "private": true }' > "$tmp/pm/package.json"
(cd "$tmp/pm" && npm install --no-audit --no-fund --loglevel=error yarn@1.22.22 @yarnpkg/cli-dist@4.18.1) > "$tmp/pm.txt" 2>&1 \
  || { echo "npm install yarn failed:" >&2; cat "$tmp/pm.txt" >&2; exit 1; }
yarn1() { node "$tmp/pm/node_modules/yarn/bin/yarn.js" "$@"; }
yarn4() { node "$tmp/pm/node_modules/@yarnpkg/cli-dist/bin/yarn.js" "$@"; }
export YARN_CACHE_FOLDER="$tmp/yarn1-cache" YARN_GLOBAL_FOLDER="$tmp/yarn4-global" YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_GLOBAL_CACHE=0

classic() { # classic DIR PACKAGE-JSON
  mkdir -p "$1"; echo "$2" > "$1/package.json"
  echo 'registry "https://registry.npmjs.org/"' > "$1/.yarnrc"
}
berry() { # berry DIR PACKAGE-JSON
  mkdir -p "$1"; echo "$2" > "$1/package.json"
  printf 'npmRegistryServer: "https://registry.npmjs.org"\nenableTelemetry: false\nenableProgressBars: false\n' > "$1/.yarnrc.yml"
}

# --- v1-install-404: a dependency that does not exist on the registry ---------------------------
d=$tmp/v1-install-404
classic "$d" '{ "name": "demo", "version": "1.0.0", "private": true, "dependencies": { "buildlore-fixtures-no-such-package": "1.0.0" } }'
capture v1-install-404 "$d" - yarn1 install --non-interactive --no-progress

# --- v1-install-enotfound: the registry host does not resolve (yarn retries, then gives up) -------
d=$tmp/v1-install-enotfound
classic "$d" '{ "name": "demo", "version": "1.0.0", "private": true, "dependencies": { "left-pad": "1.3.0" } }'
echo 'registry "https://registry.nonexistent.invalid/"' > "$d/.yarnrc"
capture v1-install-enotfound "$d" - yarn1 install --non-interactive --no-progress --network-timeout 5000

# --- v1-script-tsc: "yarn run build" runs tsc, which finds two type errors -------------------------
d=$tmp/v1-script-tsc
classic "$d" '{ "name": "demo", "version": "1.0.0", "private": true, "scripts": { "build": "tsc -p ." } }'
broken_ts "$d"; use_deps "$d"
capture v1-script-tsc "$d" - yarn1 run build

# --- v1-missing-script: "yarn run deploy" with no such script ------------------------------------
d=$tmp/v1-missing-script
classic "$d" '{ "name": "demo", "version": "1.0.0", "private": true, "scripts": { "build": "node build.js" } }'
capture v1-missing-script "$d" - yarn1 run deploy

# --- berry-install-404: yarn 4 resolving a package that does not exist (YN0035) --------------------
d=$tmp/berry-install-404
berry "$d" '{ "name": "demo", "version": "1.0.0", "private": true, "dependencies": { "buildlore-fixtures-no-such-package": "1.0.0" } }'
capture berry-install-404 "$d" - yarn4 install

# --- berry-clean: yarn 4 installs one real package, then a passing script -------------------------
d=$tmp/berry-clean; mkdir -p "$d/src"
berry "$d" '{ "name": "demo", "version": "1.0.0", "private": true, "packageManager": "yarn@4.18.1", "dependencies": { "left-pad": "1.3.0" }, "scripts": { "check": "node src/error.js" } }'
cat > "$d/src/error.js" <<'EOF'
const leftPad = require("left-pad");
console.log(`test_error_handling: ${leftPad("0", 3)} errors`);
EOF
capture berry-clean "$d" - sh -c 'node "$0" install && node "$0" run check' "$tmp/pm/node_modules/@yarnpkg/cli-dist/bin/yarn.js"

# --- berry-script-tsc: yarn 4 installs TypeScript (node-modules linker), then runs tsc, which finds
# two type errors (yarn prints nothing of its own for a failed script) ----------------------------
d=$tmp/berry-script-tsc
berry "$d" '{ "name": "demo", "version": "1.0.0", "private": true, "devDependencies": { "typescript": "5.9.3" }, "scripts": { "build": "tsc -p ." } }'
broken_ts "$d"
printf 'nodeLinker: node-modules\n' >> "$d/.yarnrc.yml"
capture berry-script-tsc "$d" - sh -c 'node "$0" install && node "$0" run build' "$tmp/pm/node_modules/@yarnpkg/cli-dist/bin/yarn.js"
