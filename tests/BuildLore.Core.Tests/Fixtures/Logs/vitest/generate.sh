#!/bin/sh
# Regenerates the vitest/*.log fixtures with Vitest 4.1.12 on Node 20 (CI=true, NO_COLOR=1).
. "$(dirname "$0")/../common.sh"
npm_deps vitest@4.1.12
export CI=true

project() {
  mkdir -p "$1/src"
  cat > "$1/package.json" <<'EOF'
{ "name": "demo", "version": "1.0.0", "private": true, "type": "module", "scripts": { "test": "vitest run" } }
EOF
  cat > "$1/src/duration.ts" <<'EOF'
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(text);
  if (!match) throw new Error(`invalid duration: ${text}`);
  const value = Number(match[1]);
  return match[2] === "m" ? value * 60_000 : match[2] === "s" ? value * 1000 : value;
}

export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}
EOF
  use_deps "$1"
}

# --- failure: two failing tests (a toEqual mismatch and a thrown error) ---------------------------
d=$tmp/failure; project "$d"
cat > "$d/src/duration.test.ts" <<'EOF'
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration";

describe("parseDuration", () => {
  it("parses seconds", () => {
    expect(parseDuration("5s")).toBe(5000);
  });

  it("parses hours", () => {
    expect(parseDuration("2h")).toBe(7_200_000);
  });
});

describe("formatDuration", () => {
  it("formats minutes", () => {
    expect(formatDuration(90_000)).toEqual("1m30s");
  });
});
EOF
capture failure "$d" /home/runner/work/demo/demo/ npx vitest run

# --- pass: all tests pass; the test file is src/error.test.ts --------------------------------------
d=$tmp/pass; project "$d"
cat > "$d/src/error.test.ts" <<'EOF'
import { expect, it } from "vitest";
import { parseDuration } from "./duration";

it("test_error_handling", () => {
  expect(() => parseDuration("soon")).toThrow("invalid duration: soon");
});
EOF
capture pass "$d" /builds/group/demo/ npx vitest run --reporter=verbose
