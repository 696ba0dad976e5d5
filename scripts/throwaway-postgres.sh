#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests, run a command against it, then remove it.
# Usage: scripts/throwaway-postgres.sh COMMAND...   (COMMAND sees TEST_DATABASE_URL)
# initdb refuses to run as root, so the server runs as the `postgres` user in a temporary directory.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL is not installed (make test installs it with apt-get)." >&2
  exit 1
fi

run_as_postgres() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

datadir=$(mktemp -d /tmp/ledger-pg.XXXXXX)
[ "$(id -u)" = "0" ] && chown postgres:postgres "$datadir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  run_as_postgres "$bindir/pg_ctl" -D "$datadir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$datadir"
}
trap cleanup EXIT

run_as_postgres "$bindir/initdb" -D "$datadir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
run_as_postgres "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" -w \
  -o "-p $port -k $datadir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
run_as_postgres "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres ledger_test

export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/ledger_test"
echo "Throwaway PostgreSQL on 127.0.0.1:$port"
"$@"
