#!/bin/sh
# Regenerates every log in this folder (about 3-4 minutes). The .expected.json files are written by
# hand and are never touched by these scripts: after a regeneration, check that the logs still
# show what the expectations say (same lines and columns), e.g. with `git diff --stat`.
# noise/ re-wraps logs from dotnet/ and gcc/, so it runs last.
set -u
here=$(cd "$(dirname "$0")" && pwd)
for t in dotnet gcc cmake gfortran tsc eslint npm yarn pnpm node jest vitest python rust go java process noise; do
  echo "== $t"
  sh "$here/$t/generate.sh" || echo "!! $t/generate.sh failed" >&2
done
