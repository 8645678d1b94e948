# Sourced by the benchmark scripts: sets $cli to a `buildlore` as users install it (./install.sh:
# self-contained, ReadyToRun composite). BUILDLORE_CLI=path/to/buildlore reuses an installed one and
# skips the few minutes the publish takes; otherwise it is installed into "$1" (a temp folder).
installed_cli() {
  if [[ -n ${BUILDLORE_CLI:-} ]]; then
    cli=$(realpath "$BUILDLORE_CLI")
  else
    ./install.sh "$1" >&2
    cli="$1/bin/buildlore"
  fi
}
