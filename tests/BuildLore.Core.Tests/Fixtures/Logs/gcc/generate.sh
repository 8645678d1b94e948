#!/bin/sh
# Regenerates the gcc/*.log fixtures: gcc/g++ 12.2 and clang 14 driven by GNU Make 4.3.
# Needs gcc, g++, clang, make; libcurl's header must NOT be installed (missing-header).
. "$(dirname "$0")/../common.sh"
tab=$(printf '\t')

# --- undeclared-note: gcc C error with a note, plus an -Wall warning (relative paths) -----------
d=$tmp/undeclared-note; mkdir -p "$d/src"
cat > "$d/src/main.c" <<'EOF'
#include <stdio.h>

int main(void)
{
    int unused_total = 0;
    printf("%d\n", item_count);
    return 0;
}
EOF
cat > "$d/Makefile" <<EOF
CFLAGS = -Wall -Wextra -O2

build/main.o: src/main.c
${tab}mkdir -p build
${tab}\$(CC) \$(CFLAGS) -c src/main.c -o build/main.o
EOF
capture undeclared-note "$d" - make CC=gcc

# --- cpp-template: g++ template instantiation error ("required from here"); absolute paths -------
d=$tmp/cpp-template; mkdir -p "$d/src"
cat > "$d/src/units.hpp" <<'EOF'
#pragma once

struct Meters
{
    double value;
};

template <typename T>
T twice(const T& x)
{
    return x * 2;
}
EOF
cat > "$d/src/main.cpp" <<'EOF'
#include <iostream>
#include "units.hpp"

int main()
{
    Meters m{1.5};
    Meters d = twice(m);
    std::cout << d.value << '\n';
    return 0;
}
EOF
cat > "$d/Makefile" <<EOF
CXXFLAGS = -std=c++17 -Wall

app: \$(CURDIR)/src/main.cpp \$(CURDIR)/src/units.hpp
${tab}\$(CXX) \$(CXXFLAGS) \$(CURDIR)/src/main.cpp -o app
EOF
capture cpp-template "$d" /builds/group/demo/ make CXX=g++

# --- missing-header: a third-party header that is not installed -------------------------------
d=$tmp/missing-header; mkdir -p "$d/src"
cat > "$d/src/fetch.c" <<'EOF'
#include <stdio.h>
#include <curl/curl.h>

int main(void)
{
    CURL *curl = curl_easy_init();
    printf("%p\n", (void *)curl);
    return 0;
}
EOF
cat > "$d/Makefile" <<EOF
CFLAGS = -Wall -O2
LDLIBS = -lcurl

fetch: src/fetch.c
${tab}\$(CC) \$(CFLAGS) src/fetch.c -o fetch \$(LDLIBS)
EOF
capture missing-header "$d" - make CC=gcc

# --- link-undefined: undefined references at link time (collect2), absolute paths -------------
d=$tmp/link-undefined; mkdir -p "$d/src"
cat > "$d/src/stats.h" <<'EOF'
double compute_mean(const double *values, int count);
double compute_stddev(const double *values, int count);
EOF
cat > "$d/src/main.c" <<'EOF'
#include <stdio.h>
#include "stats.h"

int main(void)
{
    double values[] = {1.0, 2.0, 4.0};
    printf("mean=%f\n", compute_mean(values, 3));
    printf("stddev=%f\n", compute_stddev(values, 3));
    return 0;
}
EOF
cat > "$d/Makefile" <<EOF
CFLAGS = -Wall -g

app: main.o
${tab}\$(CC) main.o -o app

main.o: \$(CURDIR)/src/main.c
${tab}\$(CC) \$(CFLAGS) -c \$(CURDIR)/src/main.c -o main.o
EOF
capture link-undefined "$d" /var/lib/jenkins/workspace/demo/ make CC=gcc

# --- clean: a clean build; the recipe echoes -Werror=format and compiles src/error.c -----------
d=$tmp/clean; mkdir -p "$d/src"
cat > "$d/src/error.h" <<'EOF'
const char *error_name(int code);
EOF
cat > "$d/src/error.c" <<'EOF'
#include "error.h"

const char *error_name(int code)
{
    return code == 0 ? "no error" : "error";
}
EOF
cat > "$d/src/main.c" <<'EOF'
#include <stdio.h>
#include "error.h"

int main(void)
{
    printf("0 errors, status: %s\n", error_name(0));
    return 0;
}
EOF
cat > "$d/Makefile" <<EOF
CFLAGS = -Wall -Wextra -Werror=format -O2

app: build/main.o build/error.o
${tab}\$(CC) build/main.o build/error.o -o app
${tab}./app

build/%.o: src/%.c src/error.h
${tab}@mkdir -p build
${tab}\$(CC) \$(CFLAGS) -c \$< -o \$@
EOF
capture clean "$d" - make CC=gcc

# --- clang-undeclared: two clang C errors, one with a fix-it and a note -----------------------
d=$tmp/clang-undeclared; mkdir -p "$d/src"
cat > "$d/src/queue.c" <<'EOF'
#include <stddef.h>

struct queue { int items[16]; size_t length; };

size_t queue_length(const struct queue *q)
{
    return q->lenght;
}

int queue_peek(const struct queue *q)
{
    return q->items[qeue_head];
}
EOF
cat > "$d/Makefile" <<EOF
CFLAGS = -Wall -O2

queue.o: src/queue.c
${tab}\$(CC) \$(CFLAGS) -c src/queue.c -o queue.o
EOF
capture clang-undeclared "$d" - make CC=clang

# --- clang-missing-header: the missing-header project built with clang, which words it differently -
d=$tmp/clang-missing-header; mkdir -p "$d/src"
cp "$tmp/missing-header/src/fetch.c" "$d/src/"; cp "$tmp/missing-header/Makefile" "$d/"
capture clang-missing-header "$d" - make CC=clang
