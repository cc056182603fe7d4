#!/usr/bin/env bash
# Install referatbot into .venv: the CPU build of torch first (any other torch pulls
# several GB of CUDA packages), then the project with its test tools.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q torch==2.13.0
python -m pip install -q -e '.[test]'
echo "referatbot installed in .venv" >&2
