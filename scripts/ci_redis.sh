#!/usr/bin/env bash
# A throwaway Redis as the Celery broker of the Airflow cluster tests (no systemd): Debian's
# redis-server, daemonized on 127.0.0.1:$REDIS_PORT, no persistence, pidfile and log in
# $REDIS_DIR. Installs Debian's redis-server when missing (CI runs as root).
# Usage: ci_redis.sh start|stop. `start` prints the broker URL on stdout.
set -euo pipefail
REDIS_PORT="${REDIS_PORT:-56379}"
REDIS_DIR="${REDIS_DIR:-${TMPDIR:-/tmp}/news-etl-ci-redis}"
PIDFILE="$REDIS_DIR/redis.pid"
case "${1:-}" in
start)
  if ! command -v redis-server >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >&2
  fi
  command -v redis-server >/dev/null 2>&1 || {
    echo "redis-server is not installed and could not be installed" >&2
    exit 1
  }
  mkdir -p "$REDIS_DIR"
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "Redis already runs from $REDIS_DIR (pid $(cat "$PIDFILE"))" >&2
  else
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
      --daemonize yes --pidfile "$PIDFILE" --logfile "$REDIS_DIR/redis.log" \
      --dir "$REDIS_DIR" --save "" --appendonly no >&2
  fi
  # Ready when it answers PING (bounded: 30 s).
  for _ in $(seq 60); do
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
      echo "redis://127.0.0.1:$REDIS_PORT/0"
      exit 0
    fi
    sleep 0.5
  done
  echo "Redis did not answer on 127.0.0.1:$REDIS_PORT; see $REDIS_DIR/redis.log" >&2
  exit 1
  ;;
stop)
  if [ -f "$PIDFILE" ]; then
    pid="$(cat "$PIDFILE")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
  fi
  rm -rf "$REDIS_DIR"
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
