#!/usr/bin/env bash
# Start-to-ready time and idle memory of openvest serve on both databases
# (make bench-start): for SQLite (a new file) and PostgreSQL (a new
# database), the first start (which migrates and creates the sandbox
# organization) and a second start on the same database; each timed from
# exec until GET /readyz answers 200 (polled every 5 ms), then the
# resident set (VmRSS) after -idle seconds without requests.
#
#   bench/start.sh [bin/openvest] [idle seconds, default 5]
set -euo pipefail
BIN=${1:-bin/openvest}
IDLE=${2:-5}
ADMIN=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
ADDR=127.0.0.1:18097
TMP=$(mktemp -d)
DB=openvest_bench_start_$$
cleanup() {
  [[ -n ${PID:-} ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  psql -X -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

run() { # label database-url
  local label=$1 url=$2 t0 t1 ms rss
  t0=$(date +%s%N)
  OPENVEST_ADDR=$ADDR OPENVEST_DATABASE_URL=$url OPENVEST_LOG_LEVEL=warn "$BIN" serve >"$TMP/log" 2>&1 &
  PID=$!
  for _ in $(seq 1 6000); do # 30 s at most
    if curl -fs -o /dev/null "http://$ADDR/readyz"; then break; fi
    kill -0 "$PID" 2>/dev/null || { cat "$TMP/log"; echo "openvest serve exited"; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  sleep "$IDLE"
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status")
  printf '%-34s start to ready %5d ms   idle RSS after %ss %6.1f MB\n' "$label" "$ms" "$IDLE" "$(echo "$rss / 1024" | bc -l)"
  kill "$PID"; wait "$PID" 2>/dev/null || true
  PID=
}

echo "$("$BIN" version | head -1); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
run "sqlite, first start (migrates)" "sqlite://$TMP/openvest.db"
run "sqlite, second start" "sqlite://$TMP/openvest.db"
psql -X -q "$ADMIN" -c "CREATE DATABASE $DB" >/dev/null
PGURL=$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/"+sys.argv[2]).geturl())' "$ADMIN" "$DB")
run "postgres, first start (migrates)" "$PGURL"
run "postgres, second start" "$PGURL"
