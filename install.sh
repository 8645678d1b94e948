#!/usr/bin/env bash
# Installs the `buildlore` command: self-contained (no .NET runtime needed where it runs) and compiled
# ahead of time as one ReadyToRun composite image of BuildLore and the .NET libraries it uses, so a
# one-shot command such as `buildlore analyze` starts fast and runs optimized code from its first line.
# Publishing takes a few minutes (the composite image is compiled for the whole framework).
#
#   ./install.sh [PREFIX]     default: ~/.local   -> PREFIX/lib/buildlore/, PREFIX/bin/buildlore
set -euo pipefail
cd "$(dirname "$0")"
prefix=${1:-$HOME/.local}

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) rid=linux-x64 ;;
  Linux-aarch64 | Linux-arm64) rid=linux-arm64 ;;
  Darwin-x86_64) rid=osx-x64 ;;
  Darwin-arm64) rid=osx-arm64 ;;
  *) echo "install.sh: no .NET runtime identifier known for $(uname -s) $(uname -m)." >&2; exit 1 ;;
esac

command -v dotnet >/dev/null 2>&1 || { echo "install.sh: the .NET 10 SDK (dotnet) is required to build BuildLore." >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Intermediate files of this publish stay apart from the source tree's bin/ and obj/: a self-contained
# composite build there would be mixed into later framework-dependent builds.
artifacts=$(mktemp -d)
trap 'rm -rf "$artifacts"' EXIT
target="$prefix/lib/buildlore"
rm -rf "$target"
echo "Publishing buildlore for $rid to $target (a few minutes)..."
dotnet publish src/BuildLore.Cli -c Release -r "$rid" --self-contained true \
  -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true \
  --artifacts-path "$artifacts" -o "$target" -v q -nologo
mkdir -p "$prefix/bin"
# The command is a small launcher. For `analyze` it caps the GC's first generation at 16 MiB: the GC
# sizes it from the processor's last-level cache, which some virtual machines report as hundreds of
# MiB, and a one-shot streaming analysis then grows by the whole budget before its first collection
# (peak RSS 177 MB instead of 112 MB on a 200 MB log, same speed; docs/performance.md). Only an
# environment variable sets that budget, and commands that start builds must not pass it on.
rm -f "$prefix/bin/buildlore"
cat >"$prefix/bin/buildlore" <<LAUNCHER
#!/bin/sh
if [ "\$1" = analyze ] && [ -z "\${DOTNET_GCgen0size:-}" ]; then
  export DOTNET_GCgen0size=0x1000000
fi
exec "$target/buildlore" "\$@"
LAUNCHER
chmod +x "$prefix/bin/buildlore"
echo "Installed $prefix/bin/buildlore"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "Add $prefix/bin to PATH to run it as 'buildlore'." ;; esac
