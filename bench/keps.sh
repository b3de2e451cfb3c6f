#!/usr/bin/env bash
# The enhancement list of the largest release, rendered with no cache at all, beside the
# framework floor (/robots.txt) from the same gunicorn in the same run, measured in turns
# (side_by_side in bench/_server.sh): the budget is its median ratio >= 0.25; the script
# exits 1 below it.
#
#   bash bench/keps.sh                       # 3 rounds, 5 s per URL, 8 connections
#   ROUNDS=5 DURATION=10s bash bench/keps.sh
#
# The server runs the production settings with Django's dummy cache (as bench/notes.sh
# does), so every request runs the view, its queries and the templates, and nothing is
# stored either. Also prints the time of a second sync_content and the SQL queries each
# page makes; /ko/glossary/ is measured beside them for reference, not budgeted.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS="${CONNECTIONS:-8}"
BUDGET="${KEPS_BUDGET:-0.25}"

# shellcheck source=bench/_server.sh
. bench/_server.sh
need_wrk
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

printf 'sync_content (every step) on the fixtures: %.1f s\n' "$(echo "$end - $start" | bc)"
echo
side_by_side "$LIST" /ko/glossary/
echo "budget: $LIST's median >= $BUDGET of /robots.txt"
logged="$(server_errors)"
[ -z "$logged" ] || { echo "gunicorn logged errors:"; echo "$logged"; exit 1; }
[ "$ERRORS" = 0 ] || { echo "$ERRORS requests failed"; exit 1; }
awk -v r="${RATIOS[$LIST]}" -v b="$BUDGET" 'BEGIN { exit !(r >= b) }'
