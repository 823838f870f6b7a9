#!/bin/sh
# The contract cannot break silently: openapi.yaml as it is now, against an earlier version.
#
#   scripts/contract-diff.sh [BASE] [mockserver diff options...]    (make contract-diff BASE=rev)
#
# BASE is a git revision. By default: HEAD when openapi.yaml has uncommitted edits, else the
# parent of the last commit that changed openapi.yaml (what that commit changed is checked).
# Fails (exit 1) on a breaking change that no major bump of info.version announces, and on a
# version bump with no change; exit 2 when a side cannot be read.
# With no earlier version in the history (the file's first commit, or a shallow clone) there is
# nothing to compare: it says so on stderr and exits 0.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$here/.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
SPEC=${SPEC:-openapi.yaml}

say() { echo "contract-diff: $*" >&2; }

if ! top=$(git rev-parse --show-toplevel 2>/dev/null); then
    say "WARNING: not inside a git work tree: no earlier $SPEC to compare with. NOT CHECKED."
    exit 0
fi
cd "$top"

base=${1:-${BASE:-}}
[ $# -gt 0 ] && shift
if [ -z "$base" ]; then
    if ! git cat-file -e "HEAD:$SPEC" 2>/dev/null; then
        say "WARNING: $SPEC is not in HEAD: nothing to compare it with. NOT CHECKED."
        exit 0
    elif ! git diff --quiet HEAD -- "$SPEC"; then
        base=HEAD
    else
        last=$(git log -n 1 --format=%H -- "$SPEC")
        if [ -z "$last" ] || ! git cat-file -e "$last^:$SPEC" 2>/dev/null; then
            shallow=$(git rev-parse --is-shallow-repository)
            hint="it was added by ${last:-an unknown commit} and never changed since"
            [ "$shallow" = true ] && hint="this is a shallow clone: git fetch --unshallow"
            say "WARNING: no earlier version of $SPEC in this history ($hint). NOT CHECKED."
            exit 0
        fi
        base="$last^"
    fi
fi
say "$SPEC (working tree) against $(git rev-parse --short "$base") ($base)"
exec "$PYTHON" -m mockserver.diff "git:$base:$SPEC" "$SPEC" --fail-on breaking --check-version "$@"
