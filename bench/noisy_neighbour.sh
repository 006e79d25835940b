#!/usr/bin/env bash
# One organization floods the server; how do its neighbours fare?
#   bench/noisy_neighbour.sh [seconds]
# Starts its own server on a temporary SQLite data directory (loopback only), creates organization
# "noisy" and organization "quiet", and measures with wrk `GET /api/v1/organizations/quiet`
# (8 connections):
#   1. alone;
#   2. while 64 connections flood "noisy" within its budget (requests_per_minute = 600, so
#      nearly every flood request is refused with 429 before any work is done for it);
#   3. while the same flood runs with no budget (every flood request is served).
#   0. while the same flood asks for /healthz, which names no organization: what that much
#      traffic costs on this machine whatever it asks for (the load generator shares the cores).
# Prints req/s, p50 and p99 of "quiet" in each case, the flood's own rate and its non-2xx
# answers. Case 2 against case 0 is what the budget achieves: a flood over budget should cost
# its neighbours no more than the cheapest request there is.
set -euo pipefail
seconds=${1:-5}
bin=${BULKHEAD_BINARY:-$(dirname "$0")/../build/bulkhead}
work=$(mktemp -d /tmp/bulkhead-noisy-XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"
cleanup() {
  [ -n "${flood:-}" ] && kill "$flood" 2>/dev/null || true
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --listen "127.0.0.1:$port" --data "$work/data" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -sf "$base/api/v1/auth/signup" -H "Content-Type: application/json" \
  -d '{"email":"bench@example.com","password":"bench password 1","name":"Bench"}' | jq -r .session_token)
auth="Authorization: Bearer $token"
for slug in noisy quiet; do
  curl -sf -o /dev/null "$base/api/v1/organizations" -H "$auth" -d "{\"name\":\"$slug\",\"slug\":\"$slug\"}"
done

# wrk's latency table, as "req/s p50 p99 non2xx".
measure() {  # connections seconds url
  wrk -t1 -c"$1" -d"$2"s --latency -H "$auth" "$3" >"$work/wrk.txt"
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
  echo "$rps $p50 $p99 ${non2xx:-0}"
}
flood() {  # url; runs in the background for the measurement plus a second of warm-up
  wrk -t1 -c64 -d$((seconds + 2))s --latency -H "$auth" "$1" >"$work/flood.txt" &
  flood=$!
  sleep 1
}
flood_summary() {  # sets flood_rps and flood_non2xx
  wait "$flood" || true
  flood=
  flood_rps=$(awk '/Requests\/sec/ {print $2}' "$work/flood.txt")
  flood_non2xx=$(awk '/Non-2xx/ {print $5}' "$work/flood.txt")
  flood_non2xx=${flood_non2xx:-0}
}
quiet="$base/api/v1/organizations/quiet"
measure 8 1 "$quiet" >/dev/null  # warm-up

read -r a_rps a_p50 a_p99 _ < <(measure 8 "$seconds" "$quiet")

flood "$base/healthz"
read -r h_rps h_p50 h_p99 _ < <(measure 8 "$seconds" "$quiet")
flood_summary
fh_rps=$flood_rps

budget() {  # requests_per_minute for "noisy" (null: none); over budget, waits for a token
  for _ in 1 2 3; do
    curl -sf -o /dev/null -X PATCH "$base/api/v1/organizations/noisy" -H "$auth" \
      -d "{\"settings\":{\"limits\":{\"requests_per_minute\":$1}}}" && return 0
    sleep 1
  done
  return 1
}

budget 600
flood "$base/api/v1/organizations/noisy"
read -r b_rps b_p50 b_p99 _ < <(measure 8 "$seconds" "$quiet")
flood_summary
fb_rps=$flood_rps fb_non2xx=$flood_non2xx

# The budget is spent: lifting it waits for a token.
budget null
flood "$base/api/v1/organizations/noisy"
read -r c_rps c_p50 c_p99 _ < <(measure 8 "$seconds" "$quiet")
flood_summary
fc_rps=$flood_rps fc_non2xx=$flood_non2xx

ratio() { echo "scale=2; $1 / $2" | bc -l; }
ms() {  # wrk prints 812.00us, 1.20ms or 1.02s
  case "$1" in
    *us) echo "scale=3; ${1%us} / 1000" | bc -l ;;
    *ms) echo "${1%ms}" ;;
    *s) echo "scale=3; ${1%s} * 1000" | bc -l ;;
  esac
}
printf '%-44s %10s %9s %9s %22s\n' "GET quiet (8 connections, ${seconds}s)" "req/s" "p50" "p99" "flood on noisy"
printf '%-44s %10s %9s %9s %22s\n' "alone" "$a_rps" "$a_p50" "$a_p99" "-"
printf '%-44s %10s %9s %9s %22s\n' "a flood of GET /healthz (no organization)" "$h_rps" "$h_p50" "$h_p99" \
  "$fh_rps req/s"
printf '%-44s %10s %9s %9s %22s\n' "noisy floods, over its budget (429)" "$b_rps" "$b_p50" "$b_p99" \
  "$fb_rps req/s, $fb_non2xx 429"
printf '%-44s %10s %9s %9s %22s\n' "noisy floods, no budget (all served)" "$c_rps" "$c_p50" "$c_p99" \
  "$fc_rps req/s, $fc_non2xx non-2xx"
echo "quiet while noisy floods over its budget, against a /healthz flood of the same shape:" \
     "p99 $(ratio "$(ms "$b_p99")" "$(ms "$h_p99")")x, throughput $(ratio "$b_rps" "$h_rps")x"
echo "quiet while noisy floods with no budget, against the same:" \
     "p99 $(ratio "$(ms "$c_p99")" "$(ms "$h_p99")")x, throughput $(ratio "$c_rps" "$h_rps")x"
