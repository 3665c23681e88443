#!/usr/bin/env bash
# Runs this example project as a user would: a fresh virtual environment, appgw-certs
# installed from this checkout with its `testing` extra, then plain pytest here. The
# plugin must come from its pytest11 entry point: no -p, no conftest.py, no PYTHONPATH.
#   usage: tests/plugin_example/run.sh [pytest arguments]    (PYTHON=python3.12 to choose)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$(mktemp -d "${TMPDIR:-/tmp}/appgw-plugin-example.XXXXXX")"
trap 'rm -rf "$venv"' EXIT
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet "$root[testing]"
cd "$here"
# The entry point is what activates the plugin: check pytest lists it, then run the tests.
plugins="$(env -u PYTHONPATH "$venv/bin/python" -m pytest --version --version 2>&1)"
if [[ "$plugins" != *appgw-certs* ]]; then
    echo "the appgw_certs pytest11 entry point is not registered:" >&2
    echo "$plugins" >&2
    exit 1
fi
env -u PYTHONPATH "$venv/bin/python" -m pytest "$@"
