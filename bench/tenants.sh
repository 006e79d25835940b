#!/usr/bin/env bash
# Tenant creation and migration at scale, on PostgreSQL or SQLite.
#   bench/tenants.sh N [postgres://...admin-url]
# Creates N organizations through the API (8 clients in parallel), then times
# `bulkhead migrate` with nothing pending and with every tenant marked pending.
# Reaches loopback only; starts and stops its own server (and uses a fresh database when a
# PostgreSQL admin URL is given, dropped at the end).
set -euo pipefail
n=${1:?number of tenants}
admin_url=${2:-}
bin=${BULKHEAD_BINARY:-$(dirname "$0")/../build/bulkhead}
work=$(mktemp -d /tmp/bulkhead-bench-XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
storage=(--data "$work/data")
if [ -n "$admin_url" ]; then
  db="bench_$$"
  psql -q "$admin_url" -c "CREATE DATABASE $db"
  storage+=(--database "${admin_url%/*}/$db")
fi
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  [ -n "$admin_url" ] && psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --listen "127.0.0.1:$port" "${storage[@]}" \
  --max-organizations-per-user 0 --organization-creation-rate 0 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -s "127.0.0.1:$port/api/v1/auth/signup" -H "Content-Type: application/json" \
  -d '{"email":"bench@example.com","password":"bench password 1","name":"Bench"}' | jq -r .session_token)

start=$(date +%s.%N)
seq 1 "$n" | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
  "127.0.0.1:$port/api/v1/organizations" -H "Authorization: Bearer $token" \
  -d '{"name":"Tenant {}","slug":"tenant-{}"}' | sort | uniq -c
created=$(date +%s.%N)
kill "$server"; wait "$server" 2>/dev/null || true; server=

echo "created $n organizations in $(echo "$created - $start" | bc) s" \
     "($(echo "($created - $start) * 1000 / $n" | bc -l | cut -c1-6) ms each, 8 clients)"
echo "migrate, nothing pending:"
/usr/bin/time -f "  %e s wall, %M KiB max RSS" "$bin" migrate "${storage[@]}"
if [ -n "$admin_url" ]; then
  psql -q "${admin_url%/*}/$db" -c "UPDATE bulkhead.tenant_versions SET version = 0"
else
  sqlite3 "$work/data/catalog.db" "UPDATE tenant_versions SET version = 0" 2>/dev/null || true
fi
echo "migrate, every tenant pending (checked and recorded, 8 jobs):"
/usr/bin/time -f "  %e s wall, %M KiB max RSS" "$bin" migrate --jobs 8 "${storage[@]}"
