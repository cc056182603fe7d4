#!/usr/bin/env bash
# Run the whole test suite (needs scripts/setup.sh first). Starts a real `chroma run`
# server for the server-mode tests and stops it at the end, whether the tests pass or not.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
export HF_HUB_OFFLINE=1
workdir=$(mktemp -d)
port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chroma run --path "$workdir/chroma" --port "$port" >"$workdir/chroma.log" 2>&1 &
chroma_pid=$!
trap 'kill "$chroma_pid" 2>/dev/null; wait "$chroma_pid" 2>/dev/null; rm -rf "$workdir"' EXIT
export REFERATBOT_TEST_CHROMA="127.0.0.1:$port"
python -m pytest "$@"
