#!/bin/sh
# Regenerates the eslint/*.log fixtures with ESLint 9.39.5 (flat config) on Node 20.
. "$(dirname "$0")/../common.sh"
npm_deps eslint@9.39.5 @eslint/js@9.39.5 globals@17.14.0 eslint-formatter-compact@9.0.1

project() { # project DIR
  mkdir -p "$1/src/lib"
  cat > "$1/eslint.config.js" <<'EOF'
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { eqeqeq: "warn", "prefer-const": "warn" },
  },
];
EOF
  cat > "$1/package.json" <<'EOF'
{
  "name": "demo",
  "version": "1.0.0",
  "private": true,
  "scripts": { "lint": "eslint src" }
}
EOF
  use_deps "$1"
}
broken_sources() { # two errors and two warnings in two files
  cat > "$1/src/lib/cart.js" <<'EOF'
function cartTotal(items) {
  let total = 0;
  const discount = 0.1;
  for (const item of items) {
    total += item.price * item.quantity;
  }
  return total;
}

module.exports = { cartTotal };
EOF
  cat > "$1/src/index.js" <<'EOF'
const { cartTotal } = require("./lib/cart");

let items = [{ price: 2, quantity: 3 }];
if (cartTotal(items) == 6) {
  console.log("ok");
}
logger.info("done");
EOF
}

# --- stylish: the default formatter (absolute paths, rewritten to a GitHub Actions root) -------
d=$tmp/stylish; project "$d"; broken_sources "$d"
capture stylish "$d" /home/runner/work/demo/demo/ npx eslint src

# --- compact: the same sources with --format compact (eslint-formatter-compact) ----------------
d=$tmp/compact; project "$d"; broken_sources "$d"
capture compact "$d" /builds/group/demo/ npx eslint --format compact src

# --- clean: npm run lint over src/error.js, no problems ---------------------------------------
d=$tmp/clean; project "$d"
cat > "$d/src/error.js" <<'EOF'
class AppError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

function describeError(error) {
  return error instanceof AppError ? `${error.code}: ${error.message}` : String(error);
}

module.exports = { AppError, describeError };
EOF
capture clean "$d" - npm run lint
