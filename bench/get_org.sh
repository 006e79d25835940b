#!/usr/bin/env bash
# Throughput of one hot route, to compare two builds in the same run:
#   bench/get_org.sh [seconds] [binary...]
# For each binary (default build/bulkhead) in turn, three times: starts it on a temporary SQLite
# data directory (loopback only), signs up, creates organization "acme" and runs
# `wrk -t1 -c32` against `GET /api/v1/organizations/acme` with the session. Prints req/s, p50
# and p99 per run.
set -euo pipefail
seconds=${1:-5}
shift || true
binaries=("$@")
[ ${#binaries[@]} -eq 0 ] && binaries=("$(dirname "$0")/../build/bulkhead")
work=$(mktemp -d /tmp/bulkhead-getorg-XXXXXX)
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

run_one() {  # binary
  local port=$(( 20000 + RANDOM % 20000 ))
  local base="http://127.0.0.1:$port"
  rm -rf "$work/data"
  "$1" serve --listen "127.0.0.1:$port" --data "$work/data" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
  local token
  token=$(curl -sf "$base/api/v1/auth/signup" -H "Content-Type: application/json" \
    -d '{"email":"bench@example.com","password":"bench password 1","name":"Bench"}' | jq -r .session_token)
  curl -sf -o /dev/null "$base/api/v1/organizations" -H "Authorization: Bearer $token" \
    -d '{"name":"Acme","slug":"acme"}'
  wrk -t1 -c32 -d1s -H "Authorization: Bearer $token" "$base/api/v1/organizations/acme" >/dev/null
  wrk -t1 -c32 -d"${seconds}s" --latency -H "Authorization: Bearer $token" \
    "$base/api/v1/organizations/acme" >"$work/wrk.txt"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  printf '%-40s %10s %9s %9s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")" \
    "$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")" "$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
}
printf '%-40s %10s %9s %9s\n' "binary" "req/s" "p50" "p99"
for round in 1 2 3; do
  for binary in "${binaries[@]}"; do run_one "$binary"; done
done
