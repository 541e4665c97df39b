#!/usr/bin/env bash
# A throwaway PostgreSQL for the DAG tests' Airflow metadata (no systemd): initdb + pg_ctl as the
# postgres user, on 127.0.0.1:$PGPORT, data in $PGDATA. Installs Debian's postgresql when missing
# (CI runs as root). Usage: ci_postgres.sh start|stop. `start` prints the URL template on stdout.
set -euo pipefail
PGPORT="${PGPORT:-55432}"
PGDATA="${PGDATA:-/tmp/news-etl-ci-pg}"
bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
case "${1:-}" in
start)
  if [ -z "$(bindir)" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  fi
  BIN="$(bindir)"
  [ -n "$BIN" ] || { echo "postgresql is not installed and could not be installed" >&2; exit 1; }
  mkdir -p "$PGDATA" && chown postgres "$PGDATA"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    as_pg "$BIN/initdb" -D "$PGDATA" -A trust -U postgres >&2
  fi
  as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
    -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1" start >&2
  for db in airflow_gw0 airflow_gw1 airflow_main; do
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qtc "DROP DATABASE IF EXISTS $db" >&2
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qtc "CREATE DATABASE $db" >&2
  done
  echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/airflow_{worker}"
  ;;
stop)
  BIN="$(bindir)"
  if [ -n "$BIN" ] && [ -f "$PGDATA/postmaster.pid" ]; then
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >&2
  fi
  rm -rf "$PGDATA"
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
