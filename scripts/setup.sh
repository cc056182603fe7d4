#!/usr/bin/env bash
# Install referatbot into .venv: the CPU build of torch first (any other torch pulls
# several GB of CUDA packages), then the project with its test tools, every package at
# the version in constraints.txt (the dependency set the tests ran with).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -c constraints.txt torch==2.13.0
python -m pip install -q -c constraints.txt -e '.[test]'
echo "referatbot installed in .venv" >&2
