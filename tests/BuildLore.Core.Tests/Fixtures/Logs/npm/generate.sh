#!/bin/sh
# Regenerates the npm/*.log fixtures with npm 11.19 on Node 20. install-e404 asks the npm registry
# for one package name that does not exist; install-enotfound points npm at a host under .invalid.
. "$(dirname "$0")/../common.sh"

pkg() { # pkg DIR SCRIPTS-JSON
  mkdir -p "$1"
  cat > "$1/package.json" <<EOF
{
  "name": "demo",
  "version": "1.0.0",
  "private": true,
  "scripts": $2
}
EOF
}

# --- script-missing-binary: a workspace's "build" runs webpack, which is not installed ---------
d=$tmp/script-missing-binary; mkdir -p "$d/packages/web"
cat > "$d/package.json" <<'EOF'
{ "name": "demo", "version": "1.0.0", "private": true, "workspaces": ["packages/*"] }
EOF
cat > "$d/packages/web/package.json" <<'EOF'
{ "name": "web", "version": "1.0.0", "private": true, "scripts": { "build": "webpack --mode production" } }
EOF
capture script-missing-binary "$d" /home/runner/work/demo/demo/ npm run build --workspaces

# --- missing-script: npm run on a script the package does not define --------------------------
d=$tmp/missing-script
pkg "$d" '{ "build": "node build.js", "test": "node --test" }'
capture missing-script "$d" - npm run deploy

# --- install-e404: a dependency that does not exist on the registry ---------------------------
d=$tmp/install-e404
pkg "$d" '{}'
capture install-e404 "$d" - npm install --no-audit --no-fund buildlore-fixtures-no-such-package@1.0.0

# --- install-e404-npm8: the same with npm 8 (fetched by npx), whose lines start "npm ERR!" -------
d=$tmp/install-e404-npm8
pkg "$d" '{}'
npx -y npm@8.19.4 --version > /dev/null 2>&1
capture install-e404-npm8 "$d" - npx -y npm@8.19.4 install --no-audit --no-fund buildlore-fixtures-no-such-package@1.0.0

# --- install-enotfound: the registry host does not resolve -------------------------------------
d=$tmp/install-enotfound
pkg "$d" '{}'
capture install-enotfound "$d" - npm install --no-audit --no-fund --fetch-retries=0 --registry https://registry.nonexistent.invalid/ left-pad@1.3.0

# --- script-node-error: a build script that throws; npm reports the failed lifecycle script ----
d=$tmp/script-node-error; mkdir -p "$d/scripts"
pkg "$d" '{ "build": "node scripts/build.js" }'
cat > "$d/scripts/build.js" <<'EOF'
const fs = require("fs");

function readConfig(path) {
  return JSON.parse(fs.readFileSync(path, "utf8"));
}

const config = readConfig("config/app.json");
console.log(`building ${config.name}`);
EOF
capture script-node-error "$d" /builds/group/demo/ npm run build

# --- workspace-tsc-error: a workspace's "build" runs tsc (TypeScript 5.9.3), which finds two type
# errors; npm then prints its Lifecycle-script block for the workspace ---------------------------------
npm_deps typescript@5.9.3
d=$tmp/workspace-tsc-error; mkdir -p "$d/packages/web/src"
cat > "$d/package.json" <<'EOF2'
{ "name": "demo", "version": "1.0.0", "private": true, "workspaces": ["packages/*"] }
EOF2
cat > "$d/packages/web/package.json" <<'EOF2'
{ "name": "web", "version": "1.0.0", "private": true, "scripts": { "build": "tsc -p ." } }
EOF2
cat > "$d/packages/web/tsconfig.json" <<'EOF2'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "outDir": "dist" }, "include": ["src"] }
EOF2
cat > "$d/packages/web/src/cart.ts" <<'EOF2'
export interface Line { price: number; quantity: number }

export function total(lines: Line[]): number {
  return lines.reduce((sum, line) => sum + line.price * line.qty, 0);
}

export const empty: Line = { price: 0 };
EOF2
use_deps "$d"
capture workspace-tsc-error "$d" /home/runner/work/demo/demo/ npm run build --workspaces
