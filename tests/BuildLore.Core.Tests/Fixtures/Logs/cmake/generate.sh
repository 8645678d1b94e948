#!/bin/sh
# Regenerates the cmake/*.log fixtures (CMake 3.25.1 with the Unix Makefiles generator, gcc 12.2).
. "$(dirname "$0")/../common.sh"

# --- find-package-missing: find_package(... REQUIRED) for a package that is not installed -------
d=$tmp/find-package-missing; mkdir -p "$d/src"
cat > "$d/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(demo C)

find_package(Jansson 2.14 REQUIRED)

add_executable(demo src/main.c)
target_link_libraries(demo PRIVATE Jansson::Jansson)
EOF
echo 'int main(void) { return 0; }' > "$d/src/main.c"
capture find-package-missing "$d" /home/runner/work/demo/demo/ cmake -S . -B build

# --- fatal-error: a deprecation warning, then message(FATAL_ERROR) in an included file --------
d=$tmp/fatal-error; mkdir -p "$d/src" "$d/cmake"
cat > "$d/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(demo C)

if(NOT DEFINED DEMO_BACKEND)
  message(WARNING "DEMO_USE_SQLITE is deprecated; set DEMO_BACKEND instead")
  set(DEMO_BACKEND "postgres-legacy")
endif()
include(cmake/options.cmake)

add_executable(demo src/main.c)
EOF
cat > "$d/cmake/options.cmake" <<'EOF'
set(DEMO_SUPPORTED_BACKENDS sqlite postgres)

if(NOT DEMO_BACKEND IN_LIST DEMO_SUPPORTED_BACKENDS)
  message(FATAL_ERROR "Unsupported DEMO_BACKEND '${DEMO_BACKEND}' (expected one of: ${DEMO_SUPPORTED_BACKENDS})")
endif()
EOF
echo 'int main(void) { return 0; }' > "$d/src/main.c"
capture fatal-error "$d" /builds/group/demo/ cmake -S . -B build

# --- clean: configure and build; the project has a src/error.c and -Werror=format ---------------
d=$tmp/clean; mkdir -p "$d/src"
cat > "$d/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(demo C)

add_executable(demo src/main.c src/error.c)
target_compile_options(demo PRIVATE -Wall -Wextra -Werror=format)
EOF
cat > "$d/src/error.c" <<'EOF'
const char *error_name(int code) { return code == 0 ? "no error" : "error"; }
EOF
cat > "$d/src/main.c" <<'EOF'
#include <stdio.h>
const char *error_name(int code);
int main(void) { printf("%s\n", error_name(0)); return 0; }
EOF
capture clean "$d" /var/lib/jenkins/workspace/demo/ sh -c 'cmake -S . -B build && cmake --build build -- VERBOSE=1'
