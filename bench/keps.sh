#!/usr/bin/env bash
# The enhancement list of the largest release, rendered with no cache at all, beside the
# framework floor (/robots.txt) from the same gunicorn in the same run.
#
#   bash bench/keps.sh                 # 15 s per URL, 8 connections
#   KEPS_DURATION=5s bash bench/keps.sh
#
# The server runs the production settings with Django's dummy cache (as bench/notes.sh
# does), so every request runs the view, its queries and the templates, and nothing is
# stored either. The budget is ratio >= 0.25; the script exits 1 below it. Also prints
# the import time of the KEP step and the SQL queries each page makes.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${KEPS_DURATION:-15s}"
CONNECTIONS="${KEPS_CONNECTIONS:-8}"
THREADS="${KEPS_THREADS:-2}"
BUDGET="${KEPS_BUDGET:-0.25}"

if ! command -v wrk >/dev/null; then
  echo "wrk is missing: installing it with apt-get" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
# shellcheck source=bench/_server.sh
. bench/_server.sh
use_no_cache
start_production_server

start=$(date +%s.%N)
"$PY" manage.py sync_content -v 0 >/dev/null
end=$(date +%s.%N)
"$PY" bench/keps_queries.py
LARGEST="$("$PY" manage.py shell --no-imports -v 0 -c "
from releasenotes.models import Release
from django.db.models import Count
r = Release.objects.covered().annotate(n=Count('stages')).order_by('-n').first()
print(r.version)")"
LIST="/ko/enhancements/?release=$LARGEST"

cat >"$SCRATCH/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout + e.status))
end
LUA

run() {  # url script -> "rps p99 errors"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$2" "$BASE$1" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$2" "$BASE$1" | grep '^RESULT ' | cut -d' ' -f2-
}
read -r floor floor_p99 floor_errors <<<"$(run /robots.txt "$SCRATCH/report.lua")"
read -r page page_p99 page_errors <<<"$(run "$LIST" "$SCRATCH/report.lua")"
# For comparison, not budgeted here: a page with little of its own on the same base template.
read -r plain plain_p99 plain_errors <<<"$(run /ko/glossary/ "$SCRATCH/report.lua")"
ratio="$(awk -v a="$page" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')"

printf 'sync_content (every step) on the fixtures: %.1f s\n' "$(echo "$end - $start" | bc)"
printf '%-40s %10s %9s %7s\n' url "requests/s" "p99 ms" errors
printf '%-40s %10s %9s %7s\n' /robots.txt "$floor" "$floor_p99" "$floor_errors"
printf '%-40s %10s %9s %7s\n' "$LIST (no cache)" "$page" "$page_p99" "$page_errors"
printf '%-40s %10s %9s %7s\n' "/ko/glossary/ (no cache, reference)" "$plain" "$plain_p99" "$plain_errors"
echo "ratio: $ratio (budget >= $BUDGET)"
logged="$(server_errors)"
[ -z "$logged" ] || { echo "gunicorn logged errors:"; echo "$logged"; exit 1; }
[ "$floor_errors$page_errors" = 00 ] || exit 1
awk -v r="$ratio" -v b="$BUDGET" 'BEGIN { exit !(r >= b) }'
