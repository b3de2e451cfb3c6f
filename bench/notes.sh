#!/usr/bin/env bash
# The release-notes pages against their budgets, with no cache at all:
#   - SQL queries and HTML size per page (<= 8 queries, <= 100 KB), largest release;
#   - requests/s of its notes page beside /robots.txt from the same gunicorn, in one run
#     (budget: the page at >= 25 % of /robots.txt).
#
#   bash bench/notes.sh            # 10 s per URL
#   NOTES_DURATION=30s bash bench/notes.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${NOTES_DURATION:-10s}"
CONNECTIONS="${NOTES_CONNECTIONS:-20}"

# shellcheck source=bench/_server.sh
. bench/_server.sh
use_no_cache  # no cache at all: the production settings with Django's dummy cache
start=$(date +%s.%N)
start_production_server
echo "scratch database prepared (migrate + sync_content + collectstatic) in $(echo "$(date +%s.%N) - $start" | bc) s" >&2

echo
"$PY" bench/notes_pages.py || over=1
largest="$("$PY" bench/notes_pages.py --largest)"
PAGES=(/robots.txt "/ko/releases/$largest/notes/" "/ko/releases/$largest/notes/?kind=feature&sig=node")

echo
printf '%-55s %12s %9s\n' url "requests/s" "vs robots"
floor=""
for page in "${PAGES[@]}"; do
  wrk -t2 -c"$CONNECTIONS" -d2s "$BASE$page" >/dev/null  # warm-up, not measured
  rps="$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$BASE$page" | awk '/Requests\/sec/ {print $2}')"
  if [ -z "$floor" ]; then floor="$rps"; fi
  ratio="$(awk -v a="$rps" -v b="$floor" 'BEGIN { printf "%.0f %%", 100 * a / b }')"
  printf '%-55s %12s %9s\n' "$page" "$rps" "$ratio"
  if awk -v a="$rps" -v b="$floor" 'BEGIN { exit !(a < 0.25 * b) }'; then over=1; fi
done
echo "budget: each page >= 25 % of /robots.txt"
logged="$(server_errors)"
if [ -n "$logged" ]; then echo "gunicorn logged errors:"; echo "$logged"; over=1; fi
exit "${over:-0}"
