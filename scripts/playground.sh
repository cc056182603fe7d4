#!/usr/bin/env bash
# Try the bot in Microsoft's own local Teams client, the Microsoft 365 Agents Playground:
#   1. installs the Playground at the version in package-lock.json into node_modules
#      (`npm ci`; nothing global), unless that version is already there;
#   2. ingests the sample referater (data/samples) when the catalog is empty;
#   3. starts `referatbot serve` and the Playground pointed at it, its telemetry off, and
#      prints the Playground's URL once it listens (it opens a browser too, where it can);
#   4. stops both on Ctrl-C (or when either stops).
# Needs scripts/setup.sh first and Node.js with npm (Debian: apt-get install nodejs npm).
# Settings: REFERATBOT_DATA_DIR (and the other settings `serve` reads), PORT (the bot's,
# 3978), PLAYGROUND_PORT (the Playground's, 56150; it takes a free one if that is taken),
# VENV (the Python environment, .venv).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "playground.sh: $*" >&2; }
die() { say "$*"; exit 1; }

PORT=${PORT:-3978}
PLAYGROUND_PORT=${PLAYGROUND_PORT:-56150}
VENV=${VENV:-.venv}
PACKAGE=@microsoft/m365agentsplayground

for name in PORT PLAYGROUND_PORT; do
    value=${!name}
    [[ $value =~ ^[0-9]{1,5}$ ]] && [ "$value" -ge 1 ] && [ "$value" -le 65535 ] \
        || die "$name must be a port number from 1 to 65535, not '$value'"
done
[ "$PORT" != "$PLAYGROUND_PORT" ] \
    || die "PORT and PLAYGROUND_PORT are both $PORT: give them two ports"
[ -x "$VENV/bin/python" ] || die "no Python environment in $VENV: run scripts/setup.sh first"
command -v npm >/dev/null && command -v node >/dev/null \
    || die "Node.js and npm are missing: install them (apt-get install nodejs npm), then run again"

# the version package-lock.json pins, and the one in node_modules (empty when none)
version_of() {
    node -e 'const [file, key] = process.argv.slice(1); try { const json = require(file);
             console.log((key ? json.packages[key] : json).version) } catch { }' "$@"
}
pinned=$(version_of ./package-lock.json "node_modules/$PACKAGE")
[ -n "$pinned" ] || die "package-lock.json pins no $PACKAGE"
if [ "$(version_of "./node_modules/$PACKAGE/package.json")" != "$pinned" ]; then
    say "installing the Microsoft 365 Agents Playground $pinned into node_modules (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >&2 \
        || die "npm ci could not install $PACKAGE $pinned (see above)"
fi

. "$VENV/bin/activate"
export HF_HUB_OFFLINE=1
# `python -m bot` from the repository runs this checkout's code, whichever checkout the
# environment was installed from
meetings=$(python -m bot meetings --json) || die "could not read the catalog (see above)"
if [ "$meetings" = "[]" ]; then
    say "the catalog is empty: ingesting the sample referater (data/samples)"
    python -m bot ingest data/samples
fi

work=$(mktemp -d)
serve_pid="" playground_pid="" interrupted=""
stop() {
    trap - EXIT INT TERM
    local pid n
    for pid in $serve_pid $playground_pid; do
        # Ctrl-C reached them too (the terminal's process group): let each stop on its
        # own first, as a second signal in the middle of its clean-up would cut it short
        n=0
        while [ -n "$interrupted" ] && [ $n -lt 100 ] && kill -0 "$pid" 2>/dev/null; do
            sleep 0.1
            n=$((n + 1))
        done
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT
trap 'interrupted=1; exit 130' INT
trap 'exit 143' TERM

python -m bot serve --port "$PORT" &
serve_pid=$!
# its own log file goes to $work (it writes ./devTools/ otherwise)
M365_AGENTS_PLAYGROUND_LOGFILE=$work/m365agentsplayground.log \
    "node_modules/.bin/agentsplayground" -e "http://127.0.0.1:$PORT/api/messages" -c msteams \
    -p "$PLAYGROUND_PORT" --dt >"$work/playground.out" 2>&1 &
playground_pid=$!
tail -n +1 -f --pid="$playground_pid" "$work/playground.out" >&2 &

# the port it listens on: PLAYGROUND_PORT, or a free one if that was taken
port=""
while [ -z "$port" ]; do
    kill -0 "$playground_pid" 2>/dev/null || die "the Agents Playground stopped (see above)"
    kill -0 "$serve_pid" 2>/dev/null || die "referatbot serve stopped (see above)"
    port=$(sed -n 's/^Listening on \([0-9][0-9]*\)$/\1/p' "$work/playground.out" | head -n 1)
    [ -n "$port" ] || sleep 0.2
done
[ "$port" = "$PLAYGROUND_PORT" ] || say "port $PLAYGROUND_PORT was taken: the Playground took $port"
echo "Microsoft 365 Agents Playground: http://localhost:$port/ (Ctrl-C stops it and the bot)"

status=0
wait -n "$serve_pid" "$playground_pid" || status=$?
if kill -0 "$serve_pid" 2>/dev/null; then
    say "the Agents Playground stopped (exit status $status); stopping the bot"
else
    say "referatbot serve stopped (exit status $status); stopping the Agents Playground"
fi
exit $((status == 0 ? 1 : status))
