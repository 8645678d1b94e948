#!/bin/sh
# Regenerates the process/*.log fixtures: failures that are not compiler diagnostics (a timeout,
# a segfault, a SIGKILL as the OOM killer sends, a full disk, a DNS failure). GNU Make 4.3,
# coreutils timeout, gcc 12.2, Python 3.11.2, git 2.39.
. "$(dirname "$0")/../common.sh"
tab=$(printf '\t')

# --- timeout: an integration step killed by `timeout` after 2 s ---------------------------------
d=$tmp/timeout; mkdir -p "$d/scripts"
cat > "$d/scripts/wait-for-db.sh" <<'EOF'
#!/bin/sh
echo "waiting for postgres on localhost:5432 ..."
while :; do
  sleep 1
done
EOF
chmod +x "$d/scripts/wait-for-db.sh"
cat > "$d/Makefile" <<EOF
integration:
${tab}timeout --verbose 2 ./scripts/wait-for-db.sh
${tab}echo "database is up"
EOF
capture timeout "$d" - make integration

# --- segfault: a C program that dereferences NULL, run by make -----------------------------------
d=$tmp/segfault; mkdir -p "$d/src"
cat > "$d/src/main.c" <<'EOF'
#include <stdio.h>
#include <string.h>

struct config { const char *name; };

static size_t name_length(const struct config *cfg)
{
    return strlen(cfg->name);
}

int main(void)
{
    struct config *cfg = NULL;
    printf("starting\n");
    fflush(stdout);
    printf("%zu\n", name_length(cfg));
    return 0;
}
EOF
cat > "$d/Makefile" <<EOF
run: app
${tab}./app

app: src/main.c
${tab}gcc -Wall -g -O0 src/main.c -o app
EOF
capture segfault "$d" - sh -c 'ulimit -c unlimited; make run'

# --- oom-killed: a step that grows its memory and then gets SIGKILL (as the OOM killer sends) -----
d=$tmp/oom-killed; mkdir -p "$d/tools"
cat > "$d/tools/build_index.py" <<'EOF'
import os
import signal

chunks = []
for step in range(1, 4):
    chunks.append(bytearray(64 * 1024 * 1024))
    print(f"indexing: {step * 64} MB resident", flush=True)
# Stand-in for the kernel's OOM killer, which sends SIGKILL.
os.kill(os.getpid(), signal.SIGKILL)
EOF
cat > "$d/Makefile" <<EOF
index:
${tab}python3 tools/build_index.py
${tab}echo "index built"
EOF
capture oom-killed "$d" - make index

# --- disk-full: a packaging script whose output file is on a full device (/dev/full) ------------
d=$tmp/disk-full; mkdir -p "$d/tools" "$d/build"
head -c 100000 /dev/zero > "$d/build/app.bin"
cat > "$d/tools/pack.py" <<'EOF'
import os
import sys


def pack(source, target):
    data = open(source, "rb").read()
    with open(target, "wb") as out:
        out.write(data)
        out.flush()
    print(f"wrote {len(data)} bytes to {target}")


if __name__ == "__main__":
    print("packing build/app.bin")
    pack("build/app.bin", os.environ.get("ARTIFACT_PATH", "dist/app.pkg"))
EOF
capture disk-full "$d" /home/runner/work/demo/demo/ env ARTIFACT_PATH=/dev/full /usr/bin/python3 tools/pack.py

# --- dns-failure: git clone from a host that does not resolve -----------------------------------
d=$tmp/dns-failure; mkdir -p "$d"
capture dns-failure "$d" - git clone https://git.nonexistent.invalid/group/dependency.git vendor/dependency
