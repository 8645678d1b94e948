#!/bin/sh
# Regenerates the go/*.log fixtures with Debian's Go 1.19.8 (apt-get install -y golang-go).
# Modules have no dependencies; GOFLAGS=-mod=mod GOPROXY=off, so nothing is fetched.
. "$(dirname "$0")/../common.sh"
export GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath"

module() { # module DIR
  mkdir -p "$1"
  printf 'module example.com/demo\n\ngo 1.19\n' > "$1/go.mod"
}

# --- build-error: an undefined name and an unused variable (both errors in Go) in one package ---
d=$tmp/build-error; module "$d"; mkdir -p "$d/internal/config"
cat > "$d/internal/config/config.go" <<'EOF'
package config

import "os"

func Port() string {
	retries := 3
	port := os.Getenv("PORT")
	if port == "" {
		return defaultPort
	}
	return port
}
EOF
cat > "$d/main.go" <<'EOF'
package main

import (
	"fmt"

	"example.com/demo/internal/config"
)

func main() {
	fmt.Println("listening on", config.Port())
}
EOF
capture build-error "$d" - go build ./...

# --- test-failure: go test with one failing t.Errorf and one passing test ----------------------
d=$tmp/test-failure; module "$d"
cat > "$d/calc.go" <<'EOF'
package demo

func Average(values []int) int {
	total := 0
	for _, v := range values {
		total += v
	}
	return total / len(values)
}
EOF
cat > "$d/calc_test.go" <<'EOF'
package demo

import "testing"

func TestAverageOfThree(t *testing.T) {
	if got := Average([]int{1, 2, 3}); got != 2 {
		t.Errorf("Average(1,2,3) = %d; want 2", got)
	}
}

func TestAverageRoundsHalfUp(t *testing.T) {
	if got := Average([]int{1, 2}); got != 2 {
		t.Errorf("Average(1,2) = %d; want 2", got)
	}
}
EOF
capture test-failure "$d" - go test ./...

# --- test-timeout: a test that blocks longer than -timeout --------------------------------------
d=$tmp/test-timeout; module "$d"
cat > "$d/wait_test.go" <<'EOF'
package demo

import (
	"testing"
	"time"
)

func TestWaitsForServer(t *testing.T) {
	time.Sleep(10 * time.Second)
}
EOF
capture test-timeout "$d" /home/runner/work/demo/demo/ go test -timeout 2s ./...

# --- clean: build, vet and verbose tests, all passing (one test is TestErrorHandling) ----------------
d=$tmp/clean; module "$d"
cat > "$d/errors.go" <<'EOF'
package demo

import "errors"

var ErrNotFound = errors.New("not found")

func Find(name string) (int, error) {
	if name == "" {
		return 0, ErrNotFound
	}
	return len(name), nil
}
EOF
cat > "$d/errors_test.go" <<'EOF'
package demo

import (
	"errors"
	"testing"
)

func TestErrorHandling(t *testing.T) {
	if _, err := Find(""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	t.Log("0 errors unexpected")
}
EOF
capture clean "$d" - sh -c 'go build ./... && go vet ./... && go test -v ./...'

# --- subtests: a table test whose second and fourth cases fail (t.Run subtests), one plain failing
# test, and passing tests; run verbose (-v prints each failure's location before its "--- FAIL")
# and plain (the locations follow the "--- FAIL" lines, indented under their parent) ------------------
subtests() { # subtests DIR
  module "$1"
  cat > "$1/parse.go" <<'EOF2'
package demo

import (
	"errors"
	"strconv"
)

func ParsePort(text string) (int, error) {
	if text == "" {
		return 8080, nil
	}
	port, err := strconv.Atoi(text)
	if err != nil || port < 0 {
		return 0, errors.New("bad port")
	}
	return port, nil
}
EOF2
  cat > "$1/parse_test.go" <<'EOF2'
package demo

import "testing"

func TestParsePort(t *testing.T) {
	cases := []struct {
		name, text string
		want       int
		wantErr    bool
	}{
		{"digits", "8081", 8081, false},
		{"empty", "", 0, true},
		{"negative", "-1", 0, true},
		{"too_large", "70000", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParsePort(c.text)
			if (err != nil) != c.wantErr || got != c.want {
				t.Errorf("ParsePort(%q) = %d, %v; want %d (error %v)", c.text, got, err, c.want, c.wantErr)
			}
		})
	}
}

func TestParsePortTrimsSpaces(t *testing.T) {
	if got, err := ParsePort(" 80 "); err != nil || got != 80 {
		t.Fatalf("ParsePort(\" 80 \") = %d, %v", got, err)
	}
}

func TestErrorHandling(t *testing.T) {
	if _, err := ParsePort("x"); err == nil {
		t.Error("want an error for x")
	}
}
EOF2
}
d=$tmp/test-verbose-subtests; subtests "$d"
capture test-verbose-subtests "$d" - go test -v ./...
d=$tmp/test-subtests; subtests "$d"
capture test-subtests "$d" - go test ./...
