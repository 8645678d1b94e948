#!/bin/sh
# Regenerates the python/*.log fixtures with Debian's Python 3.11.2 and pytest 7.2.1
# (apt-get install -y python3-pytest). Set PYTHON to use another interpreter.
. "$(dirname "$0")/../common.sh"
PY=${PYTHON:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0

# --- traceback-stdlib: project code calls json.loads, which raises inside the standard library ---
d=$tmp/traceback-stdlib; mkdir -p "$d/tools"
cat > "$d/tools/settings.py" <<'EOF'
import json
from pathlib import Path


def load(path):
    text = Path(path).read_text(encoding="utf-8")
    return json.loads(text)
EOF
cat > "$d/tools/report.py" <<'EOF'
import settings


def main():
    print("loading settings.json")
    config = settings.load("settings.json")
    print(f"report for {config['project']}")


if __name__ == "__main__":
    main()
EOF
printf '{\n  "project": "demo",\n  "retries": 3,\n}\n' > "$d/settings.json"
capture traceback-stdlib "$d" /home/runner/work/demo/demo/ "$PY" tools/report.py

# --- module-not-found: a project module imports a package that is not installed -----------------
d=$tmp/module-not-found; mkdir -p "$d/demo"
touch "$d/demo/__init__.py"
cat > "$d/demo/client.py" <<'EOF'
"""HTTP client for the demo service."""
import json

import httpx


def fetch(url):
    return httpx.get(url).json()
EOF
cat > "$d/main.py" <<'EOF'
import sys

from demo.client import fetch

print(fetch(sys.argv[1]))
EOF
capture module-not-found "$d" /var/lib/jenkins/workspace/demo/ "$PY" main.py https://example.invalid/

# --- pytest-failures: two failing tests with assertion messages, one passing -------------------
d=$tmp/pytest-failures; mkdir -p "$d/tests"
cat > "$d/inventory.py" <<'EOF'
def restock(levels, item, amount):
    levels = dict(levels)
    levels[item] = levels.get(item, 0) + amount
    return levels


def low_stock(levels, threshold):
    return sorted(name for name, count in levels.items() if count < threshold)
EOF
cat > "$d/tests/test_inventory.py" <<'EOF'
from inventory import low_stock, restock


def test_restock_adds_amount():
    assert restock({"apple": 2}, "apple", 3) == {"apple": 5}


def test_low_stock_includes_threshold():
    levels = {"apple": 5, "pear": 1, "plum": 9}
    assert low_stock(levels, 5) == ["apple", "pear"], "items AT the threshold count as low"


def test_restock_new_item():
    levels = restock({}, "kiwi", 4)
    assert levels["kiwi"] == 5
EOF
capture pytest-failures "$d" /var/lib/jenkins/workspace/demo/ env PYTHONPATH=. "$PY" -m pytest -p no:cacheprovider

# --- pytest-collection-error: a test module imports a package that is not installed -------------
d=$tmp/pytest-collection-error; mkdir -p "$d/tests"
cat > "$d/tests/test_api.py" <<'EOF'
import fastapi


def test_app_has_routes():
    assert fastapi.FastAPI().routes == []
EOF
cat > "$d/tests/test_math.py" <<'EOF'
def test_addition():
    assert 1 + 1 == 2
EOF
capture pytest-collection-error "$d" /builds/group/demo/ "$PY" -m pytest -p no:cacheprovider

# --- pytest-clean: verbose run, all passing, including test_error_handling ------------------------
d=$tmp/pytest-clean; mkdir -p "$d/tests"
cat > "$d/tests/test_errors.py" <<'EOF'
import pytest


def describe(error):
    return f"{type(error).__name__}: {error}"


def test_error_handling():
    with pytest.raises(ValueError, match="bad input"):
        raise ValueError("bad input")


def test_describe_reports_no_error():
    assert describe(RuntimeError("0 errors")) == "RuntimeError: 0 errors"
EOF
capture pytest-clean "$d" /home/runner/work/demo/demo/ "$PY" -m pytest -p no:cacheprovider -v

# --- pytest-class-failure: failing tests that are methods of test classes (one class nested in a module
# with a plain test function too) --------------------------------------------------------------------
d=$tmp/pytest-class-failure; mkdir -p "$d/tests"
cat > "$d/slug.py" <<'EOF2'
import re


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def truncate(text, width):
    return text if len(text) <= width else text[:width] + "..."
EOF2
cat > "$d/tests/test_slug.py" <<'EOF2'
from slug import slugify, truncate


class TestSlugify:
    def test_lowercases(self):
        assert slugify("Hello World") == "hello-world"

    def test_keeps_unicode_letters(self):
        assert slugify("Crème brûlée") == "crème-brûlée"


class TestTruncate:
    def test_short_text_unchanged(self):
        assert truncate("abc", 5) == "abc"

    def test_width_includes_ellipsis(self):
        result = truncate("abcdefgh", 5)
        assert len(result) == 5, f"{result!r} is longer than 5"


def test_empty_slug():
    assert slugify("!!!") == ""
EOF2
capture pytest-class-failure "$d" /home/runner/work/demo/demo/ env PYTHONPATH=. "$PY" -m pytest -p no:cacheprovider
