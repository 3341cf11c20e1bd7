#!/usr/bin/env bash
# The sdist carries a test suite that runs: build it, unpack it into a temporary directory,
# install it with its test and docs extras (as the README's test command does) into a fresh
# venv, and run its tests there with the browser and server tests deselected. No test
# collected (pytest's exit status 5) is a failure too.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
python=${PYTHON:-.venv/bin/python}

"$python" -m pip install -q build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "+ python -m build --sdist"
if ! "$python" -m build --sdist --outdir "$work/dist" >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    exit 1
fi
sdist=$(echo "$work"/dist/*.tar.gz)
tar -xzf "$sdist" -C "$work"
source_dir=$(echo "$work"/wsgicors-*/)

echo "+ pip install '$(basename "$sdist")[test,docs]' into a fresh venv"
"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install -q "${sdist}[test,docs]"

echo "+ pytest -m 'not browser and not server' in the unpacked sdist"
cd "$source_dir"
status=0
# pytest itself, not python -m pytest: the working directory stays off sys.path, so the tests
# import the installed package, not the unpacked sources.
"$work/venv/bin/pytest" -q -p no:cacheprovider -m "not browser and not server" || status=$?
if [ "$status" -eq 5 ]; then
    echo "sdist-check: pytest collected no tests from the sdist" >&2
    exit 1
fi
exit "$status"
