#!/bin/sh
# Regenerates the node/*.log fixtures with Node 20.20.2 (plain node and its built-in test runner).
. "$(dirname "$0")/../common.sh"

# --- uncaught-exception: a TypeError thrown two calls deep inside the project -------------------
d=$tmp/uncaught-exception; mkdir -p "$d/src/lib"
cat > "$d/src/lib/users.js" <<'EOF'
function displayName(user) {
  return user.profile.name.trim();
}

function greetAll(users) {
  return users.map((user) => `Hello, ${displayName(user)}`);
}

module.exports = { greetAll };
EOF
cat > "$d/src/app.js" <<'EOF'
const { greetAll } = require("./lib/users");

const users = [{ profile: { name: " Ada " } }, { id: 2 }];
console.log("greeting 2 users");
console.log(greetAll(users).join("\n"));
EOF
capture uncaught-exception "$d" /home/runner/work/demo/demo/ node src/app.js

# --- esm-module-not-found: an ES module imports a package that was never installed -------------
d=$tmp/esm-module-not-found; mkdir -p "$d/src"
echo '{ "name": "demo", "version": "1.0.0", "private": true, "type": "module" }' > "$d/package.json"
cat > "$d/src/index.js" <<'EOF'
import chalk from "chalk";

console.log(chalk.green("ready"));
EOF
capture esm-module-not-found "$d" /builds/group/demo/ node src/index.js

# --- test-failure(-spec): node --test with two failing tests out of four (TAP, then spec reporter) -
d=$tmp/test-failure; mkdir -p "$d/src" "$d/test"
cat > "$d/src/slug.js" <<'EOF'
function slugify(text) {
  return text.toLowerCase().replace(/ /g, "-");
}

function parsePort(value) {
  const port = Number(value);
  if (!Number.isInteger(port)) throw new RangeError(`invalid port: ${value}`);
  return port;
}

module.exports = { slugify, parsePort };
EOF
cat > "$d/test/slug.test.js" <<'EOF'
const test = require("node:test");
const assert = require("node:assert/strict");
const { slugify, parsePort } = require("../src/slug");

test("slugify lowercases", () => {
  assert.equal(slugify("Hello"), "hello");
});

test("slugify collapses whitespace", () => {
  assert.equal(slugify("Hello   big  World"), "hello-big-world");
});

test("parsePort parses numbers", () => {
  assert.equal(parsePort("8080"), 8080);
});

test("parsePort accepts a default", () => {
  assert.equal(parsePort(""), 3000);
});
EOF
capture test-failure "$d" /builds/group/demo/ node --test
capture test-failure-spec "$d" /var/lib/jenkins/workspace/demo/ node --test --test-reporter=spec

# --- test-pass: node --test, all passing, including a test named test_error_handling ------------
d=$tmp/test-pass; mkdir -p "$d/test"
cat > "$d/test/error.test.js" <<'EOF'
const test = require("node:test");
const assert = require("node:assert/strict");

function describeError(error) {
  return `${error.name}: ${error.message}`;
}

test("test_error_handling", () => {
  assert.equal(describeError(new TypeError("boom")), "TypeError: boom");
});

test("reports 0 errors", () => {
  assert.equal([].length, 0);
});
EOF
capture test-pass "$d" - node --test
