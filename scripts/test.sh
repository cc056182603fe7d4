#!/usr/bin/env bash
# Run the whole test suite (needs scripts/setup.sh first). Starts a real `chroma run`
# server and a throwaway PostgreSQL cluster for the server-mode tests and stops both at
# the end, whether the tests pass or not. Without PostgreSQL (Debian's `postgresql`
# package) it stops at once: the PostgreSQL catalog tests must run here, not be skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
export HF_HUB_OFFLINE=1
workdir=$(mktemp -d)
free_port() {
    python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# postgres refuses to run as root: as root (CI), run it as Debian's `postgres` user
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
chroma_pid=""
pg_data=""
cleanup() {
    [ -z "$chroma_pid" ] || { kill "$chroma_pid" 2>/dev/null; wait "$chroma_pid" 2>/dev/null; }
    [ -z "$pg_data" ] || as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$workdir"
}
trap cleanup EXIT

port=$(free_port)
chroma run --path "$workdir/chroma" --port "$port" >"$workdir/chroma.log" 2>&1 &
chroma_pid=$!
export REFERATBOT_TEST_CHROMA="127.0.0.1:$port"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ]; then
    echo "test.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
fi
pg_port=$(free_port)
mkdir "$workdir/pg"
chmod 711 "$workdir"
[ "$(id -u)" -ne 0 ] || chown postgres: "$workdir/pg"
as_pg "$pg_bin/initdb" -D "$workdir/pg/data" -U referatbot --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$workdir/pg/initdb.log" 2>&1 \
    || { cat "$workdir/pg/initdb.log" >&2; echo "test.sh: initdb failed" >&2; exit 1; }
pg_data="$workdir/pg/data"
as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$workdir/pg/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $workdir/pg" start >/dev/null \
    || { cat "$workdir/pg/postgres.log" >&2; echo "test.sh: PostgreSQL did not start" >&2; exit 1; }
as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U referatbot referatbot_test
export REFERATBOT_TEST_POSTGRES="postgresql://referatbot@127.0.0.1:$pg_port/referatbot_test"
export REFERATBOT_REQUIRE_POSTGRES=1  # a PostgreSQL test that would skip fails instead

# two test processes (pytest-xdist) on a machine with two cores or more, as the suite is
# run here; more would multiply the memory of the model each one loads. `-n N` overrides.
case " $* " in
*" -n"* | *" --numprocesses"* | *" -p no:xdist"*) ;;
*) [ "$(nproc)" -lt 2 ] || set -- -n 2 "$@" ;;
esac
python -m pytest "$@"
