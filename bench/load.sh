#!/usr/bin/env bash
# Load test: gunicorn with production settings on 127.0.0.1, wrk against the main pages,
# then nginx (deploy/nginx.conf) in front of it: a page through nginx against the same
# page as a static file nginx serves.
#
#   bash bench/load.sh                      # 30 s per page, 50 connections
#   LOAD_DURATION=10s bash bench/load.sh
#
# Prints requests/s, p50 and p99 latency and the error count (socket errors plus
# responses other than 2xx/3xx) per page. Budget on the 2-core machine: zero errors and
# p99 under 100 ms; the script exits 1 when a page is over it.
#
# Traffic goes to 127.0.0.1 only; the server and its scratch database are set up by
# bench/_server.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${LOAD_DURATION:-30s}"
CONNECTIONS="${LOAD_CONNECTIONS:-50}"
THREADS="${LOAD_THREADS:-2}"
WARMUP="${LOAD_WARMUP:-2s}"  # not measured: fills every worker's page cache first
P99_BUDGET_MS="${LOAD_P99_BUDGET_MS:-100}"
PAGES=(/ko/ /en/enhancements/?stage=beta /ko/enhancements/2400/ /en/search/?q=swap)

if ! command -v wrk >/dev/null; then
  echo "wrk is missing: installing it with apt-get" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
# shellcheck source=bench/_server.sh
. bench/_server.sh
start_production_server

# wrk calls done() once at the end; one line that the table below reads.
cat >"$SCRATCH/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status, summary.requests))
end
LUA

echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per page" >&2
ROWS=()
NOTES=()
over=0
for page in "${PAGES[@]}"; do
  status="$(curl -s -o /dev/null -w '%{http_code}' "$BASE$page")"
  if [ "$status" = 404 ] && [[ "$page" == */search/* ]]; then
    NOTES+=("$page skipped: the search page is not there yet (404)")
    continue
  fi
  if [ "$status" != 200 ]; then
    NOTES+=("$page answered $status before the run")
  fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$BASE$page" >/dev/null
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$SCRATCH/report.lua" "$BASE$page")"
  read -r _ rps p50 p99 socket_errors status_errors total <<<"$(grep '^RESULT ' <<<"$out")"
  errors=$(( socket_errors + status_errors ))
  verdict=ok
  if [ "$errors" -ne 0 ] || awk -v p="$p99" -v b="$P99_BUDGET_MS" 'BEGIN { exit !(p >= b) }'; then
    verdict="OVER BUDGET"
    over=1
  fi
  ROWS+=("$(printf '%-28s %10s %9s %9s %7s %9s  %s' "$page" "$rps" "$p50" "$p99" "$errors" "$total" "$verdict")")
done

# Through nginx (deploy/nginx.conf): a public page, against the same page as a static file
# that nginx serves itself. Budget: at least half its requests/s, and no errors.
start_nginx_front
FRONT_PAGE="${LOAD_FRONT_PAGE:-/ko/enhancements/2400/}"
STATIC_PATH="$(static_copy_of "$FRONT_PAGE")"
declare -A FRONT_RPS
for target in "$FRONT_PAGE" "$STATIC_PATH"; do
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$FRONT$target" >/dev/null
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$SCRATCH/report.lua" "$FRONT$target")"
  read -r _ rps p50 p99 socket_errors status_errors total <<<"$(grep '^RESULT ' <<<"$out")"
  errors=$(( socket_errors + status_errors ))
  FRONT_RPS[$target]="$rps"
  label="nginx $target"
  [ "$target" = "$STATIC_PATH" ] && label="nginx static copy"
  verdict=ok
  if [ "$errors" -ne 0 ]; then verdict="OVER BUDGET"; over=1; fi
  ROWS+=("$(printf '%-28s %10s %9s %9s %7s %9s  %s' "$label" "$rps" "$p50" "$p99" "$errors" "$total" "$verdict")")
done
ratio="$(awk -v a="${FRONT_RPS[$FRONT_PAGE]}" -v b="${FRONT_RPS[$STATIC_PATH]}" 'BEGIN { printf "%.2f", a / b }')"
if awk -v r="$ratio" 'BEGIN { exit !(r < 0.5) }'; then
  over=1
  NOTES+=("through nginx, $FRONT_PAGE served $ratio of the static copy's requests/s: OVER BUDGET (>= 0.50)")
else
  NOTES+=("through nginx, $FRONT_PAGE served $ratio of the static copy's requests/s (budget >= 0.50)")
fi

echo
printf '%-28s %10s %9s %9s %7s %9s  %s\n' page "requests/s" "p50 ms" "p99 ms" errors requests budget
printf '%s\n' "${ROWS[@]}"
for note in "${NOTES[@]+"${NOTES[@]}"}"; do echo "note: $note"; done
logged="$(server_errors)"
if [ -n "$logged" ]; then
  echo "gunicorn logged errors:"
  echo "$logged"
  over=1
fi
echo "budget: 0 errors, p99 < ${P99_BUDGET_MS} ms"
exit "$over"
