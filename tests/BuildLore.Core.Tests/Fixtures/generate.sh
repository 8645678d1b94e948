#!/bin/sh
# Regenerates the build-log fixtures in this folder from real toolchains.
# Usage: sh generate.sh   (needs dotnet, gcc, make, python3 and, for the Rust log, cargo)
# Every project is built in a fresh temp folder; that folder's path is then replaced with
# /work/app so the fixtures do not change from one machine or run to the next.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/buildlore-fixtures-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# capture NAME DIR COMMAND...: runs COMMAND in DIR with stderr merged into stdout, as BuildLore's runner does.
capture() {
  name=$1; dir=$2; shift 2
  (cd "$dir" && "$@") > "$tmp/$name.raw" 2>&1
  echo "$name: exit $?"
  sed -e "s|$dir|/work/app|g" -e "s|$tmp|/work|g" "$tmp/$name.raw" > "$here/$name"
}

csproj() {
  mkdir -p "$1"
  cat > "$1/app.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
</Project>
EOF
}

dotnet_build() {
  capture "$1" "$2" dotnet build -nodeReuse:false /p:UseSharedCompilation=false
}

# 1. C# with one compile error (undefined name).
csproj "$tmp/cs-error"
cat > "$tmp/cs-error/Program.cs" <<'EOF'
Console.WriteLine(undefinedVariable);
EOF
dotnet_build dotnet-error.log "$tmp/cs-error"

# 2. A clean C# build.
csproj "$tmp/cs-clean"
cat > "$tmp/cs-clean/Program.cs" <<'EOF'
Console.WriteLine("Hello, BuildLore!");
EOF
dotnet_build dotnet-clean.log "$tmp/cs-clean"

# 3. C# with one warning (CS0168, in a file named ErrorHandler.cs) and one error (CS0103).
csproj "$tmp/cs-warn"
cat > "$tmp/cs-warn/Program.cs" <<'EOF'
Console.WriteLine(ErrorHandler.Describe(undefinedVariable));
EOF
cat > "$tmp/cs-warn/ErrorHandler.cs" <<'EOF'
static class ErrorHandler
{
    public static string Describe(object value)
    {
        int unused;
        return value.ToString() ?? "";
    }
}
EOF
dotnet_build dotnet-warning-and-error.log "$tmp/cs-warn"

# 4. gcc compile error (undeclared identifier), built by make with -Werror=format on the command line.
mkdir -p "$tmp/gcc-compile"
cat > "$tmp/gcc-compile/broken.c" <<'EOF'
#include <stdio.h>

int main(void)
{
    printf("%d\n", undeclared_count);
    return 0;
}
EOF
printf 'CFLAGS = -Wall -Werror=format\n\nbroken.o: broken.c\n\t$(CC) $(CFLAGS) -c broken.c -o broken.o\n' > "$tmp/gcc-compile/Makefile"
capture gcc-compile-error.log "$tmp/gcc-compile" make CC=gcc

# 5. The same compile error with gcc's colours forced on: real ANSI escape codes.
capture gcc-compile-error-color.log "$tmp/gcc-compile" make CC=gcc CFLAGS='-Wall -Werror=format -fdiagnostics-color=always'

# 6. A link error: main calls a function that no object defines.
mkdir -p "$tmp/gcc-link"
cat > "$tmp/gcc-link/main.c" <<'EOF'
void missing_function(void);

int main(void)
{
    missing_function();
    return 0;
}
EOF
printf 'app: main.o\n\t$(CC) main.o -o app\n\nmain.o: main.c\n\t$(CC) -Wall -c main.c -o main.o\n' > "$tmp/gcc-link/Makefile"
capture gcc-link-error.log "$tmp/gcc-link" make CC=gcc

# 7. An uncaught Python exception.
mkdir -p "$tmp/py"
cat > "$tmp/py/app.py" <<'EOF'
def ratio(done, total):
    return done / total


def main():
    print("processing 3 items")
    print(ratio(3, 0))


main()
EOF
capture python-traceback.log "$tmp/py" python3 app.py

# 8. A Rust crate without dependencies: one error (E0425) and one warning (unused_parens).
if command -v cargo > /dev/null; then
  mkdir -p "$tmp/rs/src"
  printf '[package]\nname = "tiny"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n' > "$tmp/rs/Cargo.toml"
  cat > "$tmp/rs/src/main.rs" <<'EOF'
fn main() {
    let value = (1);
    println!("{} {}", value, missing_value);
}
EOF
  CARGO_TERM_COLOR=never capture cargo-error.log "$tmp/rs" cargo build --offline
fi
