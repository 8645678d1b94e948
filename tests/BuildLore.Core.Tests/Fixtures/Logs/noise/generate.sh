#!/bin/sh
# Regenerates the noise/*.log fixtures. These are NOT fresh tool runs: each one re-wraps a real log
# from a sibling folder the way a CI system stores it, so the expected diagnostics are exactly those
# of the original (run ../dotnet/generate.sh and ../gcc/generate.sh first).
#   github-actions  <- ../dotnet/build-errors.log, as GitHub Actions' raw log download shows it
#   gitlab          <- ../dotnet/build-errors.log, as GitLab's raw job log stores it (with the
#                      checkout root changed to GitLab's /builds/group/demo/)
#   crlf            <- ../dotnet/build-errors.log with CRLF line endings
#   progress-invalid-utf8 <- ../gcc/undeclared-note.log after a \r-redrawn progress bar and lines
#                    with bytes that are not valid UTF-8
#   jenkins         <- ../gcc/link-undefined.log inside a Jenkins Pipeline's console log ([Pipeline]
#                      step markers, the sh step's "+ make", "ERROR: script returned exit code 2")
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../dotnet/build-errors.log
esc=$(printf '\033')
cr=$(printf '\r')

# --- github-actions: timestamp prefix on every line, ##[group]/##[endgroup], ##[error] at the end --
{
  echo '##[group]Run dotnet build -nodeReuse:false -p:UseSharedCompilation=false'
  echo 'dotnet build -nodeReuse:false -p:UseSharedCompilation=false'
  echo 'shell: /usr/bin/bash -e {0}'
  echo 'env:'
  echo '  DOTNET_NOLOGO: 1'
  echo '##[endgroup]'
  cat "$src"
  echo '##[error]Process completed with exit code 1.'
} | awk '{ printf "2026-01-01T00:00:%02d.%07dZ %s\n", int(NR / 10), (NR % 10) * 1000000 + 1234, $0 }' \
  > "$here/github-actions.log"

# --- gitlab: section markers, the runner's ANSI colours, and coloured MSBuild error/warning lines --
{
  printf 'section_start:1767225600:prepare_script\r%s[0K%s[0K%s[36;1mPreparing environment%s[0;m\n' "$esc" "$esc" "$esc" "$esc"
  printf 'Running on runner-abc123 via gitlab-runner-01...\n'
  printf 'section_end:1767225601:prepare_script\r%s[0K\n' "$esc"
  printf 'section_start:1767225601:build_script\r%s[0K%s[0K%s[36;1mExecuting "step_script" stage of the job script%s[0;m\n' "$esc" "$esc" "$esc" "$esc"
  printf '%s[32;1m$ dotnet build -nodeReuse:false -p:UseSharedCompilation=false%s[0;m\n' "$esc" "$esc"
  sed -e "s/^\(.*: error .*\)\$/${esc}[31;1m\1${esc}[0m/" \
      -e "s/^\(.*: warning .*\)\$/${esc}[33;1m\1${esc}[0m/" \
      -e "s/^\(Build FAILED\.\)\$/${esc}[31;1m\1${esc}[0m/" \
      -e "s|/home/runner/work/demo/demo/|/builds/group/demo/|g" "$src"
  printf 'section_end:1767225610:build_script\r%s[0K\n' "$esc"
  printf '%s[31;1mERROR: Job failed: exit code 1\n%s[0;m\n' "$esc" "$esc"
} > "$here/gitlab.log"

# --- crlf: Windows line endings ------------------------------------------------------------------
sed -e "s/\$/$cr/" "$src" > "$here/crlf.log"

# --- progress-invalid-utf8: a \r progress bar and invalid UTF-8 before a real gcc/make log ---------
{
  printf 'Fetching toolchain cache...\n'
  printf 'cache [          ]   0%%\rcache [##        ]  20%%\rcache [#####     ]  50%%\rcache [########  ]  80%%\rcache [##########] 100%%\n'
  printf 'restored cache key gcc-12-caf\351 (Latin-1 byte)\n'
  printf 'config: \377\376b\000u\000i\000l\000d\000 \200\201 garbage from a binary file\n'
  cat "$here/../gcc/undeclared-note.log"
  printf 'upload progress: 10%%\rupload progress: 60%%\rupload progress: 100%%\r\n'
} > "$here/progress-invalid-utf8.log"
# --- jenkins: a Pipeline's console output around a failing sh step ---------------------------------
{
  echo 'Started by user admin'
  echo '[Pipeline] Start of Pipeline'
  echo '[Pipeline] node'
  echo 'Running on Jenkins in /var/lib/jenkins/workspace/demo'
  echo '[Pipeline] {'
  echo '[Pipeline] stage'
  echo '[Pipeline] { (Build)'
  echo '[Pipeline] sh'
  echo '+ make CC=gcc'
  cat "$here/../gcc/link-undefined.log"
  echo '[Pipeline] }'
  echo '[Pipeline] // stage'
  echo '[Pipeline] }'
  echo '[Pipeline] // node'
  echo '[Pipeline] End of Pipeline'
  echo 'ERROR: script returned exit code 2'
  echo 'Finished: FAILURE'
} > "$here/jenkins.log"
echo "noise: done"
