#!/bin/sh
# `make lock`: refresh requirements.lock (the mock: `make run`, the image) and
# requirements-test.lock (CI: the mock plus the `test` extra) from pyproject.toml, with hashes.
#
# uv resolves in about a second and keeps every pin already in a lock unless pyproject.toml's
# ranges exclude it, so re-running after adding a dependency changes only what must change.
# `make lock ARGS=--upgrade` moves everything to the newest versions the ranges allow.
# The locks are universal (any OS the image or a laptop runs) for Python 3.11, and carry the
# build backend (setuptools) so the package itself installs without network.
set -eu
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
PYTHON_VERSION=3.11
VENV=${VENV:-.venv}

[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
if ! "$VENV/bin/uv" --version 2>/dev/null | grep -q "^uv $UV_VERSION "; then
    "$VENV/bin/python" -m pip install -q "uv==$UV_VERSION"
fi

build_requires=$(mktemp)
trap 'rm -f "$build_requires"' EXIT
"$VENV/bin/python" -c '
import sys, tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))
' >"$build_requires"

compile() {
    UV_CUSTOM_COMPILE_COMMAND="make lock" "$VENV/bin/uv" pip compile --quiet \
        --generate-hashes --universal --python-version "$PYTHON_VERSION" \
        --no-annotate pyproject.toml "$build_requires" "$@"
}
compile "$@" -o requirements.lock
# The same versions for what both install: the test lock is constrained by the mock's.
compile "$@" --extra test --constraint requirements.lock -o requirements-test.lock
echo "lock: requirements.lock ($(grep -c '^[a-z]' requirements.lock) packages)," \
    "requirements-test.lock ($(grep -c '^[a-z]' requirements-test.lock) packages)"
