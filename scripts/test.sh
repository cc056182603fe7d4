#!/usr/bin/env bash
# Run the whole test suite (needs scripts/setup.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
export HF_HUB_OFFLINE=1
exec python -m pytest "$@"
