#!/usr/bin/env bash
# Set up, ingest the sample minutes and start the bot with its local chat page.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
. "${VENV:-.venv}/bin/activate"
export HF_HUB_OFFLINE=1
referatbot ingest data/samples
exec referatbot serve --port "${PORT:-3978}"
