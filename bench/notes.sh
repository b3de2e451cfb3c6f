#!/usr/bin/env bash
# The release-notes pages against their budgets, with no cache at all:
#   - SQL queries and HTML size per page (<= 8 queries, <= 100 KB), largest release;
#   - requests/s of its notes page beside /robots.txt from the same gunicorn, in one run,
#     measured in turns (side_by_side in bench/_server.sh): the budget is each page's
#     median ratio >= 25 %.
#
#   bash bench/notes.sh                      # 3 rounds, 5 s per URL
#   ROUNDS=5 DURATION=10s bash bench/notes.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=bench/_server.sh
. bench/_server.sh
need_wrk
use_no_cache  # no cache at all: the production settings with Django's dummy cache
start=$(date +%s.%N)
start_production_server
echo "scratch database prepared (migrate + sync_content + collectstatic) in $(echo "$(date +%s.%N) - $start" | bc) s" >&2

echo
"$PY" bench/notes_pages.py || over=1
largest="$("$PY" bench/notes_pages.py --largest)"
PAGES=("/ko/releases/$largest/notes/" "/ko/releases/$largest/notes/?kind=feature&sig=node")

echo
side_by_side "${PAGES[@]}"
for page in "${PAGES[@]}"; do
  if awk -v r="${RATIOS[$page]}" 'BEGIN { exit !(r < 0.25) }'; then over=1; fi
done
echo "budget: each page's median >= 25 % of /robots.txt"
[ "$ERRORS" = 0 ] || { echo "$ERRORS requests failed"; over=1; }
logged="$(server_errors)"
if [ -n "$logged" ]; then echo "gunicorn logged errors:"; echo "$logged"; over=1; fi
exit "${over:-0}"
